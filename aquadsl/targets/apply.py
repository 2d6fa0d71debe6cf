"""`aquadsl apply SCENARIO --target MAPPING`: today's runtime (ledger, workers, retries, resume) into a target."""

from __future__ import annotations

import functools
import hashlib
from typing import Callable, TextIO

from aquadsl.plan.model import Plan, dumps
from aquadsl.runtime.apply import ApplyOptions, Hooks, apply_plan
from aquadsl.runtime.report import Summary
from aquadsl.targets import ir
from aquadsl.targets.job import TargetJob, build_job
from aquadsl.targets.manifest import Manifest


def apply_target(plan: Plan, mapping: ir.Mapping, manifest: Manifest, url: str,
                 options: ApplyOptions = ApplyOptions(), echo: Callable[[str], None] = print,
                 stream: TextIO | None = None) -> Summary:
    """Load ``plan`` into the target database at ``url`` through ``mapping``; the run's summary."""
    from aquadsl.targets.preflight import check_plan_values
    from aquadsl.targets.tledger import ledger_url

    check_plan_values(mapping, manifest, plan)
    job = build_job(mapping, manifest, plan)
    hooks = Hooks(prepare=functools.partial(_prepare, job, mapping, manifest, url, echo),
                  start=functools.partial(_start, job, mapping.target.ledger_schema, echo))
    return apply_plan(plan, ledger_url(url, mapping.target.ledger_schema), options, echo, stream, hooks)


def plan_hash(plan: Plan, job: TargetJob) -> str:
    return hashlib.sha256((dumps(plan) + job.digest).encode("utf-8")).hexdigest()


def tables(job: TargetJob, manifest: Manifest) -> tuple[dict[str, str], dict[str, str], dict[str, str],
                                                      dict[str, int]]:
    """Per model loaded per batch (label): qualified table, pk column, pk db type, ids per batch."""
    from aquadsl.targets.sqlgen import qi

    out, pks, types, blocks = {}, {}, {}, {}
    for c in job.maps:
        labels = [c.model] + ([c.history_table] if c.history_table else [])
        for label in labels:
            model = manifest.model(label)
            pk = "history_id" if label != c.model else model["pk"]
            out[label] = f"{qi(job.schema)}.{qi(model['db_table'])}"
            pks[label] = pk
            types[label] = next(f["db_type"] for f in model["fields"] if f["column"] == pk)
            blocks[label] = c.history_block if label != c.model else job.id_block
    return out, pks, types, blocks


def _prepare(job: TargetJob, mapping: ir.Mapping, manifest: Manifest, target_url: str, echo: Callable[[str], None],
             plan: Plan, url: str, options: ApplyOptions) -> tuple[Summary, list[str]]:
    from django.db import connection, transaction
    from django.db.utils import Error as DatabaseError

    from aquadsl.runtime import db, ledger
    from aquadsl.runtime.errors import database_fault
    from aquadsl.runtime.report import peak_utilisation
    from aquadsl.targets import schema_checks, tledger
    from aquadsl.targets.infra_load import load_infrastructure

    db.check_connection(url)
    summary = Summary(outcome="noop", plan_hash=plan_hash(plan, job), scenario=plan.parameters.scenario,
                      database=db.redact(target_url), workers=options.workers, batches_total=len(plan.batches),
                      rows={})
    named, pks, types, blocks = tables(job, manifest)
    try:
        with transaction.atomic(), connection.cursor() as cur:
            written: dict[str, set[str]] = {}
            for c in [*job.maps, *job.infra]:
                written.setdefault(c.model, set()).update(c.columns)
            schema_checks.check_drift(cur, manifest, job.schema, sorted(set(named) | {c.model for c in job.infra}),
                                      written)
            if job.trusted:
                schema_checks.check_trusted(cur, job.schema, [manifest.model(x)["db_table"] for x in named])
        tledger.ensure_schema(mapping.target.ledger_schema)
        db.migrate(url)
        summary.ledger = tledger.prepare(plan, summary.plan_hash, options.fresh,
                                         functools.partial(_delete_loaded, named, pks, blocks))
        done = ledger.done_ids()
        todo = {b.id: b.index for b in plan.batches if b.id not in done}
        with connection.cursor() as cur:
            schema_checks.check_collisions(cur, named, pks, todo, blocks)
            schema_checks.advance_sequences(cur, named, pks, types, blocks, len(plan.batches) + 1)
        _indexes(job, mapping.target.ledger_schema, [manifest.model(x)["db_table"] for x in named], bool(todo), echo)
        if todo:
            load_infrastructure(job, mapping, plan, target_url)
            with connection.cursor() as cur:     # fresh statistics: the batches' lookups then plan hash joins
                for table in sorted({t for c in job.maps for t in c.lookup_tables}):
                    cur.execute(f"ANALYZE {table}")
    except DatabaseError as exc:
        raise database_fault(f"preparing {summary.database} failed: {db.describe_error(exc, url)}") from None
    summary.skipped = len(plan.batches) - len(todo)
    summary.peak_utilisation = peak_utilisation(plan, done)
    return summary, [b.id for b in plan.batches if b.id in todo]


def _indexes(job: TargetJob, ledger_schema: str, tables: list[str], loading: bool, echo: Callable[[str], None]) -> None:
    """``indexes deferred`` with batches to load: drop the empty tables' secondary indexes (recorded first).
    Otherwise rebuild any a killed run left dropped, before anything else (see targets.bulkindex)."""
    from django.db import connection, transaction

    from aquadsl.targets import bulkindex

    with transaction.atomic(), connection.cursor() as cur:
        bulkindex.ensure(cur, ledger_schema)
        if job.deferred and loading:
            dropped = bulkindex.defer(cur, ledger_schema, job.schema, tables)
            if dropped:
                echo(f"indexes deferred: dropped {dropped} secondary index(es) of empty tables; "
                     "they are rebuilt when the load ends (or by the next apply)")
            return
        waiting = bulkindex.pending(cur, ledger_schema)
    if waiting:
        _rebuild(ledger_schema, echo)


def _rebuild(ledger_schema: str, echo: Callable[[str], None]) -> None:
    from aquadsl.targets import bulkindex

    built, seconds = bulkindex.rebuild(ledger_schema)
    if built:
        echo(f"indexes deferred: rebuilt {built} index(es) in {seconds:.1f} s")


def _delete_loaded(named: dict, pks: dict, blocks: dict, loaded: list[tuple[int, dict]]) -> None:
    """--fresh: delete the id ranges of the batches the ledger says aquadsl loaded, and nothing else."""
    from django.db import connection

    from aquadsl.targets.schema_checks import ranges
    from aquadsl.targets.sqlgen import qi

    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for label in reversed(list(named)):
            for lo, hi in ranges([index for index, _ in loaded], blocks[label]):
                cur.execute(f"DELETE FROM {named[label]} WHERE {qi(pks[label])} >= %s AND {qi(pks[label])} < %s",
                            [lo, hi])


def _start(job: TargetJob, ledger_schema: str, echo: Callable[[str], None], plan: Plan, url: str, options: ApplyOptions, todo: list[str], run_id: int, log,
           summary: Summary, progress, lock):
    from aquadsl.executors.local import LocalExecutor
    from aquadsl.runtime.scheduler import Runner
    from aquadsl.runtime.writer import DirectSink
    from aquadsl.targets.worker import target_worker_main

    pool = LocalExecutor(max(1, min(options.workers, len(todo))), url, dumps(plan), job, "postgresql", lock.guard,
                         main=target_worker_main)
    try:
        pool.start()
    except BaseException:
        pool.shutdown(graceful=False)
        raise
    runner = Runner(plan, todo, pool, DirectSink(), log, progress, run_id=run_id, plan_hash=summary.plan_hash,
                    database=summary.database, retries=options.retries, timeout=options.timeout,
                    backoff=options.backoff, lock=lock)
    if job.deferred:      # when the run ends normally; an interrupted or killed one leaves them to the next apply
        run = runner.run
        runner.run = lambda: (run(), _rebuild(ledger_schema, echo))[0]
    return runner
