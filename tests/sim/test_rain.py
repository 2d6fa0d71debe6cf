"""Rain on estuarine sea areas (issue 8): seeded, regional events that freshen the water for a few days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.model import SalinityPlan
from aquadsl.sim.environment import estuary
from aquadsl.sim.layout import build_layout
from aquadsl.sim.rain import freshening
from aquadsl.sim.simulate import simulate_batch

ROOT = Path(__file__).resolve().parents[2]
RAIN = SalinityPlan(areas=(1, 6), mean=31, tide=1.5, seasonal=2.5, rain_per_month=6, rain_drop=4)


def test_rain_is_the_same_on_the_same_days_whatever_the_window():
    first = freshening(RAIN, 7, "scotland", dt.date(2024, 1, 1), 200)
    later = freshening(RAIN, 7, "scotland", dt.date(2024, 3, 1), 200)
    shift = (dt.date(2024, 3, 1) - dt.date(2024, 1, 1)).days
    assert np.array_equal(first[shift:], later[:200 - shift])                # regional, by calendar day
    assert not np.array_equal(first, freshening(RAIN, 8, "scotland", dt.date(2024, 1, 1), 200))
    assert not np.array_equal(first, freshening(RAIN, 7, "faroe", dt.date(2024, 1, 1), 200))


def test_rain_events_follow_the_declared_rate_and_recover_over_days():
    days = 3653
    f = freshening(RAIN, 3, "scotland", dt.date(2010, 1, 1), days)
    jumps = np.diff(f) > 1e-9                                                 # a new event on that day
    per_month = jumps.sum() / (days / 30.44)
    assert 4.5 < per_month < 6.5                                              # 6 a month, some on one day
    assert f.max() <= 4 * 4 and f.min() >= 0                                  # events up to 4 ppt, piling up
    wet = f[:-1] > 0.5         # (an event 20 days old drops out: a trace of it)
    ratio = f[1:][wet] / f[:-1][wet]
    recovering = np.isclose(ratio, np.exp(-1 / 3), rtol=0.02)               # a third of the way back a day
    assert recovering.mean() > 0.6 and np.all(ratio >= 0.98 * np.exp(-1 / 3))
    assert np.all(freshening(RAIN.model_copy(update={"rain_per_month": 0.0}), 3, "scotland",
                             dt.date(2010, 1, 1), 50) == 0)


@pytest.fixture(scope="module")
def demo_plan():
    return compile_path(ROOT / "scenarios" / "demo.aqs").plan


def test_estuarine_readings_freshen_after_rain(demo_plan):
    salinity = demo_plan.geography("scotland").salinity[0]
    assert salinity.rain_per_month > 0 and salinity.rain_drop > 0
    b = next(b for b in demo_plan.batches if any(estuary(build_layout(demo_plan, b.id), s) is not None
                                                 for s in build_layout(demo_plan, b.id).stays
                                                 if s.params.water == "sea"))
    lay = build_layout(demo_plan, b.id)
    stay = next(s for s in lay.stays if s.params.water == "sea" and estuary(lay, s) is not None)
    er = simulate_batch(demo_plan, b.id, only=("environmental_readings",))["environmental_readings"]
    m = (er["parameter"] == "salinity") & (er["container"] == stay.containers[0])
    days = er["ts"][m].astype("datetime64[D]")
    start = np.datetime64(stay.window.start)
    on = (days >= start) & (days < start + stay.days)
    daily = np.array([er["value"][m][on][days[on] == d].mean() for d in np.unique(days[on])])
    rain = freshening(salinity, demo_plan.parameters.seed, b.geography, stay.window.start, stay.days)
    assert np.corrcoef(daily, rain)[0, 1] < -0.7                              # fresher on the rainy days
