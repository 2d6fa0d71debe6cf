"""Harvest: events per container and harvest day, and lots by grade from the fish's weight distribution."""

from __future__ import annotations

import math

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import Layout, Stay
from aquadsl.sim.volume import HARVEST_GRADES

GRADE_SHARES = np.array([0.10, 0.40, 0.35, 0.12, 0.03])
# Relative fish size per grade (superior fish are the largest); rescaled so lots add up to the event.
GRADE_SIZE = np.array([1.15, 1.05, 1.00, 0.85, 0.60])
# Live-weight bounds (g) of the size grades SUPERIOR, GRADE_A, GRADE_B, GRADE_C; REJECT is for quality.
GRADE_BOUNDS = np.array([np.inf, 6000.0, 4000.0, 3000.0, 0.0])
REJECT_MEAN, REJECT_SD = 0.025, 0.01


def weight_cv(day: np.ndarray | int) -> np.ndarray:
    """Coefficient of variation of individual weights in a container: 12 % young, 25 % by two years."""
    return 0.12 + 0.13 * np.minimum(1.0, np.asarray(day, dtype=float) / 730.0)


def split_by_shares(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Integer split of each total by shares (largest remainder, ties to the earlier grade); rows sum exactly."""
    shares = np.broadcast_to(shares, (len(total), shares.shape[-1]))
    exact = total[:, None] * shares
    counts = np.floor(exact).astype(np.int64)
    left = total - counts.sum(axis=1)
    order = np.argsort(-(exact - counts), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(shares.shape[1])[None, :].repeat(len(total), axis=0), axis=1)
    return counts + (rank < left[:, None])


_PHI = np.frompyfunc(lambda x: 0.5 * (1.0 + math.erf(x / math.sqrt(2.0))), 1, 1)


def _phi(x: np.ndarray) -> np.ndarray:
    return _PHI(x).astype(np.float64)


def grade_shares(mean_g: np.ndarray, cv: np.ndarray, reject: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares and mean weights (g) per grade for fish lognormal around ``mean_g`` (one row per event)."""
    sigma = np.sqrt(np.log1p(cv ** 2))[:, None]
    mu = np.log(mean_g)[:, None] - sigma ** 2 / 2.0
    with np.errstate(divide="ignore"):
        logs = np.log(GRADE_BOUNDS)[None, :]
    cdf = _phi((logs - mu) / sigma)                       # P(X < bound), bounds descending
    part = _phi((logs - mu - sigma ** 2) / sigma)         # partial expectation / E[X]
    size_share = cdf[:, :-1] - cdf[:, 1:]                 # SUPERIOR, A, B, C
    size_mass = (part[:, :-1] - part[:, 1:]) * mean_g[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        size_mean = np.where(size_share > 0, size_mass / np.maximum(size_share, 1e-300), mean_g[:, None])
    shares = np.column_stack([size_share * (1.0 - reject)[:, None], reject])
    means = np.column_stack([size_mean, 0.6 * mean_g])
    return shares, means


def harvest(layout: Layout, stay: Stay, fish: np.ndarray) -> tuple[Columns, Columns]:
    """One event per container on the stay's last day (a plan without harvest days)."""
    days = np.full(stay.n, stay.days - 1, dtype=np.int64)
    return _rows(layout, stay, np.arange(stay.n), days, fish.astype(np.int64))


def harvest_days(layout: Layout, stay: Stay, harvested: np.ndarray) -> tuple[Columns, Columns]:
    """One event per planned (container, harvest day), in container then date order."""
    plan = sorted((k, d) for k, d, _ in stay.shape.harvests)
    ks = np.array([k for k, _ in plan], dtype=np.int64)
    ds = np.array([d for _, d in plan], dtype=np.int64)
    return _rows(layout, stay, ks, ds, harvested[ks, ds])


def _rows(layout: Layout, stay: Stay, ks: np.ndarray, ds: np.ndarray, fish: np.ndarray) -> tuple[Columns, Columns]:
    weight = stay.weight[ds]
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "harvest_grades"),
                      stay.containers)
    z = rng.normal(rng.keys(base[ks], stay.day_index[ds]))
    reject = np.clip(REJECT_MEAN + REJECT_SD * z, 0.005, 0.08)
    shares, means = grade_shares(weight, weight_cv(stay.day_index[ds]), reject)
    counts = split_by_shares(fish, shares)
    mass = counts * means
    total = fish * weight / 1000.0
    scale = np.where(mass.sum(axis=1) > 0, total * 1000.0 / np.maximum(mass.sum(axis=1), 1e-9), 0.0)
    dates = stay.dates()[ds]
    events = _assigned_at(layout, stay, ks, 1)
    events["date"] = dates
    events["fish_count"] = fish
    events["live_weight_kg"] = np.round(total, 3)
    events["avg_weight_g"] = weight.astype(np.float64)          # unrounded: never below the target
    grades = len(HARVEST_GRADES)
    lots = _assigned_at(layout, stay, ks, grades)
    lots["date"] = np.repeat(dates, grades)
    lots["grade"] = np.tile(np.array(HARVEST_GRADES, dtype=object), len(ks))
    lots["fish_count"] = counts.ravel()
    lots["live_weight_kg"] = np.round(mass * scale[:, None] / 1000.0, 3).ravel()
    return events, lots


def _assigned_at(layout: Layout, stay: Stay, ks: np.ndarray, per_row: int) -> Columns:
    cols = assigned(layout.batch.id, stay, 1)
    return {name: np.repeat(col[ks], per_row) for name, col in cols.items()}
