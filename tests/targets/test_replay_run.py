"""Replay steps on the sample target, for real (PostgreSQL and the sample venv; real when CI=true).

A step writes one Alert (level 77) per loaded Placement through the target's ORM: apply runs it once
per batch and reports it, a repeat adds nothing, a failure names the step's place and row and keeps
what earlier batches recorded, `--fresh` undoes it before deleting the rows it points at.
"""

from __future__ import annotations

import os

import pytest

from aquadsl.plan.model import dumps
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan
from tests.targets.conftest import MAPPING, query

ADAPTER = '''
from hatchery.models import Alert


def tally(placement):
    if placement.cohort_id >= FAIL_FROM:
        raise RuntimeError("refused")
    Alert.objects.create(placement=placement, raised_on=placement.placed_on, kind="MORT", level=77)


def forget(placement):
    Alert.objects.filter(placement=placement, level=77).delete()


FAIL_FROM = {fail_from}
'''


@pytest.fixture
def replaying(tmp_path):
    """(mapping path, a function that (re)writes its adapter) beside the sample, for its relative paths."""
    module = f"aqs_replay_{os.getpid()}"
    mapping = MAPPING.parent / f".replay-{os.getpid()}.aqt"
    adapter = MAPPING.parent / f"{module}.py"
    mapping.write_text(MAPPING.read_text() + f'\nreplay tally per hatchery.Placement call "{module}.tally" '
                                              f'undo "{module}.forget" "one alert per placement"\n')

    def write_adapter(fail_from: int) -> None:
        adapter.write_text(ADAPTER.format(fail_from=fail_from))

    write_adapter(10**18)
    plan = tmp_path / "plan.json"
    plan.write_text(dumps(small_plan(batches=2)))
    try:
        yield mapping, plan, write_adapter
    finally:
        mapping.unlink()
        adapter.unlink(missing_ok=True)


def _apply(mapping, plan, url, manifest, *extra):
    return run_cli("apply", str(plan), "--target", str(mapping), "--manifest", str(manifest), "--database", url,
                   "--progress", "none", "--log-dir", str(plan.parent / "logs"), *extra, cwd=plan.parent)


def _counts(url):
    alerts = query(url, "SELECT count(*) FROM hatchery_alert WHERE level = 77")[0][0]
    placements = query(url, "SELECT count(*) FROM hatchery_placement")[0][0]
    exists = query(url, "SELECT to_regclass('aquadsl.replay_steps')")[0][0]
    recorded = query(url, "SELECT count(*) FROM aquadsl.replay_steps WHERE step = 'tally'")[0][0] if exists else 0
    return alerts, placements, recorded


def test_a_replay_step_runs_once_per_loaded_row_and_resumes(replaying, target_url, tmp_path, pg_manifest):
    mapping, plan, write_adapter = replaying
    manifest = pg_manifest     # probed without the step: its callables are checked when the step runs
    done = _apply(mapping, plan, target_url, manifest)
    assert done.returncode == 0, done.stderr
    alerts, placements, recorded = _counts(target_url)
    assert alerts == placements > 0 and recorded == 2
    assert f"replay tally: {placements} object(s) in 2 batch(es)" in done.stderr, done.stderr
    again = run_cli("target", "replay", str(mapping), str(plan), "--database", target_url, "--manifest",
                    str(manifest), cwd=tmp_path)
    assert again.returncode == 0 and "replay tally: 0 object(s) in 0 batch(es)" in again.stderr, again.stderr
    assert _counts(target_url) == (alerts, placements, 2)
    plain = _apply(MAPPING, plan, target_url, manifest)     # steps are not part of the load's identity
    assert plain.returncode == 0 and "all 2 batches are already loaded" in plain.stdout, plain.stdout + plain.stderr
    fresh = _apply(mapping, plan, target_url, manifest, "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    assert "--fresh: undid replay tally for 2 batch(es)" in fresh.stderr
    assert _counts(target_url) == (alerts, placements, 2)


def test_a_failing_step_names_its_place_and_row_and_keeps_earlier_batches(replaying, target_url, tmp_path,
                                                                          pg_manifest):
    mapping, plan, write_adapter = replaying
    manifest = pg_manifest
    loaded = _apply(mapping, plan, target_url, manifest, "--replay", "none")
    assert loaded.returncode == 0 and "replay tally" not in loaded.stderr, loaded.stderr
    assert _counts(target_url)[0::2] == (0, 0)
    second_batch = 2 * 10**9        # the mapping's id_block: batch 2's cohort ids start here
    write_adapter(second_batch)
    failed = run_cli("target", "replay", str(mapping), str(plan), "--database", target_url, "--manifest",
                     str(manifest), cwd=tmp_path)
    line = len(mapping.read_text().splitlines())
    assert failed.returncode == 69, failed.stderr
    assert f"{mapping}:{line}:1: replay tally: " in failed.stderr
    assert "failed on hatchery.Placement pk=" in failed.stderr
    assert "RuntimeError: refused" in failed.stderr and "Traceback" not in failed.stderr
    alerts, placements, recorded = _counts(target_url)
    assert recorded == 1 and 0 < alerts < placements
    write_adapter(10**18)
    resumed = run_cli("target", "replay", str(mapping), str(plan), "--database", target_url, "--manifest",
                      str(manifest), cwd=tmp_path)
    assert resumed.returncode == 0 and "in 1 batch(es)" in resumed.stderr, resumed.stderr
    assert _counts(target_url) == (placements, placements, 2)


def test_the_probe_reports_whether_each_callable_can_take_a_row(replaying, target_url, tmp_path):
    mapping, _, _ = replaying
    module = mapping.read_text().split('call "')[1].split(".")[0]
    mapping.write_text(mapping.read_text() + f'replay broken per hatchery.Cohort call "{module}.missing"\n'
                                             f'replay wrong per hatchery.Cohort call "{module}.Alert.objects.none"\n')
    out = tmp_path / "m.json"
    probe = run_cli("target", "probe", str(mapping), "--database", target_url, "--out", str(out), cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    check = run_cli("check", str(mapping), "--manifest", str(out), cwd=tmp_path)
    assert check.returncode == 1
    lines = [ln for ln in check.stderr.splitlines() if "AQS656" in ln]
    assert len(lines) == 2, check.stderr
    assert "has no callable 'missing'" in lines[0] and "cannot be called with one object" in lines[1]
