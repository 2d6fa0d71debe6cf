"""Sea-lice dynamics: adult females per fish grow with temperature; a delousing follows each crossing
of the declared limit, cuts the lice and costs some fish.

One function serves the compiler (which lists the delousings in the plan, so row estimates stay exact
and ``compile``/``diff`` show them) and the simulation (which counts lice along the same curve and
checks that the plan's delousings are the ones the curve gives).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import LifecyclePlan, LicePlan, LiceTreatment
from aquadsl.sim import rng

COLD = 4.0          # °C at which lice neither settle nor grow; rates are declared at 10 °C
SCALE = 10.0 - COLD
DELOUSING = "delousing"   # the incident name of a delousing's losses in the plan
CLIP = 2.0          # the per-batch infection pressure is drawn within ±2 standard deviations


@dataclass(frozen=True)
class LiceCourse:
    """Adult females per fish at the start of each batch day (before that day's delousing), and the delousings."""

    level: np.ndarray                      # per batch day; 0 outside stages with lice dynamics
    treatments: tuple[LiceTreatment, ...]
    losses: tuple[float, ...]              # fraction of the fish each delousing kills


def _uniform(seed: int, batch_id: str, lane: int) -> float:
    key = rng.keys(np.array([rng.family_key(seed, batch_id, "lice")], dtype=np.uint64), np.zeros(1, np.int64), lane)
    return float(rng.uniform(key)[0])


def pressure(seed: int, batch_id: str, spread: float) -> float:
    """The batch's infection pressure factor: lognormal with mean one (site and year differ)."""
    if spread <= 0:
        return 1.0
    key = rng.keys(np.array([rng.family_key(seed, batch_id, "lice")], dtype=np.uint64), np.zeros(1, np.int64), 0)
    z = float(np.clip(rng.normal(key)[0], -CLIP, CLIP))
    return math.exp(spread * z - spread * spread / 2.0)


def limit_on(lice: LicePlan, day: dt.date) -> float | None:
    """The limit that holds on ``day``: the lowest of those whose ISO weeks include it, else the general one."""
    week = day.isocalendar()[1]
    seasonal = [x.limit for x in lice.limits if x.weeks and x.weeks[0] <= week <= x.weeks[1]]
    if seasonal:
        return min(seasonal)
    general = [x.limit for x in lice.limits if x.weeks is None]
    return general[0] if general else None


def course(lifecycle: LifecyclePlan, seed: int, batch_id: str, start: dt.date, stage_index: np.ndarray,
           temperature: np.ndarray) -> LiceCourse:
    """The lice curve of one batch along its trajectory (stage of each day, water temperature)."""
    days = len(stage_index)
    level = np.zeros(days)
    treatments: list[LiceTreatment] = []
    losses: list[float] = []
    lice_now, last, factor = 0.0, -10 ** 6, None
    for d in range(days):
        lice = lifecycle.stages[int(stage_index[d])].lice
        if lice is None:
            lice_now = 0.0
            continue
        if factor is None:
            factor = pressure(seed, batch_id, lice.spread)
        warmth = (float(temperature[d]) - COLD) / SCALE
        growth = max(lice.growth * math.sqrt(factor) * warmth, -lice.growth / 2.0)
        lice_now = lice_now * (1.0 + growth) + lice.settle * factor * max(warmth, 0.0)
        level[d] = lice_now
        date = start + dt.timedelta(days=d)
        limit = limit_on(lice, date)
        if limit is not None and lice.cut > 0 and lice_now >= limit and d - last >= lice.rest_days:
            k = len(treatments)
            cut = min(0.99, lice.cut * (0.9 + 0.2 * _uniform(seed, batch_id, 1 + 2 * k)))
            treatments.append(LiceTreatment(date=date, adult_females=round(lice_now, 4), cut=round(cut, 4)))
            losses.append(round(lice.mortality * (0.5 + _uniform(seed, batch_id, 2 + 2 * k)), 5))
            lice_now *= 1.0 - treatments[-1].cut
            last = d
    return LiceCourse(level, tuple(treatments), tuple(losses))
