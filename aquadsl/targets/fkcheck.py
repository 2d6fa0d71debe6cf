"""Set-based foreign-key checks: one anti-join per foreign key and batch instead of a trigger call per row.

Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL queues one RI trigger event
per inserted row and key and runs them at commit: for AquaMind that was half of a batch's time. With
``foreign_keys trusted`` a batch runs with ``session_replication_role = replica`` (apply refuses that
without the privilege or when a mapped table has triggers of its own) and this module proves the same
property with one anti-join per key over the batch's id range before it commits, so a missing parent
still fails the batch (which is then retried) instead of being trusted blindly.
"""

from __future__ import annotations

from aquadsl.targets.manifest import Manifest
from aquadsl.targets.sqlgen import qi


class MissingParent(Exception):
    """A loaded row names a parent row that does not exist."""


def fk_sql(c, manifest: Manifest, schema: str) -> list[str]:
    """For each foreign key the map writes: SELECT one offending row in [{lo}, {hi}) (or nothing)."""
    out = []
    for f in manifest.model(c.model)["fields"]:
        fk = f.get("foreign_key")
        if not fk or f["column"] not in c.columns:
            continue
        parent = manifest.model(fk["model"])
        col, pk = qi(f["column"]), qi(c.pk)
        out.append(f"SELECT t.{pk}, t.{col}, '{c.model}.{f['name']}' FROM {c.table} t "
                   f"WHERE t.{pk} >= {{lo}} AND t.{pk} < {{hi}} AND t.{col} IS NOT NULL AND NOT EXISTS "
                   f"(SELECT 1 FROM {qi(schema)}.{qi(parent['db_table'])} p WHERE p.{qi(fk['field'])} = t.{col}) "
                   "LIMIT 1")
    return out


def check_parents(cur, checks: list[str], lo: int, hi: int) -> None:
    for sql in checks:
        cur.execute(sql.format(lo=lo, hi=hi))
        row = cur.fetchone()
        if row is not None:
            raise MissingParent(f"{row[2]} = {row[1]} (row {row[0]}) has no parent row")
