"""Batches culled or harvested early after an incident load into SQLite and PostgreSQL alike, and pass verify
(from the plan and from the ledger alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aquadsl.compiler import compile_path
from aquadsl.runtime import digest
from aquadsl.runtime.apply import ApplyOptions, apply_plan
from aquadsl.verify.native import verify_database
from tests.runtime.conftest import pg_database, use

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "responses.aqs"


@pytest.fixture(scope="module")
def plan():
    result = compile_path(FIXTURE)
    assert result.plan is not None, [d.message for d in result.diagnostics]
    statuses = {b.status for b in result.plan.batches}
    assert {"culled", "completed"} <= statuses
    assert any(i.response == "early_harvest" for b in result.plan.batches for i in b.incidents)
    return result.plan


@pytest.fixture(scope="module")
def loaded(plan, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("responses")
    databases = pg_database()
    urls = {"sqlite": f"sqlite:///{tmp / 'farm.sqlite3'}", "postgresql": next(databases)}
    for url in urls.values():
        outcome = apply_plan(plan, url, ApplyOptions(log_dir=str(tmp / "logs"), progress="none", workers=1),
                             echo=lambda m: None)
        assert outcome.outcome == "completed"
    yield urls
    databases.close()


def test_culled_batches_have_equal_digests_on_both_backends(loaded):
    found = {}
    for backend, url in loaded.items():
        use(url)
        found[backend] = digest.digests()
    assert found["sqlite"] == found["postgresql"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_verify_accepts_culled_and_early_harvested_batches(loaded, plan, backend):
    from aquadsl.farm.models import TABLE_MODELS

    for source in (plan, None):                    # against the plan, and from the ledger alone
        report = verify_database(loaded[backend], source)
        assert report.failures == [], [f.message for f in report.failures]
    batches = TABLE_MODELS["batches"].objects
    culled = [b.id for b in plan.batches if b.status == "culled"]
    assert batches.filter(status="culled", living_fish=0).count() == len(culled)
    cause = TABLE_MODELS["mortality_events"].objects.filter(cause="CULL")
    assert cause.exists()
    early = [b for b in plan.batches if any(i.response == "early_harvest" for i in b.incidents)]
    harvest = TABLE_MODELS["harvest_events"].objects
    assert any(h.avg_weight_g < 1000 * b.harvest_target_kg for b in early
               for h in harvest.filter(batch__batch_id=b.id))
