"""Infection pressure between neighbouring sea areas (issue 8): fish at sea nearby raise a batch's lice."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.model import PressureStep
from aquadsl.sim.layout import SimulationError, build_layout
from aquadsl.sim.lice import settle_factors

ROOT = Path(__file__).resolve().parents[2]
PRESSURE = "lice_pressure 30 % neighbours 2"


def _demo(tmp: Path, pressure: str):
    """The demo scenario compiled with the shipped farm's lice_pressure line replaced."""
    shutil.copytree(ROOT / "scenarios", tmp / "scenarios")
    farm = tmp / "scenarios" / "lib" / "farm.aqs"
    text = farm.read_text()
    assert PRESSURE in text
    farm.write_text(text.replace(PRESSURE, pressure))
    result = compile_path(tmp / "scenarios" / "demo.aqs")
    assert result.ok
    return result.plan


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("busy"), PRESSURE)


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("alone"), "lice_pressure 0 % neighbours 2")


def _area(plan):
    return {a.name: (g.name, j) for g in plan.infrastructure.geographies for j, a in enumerate(g.sea_areas)}


def _neighbours_at_sea(plan, b, day: dt.date) -> int:
    """Other batches at sea that day in sea areas within 2 of the batch's own (from the windows alone)."""
    area = _area(plan)
    own = next((w for w in b.stages if w.location in area and w.start <= day < w.end), None)
    if own is None:
        return 0
    geo, j = area[own.location]
    return sum(1 for o in plan.batches if o.id != b.id for w in o.stages
               if w.location in area and area[w.location][0] == geo and abs(area[w.location][1] - j) <= 2
               and w.start <= day < w.end)


def test_settlement_rises_only_while_neighbours_are_at_sea(busy):
    seen_alone = seen_busy = 0
    for b in busy.batches:
        factor = settle_factors(b.start, b.days, b.lice_pressure)
        factor = np.ones(b.days) if factor is None else factor
        for d in range(0, b.days, 7):
            day = b.start + dt.timedelta(days=d)
            week = [_neighbours_at_sea(busy, b, day + dt.timedelta(days=k)) for k in range(7)]
            if max(week) == 0:
                assert factor[d] == 1.0, (b.id, day)
                seen_alone += 1
            elif min(week) > 0 and _neighbours_at_sea(busy, b, day - dt.timedelta(days=7)) > 0:
                assert factor[d] > 1.0, (b.id, day)
                seen_busy += 1
    assert seen_alone > 10 and seen_busy > 10


def test_steps_are_weekly_and_only_where_the_factor_changes(busy):
    assert any(b.lice_pressure for b in busy.batches)
    for b in busy.batches:
        steps = b.lice_pressure
        sea = next(w.start for w in b.stages if w.stage == "adult") if steps else None
        for k, s in enumerate(steps):
            assert (s.date - sea).days % 7 == 0
            assert s.factor != (steps[k - 1].factor if k else 1.0)
            assert 1.0 <= s.factor <= 1.0 + 0.3 * 4.5          # at most 4 neighbouring areas' fish


def test_busy_neighbours_bring_more_delousings(busy, alone):
    assert not any(b.lice_pressure for b in alone.batches)
    with_neighbours = sum(len(b.lice_treatments) for b in busy.batches)
    without = sum(len(b.lice_treatments) for b in alone.batches)
    assert with_neighbours > without
    assert [w for b in busy.batches for w in b.stages] == [w for b in alone.batches for w in b.stages]


def test_the_simulation_follows_the_plans_pressure_and_refuses_an_edited_one(busy):
    b = next(b for b in busy.batches if b.lice_pressure and b.lice_treatments)
    assert build_layout(busy, b.id).lice.treatments == b.lice_treatments
    edited = b.model_copy(update={"lice_pressure": (PressureStep(date=b.lice_pressure[0].date, factor=5.0),)})
    plan = busy.model_copy(update={"batches": tuple(edited if x.id == b.id else x for x in busy.batches)})
    with pytest.raises(SimulationError, match="delousing"):
        build_layout(plan, b.id)


def test_a_batch_alone_in_the_plan_simulates_as_in_the_whole_plan(busy):
    from aquadsl.sim.simulate import simulate_batch

    b = next(b for b in busy.batches if b.lice_pressure and b.status == "completed")
    only = busy.model_copy(update={"batches": (b,)})
    one = simulate_batch(only, b.id, only=("lice_counts",))["lice_counts"]
    whole = simulate_batch(busy, b.id, only=("lice_counts",))["lice_counts"]
    assert np.array_equal(one["adult_female"], whole["adult_female"])


def test_diff_shows_the_pressure(busy):
    from aquadsl.plan.diff import batch_fields

    b = next(b for b in busy.batches if b.lice_pressure)
    assert batch_fields(b)["lice_pressure"].startswith(f"{len(b.lice_pressure)} steps from {b.lice_pressure[0].date}")
