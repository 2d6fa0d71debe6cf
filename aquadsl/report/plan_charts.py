"""Charts of a plan: batch timeline, occupancy Gantt, utilisation over time, projected growth, incidents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand
from aquadsl.plan.summary import _capacity
from aquadsl.report.svg import Chart, gantt, line_chart

SAMPLE_DAYS = 7


def _stage_index(plan: Plan) -> dict[str, int]:
    return {s.name: i for i, s in enumerate(plan.parameters.lifecycle.stages)}


def _span(plan: Plan) -> tuple[dt.date, dt.date]:
    lo = min((b.start for b in plan.batches), default=plan.parameters.start)
    return lo, plan.parameters.until + dt.timedelta(days=1)


def batch_timeline(plan: Plan) -> Chart:
    """One row per batch, its stage windows coloured by stage."""
    index = _stage_index(plan)
    rows = [(b.id, [(w.start, w.end, index.get(w.stage, 0), w.stage) for w in b.stages]) for b in plan.batches]
    if len(rows) > 60:   # thin rows: label every fifth batch only
        rows = [(name if i % 5 == 0 else "", bars) for i, (name, bars) in enumerate(rows)]
    chart = Chart("batch-timeline", "Batch timeline: stages of every batch", "date", "batch", left=120)
    return gantt(chart, rows, *_span(plan), [s.name for s in plan.parameters.lifecycle.stages])


def _lanes(stays: list[tuple[dt.date, dt.date, int, str]]) -> list[list]:
    """First-fit lanes: stays in one lane never overlap."""
    lanes: list[list] = []
    for stay in sorted(stays):
        for lane in lanes:
            if lane[-1][1] <= stay[0]:
                lane.append(stay)
                break
        else:
            lanes.append([stay])
    return lanes


def occupancy(plan: Plan) -> list[Chart]:
    """Per geography: one group of lanes per site hall or sea area (labelled with its capacity)."""
    index = _stage_index(plan)
    geos = {g.name: g for g in plan.infrastructure.geographies}
    charts = []
    for geo in plan.infrastructure.geographies:
        capacity = {h.name: len(expand(h.containers)) for s in geo.stations for h in s.halls}
        capacity |= {a.name: len(expand(a.rings)) for a in geo.sea_areas}
        stays = defaultdict(list)
        for b in plan.batches:
            if b.geography == geo.name:
                for w in b.stages:
                    stays[w.location].append((w.start, w.end, index.get(w.stage, 0),
                                              f"{b.id} ×{len(expand(w.containers))}"))
        rows = []
        for location in [n for n in capacity if n in stays]:
            for i, lane in enumerate(_lanes(stays[location])):
                rows.append((f"{location} ({capacity[location]})" if i == 0 else "", lane))
        unused = len(capacity) - len([n for n in capacity if n in stays])
        chart = Chart(f"occupancy-{geo.name}", f"Occupancy {geos[geo.name].label}: batches per hall and sea area",
                      "date", "hall / sea area (capacity)", left=200)
        chart.note = (f"Each lane holds one batch at a time; {unused} hall(s) or area(s) never used are not drawn."
                      if unused else "Each lane holds one batch at a time.")
        charts.append(gantt(chart, rows, *_span(plan), [s.name for s in plan.parameters.lifecycle.stages]))
    return charts


def utilisation(plan: Plan) -> list[Chart]:
    """Per geography: % of each stage's containers occupied, sampled weekly."""
    lo, hi = _span(plan)
    days = (hi - lo).days + 1
    charts = []
    for geo in plan.infrastructure.geographies:
        series = []
        for stage in plan.parameters.lifecycle.stages:
            cap = _capacity(geo, stage.water, stage.hall)
            level = np.zeros(days + 1)
            for b in plan.batches:
                if b.geography != geo.name:
                    continue
                for w in b.stages:
                    if w.stage == stage.name:
                        n = len(expand(w.containers))
                        level[(w.start - lo).days] += n
                        level[(w.end - lo).days] -= n
            occupied = np.cumsum(level)[:days]
            pct = occupied * 100.0 / cap if cap else occupied * 0
            series.append((f"{stage.name} ({cap} containers)",
                           [(lo + dt.timedelta(days=int(d)), float(pct[d])) for d in range(0, days, SAMPLE_DAYS)]))
        chart = Chart(f"utilisation-{geo.name}", f"Utilisation {geo.label}: containers occupied per stage",
                      "date", "occupied (% of the stage's containers)")
        charts.append(line_chart(chart, series, hlines=((100.0, "capacity (100%)"),)))
    return charts


def growth(plan: Plan) -> list[Chart]:
    """Per geography: each batch's projected weight (the simulation's own projection) and the target window."""
    from aquadsl.sim.growth import early_harvest_day, hold_from, project

    low, high = plan.parameters.batches.harvest_target_kg
    life = plan.parameters.lifecycle
    sea_start = sum(s.days for s in life.stages if s.water != "sea")
    charts = []
    for geo in plan.infrastructure.geographies:
        series = []
        for b in plan.batches:
            if b.geography != geo.name:
                continue
            traj = hold_from(project(life, geo.temperature, b.start, b.harvest_target_kg * 1000, b.days),
                             early_harvest_day(b.start, b.incidents))     # harvested early: held weight
            days = range(max(0, sea_start - 60), traj.days, SAMPLE_DAYS)
            series.append((b.id, [(d, float(traj.weight_g[d]) / 1000) for d in days] +
                           [(traj.days - 1, float(traj.weight_g[-1]) / 1000)]))
        chart = Chart(f"growth-{geo.name}", f"Projected growth {geo.label} against the harvest window",
                      "days since the batch started", "average weight (kg)")
        line_chart(chart, series, bands=((low, high, f"harvest target {low:g}-{high:g} kg"),), legend=len(series) <= 12)
        if len(series) > 12:
            chart.note = f"{len(series)} batches, one line each (legend omitted)"
        charts.append(chart)
    return charts


def incidents(plan: Plan) -> list[dict]:
    """The incidents that change the plan (a batch harvested early or culled), as table rows."""
    from aquadsl.plan.summary import responses

    return [{"batch": r.batch, "incident": r.incident, "start": str(r.start), "response": r.response.replace("_", " "),
             "first day": str(r.first), "last day": str(r.last), "rings": r.rings} for r in responses(plan)]


def plan_charts(plan: Plan) -> list[tuple[str, list[Chart]]]:
    """Sections of the report's plan part: (heading, charts)."""
    return [("Batch timeline", [batch_timeline(plan)]),
            ("Container occupancy", occupancy(plan)),
            ("Utilisation over time", utilisation(plan)),
            ("Projected growth", growth(plan))]
