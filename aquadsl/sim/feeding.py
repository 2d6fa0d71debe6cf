"""Feeding: daily rations by biomass rate or by target FCR, split over the day's feedings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.clock import slot_seconds, timestamps
from aquadsl.sim.growth import stage_tgc
from aquadsl.sim.frame import Columns, assigned, constant
from aquadsl.sim.layout import Layout, SimulationError, Stay
from aquadsl.sim.population import StayPopulation

APPETITE_SD = 0.06     # day-to-day variation of a container's ration (mean-one lognormal)
SPLIT_SD = 0.10        # variation between the feedings of one day


@dataclass(frozen=True)
class StayFeed:
    """Per container-day biomass, biomass gain and feed (kg), plus the feeding-event rows."""

    biomass: np.ndarray           # (n, days) kg at the end of the day
    gain: np.ndarray              # (n, days) kg: population × deterministic weight gain
    feed: np.ndarray              # (n, days) kg: the sum of that day's feeding events
    rows: Columns | None          # None when the stage is not fed


def feed_stay(layout: Layout, stay: Stay, pop: StayPopulation) -> StayFeed:
    """Rations of one stay: ``rate`` feeds rate_pct % of biomass, ``fcr`` feeds fcr × biomass gain."""
    biomass = pop.end * stay.weight[None, :] / 1000.0
    gain = pop.end * (stay.weight - stay.prev_weight)[None, :] / 1000.0
    plan, per_day = stay.params.feed, stay.params.feedings_per_day
    if plan.mode == "none" or per_day <= 0:
        return StayFeed(biomass, gain, np.zeros_like(biomass), None)
    if (plan.rate_pct if plan.mode == "rate" else plan.fcr) is None:
        raise SimulationError(f"stage {stay.params.name}: feed mode {plan.mode} without its value")
    if plan.mode == "rate":
        target = biomass * (plan.rate_pct / 100.0)
    else:
        # fish held at the weight cap still eat: at least the stage's maintenance share of the ration they
        # would get growing at its TGC that day (far below the full ration where fish grow freely)
        target = np.maximum(gain, stay.params.maintenance * potential_gain(layout, stay, pop)) * plan.fcr
    target = target * _appetite(layout, stay)
    if stay.ragged:       # no feed in the withdrawal days before each ring's harvest
        target = np.where(np.arange(stay.days)[None, :] < stay.fed()[:, None], target, 0.0)
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "feeding"), stay.containers)
    day = stay.day_index[None, :, None]
    lane = np.arange(per_day + 1, dtype=np.int64)[None, None, :]
    z = rng.normal(rng.keys(base[:, None, None], day, lane))          # lane 0: appetite, 1..: split
    appetite = np.exp(APPETITE_SD * z[..., 0] - APPETITE_SD ** 2 / 2.0)
    shares = np.exp(SPLIT_SD * z[..., 1:])
    amounts = np.round((target * appetite)[..., None] * shares / shares.sum(axis=2, keepdims=True), 3)
    feed = amounts.sum(axis=2)
    return StayFeed(biomass, gain, feed, _rows(layout, stay, amounts, biomass))


def potential_gain(layout: Layout, stay: Stay, pop: StayPopulation) -> np.ndarray:
    """Per container-day kg the fish would gain at the stage's TGC (with the batch's factor), ignoring the cap."""
    tgc = stage_tgc(stay.params, layout.batch.geography) * layout.batch.growth_factors.get(stay.params.name, 1.0)
    root = np.cbrt(stay.prev_weight) + (tgc / 1000.0) * np.clip(stay.temperature, 0.0, None)
    return pop.end * np.maximum(root ** 3 - stay.prev_weight, 0.0)[None, :] / 1000.0


def _rows(layout: Layout, stay: Stay, amounts: np.ndarray, biomass: np.ndarray) -> Columns:
    per_day = amounts.shape[2]
    cols = assigned(layout.batch.id, stay, stay.days * per_day)
    ts = timestamps(stay.dates(), slot_seconds(per_day))
    mass = np.broadcast_to(biomass[..., None], amounts.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(mass > 0, amounts / mass * 100.0, 0.0)
    cols["ts"] = np.broadcast_to(ts[None], amounts.shape).ravel()
    cols["feed_name"] = np.broadcast_to(pellet_names(stay)[None, :, None], amounts.shape).ravel()
    cols["amount_kg"] = amounts.ravel()
    cols["biomass_kg"] = np.round(mass, 3).ravel()
    cols["feeding_pct"] = np.round(pct, 5).ravel()
    return cols


def _appetite(layout: Layout, stay: Stay) -> np.ndarray:
    """Fraction of the normal ration eaten each container-day: incidents (disease, storms) cut appetite,
    and each ring is starved on its own delousing day."""
    out = np.ones((stay.n, stay.days))
    first = stay.window.start.toordinal()
    for inc in layout.batch.incidents:
        lo = inc.start.toordinal() - first
        a, b = max(lo, 0), min(lo + inc.days, stay.days)
        if a < b:
            out[:, a:b] = np.minimum(out[:, a:b], inc.appetite)
    if stay.shape:
        for k, day in stay.shape.ring_events:
            out[k, day] = 0.0
    return out


def pellet_names(stay: Stay) -> np.ndarray:
    """The feed of each day: the stage's ladder by fish weight, or its one named feed."""
    default = stay.params.feed.feed_name or f"{stay.params.label} feed"
    names = np.empty(stay.days, dtype=object)
    names[:] = default
    ladder = stay.params.pellets
    if ladder:
        bounds = np.array([p.up_to_g if p.up_to_g is not None else np.inf for p in ladder])
        pick = np.minimum(np.searchsorted(bounds, stay.prev_weight, side="right"), len(ladder) - 1)
        names[:] = [ladder[i].feed_name for i in pick]
    return names
