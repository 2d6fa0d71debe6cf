"""Deterministic growth: cube-root TGC per day, driven by water temperature, with stage caps.

Average weight carries no randomness, so the compiler can project each batch's harvest day and
the runtime reproduces exactly the same trajectory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import LifecyclePlan, ProfilePlan
from aquadsl.sim.temperature import daily_temperatures


@dataclass(frozen=True)
class Trajectory:
    """A batch's life: weight (g) at the end of each day and the stage index of each day."""

    weight_g: np.ndarray          # float64, one per lived day
    stage_index: np.ndarray       # int, index into lifecycle.stages
    temperature: np.ndarray       # °C of the water the batch was in that day
    harvest_day: int | None       # 0-based batch day of harvest, if within the lived days

    @property
    def days(self) -> int:
        return len(self.weight_g)


def stage_bounds(lifecycle: LifecyclePlan) -> list[tuple[int, int]]:
    """Nominal [first day, end day) of every stage, counted from the batch start."""
    out, day = [], 0
    for stage in lifecycle.stages:
        out.append((day, day + stage.days))
        day += stage.days
    return out


OPEN_END = 10 ** 6     # end_day for a batch still growing at ``until``: never stop at the target


def project(lifecycle: LifecyclePlan, temperature: dict[str, ProfilePlan], start: dt.date,
            target_g: float, available_days: int, factors: dict[str, float] | None = None,
            end_day: int | None = None, seed: int = 0, place: str = "") -> Trajectory:
    """Grow a batch from ``start`` for at most ``available_days`` days.

    Without ``end_day``, harvest is the first last-stage day whose end weight reaches ``target_g``,
    or the last nominal day of the last stage, whichever comes first. With ``end_day`` the last
    stage lasts until that batch day (the last day of a harvest that takes weeks), which is the
    harvest day when it lies within the available days. ``factors`` scale each stage's TGC.
    """
    bounds = stage_bounds(lifecycle)
    last_end = bounds[-1][1] if end_day is None else max(end_day + 1, bounds[-1][0] + 1)
    bounds[-1] = (bounds[-1][0], last_end)
    total = min(available_days, last_end)
    weights, temps = np.empty(total), np.empty(total)
    stages = np.empty(total, dtype=np.int64)
    weight = lifecycle.start_weight_g
    root = weight ** (1.0 / 3.0)
    harvest = None
    for i, (stage, (lo, hi)) in enumerate(zip(lifecycle.stages, bounds)):
        if lo >= total:
            break
        n = min(hi, total) - lo
        t = daily_temperatures(temperature[stage.water], start + dt.timedelta(days=lo), n, seed, place)
        cap_root = stage.weight_cap_g ** (1.0 / 3.0)
        tgc = stage.tgc * (factors or {}).get(stage.name, 1.0)
        if tgc == 0:  # no growth: keep the weight exact instead of a cube of a cube root
            w = np.full(n, min(weight, stage.weight_cap_g))
            roots = np.full(n, min(root, cap_root))
        else:
            roots = np.minimum(root + np.cumsum((tgc / 1000.0) * np.clip(t, 0.0, None)), cap_root)
            w = roots ** 3
        if i == len(lifecycle.stages) - 1:
            if end_day is None:
                reached = np.nonzero(w >= target_g)[0]
                last = int(reached[0]) if len(reached) else hi - lo - 1
            else:
                last = hi - lo - 1
            if last < n:
                harvest, n = lo + last, last + 1
                w, t = w[:n], t[:n]
        weights[lo:lo + n], temps[lo:lo + n], stages[lo:lo + n] = w, t, i
        root, weight = float(roots[n - 1]), float(w[n - 1])
        if harvest is not None:
            total = lo + n
            break
    return Trajectory(weights[:total], stages[:total], temps[:total], harvest)
