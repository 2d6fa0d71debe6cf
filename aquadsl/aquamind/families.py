"""The AquaMind target's row families, registered for mappings: per-batch extras and derived shapes, master data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from aquadsl.aquamind.infra import INFRA_SCHEMA, infra_rows
from aquadsl.plan.model import Plan
from aquadsl.aquamind.derived import DERIVED_SCHEMA, derived_rows
from aquadsl.sim.extra_aquamind import EXTRA_SCHEMA, extra_rows
from aquadsl.sim.frame import BatchRows, Columns
from aquadsl.sim.layout import Layout, build_layout
from aquadsl.sim.schema import SCHEMA

STATE_SCHEMA = {
    "batch_states": SCHEMA["batches"] + (("stage", "str"), ("last_day", "date")),
    "assignment_states": SCHEMA["assignments"] + (("last_weighing_date", "date"),),
    "harvests": SCHEMA["harvest_events"] + (("geography_label", "str"), ("document_ref", "str")),
    "harvest_lots_by_event": SCHEMA["harvest_lots"] + (("event_no", "int"),),
}


@dataclass(frozen=True)
class Family:
    kind: str                                  # "batch" (rows per batch) or "infra" (from the plan)
    columns: tuple[tuple[str, str], ...]


FAMILIES: dict[str, Family] = {
    **{name: Family("batch", cols) for name, cols in {**EXTRA_SCHEMA, **DERIVED_SCHEMA, **STATE_SCHEMA}.items()},
    **{name: Family("infra", cols) for name, cols in INFRA_SCHEMA.items()},
}


def _states(plan: Plan, layout: Layout, rows: BatchRows) -> BatchRows:
    b, a, g = rows["batches"], rows["assignments"], rows["growth_samples"]
    batch = dict(b)
    batch["stage"] = a["stage"][-1:].copy() if len(a["stage"]) else np.array([""], dtype=object)
    # the last day with fish: the harvest date, or a culled batch's last cull day (end_date is exclusive)
    batch["last_day"] = np.where(np.isnat(b["harvest_date"]), b["end_date"] - np.timedelta64(1, "D"),
                                 b["harvest_date"]).astype("datetime64[D]")
    assign = dict(a)
    days = np.sort(g["date"])
    end = np.where(np.isnat(a["end_date"]), np.datetime64("9999-12-31"), a["end_date"])
    last = np.searchsorted(days, end, side="left") - 1          # the last sample before departure
    ok = (last >= 0) & (days[np.maximum(last, 0)] >= a["start_date"]) if len(days) else np.zeros(len(end), bool)
    assign["last_weighing_date"] = np.where(ok, days[np.maximum(last, 0)] if len(days) else end, np.datetime64("NaT"))
    assign["last_weighing_date"] = assign["last_weighing_date"].astype("datetime64[D]")
    return {"batch_states": batch, "assignment_states": assign, **_harvests(plan, layout, rows)}


def _harvests(plan: Plan, layout: Layout, rows: BatchRows) -> BatchRows:
    ev, lots = dict(rows["harvest_events"]), dict(rows["harvest_lots"])
    label = plan.geography(layout.batch.geography).label
    n = len(ev["batch_id"])
    ev["geography_label"] = np.array([label] * n, dtype=object)
    ev["document_ref"] = np.array([f"HRV-{b}-{c}" for b, c in zip(ev["batch_id"], ev["container"])], dtype=object)
    where = {int(no): i + 1 for i, no in enumerate(ev["assignment_no"])}
    lots["event_no"] = np.array([where[int(no)] for no in lots["assignment_no"]], dtype=np.int64)
    return {"harvests": ev, "harvest_lots_by_event": lots}


_BUILDERS: tuple[tuple[frozenset, Callable], ...] = (
    (frozenset(EXTRA_SCHEMA), lambda plan, layout, rows: extra_rows(layout, rows)),
    (frozenset(DERIVED_SCHEMA), lambda plan, layout, rows: derived_rows(layout, rows)),
    (frozenset(STATE_SCHEMA), _states),
)


def batch_rows(plan: Plan, batch_id: str, rows: BatchRows, names) -> BatchRows:
    """The named AquaMind batch families of one simulated batch (only the groups asked for are built)."""
    wanted = set(names) & {n for n, f in FAMILIES.items() if f.kind == "batch"}
    if not wanted:
        return {}
    layout = build_layout(plan, batch_id)
    out: BatchRows = {}
    for group, build in _BUILDERS:
        if wanted & group:
            out.update({k: v for k, v in build(plan, layout, rows).items() if k in wanted})
    return out


def infra_columns(plan: Plan, family: str) -> dict[str, list]:
    """A master-data family column-wise, in plan order."""
    names = [c for c, _ in INFRA_SCHEMA[family]]
    rows = infra_rows(plan, family)
    return {c: [r[i] for r in rows] for i, c in enumerate(names)}


def check_types(table: str, cols: Columns) -> None:
    """Columns in the family's order (a guard for builders that assemble dicts by hand)."""
    wanted = [c for c, _ in FAMILIES[table].columns]
    if list(cols) != wanted:
        raise ValueError(f"{table}: columns {list(cols)} differ from {wanted}")


# Fixed value sets of the provided text columns (what `check` proves value maps and choices against).
VOCABULARIES = {
    ("kinds", "category"): ("PEN", "TANK", "TRAY"),
    ("sensors", "sensor_type"): ("CO2", "OTHER", "OXYGEN", "PH", "SALINITY", "TEMPERATURE"),
    ("feed_specs", "size_category"): ("LARGE", "MEDIUM", "MICRO", "SMALL"),
    ("fresh_stores", "store_type"): ("SILO",),
    ("sea_stores", "store_type"): ("BARGE",),
    ("lice_by_type", "gender"): ("female", "male"),
    ("causes", "am_cause"): ("DISEASE", "ENVIRONMENTAL", "HANDLING", "OTHER", "PREDATION", "UNKNOWN"),
}
# Largest magnitudes of provided numeric columns (for the numeric(p, s) check).
BOUNDS = {"capacity_kg": 1e7, "unit_max_biomass_kg": 1e9, "container_max_biomass_kg": 1e7, "pellet_mm": 100.0,
          "quantity_kg": 1e7, "cost_per_kg": 100.0, "transferred_biomass_kg": 1e7, "weight_g": 20_000.0,
          "length_cm": 200.0}
# Provided families that repeat a simulation family row for row, in order: ref(batches)/ref(assignments)
# give the ids of rows loaded from them.
ALIASES = {"batch_states": "batches", "assignment_states": "assignments"}
