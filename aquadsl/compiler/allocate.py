"""Pass 5: pre-allocate containers and rings over half-open occupancy windows (first fit, as the seed)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from aquadsl.compiler.checked import Checked
from aquadsl.compiler.expand import BatchSpec
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import GeographyPlan, Infrastructure, StageParams, StageWindow
from aquadsl.plan.ranges import compress, expand
from aquadsl.sim.growth import stage_bounds

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
                 occupancy: Occupancy):
        self.batch, self.stage, self.window = batch, stage, window
        self.candidates, self.occupancy = candidates, occupancy


def allocate(checked: Checked, infra: Infrastructure, batches: list[BatchSpec],
             diags: Diagnostics) -> dict[str, tuple[StageWindow, ...]] | None:
    """Stage windows with containers for every batch, or an AQS310 diagnostic naming the first misfit."""
    occupancy = Occupancy()
    geos = {g.name: g for g in infra.geographies}
    bounds = stage_bounds(checked.lifecycle)
    out = {}
    for batch in batches:
        try:
            out[batch.id] = _place(batch, checked, geos[batch.geography], bounds, occupancy)
        except CapacityError as err:
            diags.append(_capacity_diagnostic(err, checked))
            return None
    return out


def _place(batch: BatchSpec, checked: Checked, geo: GeographyPlan, bounds, occupancy: Occupancy):
    lived = batch.trajectory.days
    available = (checked.until - batch.start).days + 1
    windows = []
    for stage, (lo, hi) in zip(checked.lifecycle.stages, bounds):
        if lo >= lived:
            break
        day = batch.start.toordinal()
        w = Window(dt.date.fromordinal(day + lo), dt.date.fromordinal(day + min(hi, lived)),
                   dt.date.fromordinal(day + min(hi, available)))
        if stage.water == "fresh":
            location, names = _fresh(batch, stage, geo, w, occupancy)
        else:
            location, names = _sea(batch, stage, geo, w, occupancy)
        occupancy.reserve(names, w.start, w.reserved, batch.id)
        windows.append(StageWindow(stage=stage.name, start=w.start, end=w.end, reserved_until=w.reserved,
                                   location=location, containers=compress(names)))
    return tuple(windows)


def _fresh(batch, stage: StageParams, geo: GeographyPlan, w: Window, occ: Occupancy):
    """First station (in order) whose hall has enough containers free over the window."""
    candidates = []
    for station in geo.stations:
        for hall in station.halls:
            if hall.letter != stage.hall:
                continue
            names = expand(hall.containers)
            candidates.extend(names)
            free = [n for n in names if occ.is_free(n, w.start, w.reserved)]
            if len(free) >= stage.containers:
                return hall.name, free[:stage.containers]
    raise CapacityError(batch, stage, w, candidates, occ)


def _sea(batch, stage: StageParams, geo: GeographyPlan, w: Window, occ: Occupancy):
    """Round-robin preferred area, then the following ones; in an area the first ring count that fits."""
    areas = geo.sea_areas
    first = batch.geo_index % len(areas)
    candidates = []
    for area in areas[first:] + areas[:first]:
        names = expand(area.rings)
        candidates.extend(names)
        free = [n for n in names if occ.is_free(n, w.start, w.reserved)]
        for count in stage.rings:
            if len(free) >= count:
                return area.name, free[:count]
    raise CapacityError(batch, stage, w, candidates, occ)


def _capacity_diagnostic(err: CapacityError, checked: Checked):
    from aquadsl.diagnostics import Diagnostic
    b, s, w = err.batch, err.stage, err.window
    need = f"{s.containers} containers in a hall {s.hall}" if s.water == "fresh" \
        else f"{min(s.rings)} or more rings in one sea area"
    message = (f"capacity exceeded: batch {b.id} cannot be placed in stage '{s.name}': it needs {need} "
               f"of '{b.geography}' from {w.start} to {w.reserved} (exclusive), and none are free")
    notes = _collision_notes(err)
    rules = checked.batches
    notes.append(Note(message="to make room, raise the stagger between batches", span=rules.stagger_span))
    notes.append(Note(message="or lower the batch count", span=rules.count_span))
    if s.water == "sea":
        notes.append(Note(message="or allow fewer rings per batch", span=checked.rings_spans.get(s.name)))
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
