"""The measured realism acceptance (issue 8), on the shipped scenarios, by simulation without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.sim.realism import NEEDED, measure
from aquadsl.sim.simulate import simulate_batch

ROOT = Path(__file__).resolve().parents[2]


def _figures(name: str) -> dict[str, float]:
    result = compile_path(ROOT / "scenarios" / name)
    assert result.ok
    return measure(result.plan, lambda plan, bid: simulate_batch(plan, bid, only=NEEDED))


@pytest.fixture(scope="module")
def full() -> dict[str, float]:
    return _figures("full_170.aqs")


@pytest.fixture(scope="module")
def demo_plan():
    return compile_path(ROOT / "scenarios" / "demo.aqs").plan


@pytest.mark.parametrize("name", ["demo.aqs", "uat_ladder.aqs"])
def test_shipped_scenarios_keep_every_container_within_its_limits(name):
    figs = _figures(name)
    assert figs["container-days over limit"] == 0
    assert figs["container-days over max_fish"] == 0
    assert 150_000 < figs["sea ring fish max"] <= 200_000     # rings fill by number at sea transfer
    assert figs["weekend harvest events"] == 0
    assert figs["sea area-days with 2+ batches"] == 0
    assert figs["vaccinated min g"] >= 25


def test_full_170_capacity_rotation_and_operations(full):
    assert full["container-days over limit"] == 0
    assert full["container-days over max_fish"] == 0
    assert 150_000 < full["sea ring fish max"] <= 200_000
    assert full["sea area-days with 2+ batches"] == 0
    assert full["weekend harvest events"] == 0
    assert full["vaccinated min g"] >= 25
    assert full["harvest working days min"] >= 7
    assert full["distinct grade shares / events"] > 0.5


def test_full_170_batches_differ_like_real_ones(full):
    assert full["sea days CV %"] >= 15
    assert full["smolt g p90-p10"] >= 40
    assert 80 <= full["sea survival min %"] and full["sea survival max %"] <= 95
    assert full["sea survival p90-p10 pts"] >= 5
    assert 1.05 <= full["sea eFCR min"] and full["sea eFCR max"] <= 1.40


def test_full_170_has_a_few_culls_and_early_harvests(full):
    assert 1 <= full["culled batches"] <= 10                       # a rare notifiable disease (ISA)
    assert 1 <= full["early-harvested batches"] <= 25              # pancreas disease in marketable fish


def test_full_170_incidents_and_weather(full):
    assert full["batches with incident day %"] >= 10
    assert full["August sea temp std between years min"] >= 0.3
    assert 2 <= full["delousings per completed batch"] <= 8       # lice limits answered, not a fixed schedule


def test_sea_batches_split_into_more_rings_as_they_grow(demo_plan):
    split = 0
    for b in demo_plan.batches:
        sea = [w for w in b.stages if w.stage == "adult"]
        counts = [len(w.container_names()) for w in sea]
        assert counts == sorted(counts) and len(set(counts)) == len(counts)
        if b.status == "completed":
            # smolts fill rings by number (max_fish), so a batch that loses enough fish may never split
            assert counts[0] >= 4
            split += len(counts) >= 2
            rows = simulate_batch(demo_plan, b.id, only=("transfers",))["transfers"]
            splits = rows["from_stage"] == rows["to_stage"]
            assert splits.sum() == len(counts) - 1
    assert split >= 3, "most completed batches split as they grow"


def test_harvest_days_follow_capacity_on_working_days_with_feed_withdrawal(demo_plan):
    b = next(b for b in demo_plan.batches if b.status == "completed")
    rows = simulate_batch(demo_plan, b.id)
    he, fe = rows["harvest_events"], rows["feeding_events"]
    assert all(dt.date.fromisoformat(str(d)).weekday() < 5 for d in he["date"])
    assert len(np.unique(he["date"])) >= 7
    daily = {}
    for d, kg in zip(he["date"], he["live_weight_kg"]):
        daily[d] = daily.get(d, 0.0) + kg
    assert max(daily.values()) <= 400_000 * 1.25       # about the declared 400 t per day
    first_harvest = {}
    for c, d in zip(he["container"], he["date"]):
        first_harvest[c] = min(first_harvest.get(c, d), d)
    fed_days = fe["ts"].astype("datetime64[D]")
    for ring, first in first_harvest.items():
        last_fed = fed_days[fe["container"] == ring].max()
        assert (first - last_fed).astype(int) > 3          # 3 days without feed before harvest


def test_incidents_are_in_the_plan_and_shape_mortality(demo_plan):
    b = next(b for b in demo_plan.batches if any(i.mortality >= 0.02 and i.days <= 4 for i in b.incidents))
    inc = next(i for i in b.incidents if i.mortality >= 0.02 and i.days <= 4)
    ds = simulate_batch(demo_plan, b.id, only=("daily_states",))["daily_states"]
    window = (ds["date"] >= np.datetime64(inc.start)) & (ds["date"] < np.datetime64(inc.start + dt.timedelta(days=inc.days)))
    rate = ds["mortality"][window] / np.maximum(ds["population"][window] + ds["mortality"][window], 1)
    assert rate.max() >= 0.005


def test_the_feed_ladder_follows_fish_weight(demo_plan):
    b = demo_plan.batches[0]
    rows = simulate_batch(demo_plan, b.id)
    fe, ds = rows["feeding_events"], rows["daily_states"]
    sea = np.char.find(fe["container"].astype(str), "SEA") >= 0
    names = set(fe["feed_name"][sea])
    assert {"Grower Feed 3.0mm", "Finisher Feed 4.5mm", "Finisher Feed 6.0mm"} <= names
    assert len(names) >= 4


def test_diff_shows_incidents_harvest_days_and_split_windows(demo_plan):
    from aquadsl.plan.diff import batch_fields, diff_plans

    b = next(b for b in demo_plan.batches if b.incidents and b.harvest_days)
    fields = batch_fields(b)
    assert b.incidents[0].name in fields["incidents"] and fields["harvest_days"].startswith(str(len(b.harvest_days)))
    assert "stages.adult#2.containers" in fields                       # splits are not folded together
    calmer = b.model_copy(update={"incidents": b.incidents[1:]})
    other = demo_plan.model_copy(update={"batches": tuple(calmer if x.id == b.id else x for x in demo_plan.batches)})
    changed = [c.field for bc in diff_plans(demo_plan, other).batches for c in bc.changes]
    assert changed == ["incidents"]
