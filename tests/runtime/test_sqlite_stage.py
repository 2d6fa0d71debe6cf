"""SQLite: workers stage a batch as a serialized database, so the one writer only copies it inside SQLite."""

from __future__ import annotations

import math
import sqlite3

from aquadsl.runtime import db, infra, ledger, loader
from aquadsl.runtime.tables import LOAD_ORDER, table_specs
from aquadsl.sim.simulate import simulate_batch


def _plain(row: tuple) -> tuple:
    """NaN becomes NULL in SQLite, however it is inserted."""
    return tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)


def test_a_staged_batch_holds_exactly_the_encoded_rows_and_loads_them(plan, sqlite_url):
    from django.conf import settings
    from django.db import connection

    db.migrate(sqlite_url)
    ledger.prepare(plan, ledger.plan_hash(plan), fresh=False)
    infra.write_infrastructure(plan)
    specs, batch = table_specs(), plan.batches[0]
    encoded = loader.encode_batch(batch, simulate_batch(plan, batch.id), specs, infra.lookups(), "sqlite")
    expected = {t: [_plain(r) for r in zip(*[a.tolist() for a in encoded.payload[t]])] for t in LOAD_ORDER}

    staged = loader.stage_sqlite(encoded, specs)
    assert staged.payload == {} and isinstance(staged.staged, bytes) and staged.counts == encoded.counts

    copy = sqlite3.connect(":memory:")
    copy.deserialize(staged.staged)
    for table in LOAD_ORDER:
        if encoded.counts[table]:
            name = specs[table].db_table
            assert [_plain(r) for r in copy.execute(f'SELECT * FROM "{name}"')] == expected[table], table

    counts, already = loader.write_sqlite(staged, specs, 0.0, "log")
    assert (counts, already) == (encoded.counts, False)
    # A plain connection: Django's converts declared date columns back to Python objects.
    plain = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    for table in LOAD_ORDER:
        spec = specs[table]
        cols = ", ".join(f'"{c}"' for c in spec.column_names)
        stored = plain.execute(f'SELECT {cols} FROM "{spec.db_table}" ORDER BY "id"').fetchall()
        assert [_plain(r) for r in stored] == sorted(expected[table], key=lambda r: r[0]), table
    plain.close()
    schemas = [row[1] for row in connection.connection.execute("PRAGMA database_list")]
    assert "main" in schemas and loader.STAGE not in schemas   # the stage is detached again
    assert loader.write_sqlite(staged, specs, 0.0, "log") == (encoded.counts, True)   # never twice
