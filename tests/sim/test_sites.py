"""Water temperature by stage and by site (issue 8): a stage's own profile, per-geography stage
profiles, and sea-area offsets (declared and drawn from the seed) that drive growth and readings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.model import dumps
from aquadsl.sim.growth import project
from aquadsl.sim.layout import build_layout
from aquadsl.sim.simulate import simulate_batch
from aquadsl.sim.temperature import daily_temperatures

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "valid" / "site_temperatures.aqs"


@pytest.fixture(scope="module")
def plan():
    result = compile_path(FIXTURE)
    assert result.ok, result.diagnostics
    return result.plan


def _offsets(plan):
    return {a.name: a.temperature_offset for g in plan.infrastructure.geographies for a in g.sea_areas}


def test_area_offsets_are_declared_plus_a_seeded_draw(plan):
    offsets = list(_offsets(plan).values())
    declared = [-1.5] * 3 + [0.0] * 5
    drawn = np.array(offsets) - np.array(declared)
    assert np.all(np.abs(drawn) <= 0.6 + 1e-9)                       # sites 0.3, clipped at 2 sd
    assert len(set(np.round(drawn, 3))) == len(drawn)                 # each area draws its own
    assert dumps(compile_path(FIXTURE).plan) == dumps(plan)           # and the same every time


def test_the_temperature_that_drives_growth_is_the_one_the_rows_show(plan):
    geo = plan.infrastructure.geographies[0]
    offsets = _offsets(plan)
    for b in plan.batches:
        rows = simulate_batch(plan, b.id, only=("daily_states",))["daily_states"]
        for w in b.stages:
            on = (rows["date"] >= np.datetime64(w.start)) & (rows["date"] < np.datetime64(w.end))
            shown = rows["temperature_c"][on]
            if w.stage == "egg":
                assert np.all(shown == 8.0)                               # the stage's own water
            elif w.stage == "smolt":
                assert np.all(shown == 14.0)                              # the north's smolt water
            else:
                days = (w.end - w.start).days
                mean = daily_temperatures(geo.temperature["sea"], w.start, days, plan.parameters.seed, "north")
                dates = np.datetime64(w.start) + np.arange(days)
                want = dict(zip(dates, np.round(mean + offsets[w.location], 3)))
                assert np.allclose(shown, [want[d] for d in rows["date"][on]], atol=1.5e-3)


def test_allocation_replans_the_sea_phase_in_the_water_of_the_area_it_picks(plan):
    life, geo = plan.parameters.lifecycle, plan.infrastructure.geographies[0]
    offsets, moved = _offsets(plan), 0
    for b in plan.batches:
        traj = build_layout(plan, b.id).trajectory                    # the simulation agrees with the plan
        assert b.start + dt.timedelta(days=traj.harvest_day) == b.harvest_date
        area = next(w.location for w in b.stages if w.stage == "sea_phase")
        available = (plan.parameters.until - b.start).days + 1
        mean_water = project(life, geo.temperature, b.start, b.harvest_target_kg * 1000.0, available,
                             b.growth_factors, None, plan.parameters.seed, "north", b.stage_targets)
        if offsets[area] < -1.0:                                      # a cold loch: later than in mean water
            assert mean_water.harvest_day < traj.harvest_day
            moved += 1
    assert moved >= 2
