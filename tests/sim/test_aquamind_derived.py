"""Derived AquaMind shapes: transfer actions conserve fish per container, egg deliveries sum to the eggs, lice per type."""

from __future__ import annotations

import numpy as np
import pytest

from aquadsl.sim.aquamind_derived import DERIVED_SCHEMA, LICE_TYPES, derived_rows
from aquadsl.sim.frame import DTYPES
from aquadsl.sim.layout import build_layout

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


def test_every_source_sends_its_departing_fish_and_every_destination_gets_its_arrivals(simulated, derived):
    for batch_id, rows in simulated.items():
        a, acts = rows["assignments"], derived[batch_id]["transfer_actions"]
        assert len(acts["batch_id"]) > 0
        sent = np.bincount(acts["assignment_no"], acts["transferred_count"], minlength=a["assignment_no"].max() + 1)
        got = np.bincount(acts["dest_assignment_no"], acts["transferred_count"],
                          minlength=a["assignment_no"].max() + 1)
        for i, no in enumerate(a["assignment_no"]):
            if not np.isnat(a["end_date"][i]) and a["end_date"][i] in rows["transfers"]["date"]:
                assert sent[no] == a["population_end"][i]
            if a["start_date"][i] in rows["transfers"]["date"]:
                assert got[no] == a["population_start"][i]
        assert (acts["transferred_count"] > 0).all()
        assert (acts["transferred_count"] <= acts["source_population_before"]).all()


def test_workflow_totals_match_the_transfers_and_their_actions(simulated, derived):
    for batch_id, rows in simulated.items():
        flows, acts = derived[batch_id]["transfer_workflows"], derived[batch_id]["transfer_actions"]
        assert np.array_equal(flows["transferred_count"], rows["transfers"]["fish_moved"])
        assert np.array_equal(flows["actions"], np.bincount(acts["transfer_no"])[1:])
        for k, no in enumerate(flows["transfer_no"]):
            mine = acts["transfer_no"] == no
            assert np.array_equal(acts["action_no"][mine], np.arange(1, mine.sum() + 1))
            assert abs(flows["biomass_kg"][k] - acts["transferred_biomass_kg"][mine].sum()) < 1e-6


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
