"""Derived AquaMind shapes: transfer workflows over per-pair actions, egg deliveries sum to the eggs, lice per type."""

from __future__ import annotations

import numpy as np
import pytest

from aquadsl.aquamind.derived import DERIVED_SCHEMA, LICE_TYPES, derived_rows
from aquadsl.sim.frame import DTYPES
from aquadsl.sim.layout import build_layout
from aquadsl.targets.derived import transfer_actions
from tests.sim.conftest import plan, simulated  # noqa: F401 - the shared sim fixtures

LICE_COLUMNS = ("adult_female", "adult_male", "pre_adult", "chalimus", "caligus")


@pytest.fixture(scope="module")
def derived(plan, simulated):
    return {b.id: derived_rows(build_layout(plan, b.id), simulated[b.id]) for b in plan.batches}


def test_columns_follow_the_derived_schema(derived):
    for rows in derived.values():
        for table, columns in DERIVED_SCHEMA.items():
            assert list(rows[table]) == [c for c, _ in columns]
            for column, kind in columns:
                assert rows[table][column].dtype == np.dtype(DTYPES[kind]), (table, column)


def test_each_action_knows_the_fish_left_in_its_source_before_it(simulated):
    for rows in simulated.values():
        acts = transfer_actions(rows)
        assert len(acts["batch_id"]) > 0
        assert (acts["fish_moved"] <= acts["source_population_before"]).all()
        for no in np.unique(acts["source_assignment_no"]):
            mine = np.flatnonzero(acts["source_assignment_no"] == no)
            before, moved = acts["source_population_before"][mine], acts["fish_moved"][mine]
            assert np.array_equal(before[1:], before[:-1] - moved[:-1])
            assert before[-1] == moved[-1]          # the last action empties the source


def test_workflow_totals_match_the_transfers_and_their_actions(simulated, derived):
    for batch_id, rows in simulated.items():
        flows, acts = derived[batch_id]["transfer_workflows"], transfer_actions(rows)
        assert np.array_equal(flows["transferred_count"], rows["transfers"]["fish_moved"])
        assert np.array_equal(flows["source_count"], rows["transfers"]["fish_moved"])
        assert np.array_equal(flows["actions"], np.bincount(acts["transfer_no"])[1:])
        for k, no in enumerate(flows["transfer_no"]):
            mine = acts["transfer_no"] == no
            assert abs(flows["biomass_kg"][k] - acts["biomass_kg"][mine].sum()) < 0.006


def test_egg_deliveries_sum_to_the_batch_eggs(simulated, derived):
    for batch_id, rows in simulated.items():
        flow, acts = derived[batch_id]["creation_workflows"], derived[batch_id]["creation_actions"]
        assert flow["eggs"][0] == rows["batches"]["eggs"][0] == acts["eggs"].sum()
        assert flow["actions"][0] == len(acts["batch_id"]) > 0


def test_lice_per_type_keeps_every_count_and_splits_unsexed_stages(simulated, derived):
    for batch_id, rows in simulated.items():
        lice, long = rows["lice_counts"], derived[batch_id]["lice_by_type"]
        assert len(long["batch_id"]) == len(LICE_TYPES) * len(lice["batch_id"])
        per = long["count"].reshape(-1, len(LICE_TYPES)) if len(lice["batch_id"]) else np.zeros((0, 8))
        for column in LICE_COLUMNS:
            cols = [i for i, t in enumerate(LICE_TYPES) if t[0] == column]
            assert np.array_equal(per[:, cols].sum(axis=1), lice[column])
            if len(cols) == 2:
                assert (np.abs(per[:, cols[0]] - per[:, cols[1]]) <= 1).all()


def test_every_feed_a_feeding_event_names_is_master_data():
    """The feed ladder's pellets are feeds too (a pellet missing from Feed failed every AquaMind batch)."""
    from aquadsl.aquamind.infra import infra_rows
    from aquadsl.compiler import compile_path
    from aquadsl.sim.simulate import simulate_batch
    from aquadsl.targets.families import infra_rows as family_rows
    from tests.conftest import ROOT

    small = compile_path(ROOT / "tests" / "aquamind" / "small.aqs").plan
    named = {str(f) for b in small.batches for f in simulate_batch(small, b.id)["feeding_events"]["feed_name"]}
    assert any(small.parameters.lifecycle.stages[i].pellets for i in range(len(small.parameters.lifecycle.stages)))
    assert named <= {row[0] for row in infra_rows(small, "feed_specs")}
    assert named <= set(family_rows(small, "feeds")["name"])


def test_every_recorded_cause_has_one_aquamind_reason_row_and_no_row_comes_twice():
    """CULL and NATURAL both mean OTHER there: two OTHER rows made the reasons' upsert fail on every load."""
    from aquadsl.aquamind.infra import CAUSES, reason_rows
    from aquadsl.targets.families import VOCABULARIES

    rows = reason_rows()
    reasons = [am for _, am in rows]
    assert len(reasons) == len(set(reasons))
    recorded = {name for names, _ in rows for name in names.split(", ")}
    assert recorded == set(CAUSES) == set(VOCABULARIES[("mortality_events", "cause")])
