"""Integer populations: egg split, daily Poisson mortality, incidents, transfers and harvests, conserved exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import BatchIncident, BatchPlan, StageParams
from aquadsl.plan.ranges import expand
from aquadsl.sim.lice import ring_days
from aquadsl.sim import rng
from aquadsl.sim.layout import Layout, Stay


@dataclass(frozen=True)
class StayPopulation:
    """Fish in one stay: start per container, deaths, harvested and end-of-day population per container-day."""

    start: np.ndarray             # int64 (n,)
    deaths: np.ndarray            # int64 (n, days)
    end: np.ndarray               # int64 (n, days): population after that day's deaths and harvest
    harvested: np.ndarray | None = None   # int64 (n, days): fish harvested that day

    @property
    def final(self) -> np.ndarray:
        """Population per container at the end of the stay's last day (before any harvest)."""
        return self.end[:, -1]


def split_evenly(total: int, parts: int) -> np.ndarray:
    """``total`` fish over ``parts`` containers: equal shares, the remainder to the first ones."""
    base, rest = divmod(int(total), parts)
    out = np.full(parts, base, dtype=np.int64)
    out[:rest] += 1
    return out


def incident_rates(incidents: tuple[BatchIncident, ...], start_ordinal: int, days: int) -> np.ndarray:
    """Extra daily mortality of the batch's incidents over ``days`` days from ``start_ordinal``.

    Each incident loses its fraction of the fish over its days along a peaked (sine) curve, so the
    product of daily survivals over the incident is exactly 1 - mortality.
    """
    extra = np.zeros(days)
    for inc in incidents:
        shape = np.sin(np.pi * (np.arange(inc.days) + 0.5) / inc.days)
        shape /= shape.sum()
        rate = 1.0 - (1.0 - inc.mortality) ** shape
        lo = inc.start.toordinal() - start_ordinal
        a, b = max(lo, 0), min(lo + inc.days, days)
        if a < b:
            extra[a:b] = 1.0 - (1.0 - extra[a:b]) * (1.0 - rate[a - lo:b - lo])
    return extra


def ring_rates(batch: BatchPlan, containers: list[str], first_ordinal: int, days: int) -> np.ndarray | None:
    """Extra mortality per container-day of delousings, each ring on its own day, (n, days); None: none."""
    index = {c: k for k, c in enumerate(containers)}
    extra = None
    for date, rings, loss in ring_days(batch.lice_treatments):
        day = date.toordinal() - first_ordinal
        rows = [index[c] for c in expand(rings) if c in index] if 0 <= day < days and loss > 0 else []
        if rows:
            extra = np.zeros((len(containers), days)) if extra is None else extra
            extra[rows, day] = 1.0 - (1.0 - extra[rows, day]) * (1.0 - loss)
    return extra


def daily_rates(batch: BatchPlan, params: StageParams, first_ordinal: int, days: int) -> np.ndarray:
    """Expected daily mortality of a batch in one stage: base × the batch's factor, with its incidents."""
    base = params.mortality_per_day * batch.mortality_factors.get(params.name, 1.0)
    extra = incident_rates(batch.incidents, first_ordinal, days)
    return 1.0 - (1.0 - base) * (1.0 - extra)


def simulate_populations(layout: Layout) -> list[StayPopulation]:
    """Populations of every stay; all fish of a stay move to the next one at its transfer."""
    out: list[StayPopulation] = []
    total = layout.batch.eggs
    for stay in layout.stays:
        start = split_evenly(total, stay.n)
        pop = _stay_mortality(layout, stay, start)
        if stay.shape and stay.shape.harvests:
            pop = _harvest(stay, pop)
        out.append(pop)
        total = int(pop.final.sum())
    return out


def _container_factor(layout: Layout, stay: Stay) -> np.ndarray:
    sd = stay.params.container_spread
    if sd <= 0:
        return np.ones(stay.n)
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "container_mortality"),
                      stay.containers)
    z = rng.normal(rng.keys(base, np.int64(stay.params.order)))
    return np.exp(sd * np.clip(z, -2.5, 2.5) - sd * sd / 2.0)


def _stay_mortality(layout: Layout, stay: Stay, start: np.ndarray) -> StayPopulation:
    """Deaths ~ Poisson(expected population × daily rate), never more fish than the container holds.

    The mean uses the expected (not the realised) population so that all days draw at once; the
    cumulative deaths are then capped at the start population, which keeps counts exact.
    """
    first = stay.window.start.toordinal()
    rate = daily_rates(layout.batch, stay.params, first, stay.days)[None, :] * _container_factor(layout, stay)[:, None]
    ring = ring_rates(layout.batch, stay.containers, first, stay.days)
    if ring is not None:
        rate = 1.0 - (1.0 - rate) * (1.0 - ring)
    rate = np.minimum(rate, 0.5)
    survival = np.cumprod(1.0 - rate, axis=1) / (1.0 - rate)
    lam = start[:, None].astype(np.float64) * survival * rate
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "mortality"),
                      stay.containers)
    drawn = rng.poisson(lam, rng.keys(base[:, None], stay.day_index[None, :]))
    cum = np.minimum(np.cumsum(drawn, axis=1), start[:, None])
    deaths = np.diff(cum, axis=1, prepend=0)
    return StayPopulation(start, deaths, start[:, None] - cum)


def _harvest(stay: Stay, pop: StayPopulation) -> StayPopulation:
    """Remove each harvest day's share of the fish left; no deaths are recorded from a ring's first harvest day."""
    deaths = pop.deaths.copy()
    harvested = np.zeros_like(deaths)
    first: dict[int, int] = {}
    for k, day, _ in stay.shape.harvests:
        first[k] = min(first.get(k, day), day)
    for k, day in first.items():
        deaths[k, day:] = 0
    left = pop.start - np.cumsum(deaths, axis=1)[:, -1]
    for k, day, share in sorted(stay.shape.harvests, key=lambda h: (h[0], h[1])):
        take = int(left[k]) if share >= 1.0 else int(round(share * left[k]))
        harvested[k, day] = take
        left[k] -= take
    end = pop.start[:, None] - np.cumsum(deaths + harvested, axis=1)
    if stay.shape.cull:            # culled fish are deaths (cause CULL), not a harvest
        return StayPopulation(pop.start, deaths + harvested, end, np.zeros_like(harvested))
    return StayPopulation(pop.start, deaths, end, harvested)
