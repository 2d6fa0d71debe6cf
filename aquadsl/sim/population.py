"""Integer populations: egg split, daily Poisson mortality and transfers, conserved exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.layout import Layout, Stay


@dataclass(frozen=True)
class StayPopulation:
    """Fish in one stay: start per container, deaths and end-of-day population per container-day."""

    start: np.ndarray             # int64 (n,)
    deaths: np.ndarray            # int64 (n, days)
    end: np.ndarray               # int64 (n, days): population after that day's deaths

    @property
    def final(self) -> np.ndarray:
        """Population per container at the end of the stay's last day."""
        return self.end[:, -1]


def split_evenly(total: int, parts: int) -> np.ndarray:
    """``total`` fish over ``parts`` containers: equal shares, the remainder to the first ones."""
    base, rest = divmod(int(total), parts)
    out = np.full(parts, base, dtype=np.int64)
    out[:rest] += 1
    return out


def simulate_populations(layout: Layout) -> list[StayPopulation]:
    """Populations of every stay; all fish of a stay move to the next one at its transfer."""
    out: list[StayPopulation] = []
    total = layout.batch.eggs
    for stay in layout.stays:
        start = split_evenly(total, stay.n)
        out.append(_stay_mortality(layout, stay, start))
        total = int(out[-1].final.sum())
    return out


def _stay_mortality(layout: Layout, stay: Stay, start: np.ndarray) -> StayPopulation:
    """Deaths ~ Poisson(expected population × daily rate), never more fish than the container holds.

    The mean uses the expected (not the realised) population so that all days draw at once; the
    cumulative deaths are then capped at the start population, which keeps counts exact.
    """
    rate = float(stay.params.mortality_per_day)
    survival = (1.0 - rate) ** np.arange(stay.days, dtype=np.float64)
    lam = start[:, None].astype(np.float64) * survival[None, :] * rate
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "mortality"),
                      stay.containers)
    drawn = rng.poisson(lam, rng.keys(base[:, None], stay.day_index[None, :]))
    cum = np.minimum(np.cumsum(drawn, axis=1), start[:, None])
    deaths = np.diff(cum, axis=1, prepend=0)
    return StayPopulation(start, deaths, start[:, None] - cum)
