"""Rations follow fish size (issue 8): the daily feed in % of biomass falls from stage to stage as fish grow.

The issue found smolts fed less per kg (0.89 %/day) than the larger post-smolts (1.27 %/day). Domain
figures (domain.md §11): about 1.5-2 %/day for smolts, about 1 %/day at 1 kg, about 0.5 %/day at 5 kg.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.sim.simulate import simulate_batch

ROOT = Path(__file__).resolve().parents[2]
FED = ("fry", "parr", "smolt", "post_smolt", "adult")


@pytest.fixture(scope="module")
def rations() -> dict:
    """Feed as % of biomass per day, by stage and by weight band, over demo's completed batches."""
    plan = compile_path(ROOT / "scenarios" / "demo.aqs").plan
    by_stage, by_band = defaultdict(lambda: [0.0, 0.0]), defaultdict(lambda: [0.0, 0.0])
    completed = [b for b in plan.batches if b.status == "completed"]
    assert completed
    for b in completed:
        d = simulate_batch(plan, b.id, only=("daily_states",))["daily_states"]
        fed = d["biomass_kg"] > 0
        for stage in FED:
            m = fed & (d["stage"] == stage)
            by_stage[stage][0] += d["feed_kg"][m].sum()
            by_stage[stage][1] += d["biomass_kg"][m].sum()
        for band, (lo, hi) in {"1 kg": (800, 1200), "5 kg": (4500, 5500)}.items():
            m = fed & (d["avg_weight_g"] >= lo) & (d["avg_weight_g"] < hi)
            by_band[band][0] += d["feed_kg"][m].sum()
            by_band[band][1] += d["biomass_kg"][m].sum()
    pct = lambda acc: {k: 100.0 * f / m for k, (f, m) in acc.items() if m > 0}  # noqa: E731
    return {"stage": pct(by_stage), "band": pct(by_band)}


def test_rations_fall_from_stage_to_stage_as_fish_grow(rations):
    shares = [rations["stage"][s] for s in FED]
    assert all(np.diff(shares) < 0), dict(zip(FED, shares))


def test_smolts_eat_more_per_kg_than_post_smolts_and_within_the_domain_range(rations):
    smolt, post = rations["stage"]["smolt"], rations["stage"]["post_smolt"]
    assert smolt > post
    assert 1.2 <= smolt <= 2.0


def test_sea_rations_match_the_published_figures_at_1_and_5_kg(rations):
    assert 0.7 <= rations["band"]["1 kg"] <= 1.3
    assert 0.35 <= rations["band"]["5 kg"] <= 0.7
