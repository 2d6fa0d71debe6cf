"""Per-batch draws from the seed (growth and mortality factors, incidents, weight-triggered events),
the projected biomass that allocation must respect, and harvest days at a tonnes-per-day capacity."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from aquadsl.plan.model import BatchIncident, HarvestDay, LifecyclePlan, StageParams, WeightEvent
from aquadsl.sim import rng
from aquadsl.sim.growth import Trajectory
from aquadsl.sim.lice import DELOUSING, LiceCourse
from aquadsl.sim.population import incident_rates

CLIP = 2.0          # factors are drawn within ±2 standard deviations
# Days a batch is projected, drawn and allocated over: its whole life, as if ``until`` were far away
# (``until`` only cuts the plan: aquadsl.plan.cut). Longer than any life; a projection stops at harvest.
LIFE_DAYS = 100_000


_U64_MASK = (1 << 64) - 1


def _key(seed: int, batch_id: str, what: str, lane: int) -> np.ndarray:
    """``rng.keys`` of the family key at day 0 and ``lane``, as a one-key array: SplitMix64's finaliser on
    Python ints (exact, wrapping like uint64), without the array checks that made it a fifth of expand."""
    z = rng.family_key(seed, batch_id, what) ^ lane      # day 0: the counter is the lane
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & _U64_MASK
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & _U64_MASK
    z ^= z >> 31
    return np.array([z], dtype=np.uint64)


def _normal(seed: int, batch_id: str, what: str, lane: int = 0) -> float:
    return float(np.clip(rng.normal(_key(seed, batch_id, what, lane))[0], -CLIP, CLIP))


def _uniform(seed: int, batch_id: str, what: str, lane: int = 0) -> float:
    return float(rng.uniform(_key(seed, batch_id, what, lane))[0])


def factors(seed: int, batch_id: str, lifecycle: LifecyclePlan) -> tuple[dict[str, float], dict[str, float]]:
    """Per stage: a TGC factor (1 ± growth_spread) and a mortality factor (lognormal, mean one)."""
    growth, mortality = {}, {}
    for s in lifecycle.stages:
        if s.growth_spread > 0:
            growth[s.name] = round(1.0 + s.growth_spread * _normal(seed, batch_id, f"growth:{s.name}"), 4)
        if s.mortality_spread > 0:
            z = _normal(seed, batch_id, f"mortality:{s.name}")
            mortality[s.name] = round(math.exp(s.mortality_spread * z - s.mortality_spread ** 2 / 2.0), 4)
    return growth, mortality


def stage_targets(seed: int, batch_id: str, lifecycle: LifecyclePlan) -> dict[str, float]:
    """Per stage with an end_weight range: the batch's own weight (g) that ends it, uniform in the range."""
    out = {}
    for s in lifecycle.stages:
        if s.end_weight_g is not None:
            low, high = s.end_weight_g
            out[s.name] = round(low + _uniform(seed, batch_id, f"end_weight:{s.name}") * (high - low), 3)
    return out


def incidents(seed: int, batch_id: str, lifecycle: LifecyclePlan, start: dt.date,
              traj: Trajectory) -> tuple[BatchIncident, ...]:
    """Incidents of every stage, Poisson in number with the declared rate, starting in allowed months."""
    out = []
    for i, stage in enumerate(lifecycle.stages):
        days = np.nonzero(traj.stage_index == i)[0]
        if not len(days) or not stage.incidents:
            continue
        months = _months(start, days)
        for inc in stage.incidents:
            what = f"incident:{stage.name}:{inc.name}"
            allowed = days[_in_season(months, inc.months)]
            count = _poisson(inc.per_year * len(days) / 365.0, _uniform(seed, batch_id, what))
            for k in range(count if len(allowed) else 0):
                first = start + dt.timedelta(days=int(allowed[int(_uniform(seed, batch_id, what, 1 + 2 * k)
                                                                  * len(allowed))]))
                size = 0.5 + _uniform(seed, batch_id, what, 2 + 2 * k)          # 0.5 to 1.5 × declared
                out.append(BatchIncident(name=inc.name, start=first, days=inc.days,
                                         mortality=round(min(0.9, inc.mortality * size), 4), appetite=inc.appetite))
    return tuple(sorted(out, key=lambda x: (x.start, x.name)))


def delousing_losses(lice: LiceCourse) -> tuple[BatchIncident, ...]:
    """Each delousing as a one-day loss of the whole batch on the day it starts, for the projected biomass
    before allocation (the plan lists each ring's day with the delousing itself: ``LiceTreatment.rings``)."""
    return tuple(BatchIncident(name=DELOUSING, start=t.date, days=1, mortality=loss, appetite=0.0)
                 for t, loss in zip(lice.treatments, lice.losses) if loss > 0)


def _months(start: dt.date, days: np.ndarray) -> np.ndarray:
    """The calendar month (1-12) of each batch day, as an array (a date object per day was the cost)."""
    dates = np.datetime64(start, "D") + days
    return dates.astype("datetime64[M]").astype(np.int64) % 12 + 1


def _in_season(months: np.ndarray, season: tuple[int, int]) -> np.ndarray:
    """Which ``months`` lie in ``lo..hi``; a range such as 10..3 runs over the new year."""
    lo, hi = season
    return (months >= lo) & (months <= hi) if lo <= hi else (months >= lo) | (months <= hi)


def _poisson(lam: float, u: float) -> int:
    k, p = 0, math.exp(-lam)
    cdf = p
    while u > cdf and k < 50:
        k += 1
        p *= lam / k
        cdf += p
    return k


def weight_events(lifecycle: LifecyclePlan, start: dt.date, traj: Trajectory) -> tuple[WeightEvent, ...]:
    """Treatments on the first day of their stage the batch's weight reaches each threshold."""
    out = []
    for i, stage in enumerate(lifecycle.stages):
        days = np.nonzero(traj.stage_index == i)[0]
        for family, thresholds in sorted(stage.at_weights.items()):
            for grams in thresholds:
                reached = days[traj.weight_g[days] >= grams]
                if len(reached):
                    out.append(WeightEvent(family=family, date=start + dt.timedelta(days=int(reached[0])),
                                           weight_g=round(float(traj.weight_g[reached[0]]), 3)))
    dates = [e.date for e in out]
    return tuple(e for k, e in enumerate(out) if e.date not in dates[:k])     # one treatment per day


def expected_biomass(lifecycle: LifecyclePlan, eggs: int, traj: Trajectory, start: dt.date,
                     mortality: dict[str, float], events: tuple[BatchIncident, ...]) -> np.ndarray:
    """Expected kg of the batch at the end of each day (baseline mortality, factors and incidents)."""
    return expected_fish(lifecycle, eggs, traj, start, mortality, events) * traj.weight_g / 1000.0


def expected_fish(lifecycle: LifecyclePlan, eggs: int, traj: Trajectory, start: dt.date,
                  mortality: dict[str, float], events: tuple[BatchIncident, ...]) -> np.ndarray:
    """Expected fish of the batch alive at the end of each day (baseline mortality, factors and incidents)."""
    rate = np.empty(traj.days)
    for i, stage in enumerate(lifecycle.stages):
        rate[traj.stage_index == i] = stage.mortality_per_day * mortality.get(stage.name, 1.0)
    extra = incident_rates(events, start.toordinal(), traj.days)
    return eggs * np.cumprod((1.0 - rate) * (1.0 - extra))


def working_days(first: dt.date, count: int) -> list[dt.date]:
    """``count`` Monday-to-Friday dates from ``first`` on."""
    out, day = [], first
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def harvest_plan(stage: StageParams, rings: list[str], first: dt.date, ring_kg: float) -> tuple[HarvestDay, ...]:
    """Rings emptied one after another on working days, each over as many days as the capacity needs."""
    per_ring = max(1, math.ceil(ring_kg / (stage.harvest_t_per_day * 1000.0)))
    dates = working_days(first, per_ring * len(rings))
    out = []
    for j, ring in enumerate(rings):
        for k in range(per_ring):
            out.append(HarvestDay(container=ring, date=dates[j * per_ring + k],
                                  share=round(1.0 / (per_ring - k), 6)))
    return tuple(out)


def first_working_day(start: dt.date, day: int) -> int:
    """The batch day of the first Monday-to-Friday date at or after batch day ``day``."""
    return (working_days(start + dt.timedelta(days=day), 1)[0] - start).days


def response(lifecycle: LifecyclePlan, start: dt.date, traj: Trajectory, incidents: tuple[BatchIncident, ...],
             until_day: int) -> tuple[str, int, BatchIncident] | None:
    """The first incident that changes the batch's course: (early_harvest or cull, first day, incident).

    An early harvest starts on the first working day after the incident's start plus the feed
    withdrawal, if the batch's projected weight is at or above the threshold that day; a cull on the
    first working day after the incident. Either must start before the batch's normal harvest (or
    before ``until_day`` for a batch still at sea then); the earlier first day wins.
    """
    last = lifecycle.stages[-1]
    kinds = {i.name: i for i in last.incidents if i.response is not None}
    normal = traj.harvest_day if traj.harvest_day is not None else until_day
    best = None
    for inc in incidents:
        kind = kinds.get(inc.name)
        day = (inc.start - start).days
        if kind is None or not 0 <= day < traj.days or traj.stage_index[day] != len(lifecycle.stages) - 1:
            continue
        if kind.response == "early_harvest":
            if traj.weight_g[day] < kind.above_g:
                continue
            first = first_working_day(start, day + last.feed_withdrawal_days)
        else:
            first = first_working_day(start, day + inc.days)
        if first < normal and (best is None or first < best[1]):
            best = (kind.response, first, inc)
    return best
