"""Row shapes, counts, numbering, bounds and exact population conservation of simulated batches."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from aquadsl.sim.checks import conservation
from aquadsl.sim.frame import DTYPES
from aquadsl.sim.schema import SCHEMA
from aquadsl.sim.simulate import row_counts, simulate_batch


def test_every_table_has_schema_columns_in_order_and_types(simulated):
    for rows in simulated.values():
        assert list(rows) == list(SCHEMA)
        for table, columns in SCHEMA.items():
            assert list(rows[table]) == [c for c, _ in columns]
            for column, kind in columns:
                assert rows[table][column].dtype == np.dtype(DTYPES[kind]), (table, column)


def test_row_counts_equal_the_plan_estimate_for_every_table(plan, simulated):
    for batch in plan.batches:
        assert row_counts(simulated[batch.id]) == batch.estimated_rows
    totals = {t: sum(row_counts(r)[t] for r in simulated.values()) for t in SCHEMA}
    assert totals == plan.estimated_rows


def test_plan_exercises_completed_sea_and_young_batches(plan):
    # Guards the fixture: the other tests only mean something if all three situations occur.
    assert [b.status for b in plan.batches] == ["completed", "active", "active"]
    assert plan.batches[1].stages[-1].stage == "adult" and plan.batches[2].stages[-1].stage == "parr"


def test_population_is_conserved_exactly(simulated):
    for rows in simulated.values():
        c = conservation(rows)
        assert c["eggs"] == c["deaths"] + c["harvested"] + c["living"]
        assert c["deaths"] > 0


def test_living_fish_is_the_last_day_population_or_zero_when_harvested(plan, simulated):
    for batch in plan.batches:
        rows = simulated[batch.id]
        ds = rows["daily_states"]
        last = ds["population"][ds["day_number"] == ds["day_number"].max()].sum()
        expected = 0 if batch.harvest_date else last
        assert rows["batches"]["living_fish"][0] == expected
        if batch.harvest_date:
            assert rows["harvest_events"]["fish_count"].sum() == last


def test_daily_population_falls_by_exactly_the_daily_deaths(simulated):
    for rows in simulated.values():
        ds, a = rows["daily_states"], rows["assignments"]
        me = rows["mortality_events"]
        assert np.array_equal(me["count"], ds["mortality"])
        for no, start, end in zip(a["assignment_no"], a["population_start"], a["population_end"]):
            mask = ds["assignment_no"] == no
            pop, deaths = ds["population"][mask], ds["mortality"][mask]
            assert np.array_equal(pop, start - np.cumsum(deaths))
            assert pop[-1] == end and (pop >= 0).all()


def test_transfers_move_every_fish_once_split_evenly(simulated):
    for rows in simulated.values():
        a, tr = rows["assignments"], rows["transfers"]
        stages = list(dict.fromkeys(a["stage"].tolist()))
        assert tr["transfer_no"].tolist() == list(range(1, len(stages)))
        for i, (src, dst) in enumerate(zip(stages, stages[1:])):
            out_fish = a["population_end"][a["stage"] == src].sum()
            in_fish = a["population_start"][a["stage"] == dst]
            assert tr["fish_moved"][i] == out_fish == in_fish.sum()
            assert (tr["from_stage"][i], tr["to_stage"][i]) == (src, dst)
            assert in_fish.max() - in_fish.min() <= 1 and (np.diff(in_fish) <= 0).all()
            assert tr["date"][i] == a["start_date"][a["stage"] == dst][0]


def test_eggs_split_evenly_remainder_to_first_containers(plan, simulated):
    batch = plan.batches[0]                                  # 3 200 001 eggs over 10 trays
    a = simulated[batch.id]["assignments"]
    first = a["population_start"][a["stage"] == "egg_alevin"]
    assert first.sum() == batch.eggs
    assert first.tolist() == [320001] + [320000] * 9


def test_assignments_are_numbered_in_stage_then_container_order(plan, simulated):
    for batch in plan.batches:
        a = simulated[batch.id]["assignments"]
        expected = [(w.stage, c) for w in batch.stages for c in w.container_names()]
        assert list(zip(a["stage"], a["container"])) == expected
        assert a["assignment_no"].tolist() == list(range(1, len(expected) + 1))


def test_only_the_current_stage_of_an_active_batch_is_active(plan, simulated):
    for batch in plan.batches:
        a = simulated[batch.id]["assignments"]
        last = a["stage"] == batch.stages[-1].stage
        if batch.status == "active":
            assert (a["is_active"] == last).all() and np.isnat(a["end_date"][last]).all()
        else:
            assert (a["is_active"] == 0).all() and not np.isnat(a["end_date"]).any()


def _window_bounds(batch):
    """assignment_no -> (start, end) of its window as datetime64[D]."""
    out, no = {}, 1
    for w in batch.stages:
        for _ in w.container_names():
            out[no] = (np.datetime64(w.start, "D"), np.datetime64(w.end, "D"))
            no += 1
    return out


@pytest.mark.parametrize("table,column", [
    ("daily_states", "date"), ("mortality_events", "date"), ("environmental_readings", "ts"),
    ("feeding_events", "ts"), ("growth_samples", "date"), ("lice_counts", "date"),
    ("health_samples", "date"), ("treatments", "date"), ("harvest_events", "date"), ("harvest_lots", "date"),
])
def test_nothing_is_dated_outside_its_window_or_after_until(plan, simulated, table, column):
    until = np.datetime64(plan.parameters.until, "D")
    for batch in plan.batches:
        rows = simulated[batch.id][table]
        if not len(rows[column]):
            continue
        days = rows[column].astype("datetime64[D]")
        bounds = _window_bounds(batch)
        lo = np.array([bounds[n][0] for n in rows["assignment_no"]])
        hi = np.array([bounds[n][1] for n in rows["assignment_no"]])
        assert (days >= lo).all() and (days < hi).all() and (days <= until).all()


def test_simulating_an_unknown_batch_is_a_clear_error(plan):
    from aquadsl.sim.layout import SimulationError
    with pytest.raises(SimulationError, match="not in the plan"):
        simulate_batch(plan, "NOPE-1")


def test_harvest_date_must_match_the_growth_projection(plan):
    from aquadsl.sim.layout import SimulationError
    batch = plan.batches[0]
    moved = batch.model_copy(update={"harvest_date": batch.harvest_date - dt.timedelta(days=1)})
    stale = plan.model_copy(update={"batches": (moved,) + plan.batches[1:]})
    with pytest.raises(SimulationError, match="growth projects"):
        simulate_batch(stale, batch.id)


def test_windows_with_a_gap_are_rejected(plan):
    from aquadsl.sim.layout import SimulationError
    batch = plan.batches[2]
    w = batch.stages[1]
    shifted = w.model_copy(update={"start": w.start + dt.timedelta(days=1)})
    broken = batch.model_copy(update={"stages": (batch.stages[0], shifted) + batch.stages[2:]})
    bad = plan.model_copy(update={"batches": plan.batches[:2] + (broken,)})
    with pytest.raises(SimulationError, match="without gaps"):
        simulate_batch(bad, batch.id)


def test_windows_past_until_are_rejected(plan):
    from aquadsl.sim.layout import SimulationError
    earlier = plan.parameters.model_copy(update={"until": plan.parameters.until - dt.timedelta(days=5)})
    bad = plan.model_copy(update={"parameters": earlier})
    with pytest.raises(SimulationError):
        simulate_batch(bad, plan.batches[2].id)


def test_wrong_estimates_are_reported_not_silently_loaded(plan):
    from aquadsl.sim.layout import SimulationError
    batch = plan.batches[2]
    wrong = batch.model_copy(update={"estimated_rows": {**batch.estimated_rows, "treatments": 1}})
    bad = plan.model_copy(update={"batches": plan.batches[:2] + (wrong,)})
    with pytest.raises(SimulationError, match="treatments"):
        simulate_batch(bad, batch.id)


def test_a_batch_still_in_its_first_stage_has_no_transfers_and_all_fish_alive_or_dead():
    from .conftest import BATCHES, make_plan
    plan = make_plan(until=dt.date(2022, 8, 20), batches=BATCHES[2:])
    batch = plan.batches[0]
    rows = simulate_batch(plan, batch.id)
    assert row_counts(rows) == batch.estimated_rows
    assert row_counts(rows)["transfers"] == 0 and row_counts(rows)["feeding_events"] == 0
    c = conservation(rows)
    assert c["eggs"] == c["deaths"] + c["living"] and c["harvested"] == 0
    assert (rows["assignments"]["is_active"] == 1).all()
