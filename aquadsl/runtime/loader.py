"""Bulk-load one batch's rows in ONE transaction: COPY (binary) on PostgreSQL, a staged copy on SQLite.

The ledger row is marked ``done`` inside the same transaction, so a batch is either fully present
and recorded, or absent and pending. A batch found already ``done`` is not loaded twice.

On SQLite the costly part of inserting (turning arrays into Python rows and binding them) happens in
the worker, into a private in-memory database sent back as bytes (:func:`stage_sqlite`). The single
writer then only attaches those bytes and copies each table with INSERT ... SELECT, inside SQLite.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from aquadsl.plan.model import BatchPlan
from aquadsl.runtime import ledger
from aquadsl.runtime.encode import (
    ChunkReader, LoadError, Lookups, Prepared, encode_copy_binary, prepare, sqlite_arrays,
)
from aquadsl.runtime.faults import inject
from aquadsl.runtime.tables import LOAD_ORDER, ROW_BLOCK, TableSpec

COPY_CHUNK = 1 << 20


@dataclass
class EncodedBatch:
    """A batch ready to write: rows per table and, per table, the encoded payload for the backend."""

    batch_id: str
    counts: dict[str, int]
    payload: dict[str, list]   # PostgreSQL: COPY buffers; SQLite: column arrays (until staged)
    staged: bytes = b""        # SQLite: the serialized in-memory database of stage_sqlite
    # An extension (runtime/extend.py): per table, the [low, high) id range deleted before inserting;
    # ``counts`` are then the rows written and ``totals`` the batch's rows in all.
    delete: dict[str, tuple[int, int]] | None = None
    totals: dict[str, int] | None = None


def encode_batch(batch: BatchPlan, rows: dict, specs: dict[str, TableSpec], lookups: Lookups,
                 vendor: str, replace_from: int | None = None) -> EncodedBatch:
    """Map names to ids, compute row ids and encode every table for ``vendor``.

    With ``replace_from`` (an extension) only the rows of assignments numbered ``replace_from`` and
    later, and the batch's batch and transfer rows, are encoded, with the id ranges they replace.
    """
    counts, payload, totals, delete = {}, {}, {}, {}
    for table in LOAD_ORDER:
        prep = prepare(specs[table], rows[table], batch.index, lookups)
        if prep.n != batch.estimated_rows.get(table, 0):
            raise LoadError(f"{table}: simulated {prep.n} rows, the plan estimates "
                            f"{batch.estimated_rows.get(table, 0)}")
        totals[table] = prep.n
        if replace_from is not None:
            keep = _kept_rows(rows[table], replace_from)
            delete[table] = _replaced_ids(table, batch.index, keep, replace_from)
            prep = _tail(prep, keep)
        counts[table] = prep.n
        payload[table] = encode_copy_binary(prep) if vendor == "postgresql" else sqlite_arrays(prep)
    if replace_from is None:
        return EncodedBatch(batch.id, counts, payload)
    return EncodedBatch(batch.id, counts, payload, delete=delete, totals=totals)


def _kept_rows(cols: dict, replace_from: int) -> int:
    """How many leading rows of a table stay: those of assignments before ``replace_from`` (rows come
    in assignment order). Batch and transfer rows are always replaced."""
    numbers = cols.get("assignment_no")
    if numbers is None:
        return 0
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) > 1 and np.any(np.diff(numbers) < 0):
        raise LoadError("rows are not in assignment order, so an extension cannot keep a prefix")
    return int(np.searchsorted(numbers, replace_from, side="left"))


def _replaced_ids(table: str, batch_index: int, keep: int, replace_from: int) -> tuple[int, int]:
    """The [low, high) id range of the rows an extension deletes (see encode.prepare for the ids)."""
    base = (batch_index + 1) * ROW_BLOCK
    if table == "batches":
        return batch_index + 1, batch_index + 2
    if table == "assignments":
        return base + replace_from, base + ROW_BLOCK
    return base + keep + 1, base + ROW_BLOCK


def _tail(prep: Prepared, keep: int) -> Prepared:
    return Prepared(prep.spec, prep.n - keep, {k: v[keep:] for k, v in prep.arrays.items()})


def _delete_replaced(cur, connection, encoded: EncodedBatch, specs: dict[str, TableSpec]) -> None:
    """Inside the batch's transaction: remove the rows an extension replaces."""
    for table, (low, high) in (encoded.delete or {}).items():
        name = connection.ops.quote_name(specs[table].db_table)
        cur.execute(f"DELETE FROM {name} WHERE id >= %s AND id < %s", [low, high])


def _quoted(connection, spec: TableSpec) -> tuple[str, str]:
    qn = connection.ops.quote_name
    return qn(spec.db_table), ", ".join(qn(c) for c in spec.column_names)


def write_postgresql(encoded: EncodedBatch, specs: dict[str, TableSpec], attempt: int,
                     started: float, log_path: str, guard=None) -> tuple[dict[str, int], bool]:
    """COPY every table through this process's Django connection; returns (counts, already_loaded).

    ``started`` is the batch's ``perf_counter`` start in this process (for the ledger's duration).
    ``guard`` (a lock.LockGuard) is checked first inside the transaction: LockLost if the run lost its lock.
    """
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        # The ledger row commits with the rows; losing the last commits in a server crash is
        # therefore harmless (both vanish together), so a synchronous flush buys nothing here.
        cur.execute("SET LOCAL synchronous_commit TO OFF")
        prior = ledger.lock_done(encoded.batch_id)   # the first table lock: a wipe now waits for us
        if guard is not None:
            guard.check(connection)
        if prior is not None:
            return prior, True
        _delete_replaced(cur, connection, encoded, specs)
        for i, table in enumerate(LOAD_ORDER):
            if encoded.counts[table]:
                name, cols = _quoted(connection, specs[table])
                cur.copy_expert(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT binary)",
                                ChunkReader(encoded.payload[table]), size=COPY_CHUNK)
            if i == 0:
                inject("load", encoded.batch_id, attempt)
        ledger.mark_done(encoded.batch_id, encoded.totals or encoded.counts, time.perf_counter() - started,
                         log_path)
    return encoded.counts, False


STAGE = "aquadsl_stage"   # the schema name the writer attaches a staged batch under


def stage_sqlite(encoded: EncodedBatch, specs: dict[str, TableSpec]) -> EncodedBatch:
    """Worker side: insert the batch into a private in-memory SQLite database; the batch with its bytes."""
    import sqlite3

    qn = _quote_sqlite
    stage = sqlite3.connect(":memory:", isolation_level=None)
    try:
        stage.execute("PRAGMA journal_mode=OFF")
        stage.execute("BEGIN")
        for table in LOAD_ORDER:
            if encoded.counts[table]:
                spec = specs[table]
                cols = ", ".join(qn(c) for c in spec.column_names)
                marks = ", ".join("?" * len(spec.columns))
                stage.execute(f"CREATE TABLE {qn(spec.db_table)} ({cols})")
                columns = [a.tolist() for a in encoded.payload[table]]
                stage.executemany(f"INSERT INTO {qn(spec.db_table)} VALUES ({marks})", zip(*columns))
        stage.execute("COMMIT")
        data = stage.serialize()
    finally:
        stage.close()
    return replace(encoded, payload={}, staged=data)


def _quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_sqlite(encoded: EncodedBatch, specs: dict[str, TableSpec], worker_s: float,
                 log_path: str, guard=None) -> tuple[dict[str, int], bool]:
    """Copy a staged batch into the database with INSERT ... SELECT, in one transaction.

    ``worker_s`` is the time the worker spent simulating, encoding and staging (for the ledger's duration).
    """
    from django.db import connection, transaction

    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    _attach_stage(raw, encoded.staged)
    try:
        with transaction.atomic():
            prior = ledger.lock_done(encoded.batch_id)
            if guard is not None:
                guard.check(connection)
            if prior is not None:
                return prior, True
            with connection.cursor() as cur:
                _delete_replaced(cur, connection, encoded, specs)
            for i, table in enumerate(LOAD_ORDER):
                if encoded.counts[table]:
                    name, cols = _quoted(connection, specs[table])
                    raw.execute(f"INSERT INTO main.{name} ({cols}) SELECT {cols} FROM {STAGE}.{name}")
                if i == 0:   # a test's fault point "write": the writer (this process) mid-transaction
                    inject("write", encoded.batch_id, 1)
            ledger.mark_done(encoded.batch_id, encoded.totals or encoded.counts,
                             worker_s + time.perf_counter() - started, log_path)
    finally:
        raw.execute(f"DETACH DATABASE {STAGE}")
    return encoded.counts, False


def _attach_stage(raw, data: bytes) -> None:
    """Attach ``data`` as the schema STAGE (detaching one a failed attempt may have left behind)."""
    if any(row[1] == STAGE for row in raw.execute("PRAGMA database_list")):
        raw.execute(f"DETACH DATABASE {STAGE}")
    raw.execute(f"ATTACH DATABASE ':memory:' AS {STAGE}")
    try:
        raw.deserialize(data, name=STAGE)
    except BaseException:
        raw.execute(f"DETACH DATABASE {STAGE}")
        raise
