"""Sampling events on a cadence: growth samples, sea-lice counts and health samples."""

from __future__ import annotations

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.harvest import weight_cv
from aquadsl.sim.layout import Layout, Stay

DEFAULT_FISH = {"growth_samples": 30, "lice_counts": 20, "health_samples": 75}
WEIGHT_CV = 0.18           # coefficient of variation of individual weights in a pen
K_SD = 0.06                # spread of individual condition factors
# Lice stages relative to adult females (typical Atlantic counts: many chalimus, fewer pre-adults).
RING_SD = 0.3             # spread of lice between the rings of one batch (log scale)
LICE_RATIOS = {"adult_female": 1.0, "adult_male": 0.8, "pre_adult": 0.7, "chalimus": 1.3, "caligus": 0.4}


def event_days(days: int, every: int, offset: int = 0) -> np.ndarray:
    """Days of the window (0-based) with an event: (offset + day) % every == 0, offset the stage day."""
    return np.arange((-offset) % every, days, every, dtype=np.int64)


def condition_factor(weight_g: np.ndarray) -> np.ndarray:
    """Typical Fulton's K = 100·W/L³: about 1.05 for juveniles, rising to about 1.25 at harvest size."""
    size = np.clip(np.log10(np.maximum(weight_g, 1e-3) / 10.0) / np.log10(500.0), 0.0, 1.0)
    return 1.05 + 0.2 * size


def length_cm(weight_g: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Fork length from weight and condition factor: L = (100·W/K)^(1/3)."""
    return np.cbrt(100.0 * weight_g / k)


def _draws(layout: Layout, stay: Stay, family: str, days: np.ndarray, lanes: int) -> np.ndarray:
    """Standard normals of shape (containers, event days, lanes) from one family's stream."""
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, family), stay.containers)
    lane = np.arange(lanes, dtype=np.int64)[None, None, :]
    return rng.keys(base[:, None, None], (stay.first_day + days)[None, :, None], lane)


def growth_fish(layout: Layout, stay: Stay, every: int, fish: int | None):
    """(event days, fish per sample, weights, lengths): the individually drawn fish of every growth
    sample, arrays of shape (containers, event days, fish). The same draws give the samples and the
    ``fish_observations`` family, so each observation is a fish the sample's statistics came from."""
    days, n_fish = event_days(stay.days, every, stay.stage_day), fish or DEFAULT_FISH["growth_samples"]
    z = rng.normal(_draws(layout, stay, "growth_samples", days, 2 * n_fish))
    w_true = stay.weight[days][None, :, None]
    sigma = np.sqrt(np.log1p(weight_cv(stay.first_day + days) ** 2))[None, :, None]
    weights = w_true * np.exp(sigma * z[..., :n_fish] - sigma ** 2 / 2.0)
    k = np.clip(condition_factor(w_true) + K_SD * z[..., n_fish:], 0.9, 1.5)
    return days, n_fish, weights, length_cm(weights, k)


def growth_samples(layout: Layout, stay: Stay, every: int, fish: int | None) -> Columns:
    """One sample per container and event day; statistics come from individually drawn fish."""
    days, n_fish, weights, lengths = growth_fish(layout, stay, every, fish)
    cols = assigned(layout.batch.id, stay, len(days))
    cols["date"] = np.tile(stay.dates()[days], stay.n)
    cols["sample_size"] = np.full(stay.n * len(days), n_fish, dtype=np.int64)
    cols["avg_weight_g"] = np.round(weights.mean(axis=2), 3).ravel()
    cols["std_weight_g"] = np.round(weights.std(axis=2, ddof=1) if n_fish > 1 else 0.0 * weights[..., 0], 3).ravel()
    cols["min_weight_g"] = np.round(weights.min(axis=2), 3).ravel()
    cols["max_weight_g"] = np.round(weights.max(axis=2), 3).ravel()
    cols["avg_length_cm"] = np.round(lengths.mean(axis=2), 2).ravel()
    cols["condition_factor"] = np.round((100.0 * weights / lengths ** 3).mean(axis=2), 4).ravel()
    return cols


def lice_pressure(stay: Stay, days: np.ndarray) -> np.ndarray:
    """Adult-female lice per fish: builds up over time at sea, higher in warm water, cut by treatments."""
    if stay.params.water != "sea":
        return np.zeros(len(days))
    build_up = np.minimum(1.0, (days + stay.stage_day) / 120.0)
    season = np.exp(0.18 * (stay.temperature[days] - 10.0))
    relief = np.ones(len(days))
    for treated in stay.params.at_days.get("lice_treatments", ()):
        since = days + stay.stage_day - treated
        relief = np.where(since >= 0, np.minimum(relief, 1.0 - 0.9 * np.exp(-since / 30.0)), relief)
    return (0.05 + 0.45 * build_up * season) * relief


def lice_counts(layout: Layout, stay: Stay, every: int, fish: int | None) -> Columns:
    """Counts per lice stage over the sampled fish; zero in fresh water, where sea lice do not live.

    With lice dynamics the mean follows the ring's own lice curve (the level before that day's delousing:
    each ring is cut on its own treatment day), and each ring carries more or fewer lice than that (a
    seeded factor per ring).
    """
    days, n_fish = event_days(stay.days, every, stay.stage_day), fish or DEFAULT_FISH["lice_counts"]
    keys = _draws(layout, stay, "lice_counts", days, len(LICE_RATIOS))
    if stay.params.lice is not None and layout.lice is not None:
        base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "lice_ring"), stay.containers)
        ring = rng.normal(rng.keys(base, np.int64(0)))[:, None]
        factor = np.exp(RING_SD * np.clip(ring, -2.5, 2.5) - RING_SD ** 2 / 2.0)
        level = np.array([layout.lice.ring_level(r, stay.first_day + days) for r in stay.containers])
        mean = n_fish * level.reshape(stay.n, len(days)) * factor
    else:
        mean = n_fish * lice_pressure(stay, days)[None, :]
    cols = assigned(layout.batch.id, stay, len(days))
    cols["date"] = np.tile(stay.dates()[days], stay.n)
    cols["fish_sampled"] = np.full(stay.n * len(days), n_fish, dtype=np.int64)
    for i, (column, ratio) in enumerate(LICE_RATIOS.items()):
        cols[column] = rng.poisson(np.broadcast_to(mean * ratio, keys.shape[:2]), keys[..., i]).ravel()
    return cols


def health_samples(layout: Layout, stay: Stay, every: int, fish: int | None) -> Columns:
    """Health checks: sampled weight, length and condition, and the mean welfare score (0 best, 3 worst)."""
    days, n_fish = event_days(stay.days, every, stay.stage_day), fish or DEFAULT_FISH["health_samples"]
    z = rng.normal(_draws(layout, stay, "health_samples", days, 3))
    w_true = stay.weight[days][None, :]
    weight = w_true * (1.0 + WEIGHT_CV / np.sqrt(n_fish) * z[..., 0])
    k = condition_factor(w_true) + K_SD / np.sqrt(n_fish) * z[..., 1]
    # Scores 0-3 weighted 60/30/8/2 % have mean 0.52 and sd 0.73 per score; 9 scores per fish.
    warm = 0.1 * np.maximum(0.0, stay.temperature[days] - 12.0)[None, :] / 4.0
    score = np.clip(0.52 + warm + 0.73 / np.sqrt(9 * n_fish) * z[..., 2], 0.0, 3.0)
    cols = assigned(layout.batch.id, stay, len(days))
    cols["date"] = np.tile(stay.dates()[days], stay.n)
    cols["fish_sampled"] = np.full(stay.n * len(days), n_fish, dtype=np.int64)
    cols["avg_weight_g"] = np.round(weight, 3).ravel()
    cols["avg_length_cm"] = np.round(length_cm(weight, k), 2).ravel()
    cols["condition_factor"] = np.round(k, 4).ravel()
    cols["mean_score"] = np.round(score, 3).ravel()
    return cols


SAMPLERS = {"growth_samples": growth_samples, "lice_counts": lice_counts, "health_samples": health_samples}
