"""Sea-lice dynamics: adult females per fish grow with temperature; a delousing follows each crossing
of the declared limit, cuts the lice and costs some fish, treating the batch's rings one after another.

One function serves the compiler (which lists the delousings in the plan, so row estimates stay exact
and ``compile``/``diff`` show them) and the simulation (which counts lice along the same curve and
checks that the plan's delousings are the ones the curve gives).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import (HarvestDay, LifecyclePlan, LicePlan, LiceTreatment, PressureStep, RingDay,
                                StageWindow)
from aquadsl.plan.ranges import compress
from aquadsl.sim import rng
from aquadsl.sim.herd import Herd

COLD = 4.0          # °C at which lice neither settle nor grow; rates are declared at 10 °C
SCALE = 10.0 - COLD
DELOUSING = "delousing"   # the incident name of a delousing's losses in the plan
CLIP = 2.0          # the per-batch infection pressure is drawn within ±2 standard deviations


@dataclass(frozen=True)
class Presence:
    """The rings holding the batch's fish: per window (first batch day, end day, names), and the batch
    day each ring's harvest begins (no delousing from then on)."""

    spans: tuple[tuple[int, int, tuple[str, ...]], ...]
    leave: dict[str, int]

    def changes(self) -> list[int]:
        """Batch days on which the set of rings changes, ascending."""
        return sorted({a for a, _, _ in self.spans} | set(self.leave.values()))

    def on(self, day: int) -> tuple[str, ...]:
        for a, b, names in self.spans:
            if a <= day < b:
                return tuple(r for r in names if self.leave.get(r, b) > day)
        return ()


def presence(start: dt.date, windows: tuple[StageWindow, ...], harvest_days: tuple[HarvestDay, ...]) -> Presence:
    """Where the batch's fish are each day, from the plan's windows and harvest days."""
    spans = tuple(((w.start - start).days, (w.end - start).days, tuple(w.container_names())) for w in windows)
    leave: dict[str, int] = {}
    for h in harvest_days:
        day = (h.date - start).days
        leave[h.container] = min(leave.get(h.container, day), day)
    return Presence(spans, leave)


def settle_factors(start: dt.date, days: int, steps: tuple[PressureStep, ...]) -> np.ndarray | None:
    """The settlement factor of each batch day from the plan's ``lice_pressure`` steps (None: none, 1)."""
    if not steps:
        return None
    out = np.ones(days)
    for s in steps:
        out[max(0, (s.date - start).days):] = s.factor
    return out


def ring_days(treatments: tuple[LiceTreatment, ...]) -> list[tuple[dt.date, tuple[str, ...], float]]:
    """(date, rings, loss) of every day of every delousing: the rings treated, starved and losing fish."""
    return [(x.date, x.containers, t.loss) for t in treatments for x in t.rings]


@dataclass(frozen=True)
class LiceCourse:
    """Adult females per fish at the start of each batch day (before that day's delousing), and the delousings."""

    level: np.ndarray                      # per batch day, the mean over the rings; 0 outside lice stages
    treatments: tuple[LiceTreatment, ...]
    losses: tuple[float, ...]              # fraction of the fish each delousing kills (in each ring it treats)
    herd: Herd | None = None               # per-ring levels, when the course followed the rings

    def ring_level(self, ring: str, days: np.ndarray) -> np.ndarray:
        """The ring's own level on ``days`` (batch days): the mean plus what its own treatment days left."""
        return self.level[days] if self.herd is None else self.herd.ring_level(ring, self.level, days)


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


@dataclass
class _Delousing:
    """A delousing under way: its draws, and the rings treated so far, day by day."""

    day: int
    level: float
    cut: float
    loss: float
    treated: set
    days: list                    # (date, rings treated that day)


def course(lifecycle: LifecyclePlan, seed: int, batch_id: str, start: dt.date, stage_index: np.ndarray,
           temperature: np.ndarray, rings: Presence | None = None, settle: np.ndarray | None = None,
           levels: bool = False) -> LiceCourse:
    """The lice curve of one batch along its trajectory (stage of each day, water temperature).

    With ``rings`` (the plan's windows) each delousing treats the rings present, in order, as many per
    day as the stage declares; without, the whole batch on the day it starts (the projection before
    allocation). The curve is the mean over the rings; each ring keeps its own offset from it, which
    the course records with ``levels`` (for the simulation's counts). ``settle`` multiplies each
    day's settlement (fish in neighbouring sea areas; None: 1).
    """
    days = len(stage_index)
    level = [0.0] * days
    stages = [s.lice for s in lifecycle.stages]
    index, warm = stage_index.tolist(), ((np.asarray(temperature, dtype=np.float64) - COLD) / SCALE).tolist()
    near = None if settle is None else settle.tolist()
    herd = Herd(days if levels and rings is not None else 0)
    changes, by_ring = (rings.changes() if rings is not None else []), rings is not None
    out: tuple[list, list] = ([], [])
    last, factor, root, k, on, c = -10 ** 6, 1.0, 1.0, 0, None, 0
    limit, limit_of, monday = None, None, (-start.weekday()) % 7
    for d in range(days):
        lice = stages[index[d]]
        if lice is None:
            if herd.names:
                herd.clear()
            on = _close(on, out, start, by_ring)
            continue
        while c < len(changes) and changes[c] <= d:
            c += 1
            herd.regroup(rings.on(d))
        if not herd.names:
            herd.regroup(rings.on(d) if by_ring else ("*",))
        if limit_of is None:
            factor = pressure(seed, batch_id, lice.spread)
            root = math.sqrt(factor)
        w = warm[d]
        growth = max(lice.growth * root * w, -lice.growth / 2.0)
        settled = lice.settle * factor * w * (1.0 if near is None else near[d]) if w > 0 else 0.0
        level[d] = now = herd.grow(1.0 + growth, settled, d)
        if lice is not limit_of or (d - monday) % 7 == 0:      # the limit holds for an ISO week (from Monday)
            limit, limit_of = limit_on(lice, start + dt.timedelta(days=d)), lice
        if on is None and limit is not None and lice.cut > 0 and now >= limit and d - last >= lice.rest_days:
            cut = min(0.99, lice.cut * (0.9 + 0.2 * _uniform(seed, batch_id, 1 + 2 * k)))
            loss = round(lice.mortality * (0.5 + _uniform(seed, batch_id, 2 + 2 * k)), 5)
            on, last, k = _Delousing(d, round(now, 4), round(cut, 4), loss, set(), []), d, k + 1
        if on is not None and _treat(on, herd, lice.rings_per_day if by_ring else None, start + dt.timedelta(days=d)):
            on = _close(on, out, start, by_ring)
    _close(on, out, start, by_ring)
    return LiceCourse(np.array(level), tuple(out[0]), tuple(out[1]), herd if levels and by_ring else None)


def _treat(on: _Delousing, herd: Herd, per_day: int | None, date: dt.date) -> bool:
    """Treat the day's rings of a delousing under way (the next ``per_day`` not yet treated, all when
    None); whether it is done."""
    todo = [r for r in herd.names if r not in on.treated]
    today = todo[:per_day] if per_day else todo
    herd.treat(today, on.cut)
    on.treated.update(today)
    if today:
        on.days.append((date, today))
    return len(today) == len(todo)


def _close(on: _Delousing | None, out: tuple[list, list], start: dt.date, by_ring: bool) -> None:
    """Finish a delousing that treated some rings: list it with its rings day by day; nothing is under way then."""
    if on is not None and on.days:
        rings = tuple(RingDay(date=d, containers=compress(names)) for d, names in on.days) if by_ring else ()
        out[0].append(LiceTreatment(date=start + dt.timedelta(days=on.day), adult_females=on.level, cut=on.cut,
                                    rings=rings, loss=on.loss if by_ring else 0.0))
        out[1].append(on.loss)
    return None
