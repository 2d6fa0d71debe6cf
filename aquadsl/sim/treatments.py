"""Treatments: on fixed stage days, at weight thresholds, and delousings when lice cross their limit."""

from __future__ import annotations

import numpy as np

from aquadsl.plan.ranges import expand
from aquadsl.sim.frame import Columns, constant
from aquadsl.sim.layout import Layout, SimulationError, Stay

TYPES = {"vaccinations": "vaccination", "lice_treatments": "lice_treatment"}
NAMES = {
    "vaccinations": ("IPN vaccine", "VHS vaccine", "Multi-component vaccine"),
    "lice_treatments": ("Hydrogen peroxide bath", "Thermal delousing", "Mechanical delousing"),
}


def _dated(layout: Layout, stay: Stay) -> list[tuple[int, str, str, str]]:
    """Weight-triggered treatments and whole-batch delousings of the window (the shape counted their days)."""
    dated = [(e.date, e.family, NAMES.get(e.family, (e.family,))[0]) for e in layout.batch.weight_events]
    products = NAMES["lice_treatments"]
    dated += [(t.date, "lice_treatments", products[k % len(products)])
              for k, t in enumerate(layout.batch.lice_treatments) if not t.rings]
    out = []
    for date, family, product in dated:
        day = (date - stay.window.start).days
        if 0 <= day < stay.days:
            out.append((day, family, TYPES.get(family, family), product))
    if sorted(e[0] for e in out) != sorted(stay.shape.event_days):
        raise SimulationError(f"stage {stay.params.name}: treatment days differ from the window's shape")
    return out


def _ring_dated(layout: Layout, stay: Stay) -> list[tuple[int, int, str]]:
    """(container index, window day, product) of each ring's own delousing day in the window."""
    index = {c: k for k, c in enumerate(stay.containers)}
    products = NAMES["lice_treatments"]
    out = []
    for k, t in enumerate(layout.batch.lice_treatments):
        for ring_day in t.rings:
            day = (ring_day.date - stay.window.start).days
            if 0 <= day < stay.days:
                out.extend((index[c], day, products[k % len(products)]) for c in expand(ring_day.containers)
                           if c in index)
    if sorted((c, d) for c, d, _ in out) != list(stay.shape.ring_events):
        raise SimulationError(f"stage {stay.params.name}: delousing days differ from the window's shape")
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
    rings = []
    if stay.shape:
        events.extend(_dated(layout, stay))
        rings = _ring_dated(layout, stay)
    events.sort()
    # every container gets the batch's events; each ring its own delousing days; then by container and day
    container = np.concatenate((np.repeat(np.arange(stay.n), len(events)), [c for c, _, _ in rings])).astype(np.int64)
    day = np.concatenate((np.tile([e[0] for e in events], stay.n), [d for _, d, _ in rings])).astype(np.int64)
    kinds = np.array([e[2] for e in events] * stay.n + [TYPES["lice_treatments"]] * len(rings), dtype=object)
    names = np.array([e[3] for e in events] * stay.n + [p for _, _, p in rings], dtype=object)
    order = np.lexsort((np.arange(len(day)), day, container))
    labels = np.empty(stay.n, dtype=object)
    labels[:] = stay.containers
    return {"batch_id": constant(layout.batch.id, len(day)),
            "assignment_no": stay.first_assignment + container[order], "container": labels[container[order]],
            "date": stay.dates()[day[order]], "treatment_type": kinds[order], "name": names[order]}
