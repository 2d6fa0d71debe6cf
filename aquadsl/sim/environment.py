"""Environmental readings: per container, day, time slot and parameter, around realistic water values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aquadsl.plan.model import SalinityPlan
from aquadsl.sim import rng
from aquadsl.sim.clock import around_the_clock, timestamps
from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import Layout, Stay
from aquadsl.sim.rain import freshening

# value(temperature °C, hour of day, standard normal noise, sea?) -> reading; arrays broadcast.
Model = Callable[[np.ndarray, np.ndarray, np.ndarray, bool], np.ndarray]


def _diurnal(hour: np.ndarray) -> np.ndarray:
    """+1 in mid-afternoon, -1 before dawn: the daily swing of sun-driven water properties."""
    return np.sin(2.0 * np.pi * (hour - 9.0) / 24.0)


def _temperature(t, hour, z, sea):
    return np.round(t + (0.25 if sea else 0.08) * _diurnal(hour) + 0.15 * z, 2)


def _oxygen(t, hour, z, sea):
    # % saturation; warmer water holds less oxygen and fish use more, so it falls as temperature rises.
    if sea:
        value = 100.0 - 1.6 * (t - 6.0) + 2.0 * _diurnal(hour) + 1.5 * z
    else:
        value = 96.0 - 1.0 * (t - 8.0) + 1.5 * z
    return np.round(np.clip(value, 60.0, 120.0), 1)


def _ph(t, hour, z, sea):
    value = 8.05 - 0.01 * (t - 10.0) + 0.04 * z if sea else 7.0 + 0.12 * z
    return np.round(np.clip(value, 6.5, 8.5), 2)


def _co2(t, hour, z, sea):
    value = 1.0 + 0.2 * z if sea else 9.0 + 0.2 * (t - 12.0) + 1.5 * z
    return np.round(np.maximum(value, 0.1), 2)


def _lognormal(sea_median: float, fresh_median: float, spread: float, decimals: int) -> Model:
    def model(t, hour, z, sea):
        median = sea_median if sea else fresh_median
        return np.round(median * np.exp(spread * z), decimals)
    return model


def _salinity(t, hour, z, sea):
    # ppt: open Atlantic water at sea; fresh-water tanks hold a trace of salt at most.
    value = 34.2 + 0.25 * z if sea else 0.15 * np.exp(0.3 * z)
    return np.round(value, 2)


def _generic(t, hour, z, sea):
    return np.round(10.0 * (1.0 + 0.05 * z), 3)


MODELS: dict[str, Model] = {
    "temperature": _temperature, "temp": _temperature,
    "oxygen": _oxygen, "dissolved_oxygen": _oxygen, "do": _oxygen, "o2": _oxygen,
    "ph": _ph, "co2": _co2,
    "no2": _lognormal(0.004, 0.05, 0.25, 4),
    "no3": _lognormal(0.3, 20.0, 0.2, 2),
    "nh4": _lognormal(0.004, 0.01, 0.3, 4),
    "salinity": _salinity,
}


# Recirculating (fresh) water drifts slowly as biofilters, water exchange and dosing change: pH, CO₂ and
# NO₃ follow a seeded per-tank AR(1) drift (standard normal, e-folding DRIFT_DAYS days) scaled as
# parameter -> (additive sd, multiplicative log sd, decimals, low, high).
DRIFT_DAYS = 15.0
DRIFT = {"ph": (0.15, 0.0, 2, 6.5, 8.5), "co2": (0.0, 0.25, 2, 0.1, 40.0), "no3": (0.0, 0.3, 2, 0.0, 60.0)}


def drift(layout: Layout, stay: Stay, name: str) -> np.ndarray:
    """(containers, days) standard-normal AR(1) drift of one parameter, drawn per tank and batch day."""
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, f"drift:{name}"),
                      stay.containers)
    z = rng.normal(rng.keys(base[:, None], stay.day_index[None, :], 1))
    phi = float(np.exp(-1.0 / DRIFT_DAYS))
    out = np.empty_like(z)
    acc = z[:, 0]
    for d in range(z.shape[1]):      # a short loop: fresh-water stays last weeks, not years
        acc = phi * acc + np.sqrt(1.0 - phi * phi) * z[:, d] if d else acc
        out[:, d] = acc
    return out


def _drifted(values: np.ndarray, d: np.ndarray, name: str) -> np.ndarray:
    add, mul, decimals, low, high = DRIFT[name]
    shifted = (values + add * d[..., None]) * np.exp(mul * d[..., None] - mul * mul / 2.0)
    if add == 0.0:      # a ratio: water exchange keeps it below ``high`` (a soft ceiling, not a clip)
        return np.round(np.maximum(high * np.tanh(shifted / high), low), decimals)
    return np.round(np.clip(shifted, low, high), decimals)


TIDE_HOURS = 12.42         # the semidiurnal (M2) tide
FRESHEST_DAY = 45          # estuarine water is freshest in mid-February (rain and snowmelt)


def estuary(layout: Layout, stay: Stay) -> SalinityPlan | None:
    """The estuarine salinity of the stay's sea area, if its geography declares one for it."""
    geo = layout.plan.geography(layout.batch.geography)
    names = [a.name for a in geo.sea_areas]
    if not geo.salinity or stay.window.location not in names:
        return None
    number = names.index(stay.window.location) + 1
    return next((s for s in geo.salinity if s.areas is None or s.areas[0] <= number <= s.areas[1]), None)


def _estuarine(plan: SalinityPlan, stay: Stay, hour: np.ndarray, z: np.ndarray,
               rain: np.ndarray | None = None) -> np.ndarray:
    """ppt: the mean, a tide of ±``tide``, a seasonal low of ``seasonal`` around mid-February, and
    ``rain`` (ppt per day, from :func:`aquadsl.sim.rain.freshening`) below it."""
    days = (np.datetime64(stay.window.start, "D") + np.arange(stay.days)).astype(np.int64)[None, :, None]
    doy = (stay.dates() - stay.dates().astype("datetime64[Y]")).astype(np.int64)[None, :, None] + 1
    tide = np.sin(2.0 * np.pi * (days * 24.0 + hour) / TIDE_HOURS)
    season = np.cos(2.0 * np.pi * (doy - FRESHEST_DAY) / 365.0)
    value = plan.mean + plan.tide * tide - plan.seasonal * season + 0.3 * z
    if rain is not None:
        value = value - rain[None, :, None]
    return np.round(np.clip(value, 0.0, 40.0), 2)


def model_for(parameter: str) -> Model:
    """The value model of a parameter name (case-insensitive); unknown names get a generic one."""
    return MODELS.get(parameter.lower(), _generic)


def readings(layout: Layout, stay: Stay) -> Columns:
    """Rows ordered by container, day, time slot, then parameter as listed in the stage's sensors."""
    sensors = stay.params.sensors
    params, slots = list(sensors.parameters), around_the_clock(sensors.per_day)
    shape = (stay.n, stay.days, len(slots), len(params))
    if 0 in shape:
        return _empty(layout, stay)
    sea = stay.params.water == "sea"
    day = stay.day_index[None, :, None]
    lane = np.arange(len(slots), dtype=np.int64)[None, None, :]
    t = stay.temperature[None, :, None]
    hour = (slots / 3600.0)[None, None, :]
    values = np.empty(shape, dtype=np.float64)
    seed, batch_id = layout.plan.parameters.seed, layout.batch.id
    brackish = estuary(layout, stay) if sea else None
    for i, name in enumerate(params):
        base = rng.stream(rng.family_key(seed, batch_id, f"env:{name}"), stay.containers)
        z = rng.normal(rng.keys(base[:, None, None], day, lane))
        values[..., i] = model_for(name)(t, hour, z, sea)
        if sea and name.lower() == "salinity" and brackish is not None:
            rain = freshening(brackish, seed, layout.batch.geography, stay.window.start, stay.days)
            values[..., i] = _estuarine(brackish, stay, hour, z, rain)
        if not sea and name.lower() in DRIFT:
            values[..., i] = _drifted(values[..., i], drift(layout, stay, name.lower()), name.lower())
    names = np.empty(len(params), dtype=object)
    names[:] = params
    ts = timestamps(stay.dates(), slots)
    cols = assigned(layout.batch.id, stay, stay.days * len(slots) * len(params))
    cols["parameter"] = np.tile(names, stay.n * stay.days * len(slots))
    cols["ts"] = np.broadcast_to(ts[None, :, :, None], shape).ravel()
    cols["value"] = values.ravel()
    return cols


def _empty(layout: Layout, stay: Stay) -> Columns:
    cols = assigned(layout.batch.id, stay, 0)
    cols.update(parameter=np.empty(0, dtype=object), ts=np.empty(0, dtype="datetime64[s]"),
                value=np.empty(0))
    return cols
