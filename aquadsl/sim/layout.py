"""A batch's stays laid out for simulation: stage windows checked against the growth trajectory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import BatchPlan, Plan, StageParams, StageWindow
from aquadsl.sim.growth import OPEN_END, Trajectory, early_harvest_day, hold_from, project
from aquadsl.sim.sites import stage_offsets
from aquadsl.sim.lice import LiceCourse, course, presence, settle_factors
from aquadsl.sim.shape import WindowShape, window_shapes


class SimulationError(ValueError):
    """A plan that the simulation cannot reproduce (inconsistent windows, trajectory or bounds)."""


@dataclass(frozen=True)
class Stay:
    """One entered stage window: its parameters, containers and lived days (batch-day offsets)."""

    index: int                    # position among the entered windows (0-based)
    params: StageParams
    window: StageWindow
    containers: list[str]
    first_day: int                # batch day of window.start
    days: int                     # lived days in the window
    first_assignment: int         # assignment_no of the first container (1-based)
    weight: np.ndarray            # end-of-day weight (g), one per lived day
    prev_weight: np.ndarray       # weight at the start of each lived day
    temperature: np.ndarray       # water temperature (°C) per lived day
    shape: WindowShape | None = None

    @property
    def n(self) -> int:
        return len(self.containers)

    @property
    def stage_day(self) -> int:
        return self.shape.stage_day if self.shape else 0

    @property
    def ragged(self) -> bool:
        """Whether some container leaves before the window's last day, or goes unfed (harvest)."""
        return bool(self.shape and (min(self.shape.fed_days) < self.days or min(self.shape.container_days) < self.days))

    def lived(self) -> np.ndarray:
        """Lived days per container."""
        return np.array(self.shape.container_days if self.shape else (self.days,) * self.n, dtype=np.int64)

    def fed(self) -> np.ndarray:
        """Fed days per container (feed is withdrawn before harvest)."""
        return np.array(self.shape.fed_days if self.shape else (self.days,) * self.n, dtype=np.int64)

    @property
    def day_index(self) -> np.ndarray:
        """Batch days (0-based) of this stay, in order."""
        return np.arange(self.first_day, self.first_day + self.days, dtype=np.int64)

    def dates(self) -> np.ndarray:
        """Calendar dates of the lived days (datetime64[D])."""
        return np.datetime64(self.window.start, "D") + np.arange(self.days)


@dataclass(frozen=True)
class Layout:
    """Everything a batch's event families need: the batch, its trajectory and its stays."""

    plan: Plan
    batch: BatchPlan
    trajectory: Trajectory
    stays: tuple[Stay, ...]
    lice: LiceCourse | None = None   # when a stage declares lice dynamics

    @property
    def harvested(self) -> bool:
        return self.batch.harvest_date is not None

    @property
    def ended(self) -> bool:
        """Harvested or culled: no fish left, the assignments closed."""
        return self.harvested or self.batch.status == "culled"


def trajectory_for(plan: Plan, batch: BatchPlan) -> Trajectory:
    """The deterministic growth trajectory, computed exactly as the compiler does."""
    until = plan.parameters.until
    if batch.cull_days:
        end = batch.days - 1     # grown like a harvest ending on the last cull day, but nothing harvested
    elif batch.harvest_days or batch.status == "active" and _open_ended(plan):
        end = (batch.harvest_date - batch.start).days if batch.harvest_date else OPEN_END
    else:
        end = None
    geo = plan.geography(batch.geography)
    traj = project(plan.parameters.lifecycle, geo.temperature, batch.start,
                   batch.harvest_target_kg * 1000.0, (until - batch.start).days + 1, batch.growth_factors,
                   end, plan.parameters.seed, batch.geography, batch.stage_targets, stage_offsets(geo, batch.stages))
    traj = hold_from(traj, early_harvest_day(batch.start, batch.incidents))
    return dataclasses.replace(traj, harvest_day=None) if batch.cull_days else traj


def _open_ended(plan: Plan) -> bool:
    """Plans with a harvest capacity keep active batches growing past their target until ``until``."""
    return plan.parameters.lifecycle.stages[-1].harvest_t_per_day is not None


def build_layout(plan: Plan, batch_id: str) -> Layout:
    """Check the batch's windows against its trajectory and the plan's bounds, and lay them out."""
    try:
        batch = plan.batch(batch_id)
    except KeyError:
        raise SimulationError(f"batch {batch_id!r} is not in the plan") from None
    traj = trajectory_for(plan, batch)
    _check_harvest(batch, traj)
    stages = {s.name: (i, s) for i, s in enumerate(plan.parameters.lifecycle.stages)}
    weights = np.concatenate(([plan.parameters.lifecycle.start_weight_g], traj.weight_g))
    stays: list[Stay] = []
    next_assignment, expected_start = 1, batch.start
    shapes = window_shapes(batch, {s.name: s for s in plan.parameters.lifecycle.stages})
    for window, shape in zip(batch.stages, shapes):
        days = (window.end - window.start).days
        if days <= 0:
            continue
        if window.stage not in stages:
            raise SimulationError(f"batch {batch.id}: unknown stage {window.stage!r} in its windows")
        order, params = stages[window.stage]
        first = (window.start - batch.start).days
        _check_window(plan, batch, traj, window, order, first, days, expected_start)
        names = window.container_names()
        stays.append(Stay(len(stays), params, window, names, first, days, next_assignment,
                          weights[first + 1:first + 1 + days], weights[first:first + days],
                          traj.temperature[first:first + days], shape))
        next_assignment += len(names)
        expected_start = window.end
    if not stays:
        raise SimulationError(f"batch {batch.id} has no lived days")
    if stays[-1].first_day + stays[-1].days != traj.days:
        raise SimulationError(f"batch {batch.id}: its windows cover {stays[-1].first_day + stays[-1].days} "
                              f"days but its growth trajectory has {traj.days}")
    return Layout(plan, batch, traj, tuple(stays), _lice(plan, batch, traj))


def _lice(plan: Plan, batch: BatchPlan, traj: Trajectory) -> LiceCourse | None:
    """The batch's lice curve; its delousings must be the plan's (else the plan is stale or edited)."""
    life = plan.parameters.lifecycle
    if all(s.lice is None for s in life.stages):
        if batch.lice_treatments:
            raise SimulationError(f"batch {batch.id}: the plan lists delousings but no stage has lice dynamics")
        return None
    lice = course(life, plan.parameters.seed, batch.id, batch.start, traj.stage_index, traj.temperature,
                  presence(batch.start, batch.stages, batch.harvest_days or batch.cull_days),
                  settle_factors(batch.start, traj.days, batch.lice_pressure), levels=True)
    if lice.treatments != batch.lice_treatments:
        raise SimulationError(f"batch {batch.id}: the plan lists {len(batch.lice_treatments)} delousing(s) but its "
                              f"lice curve gives {len(lice.treatments)}; the plan is stale or was edited by hand")
    return lice


def _check_harvest(batch: BatchPlan, traj: Trajectory) -> None:
    projected = None if traj.harvest_day is None else batch.start + dt.timedelta(days=traj.harvest_day)
    if projected != batch.harvest_date:
        raise SimulationError(f"batch {batch.id}: the plan says harvest on {batch.harvest_date} but growth "
                              f"projects {projected}; the plan is stale or was edited by hand")
    if (batch.status == "completed") != (batch.harvest_date is not None):
        raise SimulationError(f"batch {batch.id}: status {batch.status!r} does not match its harvest date "
                              f"{batch.harvest_date}")


def _check_window(plan: Plan, batch: BatchPlan, traj: Trajectory, window: StageWindow, order: int,
                  first: int, days: int, expected_start: dt.date) -> None:
    where = f"batch {batch.id}, stage {window.stage}"
    if window.start != expected_start:
        raise SimulationError(f"{where}: window starts {window.start}, expected {expected_start} "
                              "(windows must follow each other without gaps)")
    if window.end > plan.parameters.until + dt.timedelta(days=1):
        raise SimulationError(f"{where}: window ends {window.end}, after the plan's until date")
    if first + days > traj.days or np.any(traj.stage_index[first:first + days] != order):
        raise SimulationError(f"{where}: window {window.start}..{window.end} disagrees with the growth "
                              "trajectory's stage days")
    if not window.container_names():
        raise SimulationError(f"{where}: the window holds no containers")
