"""Families derived from a batch's rows in AquaMind's shapes: transfer workflows, egg deliveries, lice per type."""

from __future__ import annotations

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.frame import DTYPES, BatchRows, Columns
from aquadsl.sim.layout import Layout
from aquadsl.sim.schema import Columns as SchemaColumns

DERIVED_SCHEMA: dict[str, SchemaColumns] = {
    "transfer_workflows": (
        ("batch_id", "str"), ("transfer_no", "int"), ("date", "date"), ("from_stage", "str"), ("to_stage", "str"),
        ("source_count", "int"), ("transferred_count", "int"), ("biomass_kg", "float"), ("actions", "int"),
    ),
    "creation_workflows": (
        ("batch_id", "str"), ("date", "date"), ("eggs", "int"), ("actions", "int"),
    ),
    "creation_actions": (
        ("batch_id", "str"), ("workflow_no", "int"), ("action_no", "int"), ("date", "date"), ("assignment_no", "int"), ("container", "str"),
        ("eggs", "int"),
    ),
    "lice_by_type": (
        ("batch_id", "str"), ("assignment_no", "int"), ("container", "str"), ("date", "date"),
        ("fish_sampled", "int"), ("species", "str"), ("gender", "str"), ("stage", "str"), ("count", "int"),
    ),
}

# aquadsl's lice columns -> (species, gender, development stage) of AquaMind's lice types. Counts that
# aquadsl does not sex (pre-adults, chalimus, Caligus) are split between female and male.
LICE_TYPES = (
    ("adult_female", "Lepeophtheirus salmonis", "female", "adult"),
    ("adult_male", "Lepeophtheirus salmonis", "male", "adult"),
    ("pre_adult", "Lepeophtheirus salmonis", "female", "pre-adult"),
    ("pre_adult", "Lepeophtheirus salmonis", "male", "pre-adult"),
    ("chalimus", "Lepeophtheirus salmonis", "female", "chalimus"),
    ("chalimus", "Lepeophtheirus salmonis", "male", "chalimus"),
    ("caligus", "Caligus elongatus", "female", "adult"),
    ("caligus", "Caligus elongatus", "male", "adult"),
)


def _typed(table: str, rows: list[tuple]) -> Columns:
    out: Columns = {}
    for i, (column, kind) in enumerate(DERIVED_SCHEMA[table]):
        values = [r[i] for r in rows]
        out[column] = np.array(values, dtype=object) if kind == "str" else np.array(values, dtype=DTYPES[kind])
        if kind != "str" and not values:
            out[column] = np.empty(0, dtype=DTYPES[kind])
    return out


def transfer_workflows(actions: Columns) -> Columns:
    """One workflow per stage change, totalled over its per-container-pair actions.

    ``actions`` is the targets' derived family transfer_actions (aquadsl.targets.derived), which pairs
    sources and destinations so every container's departing and arriving fish are conserved.
    """
    rows = []
    for no in np.unique(actions["transfer_no"]):
        mine = np.flatnonzero(actions["transfer_no"] == no)
        first = mine[0]
        sources = np.unique(actions["source_assignment_no"][mine], return_index=True)[1]
        rows.append((actions["batch_id"][first], int(no), actions["date"][first], actions["from_stage"][first],
                     actions["to_stage"][first], int(actions["source_population_before"][mine][sources].sum()),
                     int(actions["fish_moved"][mine].sum()), round(float(actions["biomass_kg"][mine].sum()), 2),
                     len(mine)))
    return _typed("transfer_workflows", rows)


def creation(rows: BatchRows) -> tuple[Columns, Columns]:
    """The batch's egg delivery: one workflow, one action per first-stage container with the eggs it got."""
    a, b = rows["assignments"], rows["batches"]
    first = np.flatnonzero(a["start_date"] == b["start_date"][0])
    actions = [(b["batch_id"][0], 1, no, b["start_date"][0], int(a["assignment_no"][i]), a["container"][i],
                int(a["population_start"][i])) for no, i in enumerate(first, start=1)]
    flow = [(b["batch_id"][0], b["start_date"][0], int(a["population_start"][first].sum()), len(actions))]
    return _typed("creation_workflows", flow), _typed("creation_actions", actions)


def lice_by_type(layout: Layout, rows: BatchRows) -> Columns:
    """Each lice count as one row per AquaMind lice type; unsexed stages split female/male (seeded)."""
    lice = rows["lice_counts"]
    n = len(lice["batch_id"])
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "lice_split"),
                      sorted(set(lice["container"].tolist())) or ["-"])
    index = {c: i for i, c in enumerate(sorted(set(lice["container"].tolist())))}
    day = (lice["date"] - np.datetime64(layout.batch.start, "D")).astype(np.int64)
    keys = rng.keys(base[[index[c] for c in lice["container"]]] if n else np.zeros(0, np.uint64), day)
    odd_to_female = rng.uniform(keys) < 0.5
    counts = []
    for column, _, gender, _ in LICE_TYPES:
        total = lice[column]
        if column in ("adult_female", "adult_male"):
            counts.append(total)
            continue
        female = total // 2 + (total % 2) * odd_to_female
        counts.append(female if gender == "female" else total - female)
    k = len(LICE_TYPES)
    cols = {c: np.repeat(lice[c], k) for c in ("batch_id", "assignment_no", "container", "date", "fish_sampled")}
    cols["species"] = np.tile(np.array([t[1] for t in LICE_TYPES], dtype=object), n)
    cols["gender"] = np.tile(np.array([t[2] for t in LICE_TYPES], dtype=object), n)
    cols["stage"] = np.tile(np.array([t[3] for t in LICE_TYPES], dtype=object), n)
    cols["count"] = np.stack(counts, axis=1).ravel().astype(np.int64) if n else np.empty(0, np.int64)
    return cols


def derived_rows(layout: Layout, rows: BatchRows) -> BatchRows:
    """Every derived family of one simulated batch."""
    from aquadsl.targets.derived import transfer_actions

    eggs, deliveries = creation(rows)
    return {"transfer_workflows": transfer_workflows(transfer_actions(rows)), "creation_workflows": eggs,
            "creation_actions": deliveries, "lice_by_type": lice_by_type(layout, rows)}
