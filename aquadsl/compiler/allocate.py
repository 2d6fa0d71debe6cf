"""Pass 5: allocate containers and whole sea areas over half-open windows, within their biomass limits.

Each stage gets as many containers as its expected biomass needs; fresh-water halls and sea areas
rotate (the one free longest first), and a sea area holds one generation, then lies fallow.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from aquadsl.compiler import living
from aquadsl.compiler.checked import Checked
from aquadsl.compiler.expand import BatchSpec
from aquadsl.compiler.limits import FILL, Limit
from aquadsl.compiler.sea import sea_windows
from aquadsl.compiler.sites import SitePlans
from aquadsl.sim.growth import stage_days
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import GeographyPlan, Infrastructure, StageParams, StageWindow
from aquadsl.plan.ranges import compress, expand

MAX_COLLISION_NOTES = 6


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date          # exclusive end of occupancy by fish
    reserved: dt.date     # exclusive end of the reservation


class Occupancy:
    """Per container: the reserved windows, to test for overlap (back-to-back hand-over is allowed).

    Each container keeps its reservations sorted by start. Reservations of one container never
    overlap (only free containers are reserved), so sorted by start they are sorted by end too, and
    ``is_free`` needs one bisection: O(log n) instead of a scan of every reservation ever made.
    """

    def __init__(self) -> None:
        self._starts: dict[str, list[dt.date]] = {}
        self._held: dict[str, list[tuple[dt.date, dt.date, str]]] = {}

    def is_free(self, name: str, start: dt.date, end: dt.date) -> bool:
        starts = self._starts.get(name)
        if not starts:
            return True
        before = bisect.bisect_left(starts, end)   # reservations starting before ``end``
        return before == 0 or self._held[name][before - 1][1] <= start

    def holders(self, name: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str]]:
        return [h for h in self._held.get(name, ()) if not (h[1] <= start or end <= h[0])]

    def reserve(self, names: list[str], start: dt.date, end: dt.date, batch_id: str) -> None:
        for name in names:
            if not self.is_free(name, start, end):
                raise ValueError(f"{name} is already reserved within {start}..{end}")
            starts = self._starts.setdefault(name, [])
            at = bisect.bisect_right(starts, start)
            starts.insert(at, start)
            self._held.setdefault(name, []).insert(at, (start, end, batch_id))


class CapacityError(Exception):
    def __init__(self, batch: BatchSpec, stage: StageParams, window: Window, candidates: list[str],
                 occupancy: Occupancy, detail: str = ""):
        self.batch, self.stage, self.window = batch, stage, window
        self.candidates, self.occupancy, self.detail = candidates, occupancy, detail


def allocate(checked: Checked, infra: Infrastructure, batches: list[BatchSpec],
             diags: Diagnostics) -> dict[str, tuple[tuple[StageWindow, ...], BatchSpec]] | None:
    """Stage windows with containers for every batch (and the batch with its final trajectory and
    harvest days), or an AQS310 diagnostic naming the first misfit."""
    occupancy = Occupancy()
    released: dict[str, dt.date] = {}
    geos = {g.name: g for g in infra.geographies}
    out = {}
    for batch in batches:
        try:
            out[batch.id] = _place(batch, checked, geos[batch.geography], infra, occupancy, released)
        except CapacityError as err:
            diags.append(_capacity_diagnostic(err, checked))
            return None
    return out


def _place(batch: BatchSpec, checked: Checked, geo: GeographyPlan, infra: Infrastructure,
           occupancy: Occupancy, released: dict[str, dt.date]):
    # The sea phase as planned per sea area's offset; the stages before the sea follow the batch as
    # expanded (a sea plan changes the trajectory from the sea on only).
    plans = SitePlans(batch, checked, geo, infra)
    available = living.LIFE_DAYS
    windows, day, chosen = [], batch.start.toordinal(), {}
    for i, stage in enumerate(checked.lifecycle.stages):
        traj = batch.trajectory
        placed = _window(checked, stage, i, traj, day, available, batch.geography)
        if placed is None:
            break
        lo, hi, w = placed
        if stage.water == "fresh":
            fish = living.expected_fish(checked.lifecycle, batch.eggs, traj, batch.start, batch.mortality_factors,
                                        batch.incidents)
            mass = fish * traj.weight_g / 1000.0
            location, names = _fresh(batch, stage, geo, infra, w, occupancy, released, float(mass[lo:hi].max()),
                                     float(fish[lo:hi].max()))
            occupancy.reserve(names, w.start, w.reserved, batch.id)
            released[location] = max(released.get(location, dt.date.min), w.reserved)
            windows.append(StageWindow(stage=stage.name, start=w.start, end=w.end, reserved_until=w.reserved,
                                       location=location, containers=compress(names)))
        else:
            sea_w, harvest, plan, chosen = _sea(batch, stage, i, geo, w, occupancy, released, plans, chosen,
                                                checked, day, available)
            windows.extend(sea_w)
            field = "cull_days" if plan.cull else "harvest_days"      # a culled batch's rings are emptied by culls
            batch = dataclasses.replace(plan.batch, **{field: harvest or getattr(batch, field)})
    return tuple(windows), batch


def _window(checked: Checked, stage: StageParams, i: int, traj, day: int, available: int, geography: str,
            responded: bool = False):
    """(first day, end day, Window) of stage ``i`` along ``traj``, or None if the batch never reaches it.
    ``responded``: harvested early or culled, so the last stage is reserved only while it lasts."""
    days = np.nonzero(traj.stage_index == i)[0]
    if not len(days):
        return None
    lo, hi = int(days[0]), int(days[-1]) + 1
    # the geography's own days for the stage; a stage ended by weight is reserved while it lasts
    span = hi - lo if stage.end_weight_g is not None and hi < available else stage_days(stage, geography)
    nominal = lo + span if i < len(checked.lifecycle.stages) - 1 else max(hi, lo + span)
    if responded and i == len(checked.lifecycle.stages) - 1:
        nominal = hi      # harvested early or culled: the area is free after the last ring (and fallow)
    return lo, hi, Window(dt.date.fromordinal(day + lo), dt.date.fromordinal(day + hi),
                          dt.date.fromordinal(day + min(max(nominal, hi), available)))


def _fresh(batch, stage: StageParams, geo: GeographyPlan, infra: Infrastructure, w: Window, occ: Occupancy,
           released: dict[str, dt.date], peak_kg: float, peak_fish: float):
    """The hall (of the station free longest) with enough free containers for the stage's biomass.

    Halls are tried in rotation order (free longest, then the first in order) and the first that has
    ``count`` free containers wins, with its first ``count`` free ones: the same choice as ranking
    every hall's full free list, but it stops as soon as the answer is known.
    """
    halls = [hall for station in geo.stations for hall in station.halls if hall.letter == stage.hall]
    if not halls:
        raise CapacityError(batch, stage, w, [], occ)
    cap = Limit.of(infra.container_kinds[halls[0].kind])
    count = max(stage.containers, cap.count(peak_kg, peak_fish))
    for hall in _rotation(halls, released):
        free = _first_free(expand(hall.containers), count, occ, w.start, w.reserved)
        if free is not None:
            return hall.name, free
    candidates = [n for hall in halls for n in expand(hall.containers)]
    most = max(len(expand(h.containers)) for h in halls)
    detail = ""
    if count > stage.containers:
        if cap.by_fish(peak_kg, peak_fish):   # the fish are most numerous on the stage's first day
            why = (f"its expected fish count of {peak_fish:,.0f} (from {w.start}) needs {count} containers of at "
                   f"most {round(cap.fish / FILL):,} fish")
        else:
            why = (f"its expected biomass of {peak_kg / 1000:,.1f} t (by {w.end - dt.timedelta(days=1)}) needs "
                   f"{count} containers of {cap.kg / FILL / 1000:g} t")
        detail = (f"{why} in one hall {stage.hall}"
                  + (f", more than a hall's {most}" if count > most else ", and no hall has that many free"))
    raise CapacityError(batch, stage, w, candidates, occ, detail)


def _rotation(places: list, released: dict[str, dt.date]) -> list:
    """Halls or sea areas in the order they are offered: free longest first, then the first in order."""
    order = sorted(range(len(places)), key=lambda k: (released.get(places[k].name, dt.date.min), k))
    return [places[k] for k in order]


def _first_free(names: list[str], count: int, occ: Occupancy, start: dt.date, end: dt.date) -> list[str] | None:
    """The first ``count`` of ``names`` free over [start, end), or None if fewer are free."""
    free: list[str] = []
    for left, name in zip(range(len(names), 0, -1), names):
        if left < count - len(free):
            return None
        if occ.is_free(name, start, end):
            free.append(name)
            if len(free) == count:
                return free
    return None


def _sea(batch, stage: StageParams, i: int, geo: GeographyPlan, w: Window, occ: Occupancy,
         released: dict[str, dt.date], plans: SitePlans, chosen: dict[str, float], checked: Checked, day: int,
         available: int):
    """A whole sea area (the one free longest whose own plan fits) for the batch's sea phase and fallowing.

    Each area is tried with the batch re-planned in its water (its temperature offset); areas without
    an offset share one plan. Returns the windows per split, harvest days, the plan and the offsets."""
    detail = ""
    for area in _rotation(list(geo.sea_areas), released):
        names = expand(area.rings)
        if not all(occ.is_free(n, w.start, w.start + dt.timedelta(days=1)) for n in names):
            continue                                  # taken on the transfer day, whatever the plan
        offsets = {**chosen, stage.name: area.temperature_offset}
        plan = plans.at(offsets)
        if plan.detail:
            detail = detail or plan.detail
            continue
        _, _, aw = _window(checked, stage, i, plan.batch.trajectory, day, available, batch.geography, plan.responded)
        reserve_end = max(aw.reserved, aw.end + dt.timedelta(days=stage.fallow_days))   # the whole life
        if len(names) >= plan.most and all(occ.is_free(n, aw.start, reserve_end) for n in names):
            occ.reserve(names, aw.start, reserve_end, batch.id)
            released[area.name] = reserve_end
            out, harvest = sea_windows(plan, stage, area.name, names, aw.start, aw.end, reserve_end)
            return out, harvest, plan, offsets
    candidates = [n for area in geo.sea_areas for n in expand(area.rings)]
    raise CapacityError(batch, stage, w, candidates, occ, detail or plans.base.detail)


def _capacity_diagnostic(err: CapacityError, checked: Checked):
    from aquadsl.diagnostics import Diagnostic
    b, s, w = err.batch, err.stage, err.window
    need = f"{s.containers} containers in a hall {s.hall}" if s.water == "fresh" \
        else f"{min(s.rings)} or more rings in one sea area"
    message = (f"capacity exceeded: batch {b.id} cannot be placed in stage '{s.name}': it needs {need} "
               f"of '{b.geography}' from {w.start} to {w.reserved} (exclusive), and none are free")
    if err.detail:
        message = f"capacity exceeded: batch {b.id} cannot be placed in stage '{s.name}': {err.detail}"
    notes = _collision_notes(err)
    rules = checked.batches
    notes.append(Note(message="to make room, raise the stagger between batches", span=rules.stagger_span))
    notes.append(Note(message="or lower the batch count", span=rules.count_span))
    if s.water == "sea" and err.detail:
        notes.append(Note(message="or raise the ring kind's max_biomass (or max_fish), or lower the eggs or harvest_target"))
    elif s.water == "sea":
        notes.append(Note(message="a sea area holds one generation at a time and then lies fallow",
                          span=checked.rings_spans.get(s.name)))
    geo = checked.geographies[b.geography]
    notes.append(Note(message="or add stations or sea areas", span=geo.stations_span if s.water == "fresh"
                      else geo.sea_span))
    return Diagnostic(code="AQS310", message=message, span=rules.stagger_span, notes=tuple(notes))


def _collision_notes(err: CapacityError) -> list[Note]:
    """Which batches hold the candidate containers during the wanted window."""
    held: dict[str, list[str]] = {}
    for name in err.candidates:
        for s, e, batch_id in err.occupancy.holders(name, err.window.start, err.window.reserved):
            held.setdefault(f"{batch_id} ({s} to {e})", []).append(name)
    notes = [Note(message=f"{', '.join(compress(names))} held by {holder}")
             for holder, names in list(held.items())[:MAX_COLLISION_NOTES]]
    if len(held) > MAX_COLLISION_NOTES:
        notes.append(Note(message=f"... and {len(held) - MAX_COLLISION_NOTES} more batches"))
    return notes
