"""Fresh-water drift of pH, CO₂ and NO₃ in recirculating tanks, and estuarine salinity where declared (issue 8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.sim.environment import estuary
from aquadsl.sim.layout import build_layout
from aquadsl.sim.simulate import simulate_batch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_plan():
    return compile_path(ROOT / "scenarios" / "demo.aqs").plan


def _readings(plan, batch_id):
    return simulate_batch(plan, batch_id, only=("environmental_readings",))["environmental_readings"]


def _daily_means(er, parameter, container):
    m = (er["parameter"] == parameter) & (er["container"] == container)
    days = er["ts"][m].astype("datetime64[D]")
    return np.array([er["value"][m][days == d].mean() for d in np.unique(days)])


@pytest.mark.parametrize("parameter, spread", [("ph", 0.08), ("co2", 0.8), ("no3", 4.0)])
def test_fresh_water_parameters_drift_slowly_in_each_tank(demo_plan, parameter, spread):
    b = demo_plan.batches[0]
    er = _readings(demo_plan, b.id)
    tank = next(c for c in er["container"] if "FW" in c and "-C-" in c)          # a parr tank (90 days)
    means = _daily_means(er, parameter, tank)
    assert means.std() > spread                                               # not flat any more
    lag = np.corrcoef(means[:-1], means[1:])[0, 1]
    assert lag > 0.6                                                          # persistent, not daily noise
    other = next(c for c in er["container"] if "FW" in c and "-C-" in c and c != tank)
    assert not np.allclose(means, _daily_means(er, parameter, other))         # each tank its own drift


def test_estuarine_sea_areas_are_fresher_with_tides_and_seasons(demo_plan):
    scot = demo_plan.geography("scotland").salinity
    assert scot and scot[0].areas == (1, 6)
    brackish = open_sea = None
    for b in demo_plan.batches:
        lay = build_layout(demo_plan, b.id)
        sea = lay.stays[-1]
        if estuary(lay, sea) is not None and brackish is None:
            brackish = (b, sea)
        elif sea.params.water == "sea" and estuary(lay, sea) is None and open_sea is None:
            open_sea = (b, sea)
    assert brackish and open_sea
    er = _readings(demo_plan, brackish[0].id)
    m = er["parameter"] == "salinity"
    value, ts = er["value"][m], er["ts"][m]
    assert 27 < value.mean() < 31
    months = ts.astype("datetime64[M]").astype(int) % 12 + 1
    assert value[months == 2].mean() + 2 < value[months == 8].mean()          # freshest in late winter
    ring = er["container"][m] == er["container"][m][0]
    days = ts[ring].astype("datetime64[D]")
    swing = [np.ptp(value[ring][days == d]) for d in np.unique(days)[:30]]
    assert np.mean(swing) > 1.5                                               # the tide within a day
    er = _readings(demo_plan, open_sea[0].id)
    assert abs(er["value"][er["parameter"] == "salinity"].mean() - 34.2) < 0.1
