"""fish_observations: the fish behind every growth sample, also where harvest empties rings early."""

from __future__ import annotations

import numpy as np

from aquadsl.sim.fish import fish_observation_count, fish_observations


def test_every_observation_belongs_to_a_growth_sample_whose_mean_it_gives(demo_plan, demo_rows):
    """Each sample's observations average to its avg_weight_g (same draws), and every sample_row exists,
    on the demo, whose sea stays are ragged (rings harvested one after another)."""
    for batch in demo_plan.batches:
        samples = demo_rows[batch.id]["growth_samples"]
        fish = fish_observations(demo_plan, batch.id)
        assert len(fish["sample_row"]) == fish_observation_count(demo_plan, batch.id), batch.id
        rows = fish["sample_row"] - 1
        assert rows.min() >= 0 and rows.max() < len(samples["avg_weight_g"]), batch.id
        assert (samples["container"][rows] == fish["container"]).all(), batch.id
        means = np.bincount(rows, fish["weight_g"]) / np.bincount(rows)
        assert np.allclose(means, samples["avg_weight_g"], atol=0.01), batch.id
