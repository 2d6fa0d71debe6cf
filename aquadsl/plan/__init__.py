"""The execution plan: the versioned artifact between the compiler and the runtime."""

from aquadsl.plan.model import FORMAT_VERSION, Plan, dumps, loads

__all__ = ["FORMAT_VERSION", "Plan", "dumps", "loads"]
