"""Deterministic growth: cube-root TGC per day, driven by water temperature, with stage caps.

Average weight carries no randomness, so the compiler can project each batch's harvest day and
the runtime reproduces exactly the same trajectory.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import LifecyclePlan, ProfilePlan, StageParams
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


def stage_days(stage: StageParams, place: str = "") -> int:
    """The stage's (longest) duration in geography ``place``: its override there, else ``days``."""
    over = stage.overrides.get(place)
    return over.days if over is not None and over.days is not None else stage.days


def stage_tgc(stage: StageParams, place: str = "") -> float:
    """The stage's TGC in geography ``place``: its override there, else ``tgc``."""
    over = stage.overrides.get(place)
    return over.tgc if over is not None and over.tgc is not None else stage.tgc


def stage_profile(stage: StageParams, place: str, temperature: dict[str, ProfilePlan]) -> ProfilePlan:
    """The water temperature of the stage in geography ``place``: its own there (``in GEO temperature``),
    else its own (``temperature`` in the stage), else the geography's profile for its water. The
    geography's weather for that water applies to the stage's own profile too."""
    over = stage.overrides.get(place)
    own = over.temperature if over is not None and over.temperature is not None else stage.temperature
    base = temperature[stage.water]
    return base if own is None else _with_weather(own, base)


@functools.lru_cache(maxsize=256)
def _with_weather(own: ProfilePlan, base: ProfilePlan) -> ProfilePlan:
    return own.model_copy(update={"weather_sd": base.weather_sd, "weather_days": base.weather_days,
                                  "weather_yearly_sd": base.weather_yearly_sd})


OPEN_END = 10 ** 6     # end_day for a batch still growing at ``until``: never stop at the target


def project(lifecycle: LifecyclePlan, temperature: dict[str, ProfilePlan], start: dt.date,
            target_g: float, available_days: int, factors: dict[str, float] | None = None,
            end_day: int | None = None, seed: int = 0, place: str = "",
            targets: dict[str, float] | None = None, offsets: dict[str, float] | None = None) -> Trajectory:
    """Grow a batch from ``start`` for at most ``available_days`` days.

    Each stage lasts its days in geography ``place``, or ends earlier on the first day the weight
    reaches the batch's own target for it (``targets``, drawn from an ``end_weight`` range).
    Without ``end_day``, harvest is the first last-stage day whose end weight reaches ``target_g``,
    or the last day of the last stage, whichever comes first. With ``end_day`` the last
    stage lasts until that batch day (the last day of a harvest that takes weeks), which is the
    harvest day when it lies within the available days. ``factors`` scale each stage's TGC.
    ``offsets`` (°C per stage) are the sea-area offsets of the areas the stages are placed in.
    """
    parts: list[tuple[np.ndarray, np.ndarray, int]] = []
    weight = lifecycle.start_weight_g
    root = weight ** (1.0 / 3.0)
    harvest, lo = None, 0
    last_index = len(lifecycle.stages) - 1
    for i, stage in enumerate(lifecycle.stages):
        if lo >= available_days:
            break
        hi = lo + stage_days(stage, place)
        if i == last_index and end_day is not None:
            hi = max(end_day + 1, lo + 1)
        n = min(hi, available_days) - lo
        t = daily_temperatures(stage_profile(stage, place, temperature), start + dt.timedelta(days=lo), n, seed,
                               place)
        if offsets and offsets.get(stage.name):
            t += offsets[stage.name]
        cap_root = stage.weight_cap_g ** (1.0 / 3.0)
        tgc = stage_tgc(stage, place) * (factors or {}).get(stage.name, 1.0)
        if tgc == 0:  # no growth: keep the weight exact instead of a cube of a cube root
            w = np.full(n, min(weight, stage.weight_cap_g))
            roots = np.full(n, min(root, cap_root))
        else:
            roots = np.minimum(root + np.cumsum((tgc / 1000.0) * np.clip(t, 0.0, None)), cap_root)
            w = roots ** 3
        goal = (targets or {}).get(stage.name)
        if i < last_index and goal is not None:
            reached = np.nonzero(w >= goal)[0]
            if len(reached) and reached[0] + 1 < n:
                n = int(reached[0]) + 1
        if i == last_index:
            if end_day is None:
                reached = np.nonzero(w >= target_g)[0]
                last = int(reached[0]) if len(reached) else hi - lo - 1
            else:
                last = hi - lo - 1
            if last < n:
                harvest, n = lo + last, last + 1
        parts.append((w[:n], t[:n], i))
        root, weight = float(roots[n - 1]), float(w[n - 1])
        lo += n
        if harvest is not None:
            break
    if not parts:
        return Trajectory(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0), None)
    weights = np.concatenate([p[0] for p in parts])
    temps = np.concatenate([p[1] for p in parts])
    stages = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in parts])
    return Trajectory(weights, stages, temps, harvest)


def hold_from(traj: Trajectory, day: int | None) -> Trajectory:
    """The trajectory with the weight held from batch day ``day`` on: fish harvested early after an
    incident (pancreas disease) eat little and stop growing, so they are harvested at that weight."""
    if day is None or not 0 <= day < traj.days:
        return traj
    weight = traj.weight_g.copy()
    weight[day:] = weight[day]
    return Trajectory(weight, traj.stage_index, traj.temperature, traj.harvest_day)


def early_harvest_day(start: dt.date, incidents) -> int | None:
    """Batch day on which the incident that harvests a batch early starts (None: no such incident)."""
    days = [(i.start - start).days for i in incidents if getattr(i, "response", None) == "early_harvest"]
    return min(days) if days else None
