"""Treatments on fixed stage days: vaccinations and sea-lice treatments, one per container."""

from __future__ import annotations

import datetime as dt

import numpy as np

from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import Layout, SimulationError, Stay

TYPES = {"vaccinations": "vaccination", "lice_treatments": "lice_treatment"}
NAMES = {
    "vaccinations": ("IPN vaccine", "VHS vaccine", "Multi-component vaccine"),
    "lice_treatments": ("Hydrogen peroxide bath", "Thermal delousing", "Mechanical delousing"),
}


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
        families = {e.date: e.family for e in layout.batch.weight_events}
        for day in stay.shape.event_days:
            family = families[stay.window.start + dt.timedelta(days=day)]
            events.append((day, family, TYPES.get(family, family), NAMES.get(family, (family,))[0]))
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
