"""Daily water temperature from a geography's profile (constant, monthly table or seasonal sine)."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

from aquadsl.plan.model import ProfilePlan

_MID_MONTH = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])


_EPOCH = dt.date(1900, 1, 1).toordinal()   # weather series run from here, so any window reads the same days
_LAST = dt.date(2200, 12, 31).toordinal()


def daily_temperatures(profile: ProfilePlan, start: dt.date, days: int, seed: int = 0,
                       place: str = "") -> np.ndarray:
    """Temperature in °C for ``days`` consecutive days from ``start`` (float64 array).

    A profile with weather adds an anomaly drawn from (seed, place): an autocorrelated daily part
    plus a smooth year-to-year offset, the same for every batch that reads those days.
    """
    base = _cached(profile, start.toordinal(), days).copy()
    if days and (profile.weather_sd > 0 or profile.weather_yearly_sd > 0):
        lo = start.toordinal() - _EPOCH
        if lo < 0 or start.toordinal() + days > _LAST:
            raise ValueError("weather is defined from 1900 to 2200")
        base += _weather(profile.weather_sd, profile.weather_days, profile.weather_yearly_sd, seed,
                         place)[lo:lo + days]
    return base


@functools.lru_cache(maxsize=64)
def _weather(sd: float, persistence: int, yearly_sd: float, seed: int, place: str) -> np.ndarray:
    """Anomaly (°C) per day since 1900-01-01: AR(1) with e-folding ``persistence`` days, plus yearly offsets."""
    from aquadsl.sim import rng  # local: rng has no reason to load for profiles without weather

    n = _LAST - _EPOCH + 1
    base = rng.stream(rng.family_key(seed, f"weather:{place}", "daily"), [place])
    z = rng.normal(rng.keys(base[0], np.arange(n, dtype=np.int64)))
    phi = float(np.exp(-1.0 / max(persistence, 1)))
    shock = z * sd * np.sqrt(1.0 - phi * phi)
    out = np.empty(n)
    acc = z[0] * sd
    for i in range(n):      # a plain recurrence: about 40 ms once per place and process
        acc = phi * acc + shock[i]
        out[i] = acc
    years = np.arange(1899, 2202)
    yz = rng.normal(rng.keys(base[0], years - 1899, 1))
    mid = np.array([dt.date(int(y), 7, 2).toordinal() - _EPOCH for y in years], dtype=float)
    return out + yearly_sd * np.interp(np.arange(n, dtype=float), mid, yz)


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
