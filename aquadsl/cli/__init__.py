"""The `aquadsl` command line: a click group whose commands live in sibling modules."""

from __future__ import annotations

import importlib
import sys

import click

from aquadsl import __version__
from aquadsl.cli import exits


class GuardedGroup(click.Group):
    """Turns any unexpected exception into one line naming the input, with exit code 70."""

    def main(self, *args, **kwargs):
        """Usage errors exit with USAGE (64), not click's 2, which `diff` uses for "changes"."""
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)  # without standalone mode, ctx.exit(n) returns n
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # plain `aquadsl` shows the help: not an error
            sys.exit(exits.OK)
        except click.UsageError as exc:
            exc.show()
            sys.exit(exits.USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(exits.INTERRUPTED)
        sys.exit(code if isinstance(code, int) else exits.OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            args = " ".join(sys.argv[1:]) or "(no arguments)"
            click.echo(f"aquadsl: internal error ({type(exc).__name__}: {str(exc)[:200]}) while running "
                       f"`aquadsl {args}`; please report it with that input", err=True)
            sys.exit(exits.INTERNAL)


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aquadsl")
def main() -> None:
    """Write salmon-farm scenarios, compile them to deterministic plans, and apply them to a database."""


# Every sibling module that defines a COMMANDS tuple contributes its click commands, in module-name
# order, so a new capability adds its own `*_cmds.py` without touching this file.
def _command_modules() -> list[str]:
    import pkgutil

    from aquadsl import cli

    return sorted(info.name for info in pkgutil.iter_modules(cli.__path__) if info.name.endswith(("_cmd", "_cmds")))


for _module in _command_modules():
    _mod = importlib.import_module(f"aquadsl.cli.{_module}")
    for _command in getattr(_mod, "COMMANDS", ()):
        main.add_command(_command)
