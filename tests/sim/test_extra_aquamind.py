"""The extra families AquaMind needs: health fish and scores, feed purchases and stock (shape, sums, seeding)."""

from __future__ import annotations

import numpy as np
import pytest

from aquadsl.sim.extra_aquamind import (
    EXTRA_SCHEMA, HEALTH_PARAMETERS, LOT_KG, MAX_SCORE, PERIOD_DAYS, estimate_extra, extra_rows,
)
from aquadsl.sim.frame import DTYPES
from aquadsl.sim.layout import build_layout
from tests.sim.conftest import make_plan


@pytest.fixture(scope="module")
def extras(plan, simulated):
    return {b.id: extra_rows(build_layout(plan, b.id), simulated[b.id]) for b in plan.batches}


def test_columns_follow_the_extra_schema_in_order_and_type(extras):
    for rows in extras.values():
        assert list(rows) == list(EXTRA_SCHEMA)
        for table, columns in EXTRA_SCHEMA.items():
            assert list(rows[table]) == [c for c, _ in columns]
            for column, kind in columns:
                assert rows[table][column].dtype == np.dtype(DTYPES[kind]), (table, column)


def test_counts_equal_the_plan_only_estimate(plan, extras):
    for batch in plan.batches:
        got = {t: len(extras[batch.id][t]["batch_id"]) for t in EXTRA_SCHEMA}
        assert got == estimate_extra(plan, batch)
    assert sum(len(e["health_fish"]["batch_id"]) for e in extras.values()) > 0


def _event_index(rows, fish):
    keys = list(zip(rows["health_samples"]["assignment_no"].tolist(), rows["health_samples"]["date"].tolist()))
    where = {k: i for i, k in enumerate(keys)}
    return np.array([where[k] for k in zip(fish["assignment_no"].tolist(), fish["date"].tolist())])


def test_health_fish_average_to_the_sample_and_are_numbered_per_event(simulated, extras):
    for batch_id, rows in simulated.items():
        fish = extras[batch_id]["health_fish"]
        if not len(fish["batch_id"]):
            continue
        event = _event_index(rows, fish)
        counts = np.bincount(event)
        assert np.array_equal(counts, rows["health_samples"]["fish_sampled"])
        mean = np.bincount(event, fish["weight_g"]) / counts
        assert np.abs(mean - rows["health_samples"]["avg_weight_g"]).max() <= 0.0051
        assert (fish["weight_g"] > 0).all() and (fish["length_cm"] > 0).all()
        first = np.concatenate(([True], event[1:] != event[:-1]))
        assert (fish["fish_no"][first] == 1).all()
        assert (np.diff(fish["fish_no"])[~first[1:]] == 1).all()
        k = 100 * fish["weight_g"] / fish["length_cm"] ** 3
        assert 0.85 < k.min() and k.max() < 1.6


def test_health_scores_nine_per_fish_in_range_around_the_sample_mean(simulated, extras):
    scores = extras["FAR-2020-001"]["health_scores"]
    fish = extras["FAR-2020-001"]["health_fish"]
    assert len(scores["batch_id"]) == len(HEALTH_PARAMETERS) * len(fish["batch_id"])
    assert list(scores["parameter"][: len(HEALTH_PARAMETERS)]) == list(HEALTH_PARAMETERS)
    assert scores["score"].min() >= 0 and scores["score"].max() <= MAX_SCORE
    assert set(np.unique(scores["score"]).tolist()) == {0, 1, 2, 3}
    expected = simulated["FAR-2020-001"]["health_samples"]["mean_score"].mean()
    assert abs(scores["score"].mean() - expected) < 0.03


def test_feed_purchases_cover_the_feed_eaten_in_whole_lots_and_stock_is_what_fifo_leaves(plan, simulated, extras):
    for batch in plan.batches:
        buy, stock = extras[batch.id]["feed_purchases"], extras[batch.id]["feed_stock"]
        eaten = simulated[batch.id]["feeding_events"]["amount_kg"].sum()
        assert buy["quantity_kg"].sum() >= eaten
        assert abs(buy["quantity_kg"].sum() - eaten - stock["quantity_kg"].sum()) < 0.01 * len(stock["batch_id"]) + 1e-6
        lots = np.array([LOT_KG[w] for w in buy["water"]])
        assert np.allclose(buy["quantity_kg"] / lots, np.round(buy["quantity_kg"] / lots))
        assert (stock["quantity_kg"] <= buy["quantity_kg"]).all() and (stock["quantity_kg"] >= 0).all()
        assert np.array_equal(buy["purchase_no"], np.arange(1, len(buy["batch_id"]) + 1))
        assert (buy["cost_per_kg"] > 1.0).all() and (buy["cost_per_kg"] < 4.0).all()
        assert len(set(buy["lot_number"])) == len(buy["lot_number"])
        assert (stock["entry_ts"].astype("datetime64[D]") > buy["purchase_date"]).all()


def test_each_delivery_arrives_before_the_week_it_feeds(plan, simulated, extras):
    batch = plan.batches[0]
    buy, stock = extras[batch.id]["feed_purchases"], extras[batch.id]["feed_stock"]
    feed_days = simulated[batch.id]["feeding_events"]["ts"].astype("datetime64[D]")
    first_week = stock["entry_ts"].astype("datetime64[D]") + 1
    same_store = buy["stage"][1:] == buy["stage"][:-1]
    gaps = (first_week[1:] - first_week[:-1])[same_store]
    assert (gaps == np.timedelta64(PERIOD_DAYS, "D")).all() and len(gaps) > 10
    assert feed_days.min() >= first_week.min()


def test_same_seed_same_rows_other_seed_other_values(plan, simulated, extras):
    batch = plan.batches[0]
    again = extra_rows(build_layout(plan, batch.id), simulated[batch.id])
    for table in EXTRA_SCHEMA:
        for column, values in extras[batch.id][table].items():
            assert np.array_equal(values, again[table][column]), (table, column)
    other_plan = make_plan(seed=7)
    from aquadsl.sim.simulate import simulate_batch
    other = extra_rows(build_layout(other_plan, batch.id), simulate_batch(other_plan, batch.id))
    assert not np.array_equal(other["health_fish"]["weight_g"], extras[batch.id]["health_fish"]["weight_g"])
    assert not np.array_equal(other["feed_purchases"]["cost_per_kg"], extras[batch.id]["feed_purchases"]["cost_per_kg"])
