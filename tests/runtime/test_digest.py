"""Table digests stream: a server-side cursor on PostgreSQL, and the same values across backends
whatever the number of chunks a table is read in."""

from __future__ import annotations

import pytest

from aquadsl.runtime import digest
from aquadsl.runtime.apply import ApplyOptions, apply_plan
from tests.runtime.conftest import pg_database, use


@pytest.fixture(scope="module")
def loaded(plan, tmp_path_factory):
    """The small plan applied to a SQLite file and to a PostgreSQL database: {backend: url}."""
    tmp = tmp_path_factory.mktemp("digest")
    databases = pg_database()
    urls = {"sqlite": f"sqlite:///{tmp / 'farm.sqlite3'}", "postgresql": next(databases)}
    for url in urls.values():
        apply_plan(plan, url, ApplyOptions(log_dir=str(tmp / "logs"), progress="none", workers=1),
                   echo=lambda m: None)
    yield urls
    databases.close()


def test_postgresql_rows_come_through_a_server_side_cursor_chunk_by_chunk(loaded, monkeypatch):
    from django.db import connection

    from aquadsl.farm.models import TABLE_MODELS

    use(loaded["postgresql"])
    monkeypatch.setattr(digest, "CHUNK", 2)
    model = max(TABLE_MODELS.values(), key=lambda m: m.objects.count())
    assert model.objects.count() > 4
    table = connection.ops.quote_name(model._meta.db_table)
    chunks = digest._chunks(connection, f"SELECT id FROM {table} ORDER BY id")
    first = next(chunks)
    with connection.cursor() as cur:
        cur.execute("SELECT is_holdable FROM pg_cursors")
        cursors = cur.fetchall()
    rest = list(chunks)
    assert cursors == [(False,)]            # one named cursor, not materialised WITH HOLD
    assert len(first) == 2 and rest and all(0 < len(c) <= 2 for c in rest)


def test_digests_read_in_many_chunks_are_equal_across_backends(loaded, monkeypatch):
    monkeypatch.setattr(digest, "CHUNK", 3)
    found = {}
    for backend, url in loaded.items():
        use(url)
        found[backend] = digest.digests()
    assert len(found["sqlite"]) == 23 and found["sqlite"] == found["postgresql"]
