"""`aquadsl target probe|verify`: talk to a user's own Django project through its own interpreter.

Exit codes: 0 done, 1 mapping errors or failed checks, 69 the target or its database cannot be reached,
70 internal error.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from aquadsl.cli import exits
from aquadsl.cli.common import TODAY, print_diagnostics
from aquadsl.outputs import output_problem, writable_problem, write_atomic

TARGET_UNREACHABLE = 69


def _mapping(path: str):
    """The mapping's IR, or exit 1 after printing its syntax diagnostics."""
    from aquadsl.targets.loader import load_mapping

    result = load_mapping(path)
    print_diagnostics(result.diagnostics, result.sources)
    if not result.ok:
        sys.exit(exits.ERROR)
    if result.mapping.target is None or None in (result.mapping.target.project, result.mapping.target.python,
                                                 result.mapping.target.settings):
        click.echo(f"aquadsl: {path}: the target block must say project, python and settings", err=True)
        sys.exit(exits.ERROR)
    return result.mapping


@click.group()
def target() -> None:
    """Work with a target: a Django project of your own that scenarios are loaded into."""


@target.command()
@click.argument("mapping", metavar="MAPPING.aqt")
@click.option("--database", metavar="URL", default=None,
              help="The target's database (fills {database} in the mapping's env lines).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the manifest here.")
def probe(mapping: str, database: str | None, out: str | None) -> None:
    """Introspect the target in its own interpreter and print its manifest (sorted JSON)."""
    from aquadsl.targets.interp import TargetError, run_script
    from aquadsl.targets.manifest import dumps_manifest
    from aquadsl.targets.replay import probe_payload

    ir_mapping = _mapping(mapping)
    problem = out and (output_problem(out, [mapping]) or writable_problem(out))
    if problem:
        click.echo(f"aquadsl: cannot write '{out}': {problem}", err=True)
        sys.exit(exits.CANT_CREATE)
    try:
        text = dumps_manifest(run_script(ir_mapping, "probe.py", probe_payload(ir_mapping), database))
    except TargetError as exc:
        click.echo(f"error[AQS661]: {exc}", err=True)
        sys.exit(TARGET_UNREACHABLE)
    if out:
        try:
            write_atomic(Path(out), text)
        except OSError as exc:
            click.echo(f"aquadsl: cannot write '{out}': {exc.strerror or exc}", err=True)
            sys.exit(exits.CANT_CREATE)
        click.echo(f"wrote the manifest of {ir_mapping.target.name!r} to {out}", err=True)
    else:
        click.echo(text, nl=False)


VERIFY_EXITS = ("Exit codes: 0 every check passed, 1 a check failed (or mapping errors), 69 the target or its "
                "database cannot be reached, 70 internal error.")


@target.command(epilog=VERIFY_EXITS)
@click.argument("mapping", metavar="MAPPING.aqt")
@click.argument("source", metavar="FILE.aqs|plan.json")
@click.option("--database", metavar="URL", required=True, help="The target database the scenario was applied to.")
@click.option("--manifest", metavar="FILE", default=None, help="The probe's manifest (default: probe now).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@TODAY
def verify(mapping: str, source: str, database: str, manifest: str | None, fmt: str, today) -> None:
    """Judge the loaded rows with the target's own code: counts, full_clean(), save() replay, endpoints."""
    from aquadsl.cli.runtime_cmds import _load_plan
    from aquadsl.runtime.db import redact
    from aquadsl.targets.commands import checked_mapping
    from aquadsl.targets.verify import verify_target

    ir_mapping, ir_manifest = checked_mapping(mapping, manifest, database)
    with _target_faults(""):
        plan = _load_plan(source, today)[0]
        report = verify_target(ir_mapping, ir_manifest, plan, database, redact(database))
    click.echo(report.render(fmt), nl=False)
    sys.exit(report.exit_code)


@target.command(epilog="Exit codes: 0 done, 1 mapping errors, 64 unknown step, 69 the target, its database or a "
                        "step failed (what is recorded stays; run again to resume).")
@click.argument("mapping", metavar="MAPPING.aqt")
@click.argument("source", metavar="FILE.aqs|plan.json")
@click.option("--database", metavar="URL", required=True, help="The target database the scenario was applied to.")
@click.option("--manifest", metavar="FILE", default=None, help="The probe's manifest (default: probe now).")
@click.option("--step", "steps", metavar="all|STEP,...", default="all", show_default=True,
              help="Which of the mapping's replay steps to run.")
@TODAY
def replay(mapping: str, source: str, database: str, manifest: str | None, steps: str, today) -> None:
    """Run the mapping's replay steps on the loaded batches that have not had them yet (idempotent)."""
    from aquadsl.cli.runtime_cmds import _load_plan
    from aquadsl.targets.commands import checked_mapping, chosen_steps, run_steps

    ir_mapping = checked_mapping(mapping, manifest, database)[0]
    chosen = chosen_steps(ir_mapping, steps)
    with _target_faults("replay failed: "):
        run_steps(ir_mapping, _load_plan(source, today)[0], database, chosen)


@contextlib.contextmanager
def _target_faults(prefix: str):
    """A runtime fault exits with its code; a target that fails or cannot be reached exits 69."""
    from aquadsl.runtime.errors import RuntimeFault
    from aquadsl.targets.interp import TargetError

    try:
        yield
    except RuntimeFault as exc:
        click.echo(exc.render(), err=True)
        sys.exit(exc.exit_code)
    except TargetError as exc:
        click.echo(f"error[AQS661]: {prefix}{exc}", err=True)
        sys.exit(TARGET_UNREACHABLE)


COMMANDS = (target,)
