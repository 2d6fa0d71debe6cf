"""``indexes deferred``: drop the secondary indexes of EMPTY target tables before a load, rebuild them after.

PostgreSQL maintains every index row by row as a batch inserts; AquaMind's environmental readings have
nine secondary indexes, and keeping them up to date was most of a batch's time. Building an index once
over the loaded table (a sort) is far cheaper. Only plain secondary indexes of tables that hold no row
yet are dropped: primary keys, unique indexes and indexes behind constraints stay, so every uniqueness
rule is still enforced while loading.

Crash safety: each dropped index's definition (``pg_get_indexdef``) is recorded in the ledger schema's
table ``aqs_deferred_index`` in the same transaction as its DROP INDEX, and each rebuild commits its
CREATE INDEX together with the deletion of its record. So a killed run leaves the records behind, and the
next apply rebuilds them: a resume at its end, an apply with nothing left to load (or with ``indexes
kept``) before anything else. A table that already holds rows never has its indexes dropped, so a resume
never defers more than the first run did. The rows, and so verify and every digest, are the same as with
``indexes kept``; only the time differs.
"""

from __future__ import annotations

import time

from aquadsl.targets.sqlgen import qi

TABLE = "aqs_deferred_index"


def _records(ledger_schema: str) -> str:
    return f"{qi(ledger_schema)}.{TABLE}"


def ensure(cur, ledger_schema: str) -> None:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {_records(ledger_schema)} (schema_name text, name text, "
                "table_name text NOT NULL, definition text NOT NULL, PRIMARY KEY (schema_name, name))")


def defer(cur, ledger_schema: str, schema: str, tables: list[str]) -> int:
    """Record and drop the plain secondary indexes of those ``tables`` that are empty; how many."""
    dropped = 0
    for table in sorted(set(tables)):
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {qi(schema)}.{qi(table)})")
        if cur.fetchone()[0]:
            continue
        cur.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND NOT x.indisunique AND NOT x.indisprimary "
            "AND x.indisvalid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
            "ORDER BY i.relname", [schema, table])
        for name, definition in cur.fetchall():
            cur.execute(f"INSERT INTO {_records(ledger_schema)} VALUES (%s, %s, %s, %s)",
                        [schema, name, table, definition])
            cur.execute(f"DROP INDEX {qi(schema)}.{qi(name)}")
            dropped += 1
    return dropped


def pending(cur, ledger_schema: str) -> int:
    cur.execute(f"SELECT count(*) FROM {_records(ledger_schema)}")
    return cur.fetchone()[0]


def rebuild(ledger_schema: str) -> tuple[int, float]:
    """Create every recorded index again, each in its own transaction with its record; (count, seconds)."""
    from django.db import connection, transaction

    started, built = time.perf_counter(), 0
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")     # this session only: sorts stay in memory
        cur.execute(f"SELECT schema_name, name, definition FROM {_records(ledger_schema)} "
                    "ORDER BY schema_name, table_name, name")
        records = cur.fetchall()
    for schema, name, definition in records:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(if_not_exists(definition))
            cur.execute(f"DELETE FROM {_records(ledger_schema)} WHERE schema_name = %s AND name = %s", [schema, name])
        built += 1
    return built, time.perf_counter() - started


def if_not_exists(definition: str) -> str:
    """``CREATE INDEX name ON …`` -> ``CREATE INDEX IF NOT EXISTS name ON …`` (a rebuild may be repeated)."""
    head = "CREATE INDEX "
    if not definition.startswith(head):
        raise ValueError(f"not a plain index definition: {definition}")
    return head + "IF NOT EXISTS " + definition[len(head):]
