"""A batch's rows depend only on (plan, batch): not on order, process, or other event families."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from aquadsl.plan.model import FeedPlan, SensorPlan
from aquadsl.sim.simulate import simulate_batch

from .conftest import digest_rows, lifecycle, make_plan

TESTS = Path(__file__).resolve().parents[1]


def test_same_rows_twice(plan, simulated):
    for batch in plan.batches:
        assert digest_rows(simulate_batch(plan, batch.id)) == digest_rows(simulated[batch.id])


def test_order_of_batches_does_not_matter(plan):
    ids = [b.id for b in plan.batches]
    forward = {i: digest_rows(simulate_batch(plan, i)) for i in ids}
    backward = {i: digest_rows(simulate_batch(plan, i)) for i in reversed(ids)}
    assert forward == backward
    assert len(set(forward.values())) == len(ids)


def test_a_fresh_process_produces_identical_bytes(plan, simulated):
    batch = plan.batches[1].id
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from sim.conftest import make_plan, digest_rows;"
            "from aquadsl.sim.simulate import simulate_batch;"
            "print(digest_rows(simulate_batch(make_plan(), sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", code, str(TESTS), batch], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == digest_rows(simulated[batch])


def test_another_seed_changes_the_random_values_but_not_the_shape(plan, simulated):
    other = make_plan(seed=plan.parameters.seed + 1)
    batch = plan.batches[0].id
    rows = simulate_batch(other, batch)
    assert digest_rows(rows) != digest_rows(simulated[batch])
    base = simulated[batch]
    assert not np.array_equal(rows["mortality_events"]["count"], base["mortality_events"]["count"])
    assert np.array_equal(rows["daily_states"]["avg_weight_g"], base["daily_states"]["avg_weight_g"])


def _with_stage(life, name, **update):
    stages = tuple(s.model_copy(update=update) if s.name == name else s for s in life.stages)
    return life.model_copy(update={"stages": stages})


def test_dropping_one_sensor_parameter_leaves_the_others_unchanged(plan, simulated):
    life = plan.parameters.lifecycle
    fewer = SensorPlan(per_day=6, parameters=("oxygen", "ph", "co2", "no2", "no3", "nh4"))
    other = make_plan(life=_with_stage(life, "parr", sensors=fewer))
    batch = plan.batches[0].id
    rows, base = simulate_batch(other, batch), simulated[batch]
    for param in ("oxygen", "nh4", "salinity"):
        a = rows["environmental_readings"]
        b = base["environmental_readings"]
        assert np.array_equal(a["value"][a["parameter"] == param], b["value"][b["parameter"] == param])
    assert len(rows["environmental_readings"]["value"]) < len(base["environmental_readings"]["value"])


def test_changing_feed_changes_nothing_in_mortality_or_samples(plan, simulated):
    life = lifecycle(fry_feed=FeedPlan(mode="fcr", fcr=0.9, feed_name="Starter"))
    other = make_plan(life=life)
    batch = plan.batches[1].id
    rows, base = simulate_batch(other, batch), simulated[batch]
    assert not np.array_equal(rows["feeding_events"]["amount_kg"], base["feeding_events"]["amount_kg"])
    for table in ("mortality_events", "growth_samples", "lice_counts", "environmental_readings"):
        assert digest_rows({table: rows[table]}) == digest_rows({table: base[table]}), table


def test_one_batch_does_not_depend_on_the_other_batches(plan, simulated):
    from .conftest import BATCHES
    alone = make_plan(batches=BATCHES[1:2])
    batch = plan.batches[1].id
    assert digest_rows(simulate_batch(alone, batch)) == digest_rows(simulated[batch])
