"""Sea phase planning: rings by expected biomass (splitting as fish grow) and harvest days by capacity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from aquadsl.compiler import living
from aquadsl.compiler.checked import Checked
from aquadsl.compiler.expand import BatchSpec
from aquadsl.compiler.limits import FILL, Limit  # noqa: F401  (FILL: re-exported)
from aquadsl.plan.model import GeographyPlan, HarvestDay, Infrastructure, StageParams, StageWindow
from aquadsl.plan.ranges import compress, expand
from aquadsl.sim.growth import OPEN_END, hold_from, project

LOOKAHEAD = 90       # a split makes room for the next 90 days of growth
FREEZE = 14          # no split in the last two weeks before harvest starts (rings are emptied one by one)
MAX_ROUNDS = 10


@dataclass(frozen=True)
class SeaPlan:
    batch: BatchSpec                                 # with its final trajectory
    phases: dict[str, tuple[tuple[int, int], ...]]   # sea stage -> (batch day, rings) per split
    most: int = 0                                    # rings needed at most
    detail: str = ""                                 # why a sea area cannot hold the batch
    harvest: tuple[tuple[int, dt.date, float], ...] = ()   # (ring index, date, share)
    cull: bool = False                               # the harvest days are cull days (an incident's response)
    responded: bool = False                          # an incident moved the harvest or culls the batch


def plan_sea(batch: BatchSpec, checked: Checked, geo: GeographyPlan, infra: Infrastructure,
             offsets: dict[str, float] | None = None) -> SeaPlan:
    """The batch's final trajectory, ring counts per sea stage and its harvest days (``offsets``: °C per
    sea stage, of the sea areas tried for it; ``batch`` is already projected with them)."""
    life = checked.lifecycle
    sea = [i for i, s in enumerate(life.stages) if s.water == "sea"]
    if not sea or not geo.sea_areas:
        return SeaPlan(batch, {})
    cap = Limit.of(infra.container_kinds[geo.sea_areas[0].kind])     # biomass and fish per ring, at FILL
    area_rings = max(len(expand(a.rings)) for a in geo.sea_areas)
    last = life.stages[-1]
    h0 = batch.trajectory.harvest_day
    if last.harvest_t_per_day is not None and last.water == "sea":
        available = living.LIFE_DAYS
        chosen = living.response(life, batch.start, batch.trajectory, batch.incidents, available)
        if chosen is not None:
            hold = (chosen[2].start - batch.start).days if chosen[0] == "early_harvest" else None
            held = dataclasses.replace(batch, trajectory=hold_from(batch.trajectory, hold))
            plan = _settle(held, checked, geo, sea, cap, area_rings, chosen[1], hold, offsets)
            if plan.harvest or plan.detail:    # else it would not end by until: the batch stays at sea
                return _responded(plan, *chosen)
    if last.harvest_t_per_day is None or last.water != "sea" or h0 is None:
        return _phases_for(batch, checked, sea, cap, area_rings, None, ())
    return _settle(batch, checked, geo, sea, cap, area_rings, h0, offsets=offsets)


def _responded(plan: SeaPlan, kind: str, first: int, incident) -> SeaPlan:
    """The plan of a batch harvested early or culled: the incident that did it carries its response."""
    marked = tuple(i if i is not incident else i.model_copy(update={"response": kind}) for i in plan.batch.incidents)
    batch = dataclasses.replace(plan.batch, incidents=marked)
    return dataclasses.replace(plan, batch=batch, cull=kind == "cull", responded=True)


def _settle(batch: BatchSpec, checked: Checked, geo: GeographyPlan, sea: list[int], cap: Limit, area_rings: int,
            h0: int, hold: int | None = None, offsets: dict[str, float] | None = None) -> SeaPlan:
    """Rings and harvest days from day ``h0``, iterated until the ring count the harvest needs settles."""
    life = checked.lifecycle
    rings = 1
    for _ in range(MAX_ROUNDS):
        traj, harvest = _harvest_trajectory(batch, checked, geo, h0, rings, cap, offsets)
        traj = hold_from(traj, hold)     # an early harvest: the sick fish stop growing
        planned = dataclasses.replace(batch, trajectory=traj)
        plan = _phases_for(planned, checked, sea, cap, area_rings, h0 if harvest else None, harvest)
        final = plan.phases[life.stages[-1].name][-1][1] if plan.phases.get(life.stages[-1].name) else rings
        if plan.detail or not harvest or final <= rings:
            return plan
        rings = final
    return dataclasses.replace(plan, detail=f"its harvest plan does not settle on a ring count (last {rings})")


def _harvest_trajectory(batch: BatchSpec, checked: Checked, geo: GeographyPlan, h0: int, rings: int, cap: Limit,
                        offsets: dict[str, float] | None = None):
    """Grow through a harvest of ``rings`` rings from day ``h0``; (trajectory, harvest) or (open, ())."""
    life = checked.lifecycle
    fish = living.expected_fish(life, batch.eggs, batch.trajectory, batch.start, batch.mortality_factors,
                                batch.incidents)
    mass = fish * batch.trajectory.weight_g / 1000.0
    rings = max(rings, cap.count(mass[h0], fish[h0]))
    per_ring = max(1, math.ceil(mass[h0] / rings / (life.stages[-1].harvest_t_per_day * 1000.0)))
    dates = living.working_days(batch.start + dt.timedelta(days=h0), per_ring * rings)
    end = (dates[-1] - batch.start).days
    available = living.LIFE_DAYS
    args = (life, geo.temperature, batch.start, batch.harvest_target_kg * 1000.0, available, batch.growth_factors)
    if end >= available:
        return project(*args, OPEN_END, checked.seed, batch.geography, batch.stage_targets, offsets), ()
    harvest = tuple((j, dates[j * per_ring + k], round(1.0 / (per_ring - k), 6))
                    for j in range(rings) for k in range(per_ring))
    return project(*args, end, checked.seed, batch.geography, batch.stage_targets, offsets), harvest


def _phases_for(batch: BatchSpec, checked: Checked, sea: list[int], cap: Limit, area_rings: int,
                h0: int | None, harvest: tuple) -> SeaPlan:
    life, traj = checked.lifecycle, batch.trajectory
    fish = living.expected_fish(life, batch.eggs, traj, batch.start, batch.mortality_factors, batch.incidents)
    mass = fish * traj.weight_g / 1000.0
    needs = cap.needs(mass, fish)          # rings each day's expected biomass and fish count need
    phases, most = {}, 0
    harvest_rings = 1 + max((j for j, _, _ in harvest), default=-1)
    for i in sea:
        days = np.nonzero(traj.stage_index == i)[0]
        if not len(days):
            continue
        stage = life.stages[i]
        lo, hi = int(days[0]), int(days[-1]) + 1
        plan = _splits(needs, lo, hi, min(stage.rings or (1,)), h0 if i == sea[-1] else None)
        if harvest and i == len(life.stages) - 1 and plan[-1][1] < harvest_rings:
            plan[-1] = (plan[-1][0], harvest_rings)
        phases[stage.name] = tuple(plan)
        top = max(r for _, r in plan)
        if top > area_rings and not most > area_rings:
            day = next(d for d, r in plan if r == top)
            why = cap.why(float(mass[day:hi].max()), float(fish[day:hi].max()), top, "rings")
            return SeaPlan(batch, phases, top, (
                f"from {batch.start + dt.timedelta(days=day)} {why}, more than a sea area's {area_rings} rings"))
        most = max(most, top)
    return SeaPlan(batch, phases, most, "", harvest)


def _splits(needs: np.ndarray, lo: int, hi: int, minimum: int, h0: int | None) -> list[tuple[int, int]]:
    """(first batch day, rings) of each split: more rings whenever the expected biomass or fish count
    needs them (``needs``: rings needed on each batch day)."""
    need = lambda a, b: int(needs[a:b].max())  # noqa: E731
    freeze = None if h0 is None else max(lo, h0 - FREEZE)
    rings = max(minimum, need(lo, min(hi, lo + LOOKAHEAD)))
    if freeze is not None and freeze <= lo:
        rings = max(rings, need(lo, hi))
    out = [(lo, rings)]
    window = needs[lo:hi]
    before = hi if freeze is None else min(hi, freeze)       # days on which growth alone may split
    d = lo + 1
    while d < before:
        over = np.nonzero(window[d - lo:before - lo] > rings)[0]
        if not len(over):
            break
        d += int(over[0])
        near = freeze is not None and d + LOOKAHEAD >= freeze
        rings = need(d, hi if near else min(hi, d + LOOKAHEAD))   # > rings: it covers day d
        out.append((d, rings))
        d += 1
    if freeze is not None and lo < freeze < hi:
        wanted = need(freeze, hi)
        if wanted > rings:
            out.append((freeze, wanted))
    return out


def sea_windows(plan: SeaPlan, stage: StageParams, area: str, names: list[str], start: dt.date,
                end: dt.date, reserved: dt.date) -> tuple[list[StageWindow], tuple[HarvestDay, ...]]:
    """One window per split of the stage (all rings of the area are the batch's), and harvest days."""
    phases = plan.phases.get(stage.name) or ((0, 1),)
    out = []
    for k, (day, rings) in enumerate(phases):
        w_start = plan.batch.start + dt.timedelta(days=day)
        w_end = plan.batch.start + dt.timedelta(days=phases[k + 1][0]) if k + 1 < len(phases) else end
        last = k + 1 == len(phases)
        out.append(StageWindow(stage=stage.name, start=max(w_start, start), end=w_end,
                               reserved_until=reserved if last else w_end, location=area,
                               containers=compress(names[:rings])))
    harvest = tuple(HarvestDay(container=names[j], date=d, share=s) for j, d, s in plan.harvest) if out else ()
    return out, harvest
