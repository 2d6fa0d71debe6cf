"""Treatments: on fixed stage days, at weight thresholds, and delousings when lice cross their limit."""

from __future__ import annotations

import numpy as np

from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import Layout, SimulationError, Stay

TYPES = {"vaccinations": "vaccination", "lice_treatments": "lice_treatment"}
NAMES = {
    "vaccinations": ("IPN vaccine", "VHS vaccine", "Multi-component vaccine"),
    "lice_treatments": ("Hydrogen peroxide bath", "Thermal delousing", "Mechanical delousing"),
}


def _dated(layout: Layout, stay: Stay) -> list[tuple[int, str, str, str]]:
    """Weight-triggered treatments and delousings of the window (the shape counted their days)."""
    dated = [(e.date, e.family, NAMES.get(e.family, (e.family,))[0]) for e in layout.batch.weight_events]
    products = NAMES["lice_treatments"]
    dated += [(t.date, "lice_treatments", products[k % len(products)])
              for k, t in enumerate(layout.batch.lice_treatments)]
    out = []
    for date, family, product in dated:
        day = (date - stay.window.start).days
        if 0 <= day < stay.days:
            out.append((day, family, TYPES.get(family, family), product))
    if sorted(e[0] for e in out) != sorted(stay.shape.event_days):
        raise SimulationError(f"stage {stay.params.name}: treatment days differ from the window's shape")
    return out


def treatments(layout: Layout, stay: Stay) -> Columns:
    """Rows ordered by container, then date; the k-th date of a family uses its k-th product."""
    events: list[tuple[int, str, str, str]] = []     # (day in stage, family, type, product)
    for family in sorted(stay.params.at_days):
        if any(d < 0 for d in stay.params.at_days[family]):
            raise SimulationError(f"stage {stay.params.name}: {family} on a negative day")
        offset = stay.stage_day
        products = NAMES.get(family, (family.replace("_", " "),))
        for k, day in enumerate(sorted(stay.params.at_days[family])):
            if offset <= day < offset + stay.days:
                events.append((day - offset, family, TYPES.get(family, family), products[k % len(products)]))
    if stay.shape:
        events.extend(_dated(layout, stay))
    events.sort()
    cols = assigned(layout.batch.id, stay, len(events))
    days = np.array([e[0] for e in events], dtype=np.int64)
    kinds = np.empty(len(events), dtype=object)
    names = np.empty(len(events), dtype=object)
    kinds[:] = [e[2] for e in events]
    names[:] = [e[3] for e in events]
    cols["date"] = np.tile(stay.dates()[days], stay.n)
    cols["treatment_type"] = np.tile(kinds, stay.n)
    cols["name"] = np.tile(names, stay.n)
    return cols
