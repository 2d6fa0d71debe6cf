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
from tests.targets.conftest import MAPPING, digests, new_target_db, query


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(dumps(small_plan(batches=3)))
    return path


def apply(plan_file, url, manifest, *extra, env=None):
    return run_cli("apply", str(plan_file), "--target", str(MAPPING), "--manifest", str(manifest),
                   "--database", url, "--progress", "none", "--log-dir", str(plan_file.parent / "logs"),
                   *extra, cwd=plan_file.parent, env=env)


@pytest.fixture(scope="module")
def reference(plan_file, sample_template, pg_manifest):
    """The digests of an uninterrupted one-worker apply (its database is dropped at once)."""
    gen = new_target_db(sample_template)
    url = next(gen)
    try:
        done = apply(plan_file, url, pg_manifest, "--workers", "1")
        assert done.returncode == 0, done.stderr
        return digests(url)
    finally:
        gen.close()


def test_probe_check_apply_verify_with_3_workers_equals_1_worker(plan_file, reference, target_url,
                                                                  pg_manifest, root):
    probe = run_cli("target", "probe", str(MAPPING), "--database", target_url, cwd=root)
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == json.loads(pg_manifest.read_text())   # deterministic
    check = run_cli("check", str(MAPPING), "--manifest", str(pg_manifest), cwd=root)
    assert check.returncode == 0, check.stderr
    three = apply(plan_file, target_url, pg_manifest, "--workers", "3")
    assert three.returncode == 0, three.stderr
    assert digests(target_url) == reference
    assert reference["hatchery_cohort"][0] == 3 and reference["hatchery_reading"][0] > 1000
    assert reference["hatchery_historicalplacement"][0] == reference["hatchery_placement"][0]
    verify = run_cli("target", "verify", str(MAPPING), str(plan_file), "--database", target_url,
                     "--manifest", str(pg_manifest), "--format", "json", cwd=root)
    report = json.loads(verify.stdout)
    assert verify.returncode == 0 and report["ok"], verify.stdout + verify.stderr
    assert {f["check"] for f in report["findings"]} == {"row-count", "full-clean", "save-replay", "endpoint"}
    _ledger_apart_and_sequences_advanced(target_url)
    _fresh_deletes_only_what_aquadsl_loaded(plan_file, target_url, pg_manifest, reference)


def _ledger_apart_and_sequences_advanced(url):
    schemas = {r[0] for r in query(url, "SELECT DISTINCT table_schema FROM information_schema.tables "
                                        "WHERE table_name LIKE 'farm_%%'")}
    assert schemas == {"aquadsl"}
    top = query(url, "SELECT max(id) FROM public.hatchery_cohort")[0][0]
    new = query(url, "INSERT INTO public.hatchery_cohort (number, site_id, status, egg_count, started_on, "
                     "target_kg, origin, notes, created_at) SELECT 'USER-1', id, 'RUN', 1, '2024-01-01', 1, "
                     "'user', '', now() FROM public.hatchery_site LIMIT 1 RETURNING id")[0][0]
    assert new >= 4 * 10**9 > top     # past every id the 3-batch plan can use


def _fresh_deletes_only_what_aquadsl_loaded(plan_file, url, manifest, reference):
    again = apply(plan_file, url, manifest, "--fresh")
    assert again.returncode == 0, again.stderr
    assert query(url, "SELECT count(*) FROM public.hatchery_cohort WHERE number = 'USER-1'") == [(1,)]
    after = digests(url)
    assert after["hatchery_reading"] == reference["hatchery_reading"]
    assert after["hatchery_cohort"][0] == reference["hatchery_cohort"][0] + 1


def test_a_killed_and_resumed_apply_equals_an_uninterrupted_one(plan_file, reference, target_url, pg_manifest):
    _kill_after_one_batch(plan_file, target_url, pg_manifest, MAPPING, "logs-killed")
    assert digests(target_url) != reference
    resumed = apply(plan_file, target_url, pg_manifest, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert "(resume)" in resumed.stderr
    assert digests(target_url) == reference


def _kill_after_one_batch(plan_file, url, manifest, mapping, logs: str) -> None:
    """Start an apply whose second batch hangs; SIGKILL it once the first batch is in the ledger."""
    second = small_plan(batches=3).batches[1].id
    proc = start_cli("apply", str(plan_file), "--target", str(mapping), "--manifest", str(manifest),
                     "--database", url, "--progress", "none", "--workers", "1",
                     "--log-dir", str(plan_file.parent / logs), cwd=plan_file.parent,
                     env={"AQUADSL_FAULT_INJECTION": f"simulate:hang:{second}:*"})
    try:
        wait_for(lambda: _done(url) >= 1, timeout=120)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def _done(url: str) -> int:
    try:
        return query(url, "SELECT count(*) FROM aquadsl.farm_ledger_batches WHERE status = 'done'")[0][0]
    except Exception:  # noqa: BLE001 - the ledger does not exist yet
        return 0


def test_verify_reports_a_field_save_would_compute_differently(plan_file, target_url, pg_manifest, tmp_path, root):
    text = MAPPING.read_text().replace("biomass_kg = round(population_start * round(avg_weight_start_g) / 1000)",
                                       "biomass_kg = round(population_start * avg_weight_start_g / 1000) + 1")
    bad = MAPPING.parent / f".wrong-emulation-{os.getpid()}.aqt"   # beside the sample, for its relative paths
    bad.write_text(text)
    try:
        assert apply(plan_file, target_url, pg_manifest, "--target", str(bad)).returncode == 0
        verify = run_cli("target", "verify", str(bad), str(plan_file), "--database", target_url,
                         "--manifest", str(pg_manifest), cwd=root)
    finally:
        bad.unlink()
    assert verify.returncode == 1
    (line,) = [ln for ln in verify.stdout.splitlines() if ln.startswith("FAIL save-replay")]
    assert "hatchery.Placement: save() computes" in line and "biomass_kg of id" in line


def test_trusted_foreign_keys_load_the_same_rows_and_refuse_a_table_with_a_trigger(plan_file, reference,
                                                                                    target_url, pg_manifest):
    trusted = MAPPING.parent / f".trusted-{os.getpid()}.aqt"   # beside the sample, for its relative paths
    trusted.write_text(MAPPING.read_text().replace("  history initial\n", "  history initial\n  foreign_keys trusted\n"))
    try:
        query(target_url, "CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN RETURN NEW; END $$; CREATE TRIGGER audit BEFORE INSERT ON "
                          "public.hatchery_reading FOR EACH ROW EXECUTE FUNCTION public.noop()")
        refused = apply(plan_file, target_url, pg_manifest, "--target", str(trusted))
        assert refused.returncode == 1
        assert ("error[AQS662]: table hatchery_reading has trigger audit, which foreign_keys trusted would skip"
                in refused.stderr)
        query(target_url, "DROP TRIGGER audit ON public.hatchery_reading")
        done = apply(plan_file, target_url, pg_manifest, "--target", str(trusted), "--workers", "2")
        assert done.returncode == 0, done.stderr
    finally:
        trusted.unlink()
    assert digests(target_url) == reference


def _index_defs(url: str) -> list[tuple]:
    return query(url, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2")


def test_a_killed_deferred_load_resumed_with_indexes_kept_equals_a_normal_load(plan_file, reference,
                                                                             target_url, pg_manifest):
    indexes = _index_defs(target_url)
    deferred = MAPPING.parent / f".deferred-{os.getpid()}.aqt"   # beside the sample, for its relative paths
    deferred.write_text(MAPPING.read_text().replace("  history initial\n", "  history initial\n  indexes deferred\n"))
    try:
        _kill_after_one_batch(plan_file, target_url, pg_manifest, deferred, "logs-deferred")
    finally:
        deferred.unlink()
    missing = set(indexes) - set(_index_defs(target_url))
    recorded = query(target_url, "SELECT count(*) FROM aquadsl.aqs_deferred_index")[0][0]
    assert missing and recorded == len(missing)
    resumed = apply(plan_file, target_url, pg_manifest, "--workers", "2")     # the mapping's default: kept
    assert resumed.returncode == 0, resumed.stderr
    assert "(resume)" in resumed.stderr and f"rebuilt {recorded} index(es)" in resumed.stderr
    assert _index_defs(target_url) == indexes
    assert query(target_url, "SELECT count(*) FROM aquadsl.aqs_deferred_index") == [(0,)]
    assert digests(target_url) == reference
