"""The seed's production run expressed in the language: 170 batches with the seed's egg values."""

from __future__ import annotations

import datetime as dt

import pytest

from aquadsl.compiler import compile_path
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def plan():
    result = compile_path(SCENARIOS / "full_170.aqs")
    assert result.ok, result.diagnostics
    return result.plan


def test_170_batches_85_per_geography(plan):
    assert len(plan.batches) == 170
    assert sum(b.geography == "faroe" for b in plan.batches) == 85
    assert sum(b.geography == "scotland" for b in plan.batches) == 85


def test_seed_egg_formula_per_geography(plan):
    for geo in ("faroe", "scotland"):
        batches = [b for b in plan.batches if b.geography == geo]
        assert [b.geo_index for b in batches] == list(range(85))
        assert batches[0].eggs == 3_000_000
        assert batches[1].eggs == 3_123_456
        for b in batches:
            assert b.eggs == 3_000_000 + (b.geo_index * 123_456) % 800_000
        assert any(b.eggs < batches[i - 1].eggs for i, b in enumerate(batches) if i), "wraps at 800,000"


def test_interleaved_30_day_stagger_and_seed_dates(plan):
    assert plan.batches[0].start == dt.date(2011, 11, 15)
    assert [b.geography for b in plan.batches[:4]] == ["faroe", "scotland", "faroe", "scotland"]
    for prev, cur in zip(plan.batches, plan.batches[1:]):
        assert (cur.start - prev.start).days == 30
    assert (plan.parameters.until - plan.batches[-1].start).days == 50
    assert plan.batches[0].id == "FAR-2011-001" and plan.batches[1].id == "SCO-2011-001"


def test_batch_ids_unique(plan):
    assert len({b.id for b in plan.batches}) == 170


def test_stage_windows_follow_their_declared_days(plan):
    b = plan.batches[0]
    names = [w.stage for w in b.stages]
    assert names[:6] == ["egg_alevin", "fry", "parr", "smolt", "post_smolt", "adult"]
    assert set(names[6:]) <= {"adult"}          # sea splits into more rings as the fish grow
    declared = {s.name: s.days for s in plan.parameters.lifecycle.stages}
    assert [declared[w.stage] for w in b.stages[:4]] == [90, 90, 90, 75]   # smolts: 75 days, growing fast
    for w in b.stages[:4]:
        assert (w.end - w.start).days == declared[w.stage]
    # post-smolts go to sea at their own weight (end_weight 160..300 g), within 110 days
    assert 160 <= b.stage_targets["post_smolt"] <= 300 and (b.stages[4].end - b.stages[4].start).days <= 110
    assert b.stages[5].location.startswith("FI-SEA-")
