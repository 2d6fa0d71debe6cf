"""`aquadsl report`: one self-contained HTML file with charts of a plan and, optionally, its database."""

from __future__ import annotations

from pathlib import Path

import click

from aquadsl.cli.common import TODAY
from aquadsl.cli.runtime_cmds import _guarded, _load_plan
from aquadsl.outputs import output_problem, writable_problem, write_atomic

EXIT_CODES = ("Exit codes: 0 written, 1 scenario errors, 65 bad plan file, 69 database unreachable, missing "
              "or not migrated, 73 the output file cannot be written, 70 internal error.")


@click.command(epilog=EXIT_CODES)
@click.argument("source", metavar="SCENARIO.aqs|plan.json")
@click.option("--database", "database", metavar="URL", default=None,
              help="Add charts of this loaded farm database (sqlite:///FILE or postgresql://...).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@TODAY
@_guarded
def report(source, database, out, today) -> None:
    """Write one self-contained HTML report (inline SVG, no network): batch timeline, occupancy, utilisation,
    projected growth and, with --database, KPIs, mortality, lice, environment and feed."""
    from aquadsl.report.build import render_report
    from aquadsl.runtime import db, errors

    plan, inputs = _load_plan(source, today)
    url = db.resolve_url(database) if database else None
    problem = output_problem(out, [*inputs, *(db.database_files(url) if url else ())]) or writable_problem(out)
    if problem:
        raise errors.RuntimeFault(errors.AQS_LOG_DIR, f"cannot write '{out}': {problem}", errors.LOG_DIR)
    html = render_report(plan, url)
    try:
        write_atomic(Path(out), html)
    except OSError as exc:
        raise errors.RuntimeFault(errors.AQS_LOG_DIR, f"cannot write '{out}': {exc.strerror or exc}",
                                  errors.LOG_DIR) from None
    click.echo(f"wrote {out} ({len(html):,} bytes)")


COMMANDS = (report,)
