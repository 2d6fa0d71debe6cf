"""aquadsl: a language and compiler for deterministic salmon-farm test data."""

__version__ = "0.1.0"
