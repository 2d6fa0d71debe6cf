"""Sea-lice dynamics with threshold-triggered delousing, and rations of fish held at a weight cap (issue 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.model import LiceLimitPlan, LicePlan, LiceTreatment
from aquadsl.sim.layout import SimulationError, build_layout
from aquadsl.sim.lice import DELOUSING, course, limit_on
from aquadsl.sim.simulate import simulate_batch

ROOT = Path(__file__).resolve().parents[2]
LICE = LicePlan(growth=0.02, settle=0.002, spread=0.0, cut=0.85, mortality=0.006, rest_days=14,
                limits=(LiceLimitPlan(limit=0.5), LiceLimitPlan(limit=0.2, weeks=(16, 21))))


@pytest.fixture(scope="module")
def demo_plan():
    return compile_path(ROOT / "scenarios" / "demo.aqs").plan


@pytest.fixture(scope="module")
def deloused(demo_plan):
    """A completed demo batch with its delousings and all its rows."""
    b = next(b for b in demo_plan.batches if b.status == "completed" and len(b.lice_treatments) >= 2)
    return b, simulate_batch(demo_plan, b.id)


def _sea_lifecycle(demo_plan, lice: LicePlan = LICE):
    life = demo_plan.parameters.lifecycle
    stages = tuple(s.model_copy(update={"lice": lice if s.water == "sea" else None}) for s in life.stages)
    return life.model_copy(update={"stages": stages})


def test_the_spring_limit_holds_in_weeks_16_to_21_only():
    assert limit_on(LICE, dt.date(2024, 4, 15)) == 0.2          # ISO week 16
    assert limit_on(LICE, dt.date(2024, 5, 26)) == 0.2          # week 21
    assert limit_on(LICE, dt.date(2024, 5, 27)) == 0.5          # week 22


def test_lice_multiply_faster_in_warm_water(demo_plan):
    life = _sea_lifecycle(demo_plan)
    sea = next(i for i, s in enumerate(life.stages) if s.water == "sea")
    days = np.full(400, sea)
    start = dt.date(2023, 6, 1)                                   # no spring weeks in the first 300 days
    cold = course(life, 1, "B", start, days, np.full(400, 7.0))
    warm = course(life, 1, "B", start, days, np.full(400, 13.0))
    assert warm.treatments and cold.treatments
    assert warm.treatments[0].date < cold.treatments[0].date
    assert len(warm.treatments) > len(cold.treatments)
    assert course(life, 1, "B", start, days, np.full(400, 3.0)).treatments == ()   # too cold to settle


def test_a_delousing_follows_each_crossing_of_the_limit_and_cuts_the_lice(demo_plan):
    life = demo_plan.parameters.lifecycle
    for b in demo_plan.batches:
        lay = build_layout(demo_plan, b.id)
        level, dates = lay.lice.level, [t.date for t in b.lice_treatments]
        stage = life.stages[-1]
        treated = {(d - b.start).days for d in dates}
        for t in b.lice_treatments:
            d = (t.date - b.start).days
            assert t.adult_females >= limit_on(stage.lice, t.date) and abs(level[d] - t.adult_females) < 1e-3
            assert 0.5 < t.cut < 1
            assert level[d + 1] < level[d] * (1 - t.cut) * 1.2 + 0.01      # the cut takes effect
        gaps = np.diff(sorted(treated))
        assert (gaps >= stage.lice.rest_days).all()
        for d in np.nonzero(level > 0)[0]:                 # above the limit only within a rest after a delousing
            limit = limit_on(stage.lice, b.start + dt.timedelta(days=int(d)))
            if level[d] >= limit:
                assert any(0 <= d - t < stage.lice.rest_days for t in treated), (b.id, d)
    spring = [t for b in demo_plan.batches for t in b.lice_treatments if 16 <= t.date.isocalendar()[1] <= 21]
    assert spring and min(t.adult_females for t in spring) < 0.5


def test_delousings_are_treatment_rows_with_treatment_losses_and_starved_fish(deloused):
    b, rows = deloused
    tr, me, ds = rows["treatments"], rows["mortality_events"], rows["daily_states"]
    dates = np.array([t.date for t in b.lice_treatments], dtype="datetime64[D]")
    kind = tr["treatment_type"] == "lice_treatment"
    assert set(tr["date"][kind]) == set(dates)
    for d in dates:
        rings = set(ds["container"][ds["date"] == d])
        assert set(tr["container"][kind & (tr["date"] == d)]) == rings      # every ring is treated that day
        day = me["date"] == d
        assert (me["cause"][day & (me["count"] > 0)] == "TREATMENT").all()
        assert ds["feed_kg"][ds["date"] == d].sum() == 0                     # starved on the day
    treated = np.isin(ds["date"], dates)
    rate = ds["mortality"] / np.maximum(ds["population"] + ds["mortality"], 1)
    assert rate[treated].mean() > 10 * rate[~treated & (ds["stage"] == "adult")].mean()   # visible losses
    losses = [i for i in b.incidents if i.name == DELOUSING]
    assert [i.start for i in losses] == [t.date for t in b.lice_treatments]


def test_lice_counts_follow_the_curve_and_drop_after_a_delousing(deloused, demo_plan):
    b, rows = deloused
    lc = rows["lice_counts"]
    per_fish = lc["adult_female"] / lc["fish_sampled"]
    level = build_layout(demo_plan, b.id).lice.level
    day = (lc["date"] - np.datetime64(b.start, "D")).astype(int)
    assert abs(per_fish.mean() - level[day].mean()) < 0.25 * level[day].mean()
    t = b.lice_treatments[0].date
    before = (lc["date"] > np.datetime64(t - dt.timedelta(days=8))) & (lc["date"] <= np.datetime64(t))
    after = (lc["date"] > np.datetime64(t)) & (lc["date"] <= np.datetime64(t + dt.timedelta(days=8)))
    assert per_fish[after].mean() < 0.5 * per_fish[before].mean()


def test_a_plan_with_other_delousings_is_refused(demo_plan, deloused):
    b, _ = deloused
    edited = b.model_copy(update={"lice_treatments": b.lice_treatments[:-1]})
    plan = demo_plan.model_copy(update={"batches": tuple(edited if x.id == b.id else x for x in demo_plan.batches)})
    with pytest.raises(SimulationError, match="delousing"):
        build_layout(plan, b.id)


def test_the_curve_is_drawn_from_the_seed(demo_plan):
    life = _sea_lifecycle(demo_plan, LICE.model_copy(update={"spread": 0.4}))
    sea = next(i for i, s in enumerate(life.stages) if s.water == "sea")
    args = (dt.date(2023, 6, 1), np.full(300, sea), np.full(300, 10.0))
    one, again = course(life, 7, "B", *args), course(life, 7, "B", *args)
    assert np.array_equal(one.level, again.level) and one.treatments == again.treatments
    assert not np.array_equal(course(life, 7, "B", *args).level, course(life, 8, "B", *args).level)


def test_diff_shows_delousings(deloused, demo_plan):
    from aquadsl.plan.diff import batch_fields

    b, _ = deloused
    assert batch_fields(b)["lice_treatments"].startswith(str(b.lice_treatments[0].date))
    assert isinstance(b.lice_treatments[0], LiceTreatment)


def test_fish_held_at_their_weight_cap_are_still_fed():
    result = compile_path(ROOT / "tests" / "fixtures" / "valid" / "capped.aqs")
    assert result.ok
    b = result.plan.batches[0]
    ds = simulate_batch(result.plan, b.id, only=("daily_states", "feeding_events"))["daily_states"]
    fresh = ds["stage"] == "tank_phase"
    capped = fresh & (ds["avg_weight_g"] >= 40 - 1e-9)
    assert capped.sum() >= 60                                # weeks at the cap
    pct = ds["feed_kg"][fresh] / ds["biomass_kg"][fresh] * 100
    at_cap = pct[capped[fresh]]
    assert (ds["feed_kg"][capped] > 0).all()                # never a day without feed
    assert 0.3 < at_cap.mean() < pct[~capped[fresh]].mean()  # a maintenance ration, below the growing one
