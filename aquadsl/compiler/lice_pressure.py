"""Infection pressure between neighbouring sea areas: fish at sea near a batch raise its lice settlement.

Computed after allocation from every batch's placed windows and expected fish (not from their lice,
which would be a circle), in schedule order, with one day array per sea area of each geography: a
batch reads its neighbourhood as a difference of running sums over the areas, so the cost is linear
in batches × days. The result is stored per batch in the plan as weekly steps (``lice_pressure``), so
the simulation of one batch needs no other batch.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from aquadsl.compiler import living
from aquadsl.compiler.expand import BatchSpec
from aquadsl.plan.model import GeographyPlan, Infrastructure, LifecyclePlan, PressureStep, StageWindow

STEP = 0.05        # factors are rounded to this, so that a step is stored only when the pressure changes
WEEK = 7


Placed = dict[str, tuple[tuple[StageWindow, ...], BatchSpec]]   # batch id -> (windows, spec), as lower gets it


def neighbour_steps(life: LifecyclePlan, infra: Infrastructure, placed: Placed,
                    order: list[str]) -> dict[str, tuple[PressureStep, ...]]:
    """Each batch's weekly settlement factors; empty when no stage declares ``lice_pressure``."""
    if not any(s.lice is not None and s.lice.pressure > 0 for s in life.stages):
        return {}
    out: dict[str, tuple[PressureStep, ...]] = {}
    for g in infra.geographies:                          # one geography's day arrays at a time
        ids = [i for i in order if placed[i][1].geography == g.name]
        if ids:
            out.update(_geography(life, g, placed, ids))
    return out


def _geography(life: LifecyclePlan, geo: GeographyPlan, placed: Placed, ids: list[str]) -> dict[str, tuple]:
    areas = {a.name: j for j, a in enumerate(geo.sea_areas)}
    origin = min(placed[i][1].start for i in ids)
    span = max((placed[i][1].start - origin).days + placed[i][1].trajectory.days for i in ids) + 1
    fish = np.zeros((len(areas) + 1, span))              # row 0 stays empty: running sums start there
    alive, stocked = {}, {}
    for i in ids:                                         # schedule order: the sums are deterministic
        windows, b = placed[i]
        stocked[i] = living.expected_fish(life, b.eggs, b.trajectory, b.start, b.mortality_factors, b.incidents)
        alive[i] = stocked[i] * _left_after_harvest(b, windows)
        for w, j, a, z in _sea(windows, areas, b.start, origin):
            fish[j + 1, a:z] += alive[i][(w.start - b.start).days:][:z - a]
    around = np.cumsum(fish, axis=0, out=fish)
    stage_of = {s.name: s for s in life.stages}
    out = {}
    for i in ids:
        windows, b = placed[i]
        factor = np.ones(b.trajectory.days)
        for w, j, a, z in _sea(windows, areas, b.start, origin):
            lice = stage_of[w.stage].lice
            if lice is None or lice.pressure <= 0:
                continue
            first = (w.start - b.start).days
            own, ref = alive[i][first:first + z - a], stocked[i][first:first + z - a]
            lo, hi = max(0, j - lice.neighbours), min(len(areas) - 1, j + lice.neighbours)
            near = np.maximum(around[hi + 1, a:z] - around[lo, a:z] - own, 0.0)
            factor[first:first + z - a] = 1.0 + lice.pressure * np.where(ref > 0, near / np.maximum(ref, 1.0), 0.0)
        out[i] = weekly(b.start, factor, b.trajectory.stage_index, life)
    return out


def _sea(windows: tuple[StageWindow, ...], areas: dict, start: dt.date, origin: dt.date):
    """(window, area index, first, end day from origin) of the windows placed in the geography's sea areas."""
    for w in windows:
        if w.location in areas and w.end > w.start:
            yield w, areas[w.location], (w.start - origin).days, (w.end - origin).days


def _left_after_harvest(b: BatchSpec, windows: tuple[StageWindow, ...]) -> np.ndarray:
    """Share of the fish not yet harvested at the end of each batch day (the last rings hold equal shares)."""
    taken = np.zeros(b.trajectory.days)
    rings = len(windows[-1].container_names()) if windows else 1
    left: dict[str, float] = {}
    for h in b.harvest_days:
        ring = left.get(h.container, 1.0 / max(rings, 1))
        take = ring * h.share
        left[h.container] = ring - take
        day = (h.date - b.start).days
        if 0 <= day < len(taken):
            taken[day] += take
    return np.clip(1.0 - np.cumsum(taken), 0.0, 1.0)


def weekly(start: dt.date, factor: np.ndarray, stage_index: np.ndarray,
           life: LifecyclePlan) -> tuple[PressureStep, ...]:
    """Weekly means of the factor over the days in stages with lice, from the first such day, rounded to
    STEP; a step only where the rounded value changes (the factor is 1 before the first step)."""
    lice_days = np.array([life.stages[int(k)].lice is not None for k in range(len(life.stages))])[stage_index]
    days = np.nonzero(lice_days)[0]
    if not len(days):
        return ()
    out, last = [], 1.0
    for a in range(int(days[0]), int(days[-1]) + 1, WEEK):
        week = factor[a:a + WEEK][lice_days[a:a + WEEK]]
        value = round(round(float(week.mean()) / STEP) * STEP, 2) if len(week) else 1.0
        if value != last:
            out.append(PressureStep(date=start + dt.timedelta(days=a), factor=value))
            last = value
    return tuple(out)

