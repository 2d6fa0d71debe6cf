"""scenarios/demo.aqs applied to SQLite (the embedded default) and PostgreSQL: counts, digests, invariants."""

from __future__ import annotations

import datetime as dt

import pytest

from aquadsl.compiler import compile_path
from aquadsl.runtime import digest
from tests.conftest import SCENARIOS
from tests.runtime.conftest import pg_database, run_cli, use

EVENT_DAYS = {  # per-assignment table -> its date or timestamp column
    "farm_daily_states": "date", "farm_environmental_readings": "ts", "farm_feeding_events": "ts",
    "farm_mortality_events": "date", "farm_growth_samples": "date", "farm_lice_counts": "date",
    "farm_health_samples": "date", "farm_treatments": "date", "farm_harvest_events": "date",
    "farm_harvest_lots": "date",
}


@pytest.fixture(scope="module")
def demo():
    return compile_path(SCENARIOS / "demo.aqs").plan


def _apply_demo(cwd, *extra):
    result = run_cli("apply", str(SCENARIOS / "demo.aqs"), "--workers", "2", "--progress", "plain", *extra,
                     cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("demo-sqlite")
    result = _apply_demo(cwd)            # no --database: the embedded default in the working directory
    assert (cwd / "aquadsl.sqlite3").exists() and "applied: plan" in result.stdout
    return f"sqlite:///{cwd / 'aquadsl.sqlite3'}"


@pytest.fixture(scope="module")
def demo_pg(tmp_path_factory):
    databases = pg_database()
    url = next(databases)
    _apply_demo(tmp_path_factory.mktemp("demo-pg"), "--database", url)
    yield url
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request):
    return request.getfixturevalue(f"demo_{'pg' if request.param == 'postgresql' else 'sqlite'}")


def test_row_counts_equal_the_estimates_exactly(demo, demo_url):
    use(demo_url)
    assert digest.row_counts() == demo.estimated_rows


def test_sqlite_and_postgresql_hold_identical_content(demo_sqlite, demo_pg):
    use(demo_sqlite)
    lite = digest.digests()
    use(demo_pg)
    assert digest.digests() == lite


def _rows(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _day(column: str) -> str:
    from django.db import connection

    return f"({column} AT TIME ZONE 'UTC')::date" if connection.vendor == "postgresql" else f"date({column})"


def test_population_is_conserved_and_moved_fish_are_counted_once(demo_url):
    use(demo_url)
    unbalanced = _rows("""
        SELECT b.batch_id FROM farm_batches b
        LEFT JOIN (SELECT batch_id, SUM(count) AS n FROM farm_mortality_events GROUP BY batch_id) m
               ON m.batch_id = b.id
        LEFT JOIN (SELECT batch_id, SUM(fish_count) AS n FROM farm_harvest_events GROUP BY batch_id) h
               ON h.batch_id = b.id
        WHERE b.eggs - COALESCE(m.n, 0) - COALESCE(h.n, 0) <> b.living_fish""")
    assert unbalanced == []
    transfers = _rows("""
        SELECT t.batch_id, t.fish_moved,
               (SELECT SUM(population_end) FROM farm_assignments a
                 WHERE a.batch_id = t.batch_id AND a.stage_id = t.from_stage_id),
               (SELECT SUM(population_start) FROM farm_assignments a
                 WHERE a.batch_id = t.batch_id AND a.stage_id = t.to_stage_id)
        FROM farm_transfers t""")
    assert transfers and all(moved == out == into for _, moved, out, into in transfers)
    living = _rows("""
        SELECT b.batch_id FROM farm_batches b
        WHERE b.living_fish <> (SELECT COALESCE(SUM(population_end), 0) FROM farm_assignments a
                                WHERE a.batch_id = b.id AND a.is_active = %s)""", (True,))
    assert living == []


def test_no_container_holds_two_batches_at_once(demo, demo_url):
    use(demo_url)
    after = demo.parameters.until + dt.timedelta(days=1)
    overlaps = _rows("""
        SELECT a1.id, a2.id FROM farm_assignments a1 JOIN farm_assignments a2
          ON a1.container_id = a2.container_id AND a1.batch_id < a2.batch_id
         AND a1.start_date < COALESCE(a2.end_date, %s) AND a2.start_date < COALESCE(a1.end_date, %s)""",
                     (after, after))
    assert overlaps == []
    assert _rows("SELECT COUNT(DISTINCT container_id) FROM farm_assignments")[0][0] > 100


@pytest.mark.parametrize("table", sorted(EVENT_DAYS))
def test_no_event_falls_outside_its_assignment_or_after_until(demo, demo_url, table):
    use(demo_url)
    until = demo.parameters.until
    day = _day(f"e.{EVENT_DAYS[table]}")
    bad = _rows(f"""
        SELECT COUNT(*) FROM {table} e LEFT JOIN farm_assignments a ON a.id = e.assignment_id
        WHERE a.id IS NULL OR e.batch_id <> a.batch_id OR e.container_id <> a.container_id
           OR {day} < a.start_date OR {day} >= COALESCE(a.end_date, %s) OR {day} > %s""",
                (until + dt.timedelta(days=1), until))
    assert bad == [(0,)]
    assert _rows(f"SELECT MAX({_day('e.' + EVENT_DAYS[table])}) FROM {table} e")[0][0] is not None


def test_every_harvest_weight_lies_within_the_target_range(demo, demo_url):
    use(demo_url)
    low, high = demo.parameters.batches.harvest_target_kg
    weights = _rows("""
        SELECT b.batch_id, h.avg_weight_g, b.harvest_target_kg FROM farm_harvest_events h
        JOIN farm_batches b ON b.id = h.batch_id""")
    assert len(weights) == demo.estimated_rows["harvest_events"]
    for batch_id, grams, target in weights:
        assert low * 1000 <= grams <= high * 1000, batch_id
        assert grams >= target * 1000, batch_id


def test_fcr_per_stage_lies_within_the_configured_band(demo, demo_url):
    use(demo_url)
    realised = _rows("""
        WITH g AS (
          SELECT d.batch_id, d.stage_id, d.feed_kg,
                 d.population * (d.avg_weight_g - COALESCE(
                     LAG(d.avg_weight_g) OVER (PARTITION BY d.assignment_id ORDER BY d.date),
                     a.avg_weight_start_g)) / 1000.0 AS gain
          FROM farm_daily_states d JOIN farm_assignments a ON a.id = d.assignment_id)
        SELECT g.batch_id, s.name, SUM(g.feed_kg) / SUM(g.gain) FROM g
        JOIN farm_lifecycle_stages s ON s.id = g.stage_id
        GROUP BY g.batch_id, s.name HAVING SUM(g.gain) > 1""")
    configured = {s.name: s.feed for s in demo.parameters.lifecycle.stages}
    checked = 0
    for batch, stage, fcr in realised:
        feed = configured[stage]
        if feed.mode == "fcr":
            assert abs(fcr / feed.fcr - 1) <= 0.05, (batch, stage, fcr)
            checked += 1
        if stage == "adult":
            assert 1.1 <= fcr <= 1.3, (batch, fcr)   # industry sea-phase band, domain.md section 10
    assert checked >= len(demo.batches) * 4
