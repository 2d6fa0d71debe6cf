"""The load path's speed features keep their promises: set-based FK checks find a missing parent, and
``indexes deferred`` drops only plain secondary indexes of empty tables, records them first, and gets
every one back (test_pipeline: a killed run's resume equals an uninterrupted load, indexes included)."""

from __future__ import annotations


import pytest

from aquadsl.targets.manifest import Manifest
from aquadsl.targets.sqlgen import CompiledMap
from tests.runtime.conftest import pg_database
from tests.targets.conftest import query


@pytest.fixture(scope="module")
def tiny_db():
    yield from pg_database()


def _tables(url: str, schema: str) -> None:
    query(url, f"CREATE SCHEMA {schema}; SET search_path = {schema}; "
               "CREATE TABLE parent (id bigint PRIMARY KEY, name text UNIQUE); "
               "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint, other_id bigint, code text); "
               "CREATE INDEX child_parent ON child (parent_id); CREATE INDEX child_pair ON child (other_id, code); "
               "CREATE UNIQUE INDEX child_code ON child (code); "
               "INSERT INTO parent VALUES (1, 'a'), (2, 'b')")


def _fields(*fks):
    return [{"name": n, "column": f"{n}_id", "foreign_key": {"model": "app.Parent", "field": "id"}} for n in fks]


def test_set_based_fk_check_names_the_first_missing_parent(tiny_db):
    import psycopg2

    from aquadsl.targets.fkcheck import MissingParent, check_parents, fk_sql

    manifest = Manifest({"models": {"app.Parent": {"db_table": "parent", "fields": []},
                                    "app.Child": {"db_table": "child", "fields": _fields("parent", "other")}}})
    _tables(tiny_db, "fk")
    c = CompiledMap(model="app.Child", kind="map", family="f", table='"fk"."child"', stage_columns=[],
                    columns=["id", "parent_id", "other_id"], select_sql="")
    (sql,) = fk_sql(c, manifest, "fk")
    query(tiny_db, "INSERT INTO fk.child VALUES (10, 1, 2, 'x'), (11, 2, NULL, 'y'), (12, 1, 1, 'z')")
    conn = psycopg2.connect(tiny_db)
    try:
        with conn.cursor() as cur:
            check_parents(cur, [sql], 10, 20)            # every parent exists; NULL is no reference
            cur.execute("INSERT INTO fk.child VALUES (13, 1, 7, 'w'), (25, 9, 9, 'v')")
            with pytest.raises(MissingParent, match=r"app.Child.other = 7 has no parent row"):
                check_parents(cur, [sql], 10, 20)
            with pytest.raises(MissingParent, match=r"app.Child.(parent|other) = 9 has no parent row"):
                check_parents(cur, [sql], 20, 30)
    finally:
        conn.rollback()
        conn.close()


def test_defer_drops_only_plain_indexes_of_empty_tables_and_records_them(tiny_db):
    import psycopg2

    from aquadsl.targets import bulkindex

    _tables(tiny_db, "bulk")
    conn = psycopg2.connect(tiny_db)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA ledger")
        bulkindex.ensure(cur, "ledger")
        assert bulkindex.defer(cur, "ledger", "bulk", ["child", "parent"]) == 2   # parent holds rows
    conn.close()
    left = {r[0] for r in query(tiny_db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'bulk'")}
    assert left == {"child_pkey", "child_code", "parent_pkey", "parent_name_key"}
    recorded = query(tiny_db, "SELECT name, definition FROM ledger.aqs_deferred_index ORDER BY name")
    assert [r[0] for r in recorded] == ["child_pair", "child_parent"]
    assert bulkindex.if_not_exists(recorded[1][1]).startswith("CREATE INDEX IF NOT EXISTS child_parent ON bulk.child")
