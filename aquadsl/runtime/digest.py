"""Content digests of the farm tables, identical across backends (SQLite, PostgreSQL) for equal content.

Rows are read in id order; every column is normalised (numbers by their exact bits, dates and
times as day or microsecond counts in UTC, booleans as 0/1) and hashed column by column.
Ledger tables (timestamps) are excluded.

Memory stays bounded by one chunk of rows whatever the table's size: PostgreSQL rows come through a
server-side cursor (a client-side one would hold the whole result, ~9 GB for full_170's 45 M rows),
SQLite steps its statement as rows are fetched. Chunks are CHUNK rows whichever way they are read, and
the digest depends on the chunk boundaries (text and nullable columns are framed per chunk), so CHUNK
must not change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np

CHUNK = 200_000


def _column_bytes(kind: str, values: list) -> bytes:
    """The column's values as bytes: numbers by their exact bits, dates as day/microsecond counts."""
    if kind == "FloatField":
        return np.array(values, dtype=np.float64).tobytes()  # NULL -> NaN
    if kind in ("BigIntegerField", "IntegerField", "ForeignKey", "BooleanField"):
        try:
            return np.array(values, dtype=np.int64).tobytes()
        except TypeError:  # NULLs present
            nulls = np.array([v is None for v in values])
            ints = np.array([0 if v is None else int(v) for v in values], dtype=np.int64)
            return nulls.tobytes() + ints.tobytes()
    if kind == "DateField":
        return np.array(values, dtype="datetime64[D]").view(np.int64).tobytes()  # NULL -> NaT
    if kind == "DateTimeField":
        return np.array(values, dtype="datetime64[us]").view(np.int64).tobytes()
    text = ("\x00" if v is None else str(v) for v in values)
    return "\x1f".join(text).encode("utf-8") + b"\x1e"


def _select(connection, field) -> str:
    """The column as selected for hashing: dates and times as ISO text (numpy parses text fast)."""
    column = connection.ops.quote_name(field.column)
    kind = field.get_internal_type()
    if kind not in ("DateField", "DateTimeField"):
        return column
    if connection.vendor != "postgresql":
        return f"CAST({column} AS TEXT)"   # SQLite stores UTC ISO text; skip Django's converters
    if kind == "DateField":
        return f"to_char({column}, 'YYYY-MM-DD')"
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"


def table_digest(model) -> tuple[str, int]:
    """(sha256 hex, row count) of one model's table."""
    from django.db import connection

    fields = sorted(model._meta.concrete_fields, key=lambda f: f.column)
    qn = connection.ops.quote_name
    sql = (f"SELECT {', '.join(_select(connection, f) for f in fields)} FROM {qn(model._meta.db_table)} "
           f"ORDER BY {qn(model._meta.pk.column)}")
    hashers = [hashlib.sha256(f.column.encode()) for f in fields]
    kinds = [f.get_internal_type() for f in fields]
    count = 0
    for rows in _chunks(connection, sql):
        count += len(rows)
        for i, column in enumerate(zip(*rows)):
            hashers[i].update(_column_bytes(kinds[i], list(column)))
        del rows, column  # (idem)
    total = hashlib.sha256()
    for h in hashers:
        total.update(h.digest())
    return total.hexdigest(), count


def _chunks(connection, sql: str) -> Iterator[list]:
    """The query's rows, CHUNK at a time, never all in memory at once."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            cur.execute(sql)
            yield from _fetch(cur)
        return
    from django.db import transaction

    # A named cursor inside a transaction: rows stay on the server until fetched (no WITH HOLD copy).
    with transaction.atomic(using=connection.alias), connection.chunked_cursor() as cur:
        cur.execute(sql)
        yield from _fetch(cur)


def _fetch(cur) -> Iterator[list]:
    while rows := cur.fetchmany(CHUNK):
        yield rows
        del rows          # let this chunk go before the next one is fetched


def digests() -> dict[str, str]:
    """Digest of every farm table (infrastructure and operational), keyed by table name."""
    from aquadsl.farm.models import INFRASTRUCTURE_MODELS, TABLE_MODELS

    out = {}
    for model in (*INFRASTRUCTURE_MODELS, *TABLE_MODELS.values()):
        out[model._meta.db_table] = table_digest(model)[0]
    return out


def row_counts() -> dict[str, int]:
    """Rows per SCHEMA table, read from the database."""
    from aquadsl.farm.models import TABLE_MODELS

    return {table: model.objects.count() for table, model in TABLE_MODELS.items()}
