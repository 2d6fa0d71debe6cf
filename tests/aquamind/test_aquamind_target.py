"""The AquaMind target end to end against a real AquaMind: probe -> check -> apply -> AquaMind's own validation and API.

Needs AQUADSL_AQUAMIND_DIR and AQUADSL_AQUAMIND_PYTHON (skipped with that reason otherwise: CI cannot
fetch AquaMind). The scenario is one batch from eggs to harvest, so every mapped family has rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.aquamind.conftest import ROOT, am_check, aquamind_paths

MAPPING = ROOT / "targets" / "aquamind.aqt"
SCENARIO = Path(__file__).with_name("small.aqs")
ENDPOINTS = {
    "batch.Batch": "/api/v1/batch/batches/",
    "batch.BatchContainerAssignment": "/api/v1/batch/container-assignments/",
    "batch.MortalityEvent": "/api/v1/batch/mortality-events/",
    "inventory.FeedingEvent": "/api/v1/inventory/feeding-events/",
    "environmental.EnvironmentalReading": "/api/v1/environmental/readings/",
}
# clean() of a transfer action rejects every action of a workflow that is no longer DRAFT/PLANNED,
# so no completed transfer (AquaMind's own included) passes full_clean(); nothing else may fail.
BY_DESIGN = {"batch.TransferAction": "Cannot add actions to workflow in COMPLETED status"}


def aquadsl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aquadsl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def mapped_models() -> list[str]:
    from aquadsl.targets.loader import load_mapping

    return sorted({m.model for m in load_mapping(str(MAPPING)).mapping.maps})


@pytest.fixture(scope="module")
def loaded(am_url, tmp_path_factory):
    """Probe, check and apply the small scenario: (url, manifest path, report, AquaMind's verdict, apply's stderr)."""
    folder = tmp_path_factory.mktemp("aquamind")
    manifest, report = folder / "aquamind.manifest.json", folder / "report.json"
    probe = aquadsl("target", "probe", str(MAPPING), "--database", am_url, "--out", str(manifest))
    assert probe.returncode == 0, probe.stderr
    check = aquadsl("check", str(MAPPING), "--manifest", str(manifest))
    assert check.returncode == 0, check.stdout + check.stderr
    apply = aquadsl("apply", str(SCENARIO), "--target", str(MAPPING), "--manifest", str(manifest), "--database",
                    am_url, "--workers", "1", "--progress", "none", "--report", str(report))
    assert apply.returncode == 0, apply.stdout[-2000:] + apply.stderr[-2000:]
    verdict = am_check(am_url, {"models": {m: 15 for m in mapped_models()}, "endpoints": ENDPOINTS, "seed": 3})
    return am_url, manifest, json.loads(report.read_text()), verdict, apply.stderr


def expected_counts() -> dict[str, int]:
    """What the mapping must write, from the simulation itself (no database)."""
    from aquadsl.compiler import compile_path
    from aquadsl.sim.simulate import simulate_batch
    from aquadsl.targets.derived import transfer_actions
    from aquadsl.targets.families import all_families, extra_family, provided_rows

    plan = compile_path(SCENARIO).plan
    out: dict[str, int] = {}
    for b in plan.batches:
        rows = simulate_batch(plan, b.id)
        rows.update(provided_rows(plan, b.id, rows, all_families()))
        rows["transfer_actions"] = transfer_actions(rows)
        rows["fish_observations"] = extra_family(plan, "fish_observations", b.id)
        n = {t: len(next(iter(c.values()))) for t, c in rows.items()}
        for model, count in {
            "batch.Batch": 1, "batch.BatchContainerAssignment": n["assignments"],
            "batch.MortalityEvent": int((rows["mortality_events"]["count"] > 0).sum()),
            "environmental.EnvironmentalReading": n["environmental_readings"],
            # starved days (a delousing, a storm) have 0 kg feedings: no AquaMind row (amount_kg >= 0.0001)
            "inventory.FeedingEvent": int((rows["feeding_events"]["amount_kg"] >= 0.0001).sum()),
            "health.LiceCount": n["lice_by_type"],
            "health.FishParameterScore": n["health_scores"], "batch.TransferAction": n["transfer_actions"],
            "batch.ActualDailyAssignmentState": n["daily_states"], "harvest.HarvestLot": n["harvest_lots"],
            "inventory.FeedPurchase": n["feed_purchases"], "batch.CreationAction": n["creation_actions"],
            "batch.IndividualGrowthObservation": n["fish_observations"],
        }.items():
            out[model] = out.get(model, 0) + count
    return out


def test_every_mapped_family_arrives_with_the_simulation_counts(loaded):
    _, _, report, verdict, _ = loaded
    assert report["outcome"] == "completed"
    expected = expected_counts()
    got = {m: verdict["counts"][m] for m in expected}
    assert got == expected
    assert all(v > 0 for v in got.values()), got


def test_full_clean_passes_on_a_sample_of_every_mapped_model(loaded):
    verdict = loaded[3]
    assert set(verdict["clean"]) == set(mapped_models())
    for label, result in verdict["clean"].items():
        assert result["checked"] > 0, label
        if label in BY_DESIGN:
            messages = {m for p in result["problems"] for ms in p["errors"].values() for m in ms}
            assert messages <= {BY_DESIGN[label]}, (label, messages)
        else:
            assert result["failed"] == 0, (label, result["problems"][:3])


def test_save_replay_changes_no_field(loaded):
    verdict = loaded[3]
    for label, result in verdict["replay"].items():
        assert result["checked"] > 0, label
        assert result["failed"] == 0, (label, result["changed"][:3])


def test_api_lists_and_details_serve_the_loaded_rows(loaded):
    api = loaded[3]["api"]
    assert set(api) == set(ENDPOINTS)
    for label, entry in api.items():
        assert entry["list_status"] == 200, (label, entry)
        assert entry["api_count"] == entry["db_count"] > 0, (label, entry)
        assert entry["detail_status"] == 200 and entry["detail_id_matches"] and entry["detail_in_db"], label


def test_a_second_apply_is_a_no_op_that_writes_nothing(loaded):
    url, manifest, report, verdict, _ = loaded
    again = aquadsl("apply", str(SCENARIO), "--target", str(MAPPING), "--manifest", str(manifest), "--database",
                    url, "--progress", "none")
    assert again.returncode == 0, again.stderr
    assert "0 of 1 batches to load" in again.stdout + again.stderr or "nothing to do" in (again.stdout +
                                                                                         again.stderr).lower()
    after = am_check(url, {"models": {"environmental.EnvironmentalReading": 0, "batch.Batch": 0}})
    assert after["counts"]["environmental.EnvironmentalReading"] == verdict["counts"]["environmental.EnvironmentalReading"]


def test_aquadsl_verify_passes_every_check_and_names_the_decision_behind_the_transfer_rule(loaded):
    url, manifest = loaded[0], loaded[1]
    result = aquadsl("target", "verify", str(MAPPING), str(SCENARIO), "--database", url, "--manifest", str(manifest),
                     "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert not [f for f in findings if not f["ok"]]
    kinds = {f["check"] for f in findings}
    assert {"row-count", "full-clean", "save-replay", "endpoint"} <= kinds
    # TransferAction's clean() rejects every action of a completed workflow (AquaMind's own too): the
    # mapping decides to ignore it, and verify says so with the decision's place, not silently.
    transfer = next(f for f in findings if f["check"] == "full-clean" and f["subject"] == "batch.TransferAction")
    assert "clean() is decided ignore" in transfer["message"] and "aquamind.aqt:" in transfer["message"]
    assert BY_DESIGN["batch.TransferAction"] in transfer["message"]


LOAD_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
REPLAYED = {"fcr_containers": "inventory_containerfeedingsummary", "fcr_batches": "inventory_batchfeedingsummary"}


def _query(url: str, sql: str) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def _replayed(url: str) -> dict:
    return {table: _query(url, f"SELECT count(*), min(created_at), max(updated_at) FROM {table}")[0]
            for table in REPLAYED.values()}


def test_replay_steps_write_aquamind_s_fcr_summaries_once_with_the_load_time(loaded):
    url = loaded[0]
    rows = _replayed(url)
    for table, (count, first, last) in rows.items():
        assert count > 0, table
        assert first == last == LOAD_TIME, (table, first, last)   # the mapping's load_time, not the wall clock
    recorded = _query(url, "SELECT step, batch_id, objects FROM aquadsl.replay_steps ORDER BY step")
    assert [(s, o > 0) for s, _, o in recorded] == [("fcr_batches", True), ("fcr_containers", True)]
    months = _query(url, "SELECT count(*) FROM inventory_containerfeedingsummary "
                         "WHERE extract(day FROM period_start) <> 1")
    assert months == [(0,)]
    again = aquadsl("target", "replay", str(MAPPING), str(SCENARIO), "--database", url, "--manifest",
                    str(loaded[1]))
    assert again.returncode == 0, again.stderr
    assert "replay fcr_containers: 0 object(s) in 0 batch(es)" in again.stderr, again.stderr
    assert _replayed(url) == rows


def test_the_apply_reports_each_replay_step_and_its_time(loaded):
    text = loaded[4]
    for step in REPLAYED:
        assert f"replay {step}: " in text and " s per object" in text, text[-2000:]


def test_a_step_that_does_not_exist_is_refused_before_anything_runs(loaded):
    url, manifest = loaded[0], loaded[1]
    bad = aquadsl("target", "replay", str(MAPPING), str(SCENARIO), "--database", url, "--manifest", str(manifest),
                  "--step", "fcr_nope")
    assert bad.returncode == 64 and "no replay step named fcr_nope" in bad.stderr, bad.stderr


def _summaries(url: str) -> list[tuple]:
    return _query(url, "SELECT container_assignment_id, batch_id, period_start, period_end, total_feed_kg, growth_kg, "
                       "fcr, confidence_level, estimation_method, data_points, created_at, updated_at "
                       "FROM inventory_containerfeedingsummary ORDER BY 1, 3")


def test_fresh_undoes_the_replay_first_and_the_reload_replays_the_same_values(loaded):
    url, manifest = loaded[0], loaded[1]
    before = _summaries(url)
    fresh = aquadsl("apply", str(SCENARIO), "--target", str(MAPPING), "--manifest", str(manifest), "--database",
                    url, "--progress", "none", "--fresh")
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert "--fresh: undid replay fcr_containers for 1 batch(es)" in fresh.stderr, fresh.stderr[-2000:]
    assert "replay fcr_containers: " in fresh.stderr and "in 1 batch(es)" in fresh.stderr
    assert _summaries(url) == before and before


def test_a_copy_of_the_mapping_elsewhere_still_finds_its_replay_adapters(loaded, tmp_path):
    copy = tmp_path / "aquamind-copy.aqt"
    copy.write_text(MAPPING.read_text())
    out = tmp_path / "copy.manifest.json"
    probe = aquadsl("target", "probe", str(copy), "--database", loaded[0], "--out", str(out))
    assert probe.returncode == 0, probe.stderr
    assert {k: v["ok"] for k, v in json.loads(out.read_text())["callables"].items()} == {
        "aquamind_replay.batch_fcr_by_month": True, "aquamind_replay.container_fcr_by_month": True,
        "aquamind_replay.forget_batch_fcr": True, "aquamind_replay.forget_container_fcr": True}
