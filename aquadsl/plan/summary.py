"""The numbers a plan preview shows: batch counts, date span, peak utilisation, rows and partition balance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from aquadsl.plan.model import GeographyPlan, Plan
from aquadsl.plan.partition import partition
from aquadsl.plan.ranges import expand


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GeographyCount(_Frozen):
    geography: str
    label: str
    completed: int
    active: int
    culled: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.active + self.culled


class PlanResponse(_Frozen):
    """An incident that changed a batch's course: harvested early or culled, over these days."""

    batch: str
    incident: str
    start: dt.date                    # the incident's first day
    response: str                     # early_harvest or cull
    first: dt.date                    # first harvest or cull day
    last: dt.date                     # last harvest or cull day
    rings: int


class StageUtilisation(_Frozen):
    stage: str
    geography: str
    water: str                        # "fresh", "sea" or "?" for a stage missing from the lifecycle
    occupied: int                     # peak number of containers occupied on one day
    capacity: int
    peak_date: dt.date | None         # first day the peak is reached; None if never occupied

    @property
    def percent(self) -> float | None:
        return 100.0 * self.occupied / self.capacity if self.capacity else None


class PartitionLoad(_Frozen):
    index: int
    batches: int
    rows: int


class PlanSummary(_Frozen):
    scenario: str
    seed: int
    start: dt.date
    until: dt.date
    until_source: str
    sha256: str
    batches: int
    geographies: tuple[GeographyCount, ...]
    first_start: dt.date | None
    last_day: dt.date | None          # last simulated day of any batch (inclusive)
    total_eggs: int
    utilisation: tuple[StageUtilisation, ...]
    rows: tuple[tuple[str, int], ...]     # (table, rows), sorted by table
    workers: int | None = None
    partitions: tuple[PartitionLoad, ...] = ()
    responses: tuple[PlanResponse, ...] = ()

    @property
    def culled(self) -> int:
        return sum(g.culled for g in self.geographies)

    @property
    def completed(self) -> int:
        return sum(g.completed for g in self.geographies)

    @property
    def active(self) -> int:
        return sum(g.active for g in self.geographies)

    @property
    def total_rows(self) -> int:
        return sum(n for _, n in self.rows)

    @property
    def balance(self) -> float | None:
        """max/mean of the rows per partition (1.0 is perfect); None without workers."""
        if not self.partitions:
            return None
        mean = sum(p.rows for p in self.partitions) / len(self.partitions)
        return max(p.rows for p in self.partitions) / mean if mean else 1.0


def summarize(plan: Plan, workers: int | None = None) -> PlanSummary:
    """Summarise a plan for a preview; with ``workers`` also the partition balance."""
    params = plan.parameters
    loads = ()
    if workers is not None:
        loads = tuple(PartitionLoad(index=p.index, batches=len(p.batch_ids), rows=p.estimated_rows)
                      for p in partition(plan, workers))
    return PlanSummary(
        scenario=params.scenario, seed=params.seed, start=params.start, until=params.until,
        until_source=params.until_source, sha256=plan.sources.sha256, batches=len(plan.batches),
        geographies=_geography_counts(plan),
        first_start=min((b.start for b in plan.batches), default=None),
        last_day=_last_day(plan),
        total_eggs=sum(b.eggs for b in plan.batches),
        utilisation=peak_utilisation(plan),
        rows=tuple(sorted(plan.estimated_rows.items())),
        workers=workers, partitions=loads, responses=responses(plan),
    )


def responses(plan: Plan) -> tuple[PlanResponse, ...]:
    """Every incident that harvested a batch early or culled it, in batch order."""
    out = []
    for b in plan.batches:
        for inc in b.incidents:
            days = b.cull_days if inc.response == "cull" else b.harvest_days
            if inc.response is None or not days:
                continue
            out.append(PlanResponse(batch=b.id, incident=inc.name, start=inc.start, response=inc.response,
                                    first=min(d.date for d in days), last=max(d.date for d in days),
                                    rings=len({d.container for d in days})))
    return tuple(out)


def _last_day(plan: Plan) -> dt.date | None:
    if not plan.batches:
        return None
    # ``end`` is exclusive, and never later than the day after ``until``.
    last = max(b.end for b in plan.batches) - dt.timedelta(days=1)
    return min(last, plan.parameters.until)


def _geography_names(plan: Plan) -> list[str]:
    """Geographies in infrastructure order, then any only named by batches (sorted)."""
    names = [g.name for g in plan.infrastructure.geographies]
    extra = sorted({b.geography for b in plan.batches} - set(names))
    return names + extra


def _geography_counts(plan: Plan) -> tuple[GeographyCount, ...]:
    labels = {g.name: g.label for g in plan.infrastructure.geographies}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"completed": 0, "active": 0, "culled": 0})
    for b in plan.batches:
        counts[b.geography][b.status] += 1
    return tuple(
        GeographyCount(geography=name, label=labels.get(name, name), **counts[name])
        for name in _geography_names(plan)
    )


def _capacity(geo: GeographyPlan | None, water: str, hall: str | None) -> int:
    if geo is None:
        return 0
    if water == "sea":
        return sum(len(expand(a.rings)) for a in geo.sea_areas)
    return sum(len(expand(h.containers)) for s in geo.stations for h in s.halls if h.letter == hall)


def _peak(events: list[tuple[dt.date, int]]) -> tuple[int, dt.date | None]:
    """The highest level of a sweep over (date, delta) events and the first date it is reached.

    Every change of one day is applied before the level is read: windows are half-open, so a batch
    leaving a container on the day another arrives does not count twice.
    """
    level = best = 0
    when: dt.date | None = None
    events.sort()
    i = 0
    while i < len(events):
        day = events[i][0]
        while i < len(events) and events[i][0] == day:
            level += events[i][1]
            i += 1
        if level > best:
            best, when = level, day
    return best, when


def peak_utilisation(plan: Plan) -> tuple[StageUtilisation, ...]:
    """For each stage (lifecycle order) and geography, the most containers occupied on one day."""
    stages = {s.name: s for s in plan.parameters.lifecycle.stages}
    events: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for b in plan.batches:
        for w in b.stages:
            if w.start < w.end:
                n = len(expand(w.containers))
                events[(w.stage, b.geography)] += [(w.start, n), (w.end, -n)]
    names = list(stages) + sorted({stage for stage, _ in events} - set(stages))
    geos = {g.name: g for g in plan.infrastructure.geographies}
    out = []
    for stage in names:
        params = stages.get(stage)
        water = params.water if params else "?"
        for geo in _geography_names(plan):
            occupied, when = _peak(events.get((stage, geo), []))
            capacity = _capacity(geos.get(geo), water, params.hall if params else None) if params else 0
            out.append(StageUtilisation(stage=stage, geography=geo, water=water, occupied=occupied,
                                        capacity=capacity, peak_date=when))
    return tuple(out)
