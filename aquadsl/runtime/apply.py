"""`apply`: bring a database to the state a plan describes, batch by batch, resumably."""

from __future__ import annotations

import signal
import time
from dataclasses import asdict, dataclass
from typing import Callable, TextIO

from aquadsl.executors import ExecutorConfig, make_executor
from aquadsl.plan.model import Plan, dumps, meaning_problem
from aquadsl.runtime import db, extend, infra, ledger
from aquadsl.runtime.errors import AQS_LOCK_LOST, RuntimeFault, database_fault, log_dir_fault, plan_fault
from aquadsl.runtime.lock import HeldLock, apply_lock
from aquadsl.runtime.logs import LogDir
from aquadsl.runtime.progress import make_progress
from aquadsl.runtime.report import FailedBatch, Summary, peak_utilisation, report_problem, write_report
from aquadsl.runtime.scheduler import Runner
from aquadsl.runtime.tables import table_specs
from aquadsl.runtime.writer import DirectSink, SqliteWriter


@dataclass(frozen=True)
class ApplyOptions:
    workers: int = 1
    retries: int = 2
    timeout: float | None = 600.0
    fresh: bool = False
    log_dir: str | None = None
    report: str | None = None
    backoff: float = 1.0              # seconds before the first retry; doubles each time
    progress: str = "auto"            # auto, bar, plain, none
    progress_interval: float = 5.0
    inputs: tuple[str, ...] = ()      # files this command reads (the plan or scenario): never the report
    executor: ExecutorConfig = ExecutorConfig()   # local worker processes, or Celery (aquadsl.executors)


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) stopped the run; carries the summary of what was committed."""

    def __init__(self, summary: Summary):
        super().__init__("interrupted")
        self.summary = summary


# Handled like Ctrl-C: SIGTERM (kill, a service manager) and SIGHUP (the terminal was closed).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _restore(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


@dataclass(frozen=True)
class Hooks:
    """What a run does that depends on where rows go: the farm tables (default) or a target schema.

    ``prepare(plan, url, options)`` -> (summary, batch ids to load); ``start(...)`` -> the Runner.
    """

    prepare: Callable
    start: Callable


def apply_plan(plan: Plan, url: str, options: ApplyOptions = ApplyOptions(),
               echo: Callable[[str], None] = print, stream: TextIO | None = None,
               hooks: Hooks | None = None) -> Summary:
    """Apply ``plan`` to the database at ``url``. Raises RuntimeFault or Interrupted; returns the summary.

    Everything that can be checked without the database (the plan's consistency, the log folder, the
    report path) is checked first. Only one apply runs on a database at a time (LOCKED otherwise).
    If the report cannot be written at the end, ``summary.report_error`` says why.
    """
    problem = meaning_problem(plan)
    if problem:
        raise plan_fault(f"the plan is inconsistent: {problem}",
                         "recompile it: aquadsl compile SCENARIO.aqs --out plan.json")
    log = LogDir.prepare(options.log_dir)
    problem = report_problem(options.report, options.inputs, db.database_files(url))
    if problem:
        raise log_dir_fault(f"cannot write the report '{options.report}': {problem}",
                            "choose another --report path")
    with apply_lock(url) as lock:
        return _locked_apply(plan, url, options, log, echo, stream, hooks or FARM, lock)


def _locked_apply(plan: Plan, url: str, options: ApplyOptions, log: LogDir, echo: Callable[[str], None],
                  stream: TextIO | None, hooks: Hooks, lock: HeldLock) -> Summary:
    summary, todo = hooks.prepare(plan, url, options)
    if not todo:
        _write_report(summary, options.report)
        return summary
    recorded = {k: v for k, v in asdict(options).items() if k not in ("progress", "inputs", "executor")}
    run_id = ledger.start_run(summary.plan_hash, recorded | {"executor": options.executor.recorded()})
    try:
        log.open_run(run_id)
    except RuntimeFault:
        ledger.finish_run(run_id, "failed", None)
        raise
    lock.bind(summary.plan_hash, run_id)
    summary.log_dir = str(log.path)
    echo(f"applying plan {summary.plan_hash[:12]} (scenario {summary.scenario!r}) to {summary.database}: "
         f"{len(todo)} of {len(plan.batches)} batches to load ({summary.ledger}), logs in {log.path}")
    return _run(plan, url, options, todo, run_id, log, summary, stream, hooks.start, lock)


def _prepare(plan: Plan, url: str, options: ApplyOptions) -> tuple[Summary, list[str]]:
    """Migrate, check the ledger (stale plan, --fresh), write the infrastructure; the batches to load."""
    from django.db.utils import Error as DatabaseError

    db.migrate(url)
    phash = ledger.plan_hash(plan)
    summary = Summary(outcome="noop", plan_hash=phash, scenario=plan.parameters.scenario,
                      database=db.redact(url), workers=options.workers, batches_total=len(plan.batches))
    try:
        summary.ledger = ledger.prepare(plan, phash, options.fresh)
        infra.write_infrastructure(plan)
        done = ledger.done_ids()
    except DatabaseError as exc:
        raise database_fault(f"preparing {summary.database} failed: {db.describe_error(exc, url)}") from None
    todo = [b.id for b in plan.batches if b.id not in done]
    summary.skipped = len(plan.batches) - len(todo)
    summary.peak_utilisation = peak_utilisation(plan, done)
    return summary, todo


def _run(plan: Plan, url: str, options: ApplyOptions, todo: list[str], run_id: int, log: LogDir,
         summary: Summary, stream: TextIO | None, start: Callable, lock: HeldLock) -> Summary:
    estimated = sum(sum(plan.batch(b).estimated_rows.values()) for b in todo)
    progress = make_progress(options.progress, len(todo), estimated, stream, options.progress_interval)
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in STOP_SIGNALS}
    try:
        runner = start(plan, url, options, todo, run_id, log, summary, progress, lock)
    except BaseException as exc:
        _restore(previous)
        progress.close()
        ledger.finish_run(run_id, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed", None)
        raise
    started, outcome, fault = time.monotonic(), "interrupted", None
    try:
        runner.run()
        outcome = "failed" if runner.out.failed else "completed"
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # noqa: BLE001 - recorded in the ledger, then re-raised
        outcome, fault = "failed", exc
    finally:
        runner.stop(interrupted=outcome == "interrupted" or fault is not None)
        _restore(previous)
        progress.close()
    summary.elapsed_s = time.monotonic() - started
    fault = _record(summary, plan, runner, log, todo, outcome, run_id, url, _lost(fault)) or fault
    if options.executor.name != "local":
        summary.workers = len(summary.worker_peak_rss_mb)   # the worker processes that ran batches
    if fault is not None:
        raise _as_fault(fault, url)
    _write_report(summary, options.report)
    if outcome == "interrupted":
        raise Interrupted(summary)
    return summary


def _lost(fault: Exception | None) -> bool:
    return isinstance(fault, RuntimeFault) and fault.code == AQS_LOCK_LOST


def _start(plan: Plan, url: str, options: ApplyOptions, todo: list[str], run_id: int, log: LogDir,
           summary: Summary, progress, lock: HeldLock) -> Runner:
    """Start the executor (local worker pool or Celery) and the writer; the runner that drives them."""
    vendor = db.vendor()
    pool = make_executor(options.executor, size=max(1, min(options.workers, len(todo))), batches=len(todo),
                         url=url, plan_text=dumps(plan), plan_hash=summary.plan_hash, run_id=run_id,
                         vendor=vendor, timeout=options.timeout, guard=lock.guard)
    try:
        pool.start()
        sink = DirectSink() if vendor == "postgresql" else SqliteWriter(url, table_specs(), lock.guard)
    except BaseException:
        pool.shutdown(graceful=False)
        raise
    return Runner(plan, todo, pool, sink, log, progress, run_id=run_id, plan_hash=summary.plan_hash,
                  database=summary.database, retries=options.retries, timeout=options.timeout,
                  backoff=options.backoff, replace_from=extend.replacements(), lock=lock)


FARM = Hooks(prepare=_prepare, start=_start)


def _record(summary: Summary, plan: Plan, runner: Runner, log: LogDir, todo: list[str], outcome: str,
            run_id: int, url: str, lost: bool) -> Exception | None:
    """Fill the summary and close the run in the ledger; a database error is returned, not raised.

    After a lost lock, the batch ledger may already belong to another apply: only our run row is closed.
    """
    from django.db.utils import Error as DatabaseError

    try:
        db.reconnect_if_dropped()
        _fill(summary, plan, runner, log, todo, outcome)
        if not lost:
            # Batches an executor abandoned still run elsewhere and hold their ledger row: their own
            # transaction settles it (done, or "running" reset to pending by the next apply).
            settled = set(runner.out.succeeded) | set(runner.out.failed) | set(runner.pool.abandoned())
            ledger.mark_pending(b for b in todo if b not in settled)
        ledger.finish_run(run_id, outcome, _compact(summary))
    except DatabaseError as exc:
        return exc
    return None


def _as_fault(exc: Exception, url: str) -> Exception:
    """Database errors met during a run become a DATABASE fault; other faults pass unchanged."""
    from django.db.utils import Error as DatabaseError

    if isinstance(exc, DatabaseError):
        return database_fault(f"the database failed during the run: {db.describe_error(exc, url)}",
                              "committed batches are kept; re-run the same command to resume")
    return exc


def _fill(summary: Summary, plan: Plan, runner: Runner, log: LogDir, todo: list[str], outcome: str) -> None:
    out = runner.out
    summary.outcome = outcome
    summary.succeeded, summary.failed = len(out.succeeded), len(out.failed)
    summary.pending = len(todo) - summary.succeeded - summary.failed
    for counts in out.succeeded.values():
        for table, n in counts.items():
            summary.rows[table] = summary.rows.get(table, 0) + n
    summary.failures = [FailedBatch(b, err, str(log.path_for(b)), out.attempts.get(b, 0))
                        for b, err in sorted(out.failed.items(), key=lambda kv: plan.batch(kv[0]).index)]
    summary.worker_peak_rss_mb = runner.pool.worker_peaks()
    summary.peak_utilisation = peak_utilisation(plan, ledger.done_ids())


def _compact(summary: Summary) -> dict:
    return {"succeeded": summary.succeeded, "failed": summary.failed, "skipped": summary.skipped,
            "pending": summary.pending, "rows_total": summary.rows_total,
            "elapsed_s": round(summary.elapsed_s, 3)}


def _write_report(summary: Summary, path: str | None) -> None:
    """Write the report; a failure is recorded, not raised, so that the summary is still shown first."""
    if not path:
        return
    try:
        write_report(summary, path)
    except OSError as exc:
        summary.report_error = f"cannot write the report '{path}': {exc.strerror or exc}"

