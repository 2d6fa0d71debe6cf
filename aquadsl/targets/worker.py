"""Target workers: simulate a batch, stage its families, move them into the target with INSERT … SELECT.

Everything of one batch happens in ONE transaction together with its ledger row.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from multiprocessing.connection import Connection

from aquadsl.runtime.errors import LockLost
from aquadsl.runtime.workers import _die_with_parent, _error_text, _peak_rss_mb, serve
from aquadsl.targets.job import TargetJob
from aquadsl.targets.profile import Clock


def target_worker_main(conn: Connection, url: str, plan_text: str, job: TargetJob, vendor: str,
                       guard=None) -> None:
    """Entry point of a target worker process (see runtime.workers.worker_main for the protocol)."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not os.environ.get("AQUADSL_DEBUG"):
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    try:
        from aquadsl.plan.model import loads
        from aquadsl.runtime import db

        db.setup(url)
        plan = loads(plan_text)
        db.check_connection(url)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as plain text
        conn.send(("fatal", _error_text(exc, url)[0]))
        return
    serve(conn, lambda task: _run_task(task, plan, job, url, guard))


def _run_task(task, plan, job: TargetJob, url: str, guard=None) -> tuple:
    from aquadsl.runtime import db
    from aquadsl.runtime.faults import inject
    from aquadsl.sim.simulate import simulate_batch
    from aquadsl.targets.families import provided_rows

    started = time.perf_counter()
    try:
        inject("simulate", task.batch_id, task.attempt)
        batch = plan.batch(task.batch_id)
        rows = simulate_batch(plan, task.batch_id)
        add_extra_families(job, plan, batch, rows)
        rows.update(provided_rows(plan, task.batch_id, rows, job.families()))
        db.reconnect_if_dropped()
        counts, already = load_batch(job, batch, rows, task.attempt, started, task.log_path, guard)
        return ("done", task, counts, already, time.perf_counter() - started, _peak_rss_mb())
    except LockLost as exc:
        from django.db import connection

        connection.close()
        return ("lock_lost", task, str(exc), _peak_rss_mb())
    except Exception as exc:  # noqa: BLE001 - any failure of a batch is reported, then retried
        from django.db import connection

        message, trace = _error_text(exc, url)
        connection.close()
        return ("failed", task, message, trace, time.perf_counter() - started, _peak_rss_mb())


def add_extra_families(job: TargetJob, plan, batch, rows: dict) -> None:
    """Produce the extra families the mapping reads; each must have exactly its planned row count."""
    from aquadsl.runtime.encode import LoadError
    from aquadsl.targets.derived import transfer_actions
    from aquadsl.targets.families import DERIVED, EXTRA, extra_family, extra_rows

    for family in job.families():
        if family in DERIVED:
            rows[family] = {"transfer_actions": transfer_actions}[family](rows)
        elif family in EXTRA:
            rows[family] = extra_family(plan, family, batch.id)
            n, want = len(rows[family]["batch_id"]), extra_rows(plan, family, batch.id)
            if n != want:
                raise LoadError(f"{family}: simulated {n} rows, the plan implies {want}")


def load_batch(job: TargetJob, batch, rows: dict, attempt: int, started: float,
               log_path: str, guard=None) -> tuple[dict[str, int], bool]:
    """Stage and insert one batch in one transaction; (rows per model, already loaded).

    ``guard`` (runtime.lock.LockGuard) is checked after the ledger row lock: a run that lost its apply
    lock writes nothing (LockLost)."""
    from django.db import connection, transaction

    from aquadsl.runtime import ledger
    from aquadsl.runtime.faults import inject
    from aquadsl.targets.stage import copy_family, family_arrays, stage_name

    base = (batch.index + 1) * job.id_block
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        # A crash loses at most the last batches committed, ledger row with them; resume loads them again.
        cur.execute("SET LOCAL synchronous_commit TO OFF")
        # Big hashes and sorts in memory, and no JIT compilation (~50 ms per statement, more than it saves).
        cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute("SET LOCAL jit = off")
        if job.trusted:   # no per-row FK triggers; one anti-join per key proves them below (fkcheck)
            cur.execute("SET LOCAL session_replication_role = replica")
        prior = ledger.lock_done(batch.id)
        if guard is not None:
            guard.check(connection)
        if prior is not None:
            return prior, True
        clock = Clock(batch.id)
        for family in job.families():
            wanted = job.wanted(family)
            n, arrays = family_arrays(rows[family], wanted, job.entities)
            copy_family(cur, family, n, arrays, wanted)
            clock.lap(f"stage {family}", n)
        inject("load", batch.id, attempt)
        # A model fed by several maps (AquaMind's treatments) gets its history once, after its last map:
        # the history INSERT covers the model's whole id range of the batch.
        last = {c.model: i for i, c in enumerate(job.maps)}
        for i, c in enumerate(job.maps):
            cur.execute(c.insert_sql(stage_name(c.family), base))
            counts[c.model] = counts.get(c.model, 0) + cur.rowcount
            clock.lap(f"insert {c.model}", cur.rowcount)
            if c.history_sql and last[c.model] == i:
                cur.execute(c.history_sql.format(lo=base, hi=base + job.id_block,
                                                 hlo=(batch.index + 1) * c.history_block))
                label = c.history_table
                counts[label] = counts.get(label, 0) + cur.rowcount
                clock.lap(f"history {label}", cur.rowcount)
        if job.trusted:
            from aquadsl.targets.fkcheck import check_parents

            check_parents(cur, [sql for c in job.maps for sql in c.fk_sql], base, base + job.id_block)
            clock.lap("fk checks", 0)
        ledger.mark_done(batch.id, counts, time.perf_counter() - started, log_path)
    clock.lap("commit", 0)
    clock.write()
    return counts, False

