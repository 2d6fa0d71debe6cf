"""A batch's whole-life plan cut at ``until``: what the plan shows and the simulation lives.

The compiler projects, draws and allocates every batch over its whole life, as if ``until`` were far
away (trajectory, incidents, delousings, harvest and cull days, containers and their reservations).
``cut`` then keeps what happens on or before ``until``, so a batch's plan does not depend on
``until`` except for being cut at it, and a later ``until`` extends it: ``cut(b, u1)`` equals
``cut(cut(b, u2), u1)`` for ``u1 <= u2``.

A window's ``reserved_until`` keeps the real reservation (a sea area's fallow after the harvest
included): it is the farm's plan for the container, better information than a date capped at
``until``. Nothing else about the future is kept.
"""

from __future__ import annotations

import datetime as dt

from aquadsl.plan.model import BatchPlan, LiceTreatment, StageParams
from aquadsl.sim.shape import window_shapes
from aquadsl.sim.volume import StageStay, estimate_rows

_DAY = dt.timedelta(days=1)


def cut(batch: BatchPlan, until: dt.date, stages: dict[str, StageParams]) -> BatchPlan:
    """``batch`` (a whole-life plan, or one already cut at a later day) as of ``until``."""
    end = until + _DAY
    if batch.end <= end:
        return batch                      # ended (harvested, culled) on or before until: nothing to cut
    windows = tuple(w.model_copy(update={"end": min(w.end, end)}) if w.end > end else w
                    for w in batch.stages if w.start <= until)
    plan = batch.model_copy(update={
        "end": end, "days": (end - batch.start).days, "status": "active", "harvest_date": None, "stages": windows,
        "incidents": tuple(i for i in batch.incidents if i.start <= until),
        "weight_events": tuple(e for e in batch.weight_events if e.date <= until),
        "harvest_days": tuple(h for h in batch.harvest_days if h.date <= until),
        "cull_days": tuple(h for h in batch.cull_days if h.date <= until),
        "lice_treatments": tuple(_treatment(t, until) for t in batch.lice_treatments if t.date <= until),
        "lice_pressure": tuple(p for p in batch.lice_pressure if p.date <= until)})
    return plan.model_copy(update={"estimated_rows": estimate_batch_rows(plan, stages)})


def _treatment(t: LiceTreatment, until: dt.date) -> LiceTreatment:
    """A delousing under way at ``until``: the rings treated by then (the course closes it there)."""
    if all(r.date <= until for r in t.rings):
        return t
    return t.model_copy(update={"rings": tuple(r for r in t.rings if r.date <= until)})


def estimate_batch_rows(plan: BatchPlan, stages: dict) -> dict[str, int]:
    """Rows per table of one batch, from its windows' shapes (the simulation lays them out the same way).

    A batch harvested (or harvesting at ``until``) has one harvest event per harvest day listed."""
    stays = [StageStay(params=stages[w.stage], containers=len(s.container_days), days=s.days,
                       stage_day=s.stage_day, container_days=s.container_days, fed_days=s.fed_days,
                       event_days=s.event_days, ring_events=s.ring_events)
             for w, s in zip(plan.stages, window_shapes(plan, stages))]
    harvested = plan.harvest_date is not None or bool(plan.harvest_days)
    return estimate_rows(stays, harvested, len(plan.harvest_days) if plan.harvest_days else None)
