"""Plans stored in the target database by hash, so Celery tasks carry only the hash, not the plan text.

The table lives outside the farm migrations on purpose: it is a cache that workers read, keyed by the
sha256 of the plan's canonical JSON, and holding it never changes what the farm tables mean.
"""

from __future__ import annotations

import hashlib

TABLE = "aquadsl_plan_store"


def put(plan_hash: str, plan_text: str) -> None:
    """Store ``plan_text`` under ``plan_hash`` (idempotent); uses this process's Django connection."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (plan_hash varchar(64) PRIMARY KEY, "
                    "plan_text text NOT NULL)")
        cur.execute(f"INSERT INTO {TABLE} (plan_hash, plan_text) VALUES (%s, %s) "
                    "ON CONFLICT (plan_hash) DO NOTHING", [plan_hash, plan_text])


def get(plan_hash: str) -> str | None:
    """The plan text stored under ``plan_hash``, verified against the hash; None if absent or altered."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [TABLE])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT plan_text FROM {TABLE} WHERE plan_hash = %s", [plan_hash])
        row = cur.fetchone()
    if row is None or hashlib.sha256(row[0].encode("utf-8")).hexdigest() != plan_hash:
        return None
    return row[0]
