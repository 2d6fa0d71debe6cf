"""Harvest: one event per container of the last stage with all its fish, and lots by grade."""

from __future__ import annotations

import numpy as np

from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import Stay
from aquadsl.sim.volume import HARVEST_GRADES

GRADE_SHARES = np.array([0.10, 0.40, 0.35, 0.12, 0.03])
# Relative fish size per grade (superior fish are the largest); rescaled so lots add up to the event.
GRADE_SIZE = np.array([1.15, 1.05, 1.00, 0.85, 0.60])


def split_by_shares(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Integer split of each total by shares (largest remainder, ties to the earlier grade); rows sum exactly."""
    exact = total[:, None] * shares[None, :]
    counts = np.floor(exact).astype(np.int64)
    left = total - counts.sum(axis=1)
    order = np.argsort(-(exact - counts), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(shares.size)[None, :].repeat(len(total), axis=0), axis=1)
    return counts + (rank < left[:, None])


def harvest(batch_id: str, stay: Stay, fish: np.ndarray) -> tuple[Columns, Columns]:
    """Events and lots on the stay's last day, at the deterministic harvest weight."""
    date = stay.dates()[-1]
    weight = float(stay.weight[-1])
    events = assigned(batch_id, stay, 1)
    events["date"] = np.full(stay.n, date)
    events["fish_count"] = fish.astype(np.int64)
    events["live_weight_kg"] = np.round(fish * weight / 1000.0, 3)
    events["avg_weight_g"] = np.full(stay.n, weight)       # unrounded: never below the target
    counts = split_by_shares(fish.astype(np.int64), GRADE_SHARES)
    mean_size = (counts * GRADE_SIZE).sum(axis=1) / np.maximum(fish, 1)
    size = GRADE_SIZE[None, :] / np.where(mean_size > 0, mean_size, 1.0)[:, None]
    lots = assigned(batch_id, stay, len(HARVEST_GRADES))
    lots["date"] = np.full(stay.n * len(HARVEST_GRADES), date)
    lots["grade"] = np.tile(np.array(HARVEST_GRADES, dtype=object), stay.n)
    lots["fish_count"] = counts.ravel()
    lots["live_weight_kg"] = np.round(counts * size * weight / 1000.0, 3).ravel()
    return events, lots
