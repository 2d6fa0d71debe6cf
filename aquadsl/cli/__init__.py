"""The `aquadsl` command line: a click group whose commands live in sibling modules."""

from __future__ import annotations

import importlib

import click

from aquadsl import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aquadsl")
def main() -> None:
    """Write salmon-farm scenarios, compile them to deterministic plans, and apply them to a database."""


# Each module defines click commands named in its COMMANDS tuple.
for _module in ("compile_cmds", "fmt_cmd", "runtime_cmds"):
    try:
        _mod = importlib.import_module(f"aquadsl.cli.{_module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"aquadsl.cli.{_module}":
            raise
        continue
    for _command in _mod.COMMANDS:
        main.add_command(_command)
