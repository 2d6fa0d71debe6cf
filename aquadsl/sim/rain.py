"""Rain on estuarine sea areas: seeded events that freshen the water, then a recovery over a few days.

Rain is regional: the events are drawn per (seed, geography) and calendar day, so every estuarine
area of a geography freshens on the same days, whichever batch reads them and whatever window.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from aquadsl.plan.model import SalinityPlan
from aquadsl.sim import rng

RECOVERY_DAYS = 3.0      # e-folding time of the recovery after a rain event
SPAN = 21                # days an event still counts (exp(-20 / 3) is about 0.1 %)
DAYS_PER_MONTH = 365.25 / 12.0
SMALLEST = 0.3           # an event lowers the salinity by 30-100 % of the declared drop


def freshening(plan: SalinityPlan, seed: int, geography: str, first: dt.date, days: int) -> np.ndarray:
    """ppt below the estuarine salinity on each of ``days`` days from ``first`` (0 without rain)."""
    if plan.rain_per_month <= 0 or plan.rain_drop <= 0 or days <= 0:
        return np.zeros(max(days, 0))
    base = rng.stream(rng.family_key(seed, f"rain:{geography}", "salinity"), [geography])[0]
    ordinals = np.arange(first.toordinal() - (SPAN - 1), first.toordinal() + days, dtype=np.int64)
    lam = np.full(len(ordinals), plan.rain_per_month / DAYS_PER_MONTH)
    events = rng.poisson(lam, rng.keys(base, ordinals, 0))
    size = plan.rain_drop * (SMALLEST + (1.0 - SMALLEST) * rng.uniform(rng.keys(base, ordinals, 1)))
    kernel = np.exp(-np.arange(SPAN) / RECOVERY_DAYS)
    return np.convolve(events * size, kernel)[SPAN - 1:SPAN - 1 + days]
