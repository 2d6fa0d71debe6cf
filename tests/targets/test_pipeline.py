"""probe → check → apply → verify of the sample target on PostgreSQL, for real.

Worker counts and a killed-then-resumed run give identical table digests; --fresh deletes only what
aquadsl loaded; the sequences are advanced past every id the plan can use.
"""

from __future__ import annotations

import json
import os
import signal

import pytest

from aquadsl.plan.model import dumps
from tests.runtime.conftest import run_cli, start_cli, wait_for
from tests.runtime.planfactory import small_plan
from tests.targets.conftest import MAPPING, digests, query


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(dumps(small_plan(batches=4)))
    return path


def apply(plan_file, url, manifest, *extra, env=None):
    return run_cli("apply", str(plan_file), "--target", str(MAPPING), "--manifest", str(manifest),
                   "--database", url, "--progress", "none", "--log-dir", str(plan_file.parent / "logs"),
                   *extra, cwd=plan_file.parent, env=env)


def test_probe_check_apply_verify_with_identical_digests_for_1_and_3_workers(
        plan_file, target_url, other_target_url, pg_manifest, root):
    probe = run_cli("target", "probe", str(MAPPING), "--database", target_url, cwd=root)
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == json.loads(pg_manifest.read_text())   # deterministic
    check = run_cli("check", str(MAPPING), "--manifest", str(pg_manifest), cwd=root)
    assert check.returncode == 0, check.stderr
    one = apply(plan_file, target_url, pg_manifest, "--workers", "1")
    assert one.returncode == 0, one.stderr
    three = apply(plan_file, other_target_url, pg_manifest, "--workers", "3")
    assert three.returncode == 0, three.stderr
    first = digests(target_url)
    assert first == digests(other_target_url)
    assert first["hatchery_cohort"][0] == 4 and first["hatchery_reading"][0] > 1000
    assert first["hatchery_historicalplacement"][0] == first["hatchery_placement"][0]
    verify = run_cli("target", "verify", str(MAPPING), str(plan_file), "--database", target_url,
                     "--manifest", str(pg_manifest), "--format", "json", cwd=root)
    report = json.loads(verify.stdout)
    assert verify.returncode == 0 and report["ok"], verify.stdout + verify.stderr
    kinds = {f["check"] for f in report["findings"]}
    assert kinds == {"row-count", "full-clean", "save-replay", "endpoint"}


def test_ledger_lives_apart_and_sequences_are_advanced(plan_file, target_url, pg_manifest):
    assert apply(plan_file, target_url, pg_manifest).returncode == 0
    schemas = {r[0] for r in query(target_url, "SELECT DISTINCT table_schema FROM information_schema.tables "
                                               "WHERE table_name LIKE 'farm_%%'")}
    assert schemas == {"aquadsl"}
    top = query(target_url, "SELECT max(id) FROM public.hatchery_cohort")[0][0]
    new = query(target_url, "INSERT INTO public.hatchery_cohort (number, site_id, status, egg_count, started_on, "
                            "target_kg, origin, notes, created_at) SELECT 'APP-1', id, 'RUN', 1, '2024-01-01', 1, "
                            "'app', '', now() FROM public.hatchery_site LIMIT 1 RETURNING id")[0][0]
    assert new >= 5 * 10**9 > top     # past every id the 4-batch plan can use


def test_fresh_deletes_only_what_aquadsl_loaded(plan_file, target_url, pg_manifest):
    assert apply(plan_file, target_url, pg_manifest).returncode == 0
    loaded = digests(target_url)
    query(target_url, "INSERT INTO public.hatchery_cohort (number, site_id, status, egg_count, started_on, "
                      "target_kg, origin, notes, created_at) SELECT 'USER-1', id, 'RUN', 1, '2024-01-01', 1, "
                      "'user', '', now() FROM public.hatchery_site LIMIT 1")
    again = apply(plan_file, target_url, pg_manifest, "--fresh")
    assert again.returncode == 0, again.stderr
    assert query(target_url, "SELECT count(*) FROM public.hatchery_cohort WHERE number = 'USER-1'") == [(1,)]
    after = digests(target_url)
    assert after["hatchery_reading"] == loaded["hatchery_reading"]
    assert after["hatchery_cohort"][0] == loaded["hatchery_cohort"][0] + 1


def test_a_killed_and_resumed_apply_equals_an_uninterrupted_one(plan_file, target_url, other_target_url,
                                                                pg_manifest):
    assert apply(plan_file, other_target_url, pg_manifest, "--workers", "2").returncode == 0
    second = small_plan(batches=4).batches[1].id
    proc = start_cli("apply", str(plan_file), "--target", str(MAPPING), "--manifest", str(pg_manifest),
                     "--database", target_url, "--progress", "none", "--workers", "1",
                     "--log-dir", str(plan_file.parent / "logs-killed"), cwd=plan_file.parent,
                     env={"AQUADSL_FAULT_INJECTION": f"simulate:hang:{second}:*"})
    try:
        wait_for(lambda: _done(target_url) >= 1, timeout=120)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert digests(target_url) != digests(other_target_url)
    resumed = apply(plan_file, target_url, pg_manifest, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert "(resume)" in resumed.stderr
    assert digests(target_url) == digests(other_target_url)


def _done(url: str) -> int:
    try:
        return query(url, "SELECT count(*) FROM aquadsl.farm_ledger_batches WHERE status = 'done'")[0][0]
    except Exception:  # noqa: BLE001 - the ledger does not exist yet
        return 0
