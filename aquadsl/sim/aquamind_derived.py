"""Families derived from a batch's rows in AquaMind's shapes: transfer and egg-delivery actions, lice per type."""

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
    "transfer_actions": (
        ("batch_id", "str"), ("transfer_no", "int"), ("action_no", "int"), ("date", "date"),
        ("assignment_no", "int"), ("container", "str"), ("dest_assignment_no", "int"), ("dest_container", "str"),
        ("source_population_before", "int"), ("transferred_count", "int"), ("transferred_biomass_kg", "float"),
        ("avg_weight_g", "float"),
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


def _pairs(sources: list[int], dests: list[int]) -> list[tuple[int, int, int]]:
    """(source index, dest index, fish) moving fish in order so each source empties and each dest fills."""
    out, i, j = [], 0, 0
    left_s, left_d = list(sources), list(dests)
    while i < len(left_s) and j < len(left_d):
        n = min(left_s[i], left_d[j])
        if n > 0:
            out.append((i, j, n))
        left_s[i] -= n
        left_d[j] -= n
        if left_s[i] == 0:
            i += 1
        if j < len(left_d) and left_d[j] == 0:
            j += 1
    return out


def transfers(rows: BatchRows) -> tuple[Columns, Columns]:
    """One workflow per stage change and one action per (source, destination) container pair.

    Sources are the from-stage assignments ending on the transfer day, destinations the to-stage ones
    starting that day; fish move in assignment order, so every source sends exactly its departing count
    and every destination receives exactly its arriving count.
    """
    a, t = rows["assignments"], rows["transfers"]
    flows, actions = [], []
    for k in range(len(t["transfer_no"])):
        day = t["date"][k]
        src = np.flatnonzero((a["stage"] == t["from_stage"][k]) & (a["end_date"] == day))
        dst = np.flatnonzero((a["stage"] == t["to_stage"][k]) & (a["start_date"] == day))
        pairs = _pairs([int(a["population_end"][i]) for i in src], [int(a["population_start"][j]) for j in dst])
        before = {int(i): int(a["population_end"][i]) for i in src}
        mass = 0.0
        for no, (si, dj, n) in enumerate(pairs, start=1):
            s, d = src[si], dst[dj]
            weight = round(float(a["avg_weight_end_g"][s]), 2)
            kg = round(n * weight / 1000.0, 2)
            mass += kg
            actions.append((t["batch_id"][k], int(t["transfer_no"][k]), no, day, int(a["assignment_no"][s]),
                            a["container"][s], int(a["assignment_no"][d]), a["container"][d], before[int(s)], n,
                            kg, weight))
            before[int(s)] -= n
        flows.append((t["batch_id"][k], int(t["transfer_no"][k]), day, t["from_stage"][k], t["to_stage"][k],
                      int(a["population_end"][src].sum()), sum(p[2] for p in pairs), round(mass, 2), len(pairs)))
    return _typed("transfer_workflows", flows), _typed("transfer_actions", actions)


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
    flows, actions = transfers(rows)
    eggs, deliveries = creation(rows)
    return {"transfer_workflows": flows, "transfer_actions": actions, "creation_workflows": eggs,
            "creation_actions": deliveries, "lice_by_type": lice_by_type(layout, rows)}
