"""Set-based foreign-key checks: one anti-join per foreign key and batch instead of a trigger call per row.

Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL queues one RI trigger event
per inserted row and key and runs them at commit: for AquaMind that was half of a batch's time. With
``foreign_keys trusted`` a batch runs with ``session_replication_role = replica`` (apply refuses that
without the privilege or when a mapped table has triggers of its own) and this module proves the same
property with one anti-join per key over the batch's id range before it commits, so a missing parent
still fails the batch (which is then retried) instead of being trusted blindly. A model's keys are
checked together, over the DISTINCT key values of the batch's rows.
"""

from __future__ import annotations

from aquadsl.targets.manifest import Manifest
from aquadsl.targets.sqlgen import qi


class MissingParent(Exception):
    """A loaded row names a parent row that does not exist."""


def fk_sql(c, manifest: Manifest, schema: str) -> list[str]:
    """One statement for all foreign keys the map writes: a missing parent in [{lo}, {hi}), or nothing.

    The batch's rows are read once: their DISTINCT key combinations (a few hundred for 250 k readings)
    are materialised, then each key column is anti-joined with its parent table."""
    keys = []
    for f in manifest.model(c.model)["fields"]:
        fk = f.get("foreign_key")
        if fk and f["column"] in c.columns:
            keys.append((qi(f["column"]), f"{c.model}.{f['name']}", manifest.model(fk["model"])["db_table"],
                         qi(fk["field"])))
    if not keys:
        return []
    cols, pk = ", ".join(k[0] for k in keys), qi(c.pk)
    probes = " UNION ALL ".join(
        f"(SELECT v.k, '{label}' FROM (SELECT DISTINCT {col} AS k FROM d) v WHERE v.k IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {qi(schema)}.{qi(parent)} p WHERE p.{field} = v.k) LIMIT 1)"
        for col, label, parent, field in keys)
    return [f"WITH d AS MATERIALIZED (SELECT DISTINCT {cols} FROM {c.table} t "
            f"WHERE t.{pk} >= {{lo}} AND t.{pk} < {{hi}}) SELECT * FROM ({probes}) missing LIMIT 1"]


def check_parents(cur, checks: list[str], lo: int, hi: int) -> None:
    for sql in checks:
        cur.execute(sql.format(lo=lo, hi=hi))
        row = cur.fetchone()
        if row is not None:
            raise MissingParent(f"{row[1]} = {row[0]} has no parent row")
