"""Daily water temperature from a geography's profile (constant, monthly table or seasonal sine)."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

from aquadsl.plan.model import ProfilePlan

_MID_MONTH = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])


def daily_temperatures(profile: ProfilePlan, start: dt.date, days: int) -> np.ndarray:
    """Temperature in °C for ``days`` consecutive days from ``start`` (float64 array)."""
    return _cached(profile, start.toordinal(), days).copy()


@functools.lru_cache(maxsize=4096)
def _cached(profile: ProfilePlan, start_ordinal: int, days: int) -> np.ndarray:
    ordinals = np.arange(start_ordinal, start_ordinal + days)
    doy = _day_of_year(ordinals)
    if profile.kind == "constant":
        return np.full(days, float(profile.value))
    if profile.kind == "sine":
        return profile.mean + profile.amplitude * np.cos(2 * np.pi * (doy - profile.peak_day) / 365.0)
    # monthly: linear between mid-month points, wrapping over the new year
    xs = np.concatenate(([_MID_MONTH[-1] - 365.0], _MID_MONTH, [_MID_MONTH[0] + 365.0]))
    values = np.asarray(profile.values, dtype=float)
    ys = np.concatenate(([values[-1]], values, [values[0]]))
    return np.interp(doy.astype(float), xs, ys)


def _day_of_year(ordinals: np.ndarray) -> np.ndarray:
    """1-based day of year for proleptic Gregorian ordinals (29 Feb counts as day 60 of 366)."""
    years = np.array([dt.date.fromordinal(int(o)).year for o in ordinals[[0, -1]]]) if len(ordinals) else []
    if len(ordinals) == 0:
        return ordinals
    out = np.empty_like(ordinals)
    for year in range(int(years[0]), int(years[1]) + 1):
        first = dt.date(year, 1, 1).toordinal()
        mask = (ordinals >= first) & (ordinals < dt.date(year + 1, 1, 1).toordinal())
        out[mask] = ordinals[mask] - first + 1
    return out
