"""`aquadsl verify`: check a loaded farm database against its plan, one precise line per failure."""

from __future__ import annotations

import sys

import click

from aquadsl.cli import exits
from aquadsl.cli.common import TODAY
from aquadsl.cli.runtime_cmds import DATABASE, _guarded, _load_plan

EXIT_CODES = ("Exit codes: 0 every check passed, 1 at least one check failed (one line each), 1 scenario "
              "errors in PLAN, 65 bad plan file, 69 database unreachable, missing or not migrated, "
              "70 internal error.")


@click.command(epilog=EXIT_CODES)
@click.argument("plan_source", metavar="[SCENARIO.aqs|plan.json]", required=False)
@DATABASE
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--target", "target", metavar="MAPPING.aqt", default=None,
              help="Verify a target schema instead, in the target's own interpreter (as `aquadsl target verify`).")
@click.option("--manifest", metavar="FILE", default=None, help="With --target: the probe's manifest.")
@TODAY
@_guarded
@click.pass_context
def verify(ctx, plan_source, database, fmt, target, manifest, today) -> None:
    """Check the database against its plan: row counts, conservation of fish, no double-booked
    container, nothing outside its assignment or after until, capacity, harvest weights and FCR.

    With a plan (or scenario) the counts are its estimates and until, the harvest range and the FCR
    targets come from it; without one, counts come from the ledger and those plan-only bounds are
    not checked.
    """
    from aquadsl.runtime import db
    from aquadsl.verify.native import verify_database

    if target:
        from aquadsl.cli.target_cmds import verify as target_verify

        if not plan_source or not database:
            click.echo("aquadsl: verify --target needs the scenario or plan and --database URL", err=True)
            sys.exit(exits.USAGE)
        ctx.invoke(target_verify, mapping=target, source=plan_source, database=database, manifest=manifest,
                   fmt=fmt, today=today)
        return

    plan = _load_plan(plan_source, today)[0] if plan_source else None
    report = verify_database(db.resolve_url(database), plan)
    click.echo(report.render(fmt), nl=False)
    sys.exit(report.exit_code)


COMMANDS = (verify,)
