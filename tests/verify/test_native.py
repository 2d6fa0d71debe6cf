"""`aquadsl verify` on a small applied plan: clean, then one tampering per test, each with its own message."""

from __future__ import annotations

import json
import shutil

import pytest

from aquadsl.runtime.apply import ApplyOptions, apply_plan
from aquadsl.verify.native import verify_database
from tests.runtime.conftest import _close_django, run_cli, use
from tests.runtime.planfactory import _batch, small_plan


def reachable_plan(batches: int = 4):
    """planfactory's small plan with harvest targets of 20-30 g, which its short sea stage reaches,
    so harvests happen at target (the stock small plan harvests short at the end of its last stage)."""
    base = small_plan(batches=batches)
    life, geo, until = base.parameters.lifecycle, base.infrastructure.geographies[0], base.parameters.until
    stagger = base.parameters.batches.stagger_days
    plan_batches = tuple(_batch(i, life, geo, until, stagger, 0.020 + 0.001 * i) for i in range(batches))
    rows = {t: sum(b.estimated_rows[t] for b in plan_batches) for t in plan_batches[0].estimated_rows}
    rules = base.parameters.batches.model_copy(update={"harvest_target_kg": (0.02, 0.03)})
    params = base.parameters.model_copy(update={"batches": rules})
    return base.model_copy(update={"parameters": params, "batches": plan_batches, "estimated_rows": rows})


@pytest.fixture(scope="module")
def plan():
    return reachable_plan()


@pytest.fixture(scope="module")
def loaded(plan, tmp_path_factory):
    """The plan applied once to a SQLite file; tests tamper with copies of it."""
    folder = tmp_path_factory.mktemp("verify-base")
    url = f"sqlite:///{folder / 'farm.sqlite3'}"
    summary = apply_plan(plan, url, ApplyOptions(log_dir=str(folder / "logs"), progress="none"), echo=lambda m: None)
    assert summary.failed == 0
    _close_django()
    return folder / "farm.sqlite3"


@pytest.fixture
def farm(loaded, tmp_path):
    """A private copy of the loaded database: its URL."""
    shutil.copy(loaded, tmp_path / "farm.sqlite3")
    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    yield url
    _close_django()


def _execute(url: str, sql: str) -> None:
    from django.db import connection

    use(url)
    with connection.cursor() as cur:
        cur.execute(sql)


def _failures(url: str, plan=None) -> list[str]:
    return [f.message for f in verify_database(url, plan).failures]


def test_a_clean_load_passes_every_check(farm, plan):
    report = verify_database(farm, plan)
    assert report.failures == [], report.render()
    assert {f.check for f in report.findings} == {"plan", "row-count", "conservation", "double-booking",
                                                 "windows", "capacity", "harvest-weight", "fcr"}
    assert verify_database(farm).failures == []        # against the ledger alone, too


def test_a_deleted_row_is_named_with_expected_and_found_counts(farm, plan):
    expected = plan.estimated_rows["mortality_events"]
    _execute(farm, "DELETE FROM farm_mortality_events WHERE id = (SELECT MAX(id) FROM farm_mortality_events)")
    for source in (plan, None):                       # the plan's estimate and the ledger agree
        messages = _failures(farm, source)
        assert f"farm_mortality_events: {expected:,} expected, {expected - 1:,} found" in messages
        assert any(m.startswith("batch ") and "deaths" in m for m in messages)   # and fish went missing


def test_an_edited_population_breaks_conservation(farm, plan):
    _execute(farm, "UPDATE farm_assignments SET population_end = population_end + 500 "
                   "WHERE id = (SELECT MIN(id) FROM farm_assignments WHERE end_date IS NOT NULL)")
    messages = _failures(farm, plan)
    edited = [m for m in messages if "but population_end is" in m]
    assert len(edited) == 1 and "= " in edited[0]
    assert any("fish left the stage" in m for m in messages)   # the transfer no longer balances either


def _overlapping_assignments(url: str):
    """Two assignments of different batches whose date ranges overlap (in different containers)."""
    from django.db import connection

    use(url)
    with connection.cursor() as cur:
        cur.execute("""SELECT a1.id, a2.id, b1.batch_id, b2.batch_id FROM farm_assignments a1
                       JOIN farm_assignments a2 ON a1.batch_id < a2.batch_id AND a1.start_date < a2.start_date
                        AND a2.start_date < COALESCE(a1.end_date, '9999-12-31')
                       JOIN farm_batches b1 ON b1.id = a1.batch_id JOIN farm_batches b2 ON b2.id = a2.batch_id
                       ORDER BY a1.id, a2.id""")
        return cur.fetchone()


def test_a_double_booked_container_names_both_batches(farm, plan):
    first, second, first_batch, second_batch = _overlapping_assignments(farm)
    _execute(farm, f"UPDATE farm_assignments SET container_id = (SELECT container_id FROM farm_assignments "
                   f"WHERE id = {first}) WHERE id = {second}")
    messages = [m for m in _failures(farm, plan) if "overlap" in m]
    assert len(messages) == 1
    assert messages[0].startswith("container FI-") and f"batch {first_batch} (" in messages[0]
    assert f"batch {second_batch} (" in messages[0]


def test_an_out_of_range_harvest_weight_is_reported_with_its_target(farm, plan):
    low, high = plan.parameters.batches.harvest_target_kg
    _execute(farm, f"UPDATE farm_harvest_events SET avg_weight_g = {(high + 1) * 1000} "
                   "WHERE id = (SELECT MIN(id) FROM farm_harvest_events)")
    messages = [m for m in _failures(farm, plan) if "harvested on" in m]
    assert len(messages) == 1
    assert f"at {high + 1:,.3f} kg, outside target" in messages[0] and f"range {low:g}-{high:g} kg" in messages[0]


def test_an_event_after_until_is_counted(farm, plan):
    _execute(farm, "UPDATE farm_lice_counts SET date = '2099-01-01' WHERE id = (SELECT MAX(id) FROM farm_lice_counts)")
    messages = _failures(farm, plan)
    assert (f"farm_lice_counts: 1 row(s) outside their assignment's batch, container or dates; "
            f"1 row(s) dated after until {plan.parameters.until}") in messages


def test_capacity_is_checked_against_max_biomass(farm, plan):
    _execute(farm, "UPDATE farm_containers SET max_biomass_kg = 1 WHERE name = 'FI-FW-01-B-C01'")
    messages = [m for m in _failures(farm, plan) if "capacity" in m]
    assert len(messages) == 1 and messages[0].startswith("container FI-FW-01-B-C01: up to ")
    assert "capacity 1 kg, exceeded on" in messages[0]


def test_cli_exits_1_with_one_line_per_failure_and_json(farm, plan, tmp_path):
    _execute(farm, "DELETE FROM farm_treatments")
    expected = plan.estimated_rows["treatments"]
    result = run_cli("verify", "--database", farm, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"FAIL row-count: farm_treatments: {expected:,} expected, 0 found" in result.stdout.splitlines()
    data = json.loads(run_cli("verify", "--database", farm, "--format", "json", cwd=tmp_path).stdout)
    assert data["ok"] is False and any(f["found"] == 0 and f["subject"] == "farm_treatments"
                                       for f in data["findings"])


def test_cli_on_a_missing_database_is_one_line_exit_69(tmp_path):
    result = run_cli("verify", "--database", f"sqlite:///{tmp_path / 'none.sqlite3'}", cwd=tmp_path)
    assert result.returncode == 69 and "Traceback" not in result.stderr
    assert "there is no database" in result.stderr and not (tmp_path / "none.sqlite3").exists()


def test_status_says_when_its_counts_disagree_with_the_ledger(farm, plan, tmp_path):
    clean = run_cli("status", "--database", farm, cwd=tmp_path)
    assert clean.returncode == 0 and "DISAGREE" not in clean.stdout and "state:    complete" in clean.stdout
    expected = plan.estimated_rows["feeding_events"]
    _execute(farm, "DELETE FROM farm_feeding_events WHERE id IN (SELECT id FROM farm_feeding_events LIMIT 11)")
    result = run_cli("status", "--database", farm, cwd=tmp_path)
    assert (f"counts:   DISAGREE with the ledger: farm_feeding_events: {expected:,} in the ledger, "
            f"{expected - 11:,} found") in result.stdout
    assert "the tables do not hold what the ledger recorded" in result.stdout
