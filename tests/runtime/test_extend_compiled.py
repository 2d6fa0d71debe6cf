"""A compiled scenario loaded at `until` U and extended to a later `until` equals a fresh load there.

The scenario is the responses fixture with sea lice (tests/untilplans.py): at U a harvest (NOR-01)
and a delousing (NOR-09) are under way, at U + 5 a cull (NOR-06); the table digests of the
extended database equal those of a fresh apply, on SQLite and PostgreSQL, and `verify` passes
on it (rings emptied inside an active batch's open stay included).
"""

from __future__ import annotations

import datetime as dt

import pytest

from aquadsl.plan.extension import Extension, until_extension
from aquadsl.runtime import digest
from aquadsl.verify.native import verify_database
from tests.runtime.conftest import use
from tests.runtime.test_extend import _apply
from tests.untilplans import plan_at

U = dt.date(2024, 12, 3)
LATER = (U + dt.timedelta(days=5), U + dt.timedelta(days=40))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """Digests of fresh applies at each later `until` (SQLite; equal across backends)."""
    out = {}
    for until in LATER:
        path = tmp_path_factory.mktemp(f"fresh-{until}")
        url = f"sqlite:///{path / 'fresh.sqlite3'}"
        assert _apply(plan_at("responses_lice", until), url, path).outcome == "completed"
        use(url)
        out[until] = digest.digests()
    return out


def test_something_is_under_way_at_each_until():
    old = plan_at("responses_lice", U)
    far = {b.id: b for b in plan_at("responses_lice", LATER[-1]).batches}
    harvesting = old.batch("NOR-01")
    assert harvesting.status == "active" and any(h.share >= 1.0 for h in harvesting.harvest_days)   # a ring emptied
    cut_delousing = [t for t in old.batch("NOR-09").lice_treatments if t.date == U]
    assert cut_delousing and len(cut_delousing[0].rings) < len(
        next(t for t in far["NOR-09"].lice_treatments if t.date == U).rings)
    mid = plan_at("responses_lice", LATER[0])
    assert mid.batch("NOR-06").status == "active" and mid.batch("NOR-06").cull_days


def test_extending_a_compiled_scenario_equals_a_fresh_apply(db_url, tmp_path, fresh):
    old = plan_at("responses_lice", U)
    assert _apply(old, db_url, tmp_path, workers=2).outcome == "completed"
    _verified(db_url, old)                  # NOR-01 has emptied one ring of two
    previous = old
    for until in LATER:
        new = plan_at("responses_lice", until)
        assert isinstance(until_extension(previous, new), Extension)
        summary = _apply(new, db_url, tmp_path, workers=2)
        assert summary.ledger.startswith(f"extended: only `until` changed: {previous.parameters.until} → {until}")
        assert summary.outcome == "completed" and summary.failed == 0
        use(db_url)
        assert digest.digests() == fresh[until], until
        assert digest.row_counts() == new.estimated_rows
        _verified(db_url, new)
        previous = new


def _verified(url, plan) -> None:
    report = verify_database(url, plan)     # conservation, placement, no row after until ...
    assert report.failures == [], [f.message for f in report.failures]
