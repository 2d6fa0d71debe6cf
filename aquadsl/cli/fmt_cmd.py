"""`aquadsl fmt`: rewrite .aqs files in the canonical layout, or check that they already are."""

from __future__ import annotations

import click

from aquadsl import fmt as fmt_lib
from aquadsl.cli import exits


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--check", is_flag=True, help="Change nothing; exit 2 if any file would be reformatted.")
def fmt(files: tuple[str, ...], check: bool) -> None:
    """Rewrite FILE... in the canonical layout, keeping every comment."""
    errors = changes = False
    for path in files:
        outcome = fmt_lib.format_file(path, write=not check)
        if outcome.error:
            click.echo(outcome.error, err=True)
            errors = True
        elif outcome.changed:
            click.echo(f"would reformat {path}" if check else f"reformatted {path}")
            changes = True
    code = exits.ERROR if errors else exits.CHANGES if changes and check else exits.OK
    click.get_current_context().exit(code)


COMMANDS = (fmt,)
