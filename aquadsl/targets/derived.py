"""Derived families, built from a batch's simulated rows by joining them (only when a mapping reads one).

``transfer_actions``: one row per (source container, destination container) pair of every transfer.
Sources (the assignments of the transfer's from-stage, in assignment order) fill destinations (the
to-stage's assignments, in order) one after the other, so each pair's fish come from one source and
go to one destination, every source's ``population_end`` leaves and every destination's
``population_start`` arrives exactly when the two totals agree (the simulation conserves fish).
"""

from __future__ import annotations

import numpy as np

COLUMNS = (("batch_id", "str"), ("transfer_no", "int"), ("action_no", "int"), ("date", "date"),
           ("from_stage", "str"), ("to_stage", "str"), ("source_assignment_no", "int"),
           ("dest_assignment_no", "int"), ("source_container", "str"), ("dest_container", "str"),
           ("fish_moved", "int"), ("avg_weight_g", "float"), ("biomass_kg", "float"),
           ("source_population_before", "int"))


def _pairs(src: list[int], dst: list[int]) -> list[tuple[int, int, int]]:
    """(source index, destination index, fish) filling destinations from sources in order."""
    out, i, j = [], 0, 0
    left_src = list(src)
    left_dst = list(dst)
    while i < len(src) and j < len(dst):
        moved = min(left_src[i], left_dst[j])
        if moved > 0:
            out.append((i, j, moved))
        left_src[i] -= moved
        left_dst[j] -= moved
        if left_src[i] == 0:
            i += 1
        if left_dst[j] == 0:
            j += 1
    return out


def transfer_actions(rows: dict) -> dict[str, np.ndarray]:
    """The transfer_actions rows of one batch (columns as in COLUMNS)."""
    t, a = rows["transfers"], rows["assignments"]
    out: dict[str, list] = {name: [] for name, _ in COLUMNS}
    for k in range(len(t["transfer_no"])):
        src = np.flatnonzero(a["stage"] == t["from_stage"][k])
        dst = np.flatnonzero(a["stage"] == t["to_stage"][k])
        pairs = _pairs([int(a["population_end"][i]) for i in src], [int(a["population_start"][j]) for j in dst])
        left = [int(a["population_end"][i]) for i in src]     # fish still in each source before its action
        for n, (i, j, moved) in enumerate(pairs, 1):
            s, d = src[i], dst[j]
            weight = float(t["avg_weight_g"][k])
            for name, value in (("batch_id", t["batch_id"][k]), ("transfer_no", int(t["transfer_no"][k])),
                                ("action_no", n), ("date", t["date"][k]), ("from_stage", t["from_stage"][k]),
                                ("to_stage", t["to_stage"][k]),
                                ("source_assignment_no", int(a["assignment_no"][s])),
                                ("dest_assignment_no", int(a["assignment_no"][d])),
                                ("source_container", a["container"][s]), ("dest_container", a["container"][d]),
                                ("fish_moved", moved), ("avg_weight_g", weight),
                                ("biomass_kg", round(moved * weight / 1000.0, 3)),
                                ("source_population_before", left[i])):
                out[name].append(value)
            left[i] -= moved
    types = dict(COLUMNS)
    return {name: np.asarray(values, dtype=_dtype(types[name])) for name, values in out.items()}


def _dtype(kind: str):
    return {"str": object, "int": np.int64, "float": np.float64, "date": "datetime64[D]"}[kind]
