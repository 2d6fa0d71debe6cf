"""Sea-lice dynamics with threshold-triggered delousing, and rations of fish held at a weight cap (issue 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.model import LiceLimitPlan, LicePlan, LiceTreatment
from aquadsl.plan.ranges import expand
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
            end = (t.rings[-1].date - b.start).days                          # its last ring's day
            assert level[end + 1] < level[d] * (1 - t.cut) * 1.3 + 0.01      # the cut takes effect
        gaps = np.diff(sorted(treated))
        assert (gaps >= stage.lice.rest_days).all()
        for d in np.nonzero(level > 0)[0]:                 # above the limit only within a rest after a delousing
            limit = limit_on(stage.lice, b.start + dt.timedelta(days=int(d)))
            if level[d] >= limit:
                assert any(0 <= d - t < stage.lice.rest_days for t in treated), (b.id, d)
    spring = [t for b in demo_plan.batches for t in b.lice_treatments if 16 <= t.date.isocalendar()[1] <= 21]
    assert spring and min(t.adult_females for t in spring) < 0.5


def _ring_days(b):
    """(date, ring) of every ring's delousing."""
    return {(np.datetime64(x.date, "D"), ring) for t in b.lice_treatments for x in t.rings
            for ring in expand(x.containers)}


def test_delousings_treat_3_rings_a_day_ring_after_ring_until_all_are_done(demo_plan):
    stage = demo_plan.parameters.lifecycle.stages[-1]
    assert stage.lice.rings_per_day == 3                             # scenarios/lib/farm.aqs
    long = 0
    for b in demo_plan.batches:
        for t in b.lice_treatments:
            assert t.rings[0].date == t.date
            dates = [x.date for x in t.rings]
            assert dates == [t.date + dt.timedelta(days=k) for k in range(len(dates))]   # day after day
            sizes = [len(expand(x.containers)) for x in t.rings]
            assert all(n == 3 for n in sizes[:-1]) and 1 <= sizes[-1] <= 3
            rings = [r for x in t.rings for r in expand(x.containers)]
            assert len(set(rings)) == len(rings)                    # each ring once
            window = next(w for w in b.stages if w.start <= t.date < w.end)
            leaving = {h.container for h in b.harvest_days if h.date <= t.rings[-1].date}
            assert set(window.container_names()) - leaving <= set(rings)   # every ring that stays is treated
            long = max(long, len(dates))
    assert long >= 4                                                # 10+ rings take 4 days or more


def test_each_ring_is_starved_and_loses_fish_on_its_own_delousing_day(deloused):
    b, rows = deloused
    tr, me, ds = rows["treatments"], rows["mortality_events"], rows["daily_states"]
    kind = tr["treatment_type"] == "lice_treatment"
    ring_days = _ring_days(b)
    assert set(zip(tr["date"][kind], tr["container"][kind])) == ring_days
    assert any(len(t.rings) > 1 for t in b.lice_treatments)
    on = np.array([(d, c) in ring_days for d, c in zip(ds["date"], ds["container"])])
    before_harvest = ds["date"] < np.datetime64(b.harvest_days[0].date - dt.timedelta(days=7), "D")   # fed
    same_day = np.isin(ds["date"], np.array(sorted({d for d, _ in ring_days}))) & ~on & before_harvest
    treated_me = np.array([(d, c) in ring_days for d, c in zip(me["date"], me["container"])])
    assert (me["cause"][treated_me & (me["count"] > 0)] == "TREATMENT").all()
    assert (me["cause"][~treated_me] != "TREATMENT").all()
    assert ds["feed_kg"][on].sum() == 0                                   # starved on its own day
    assert same_day.any() and (ds["feed_kg"][same_day] > 0).all()         # the other rings are fed
    rate = ds["mortality"] / np.maximum(ds["population"] + ds["mortality"], 1)
    adult = ds["stage"] == "adult"
    assert rate[on].mean() > 10 * rate[same_day].mean()                   # losses in the treated ring only
    assert rate[on].mean() > 10 * rate[~on & adult].mean()
    assert not [i for i in b.incidents if i.name == DELOUSING]            # the losses go with the delousing
    assert all(0 < t.loss < 0.01 for t in b.lice_treatments)


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


def test_each_ring_keeps_its_lice_until_its_own_treatment_day(deloused, demo_plan):
    b, _ = deloused
    lice = build_layout(demo_plan, b.id).lice
    t = next(t for t in b.lice_treatments if len(t.rings) >= 3)
    first, last = expand(t.rings[0].containers)[0], expand(t.rings[-1].containers)[0]
    d0, d1 = (t.rings[0].date - b.start).days, (t.rings[-1].date - b.start).days
    day = np.array([d0 + 1, d1])
    early, late = lice.ring_level(first, day), lice.ring_level(last, day)
    assert (late > 2 * early).all()                                  # not yet treated: still all its lice
    assert lice.ring_level(last, np.array([d1 + 1]))[0] < 0.5 * late[-1]   # cut on its own day
    assert min(early[0], late[0]) < lice.level[d0 + 1] < max(early[0], late[0])   # the curve is their mean


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
    shown = batch_fields(b)["lice_treatments"]
    assert shown.startswith(str(b.lice_treatments[0].date))
    assert isinstance(b.lice_treatments[0], LiceTreatment)
    t = next(t for t in b.lice_treatments if len(t.rings) > 1)
    assert f"over {len(t.rings)} days ({' | '.join(', '.join(x.containers) for x in t.rings)})" in shown


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
