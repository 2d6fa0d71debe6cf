"""Pass 6: lower the checked scenario, infrastructure and allocated batches to the Plan."""

from __future__ import annotations

import datetime as dt

from aquadsl.compiler.checked import Checked
from aquadsl.compiler.evaluate import unparse
from aquadsl.compiler.expand import BatchSpec
from aquadsl.compiler.lice_pressure import neighbour_steps
from aquadsl.plan.model import (FORMAT_VERSION, BatchPlan, BatchRules, Infrastructure, Parameters, Plan,
                                PressureStep, Sources, StageWindow)
from aquadsl.plan.cut import cut, estimate_batch_rows  # noqa: F401  (estimate_batch_rows: re-exported)
from aquadsl.sim.lice import DELOUSING, course, presence, settle_factors
from aquadsl.sim.volume import TABLES


def lower(checked: Checked, infra: Infrastructure, batches: list[BatchSpec],
          placed: dict[str, tuple[tuple[StageWindow, ...], BatchSpec]], sources: Sources) -> Plan:
    """The plan: parameters, inventory and every batch with its windows and estimated rows, each batch
    planned over its whole life and cut at ``until``."""
    steps = neighbour_steps(checked.lifecycle, infra, placed, [b.id for b in batches])
    plans = tuple(_batch(checked, placed[b.id][1], placed[b.id][0], steps.get(b.id, ())) for b in batches)
    totals = {t: sum(b.estimated_rows[t] for b in plans) for t in TABLES}
    return Plan(format_version=FORMAT_VERSION, sources=sources, parameters=_parameters(checked),
                infrastructure=infra, batches=plans, estimated_rows=totals)


def _parameters(checked: Checked) -> Parameters:
    rules = checked.batches
    return Parameters(
        scenario=checked.scenario, seed=checked.seed, start=checked.start, until=checked.until,
        until_source=checked.until_source, variables=checked.variables, lifecycle=checked.lifecycle,
        batches=BatchRules(geographies=rules.geographies, counts=rules.counts, stagger_days=rules.stagger_days,
                           stagger_mode=rules.stagger_mode, offsets=rules.offsets, eggs=unparse(rules.eggs),
                           harvest_target_kg=rules.harvest_kg, id_pattern=rules.id_pattern.source))


def _batch(checked: Checked, b: BatchSpec, windows: tuple[StageWindow, ...],
           pressure: tuple[PressureStep, ...]) -> BatchPlan:
    traj = b.trajectory
    culled = bool(b.cull_days)
    harvested = traj.harvest_day is not None and not culled
    end = b.start + dt.timedelta(days=traj.days)
    stages = {s.name: s for s in checked.lifecycle.stages}
    emptied = b.cull_days if culled else b.harvest_days if harvested else ()    # rings leave on these days
    lice = course(checked.lifecycle, checked.seed, b.id, b.start, traj.stage_index, traj.temperature,
                  presence(b.start, windows, emptied), settle_factors(b.start, traj.days, pressure))
    # Delousings again along the final trajectory and the placed rings; their losses go with them (the
    # whole-batch projections of expand are dropped). Incidents after the batch has ended (harvested
    # early or culled) are dropped.
    incidents = tuple(i for i in b.incidents if i.name != DELOUSING and i.start < end)
    plan = BatchPlan(
        id=b.id, index=b.index, geography=b.geography, geo_index=b.geo_index, start=b.start, end=end,
        days=traj.days, status="culled" if culled else "completed" if harvested else "active", eggs=b.eggs,
        harvest_target_kg=b.harvest_target_kg,
        harvest_date=b.start + dt.timedelta(days=traj.harvest_day) if harvested else None,
        stages=windows, estimated_rows={}, growth_factors=b.growth_factors, mortality_factors=b.mortality_factors,
        incidents=incidents, weight_events=tuple(e for e in b.weight_events if e.date < end),
        harvest_days=b.harvest_days if harvested else (), lice_treatments=lice.treatments,
        stage_targets=b.stage_targets, cull_days=b.cull_days, lice_pressure=pressure)
    if plan.end > checked.until + dt.timedelta(days=1):
        return cut(plan, checked.until, stages)        # the whole life, cut at until
    return plan.model_copy(update={"estimated_rows": estimate_batch_rows(plan, stages)})
