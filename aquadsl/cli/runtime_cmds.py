"""`aquadsl apply`, `status` and `migrate`: thin commands over ``aquadsl.runtime``.

Exit codes: 0 OK, 1 scenario errors, 3 batches failed, 4 stale plan, 65 bad or inconsistent plan file,
69 database unreachable/invalid, 70 internal error, 73 log directory or report unwritable, 75 another
apply is running on the database, 130 interrupted (see ``aquadsl.runtime.errors``).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import traceback
from pathlib import Path

import click

from aquadsl.cli import exits
from aquadsl.cli.common import TODAY, print_diagnostics, resolve_today
from aquadsl.cli.worker_cmds import executor_options
from aquadsl.printable import printable
from aquadsl.runtime import errors

class Seconds(click.ParamType):
    """A finite number of seconds from 0.1 to one week (nan and inf are usage errors, exit 64)."""

    name = "SECONDS"

    def convert(self, value, param, ctx):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0.1 <= seconds <= 7 * 86400:
            self.fail(f"'{value}' must be a finite number of seconds from 0.1 to 604800", param, ctx)
        return seconds


DATABASE = click.option("--database", "database", metavar="URL", default=None,
                        help="sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/NAME "
                             "(default: $DATABASE_URL, else sqlite:///aquadsl.sqlite3).")


def _guarded(command):
    """Turn runtime faults, Ctrl-C and unexpected errors into one line and a documented exit code."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from aquadsl.runtime import db
        from aquadsl.runtime.apply import Interrupted
        from aquadsl.runtime.report import render

        try:
            url = db.resolve_url(kwargs.get("database"))
        except errors.RuntimeFault:
            url = None   # reported below, when the command resolves it again
        try:
            return command(*args, **kwargs)
        except errors.RuntimeFault as exc:
            click.echo(db.scrub(exc.render(), url), err=True)
            sys.exit(exc.exit_code)
        except Interrupted as exc:
            click.echo(render(exc.summary), nl=False)
            _report_error(exc.summary)
            click.echo(f"error[{errors.AQS_INTERRUPTED}]: interrupted: {exc.summary.succeeded} batch(es) "
                       "committed and kept; run the same command again to resume", err=True)
            sys.exit(exits.INTERRUPTED)
        except KeyboardInterrupt:
            click.echo(f"error[{errors.AQS_INTERRUPTED}]: interrupted before any batch was loaded", err=True)
            sys.exit(exits.INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback
            if os.environ.get("AQUADSL_DEBUG"):
                traceback.print_exc()
            click.echo(db.scrub(f"internal error: {type(exc).__name__}: {exc} (please report this)", url),
                       err=True)
            sys.exit(exits.INTERNAL)
    return wrapper


def _hint(url: str) -> None:
    """Once per directory: the .gitignore lines for logs and the SQLite file, if git would pick them up."""
    from aquadsl.cli.hygiene import gitignore_hint, sqlite_path

    gitignore_hint(sqlite_path(url))


def _report_error(summary) -> bool:
    """Print why --report could not be written (after the summary); whether there was such an error."""
    if summary.report_error:
        click.echo(f"error[{errors.AQS_LOG_DIR}]: {summary.report_error}", err=True)
    return bool(summary.report_error)


def _load_plan(source: str, today):
    """A Plan from a plan JSON file, or compiled from a scenario (the one place apply meets the compiler),
    with the files it was read from."""
    from aquadsl.plan.model import PlanFormatError, loads

    path = Path(source)
    if path.suffix.lower() == ".json":
        try:
            return loads(path.read_text(encoding="utf-8")), (source,)
        except OSError as exc:
            raise errors.plan_fault(f"cannot read '{source}': {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise errors.plan_fault(f"'{source}' is not a plan: it is not UTF-8 text") from None
        except PlanFormatError as exc:
            raise errors.plan_fault(f"'{source}' is not a usable plan: {exc}",
                                    "recompile it: aquadsl compile SCENARIO.aqs --out plan.json") from None
    from aquadsl.compiler import compile_path

    result = compile_path(path, today=resolve_today(today))
    print_diagnostics(result.diagnostics, result.sources)
    if not result.ok:
        sys.exit(exits.ERROR)
    return result.plan, (source, *result.sources)


EXIT_CODES = ("Exit codes: 0 done, 1 scenario errors, 3 a batch failed after its retries, 4 stale plan "
              "(use --fresh), 65 bad or inconsistent plan file, 69 database unreachable or invalid URL, "
              "70 internal error, 73 log directory or report unwritable, 75 another apply is running on "
              "the database, 130 interrupted (resumable). With --executor celery: 68 broker unreachable or "
              "invalid broker URL, 79 no worker took a task within --worker-wait. With --target: 64 --replay "
              "names no step, 69 also when a replay step fails (run again to resume).")


@click.command(epilog=EXIT_CODES)
@click.argument("source", metavar="FILE.aqs|plan.json")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes simulating (and, on PostgreSQL, loading) batches in parallel.")
@DATABASE
@click.option("--log-dir", type=click.Path(), default=None,  # its problems exit 73, checked by LogDir
              help="Folder for one log per batch (default: .aquadsl/logs/<run>/).")
@click.option("--retries", type=click.IntRange(0, 20), default=2, show_default=True,
              help="Retries of a failed or timed-out batch, with exponential backoff.")
@click.option("--timeout", type=Seconds(), default=600.0, show_default=True, metavar="SECONDS",
              help="Kill and replace a worker whose batch takes longer than this.")
@click.option("--fresh", is_flag=True, help="Delete all batches and events (keep infrastructure) first.")
@click.option("--report", type=click.Path(), default=None,  # its problems exit 73, see report_problem
              help="Write the summary as JSON.")
@click.option("--progress", type=click.Choice(["auto", "bar", "plain", "none"]), default="auto",
              show_default=True, help="A live bar on a terminal, plain lines otherwise.")
@click.option("--target", "target", metavar="MAPPING.aqt", default=None,
              help="Load into your own Django schema through this mapping (see docs/targets.md).")
@click.option("--manifest", metavar="FILE", default=None,
              help="With --target: the probe's manifest (default: probe the target now).")
@click.option("--replay", "replay", metavar="all|none|STEP,...", default="all", show_default=True,
              help="With --target: which of the mapping's replay steps to run after the load.")
@TODAY
@_guarded
@executor_options
def apply(source, workers, database, log_dir, retries, timeout, fresh, report, progress, today, target,
          manifest, replay, executor_config) -> None:
    """Simulate every batch of FILE and load it into the farm database (resumable).

    Row counts per table equal the plan's estimates exactly. That is why mortality_events holds one row
    per container and day, including days with zero deaths.
    """
    from aquadsl.runtime import db
    from aquadsl.runtime.apply import ApplyOptions, apply_plan
    from aquadsl.runtime.report import render

    plan, inputs = _load_plan(source, today)
    options = ApplyOptions(workers=workers, retries=retries, timeout=timeout, fresh=fresh, log_dir=log_dir,
                           report=report, progress=progress, inputs=inputs, executor=executor_config)
    if target:
        from aquadsl.targets.commands import apply_to_target

        summary = apply_to_target(plan, target, manifest, db.resolve_url(database), options, replay)
    else:
        summary = apply_plan(plan, db.resolve_url(database), options, echo=lambda m: click.echo(m, err=True))
    click.echo(render(summary), nl=False)
    _hint(db.resolve_url(database))
    unreported = _report_error(summary)
    if summary.failed:
        names = printable(", ".join(f"{f.batch_id} (log: {f.log})" for f in summary.failures))
        click.echo(f"error[{errors.AQS_BATCH}]: {summary.failed} batch(es) failed: {names}", err=True)
        sys.exit(errors.BATCHES_FAILED)
    if unreported:
        sys.exit(errors.LOG_DIR)


@click.command(epilog=EXIT_CODES)
@DATABASE
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def status(database, fmt) -> None:
    """Show the plan the database holds and its batches done, failed and pending."""
    from aquadsl.runtime import db
    from aquadsl.runtime.status import database_status, render_status

    url = db.resolve_url(database)
    click.echo(render_status(database_status(url), db.redact(url), fmt), nl=False)


@click.command(epilog=EXIT_CODES)
@DATABASE
@_guarded
def migrate(database) -> None:
    """Create or update the farm tables, and nothing else."""
    from aquadsl.runtime import db

    from aquadsl.runtime.lock import apply_lock

    url = db.resolve_url(database)
    with apply_lock(url):   # two migrates, or migrate beside apply, would race on CREATE TABLE
        applied = db.migrate(url)
    click.echo(f"applied {', '.join(applied)} to {db.redact(url)}" if applied
               else f"{db.redact(url)} is up to date")
    _hint(url)


COMMANDS = (apply, status, migrate)
