"""Simulate one batch of a plan into columnar rows for every table of the schema (pure, seeded)."""

from __future__ import annotations

import numpy as np

from aquadsl.plan.model import Plan
from aquadsl.sim import rng
from aquadsl.sim.environment import readings
from aquadsl.sim.feeding import StayFeed, feed_stay
from aquadsl.sim.frame import BatchRows, Columns, assemble, assigned, constant, row_counts
from aquadsl.sim.harvest import harvest, harvest_days
from aquadsl.sim.layout import Layout, SimulationError, Stay, build_layout
from aquadsl.sim.population import StayPopulation, simulate_populations
from aquadsl.sim.samples import SAMPLERS
from aquadsl.sim.schema import SCHEMA
from aquadsl.sim.treatments import treatments

__all__ = ["BatchRows", "SimulationError", "row_counts", "simulate_batch"]

NAT = np.datetime64("NaT", "D")
CULL = "CULL"     # fish culled after a notifiable disease (an incident's 'then cull')
# Recorded causes of a container-day's deaths (weights); transfer days are put down to handling.
CAUSES = {
    "fresh": (("NATURAL", 0.75), ("DISEASE", 0.15), ("ENVIRONMENTAL", 0.10)),
    "sea": (("NATURAL", 0.60), ("DISEASE", 0.20), ("ENVIRONMENTAL", 0.10), ("PREDATION", 0.10)),
}


def simulate_batch(plan: Plan, batch_id: str, only: tuple[str, ...] | None = None) -> BatchRows:
    """All rows of one batch: {table: {column: array}} in SCHEMA order, counts equal to the plan's estimate.

    Columns are numpy arrays: str as object arrays of str, int as int64, float as float64, date as
    datetime64[D] (NaT for "not yet"), datetime as datetime64[s] in UTC. With ``only``, the other
    tables are left empty and not checked (for measurements that need a few tables quickly).
    """
    want = set(SCHEMA if only is None else only)
    layout = build_layout(plan, batch_id)
    pops = simulate_populations(layout)
    parts: dict[str, list[Columns]] = {table: [] for table in SCHEMA}
    for stay, pop in zip(layout.stays, pops):
        _stay_rows(layout, stay, pop, parts, want)
    parts["transfers"].append(_transfers(layout, pops))
    last = layout.stays[-1]
    harvesting = bool(layout.batch.harvest_days) and not layout.ended    # at until: some harvest days done
    if layout.harvested or harvesting:
        if last.shape and last.shape.harvests:
            events, lots = harvest_days(layout, last, pops[-1].harvested)
        else:
            events, lots = harvest(layout, last, pops[-1].final)
        parts["harvest_events"].append(events)
        parts["harvest_lots"].append(lots)
    living = 0 if layout.ended else int(pops[-1].final.sum())
    parts["batches"].append(_batch_row(layout, living))
    rows = {table: assemble(table, parts[table]) for table in SCHEMA}
    _check_counts(layout, rows, want)
    return rows


def _stay_rows(layout: Layout, stay: Stay, pop: StayPopulation, parts: dict[str, list[Columns]],
               want: set[str]) -> None:
    """Every per-stay table of one stay (those in ``want``), trimmed to each container's lived days."""
    feed = feed_stay(layout, stay, pop)
    lived, fed = stay.lived(), stay.fed()
    keep = (lambda cols, limit=lived: trim(stay, cols, limit)) if stay.ragged else (lambda cols, limit=None: cols)
    parts["assignments"].append(_assignments(layout, stay, pop))
    if "daily_states" in want:
        parts["daily_states"].append(keep(_daily_states(layout, stay, pop, feed)))
    if "mortality_events" in want:
        parts["mortality_events"].append(keep(_mortality_events(layout, stay, pop)))
    if "environmental_readings" in want:
        parts["environmental_readings"].append(keep(readings(layout, stay)))
    if feed.rows is not None and "feeding_events" in want:
        parts["feeding_events"].append(keep(feed.rows, fed))
    for family in sorted(stay.params.cadences):
        if family not in SAMPLERS:
            raise SimulationError(f"stage {stay.params.name}: unknown sampling family {family!r}")
        cadence = stay.params.cadences[family]
        if cadence.every < 1 or (cadence.fish is not None and cadence.fish < 1):
            raise SimulationError(f"stage {stay.params.name}: {family} needs every >= 1 day and fish >= 1")
        if family in want:
            parts[family].append(keep(SAMPLERS[family](layout, stay, cadence.every, cadence.fish)))
    parts["treatments"].append(keep(treatments(layout, stay)))


def trim(stay: Stay, cols: Columns, limit: np.ndarray) -> Columns:
    """Rows of containers' days before their limit (window days): harvest ends some rings early."""
    stamp = cols["date"] if "date" in cols else cols["ts"].astype("datetime64[D]")
    day = (stamp.astype("datetime64[D]") - np.datetime64(stay.window.start, "D")).astype(np.int64)
    mask = day < limit[cols["assignment_no"] - stay.first_assignment]
    return {name: col[mask] for name, col in cols.items()}


def _check_counts(layout: Layout, rows: BatchRows, want: set[str]) -> None:
    counts, expected = row_counts(rows), layout.batch.estimated_rows
    wrong = [f"{t} {counts[t]} != {expected.get(t, 0)}" for t in SCHEMA
             if t in want and counts[t] != expected.get(t, 0)]
    if wrong:
        raise SimulationError(f"batch {layout.batch.id}: rows differ from the plan's estimate: " + ", ".join(wrong))


def _batch_row(layout: Layout, living: int) -> Columns:
    b = layout.batch
    return {
        "batch_id": constant(b.id, 1), "geography": constant(b.geography, 1),
        "start_date": np.array([b.start], dtype="datetime64[D]"),
        "end_date": np.array([b.end if layout.ended else NAT], dtype="datetime64[D]"),
        "status": constant(b.status, 1), "eggs": np.array([b.eggs], dtype=np.int64),
        "harvest_target_kg": np.array([b.harvest_target_kg]),
        "harvest_date": np.array([b.harvest_date or NAT], dtype="datetime64[D]"),
        "living_fish": np.array([living], dtype=np.int64),
    }


def _assignments(layout: Layout, stay: Stay, pop: StayPopulation) -> Columns:
    active = not layout.ended and stay.index == len(layout.stays) - 1
    cols = assigned(layout.batch.id, stay, 1)
    cols["stage"] = constant(stay.params.name, stay.n)
    cols["start_date"] = np.full(stay.n, np.datetime64(stay.window.start, "D"))
    lived = stay.lived()
    ends = np.datetime64(stay.window.start, "D") + lived
    if active:                     # still holding fish at until: open (a ring emptied by then is closed)
        emptied = _emptied(stay)
        active = np.array([k not in emptied for k in range(stay.n)])
        ends = np.where(active, NAT, ends)
    cols["end_date"] = ends
    cols["population_start"] = pop.start
    cols["population_end"] = pop.end[np.arange(stay.n), lived - 1]
    cols["avg_weight_start_g"] = np.full(stay.n, stay.prev_weight[0])
    cols["avg_weight_end_g"] = np.full(stay.n, stay.weight[-1])
    cols["biomass_end_kg"] = np.round(pop.final * stay.weight[-1] / 1000.0, 3)
    cols["is_active"] = np.broadcast_to(np.asarray(active, dtype=np.int64), (stay.n,)).copy()
    return cols


def _emptied(stay: Stay) -> set[int]:
    """Containers of the stay emptied on a harvest or cull day (their last share is all the fish left)."""
    return {k for k, _, share in (stay.shape.harvests if stay.shape else ()) if share >= 1.0}


def _daily_states(layout: Layout, stay: Stay, pop: StayPopulation, feed: StayFeed) -> Columns:
    shape = (stay.n, stay.days)
    cols = assigned(layout.batch.id, stay, stay.days)
    cols["stage"] = constant(stay.params.name, stay.n * stay.days)
    cols["date"] = np.tile(stay.dates(), stay.n)
    cols["day_number"] = np.tile(stay.day_index + 1, stay.n)
    cols["population"] = pop.end.ravel()
    cols["avg_weight_g"] = np.broadcast_to(stay.weight, shape).ravel()
    cols["biomass_kg"] = np.round(feed.biomass, 3).ravel()
    cols["temperature_c"] = np.broadcast_to(np.round(stay.temperature, 3), shape).ravel()
    cols["mortality"] = pop.deaths.ravel()
    cols["feed_kg"] = np.round(feed.feed, 3).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        fcr = np.where(feed.gain > 0, feed.feed / feed.gain, 0.0)
    cols["fcr"] = np.round(fcr, 4).ravel()
    return cols


def _mortality_events(layout: Layout, stay: Stay, pop: StayPopulation) -> Columns:
    causes = CAUSES["sea" if stay.params.water == "sea" else "fresh"]
    labels = np.array([c for c, _ in causes] + ["HANDLING", "NONE", "TREATMENT", CULL], dtype=object)
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "mortality_cause"),
                      stay.containers)
    u = rng.uniform(rng.keys(base[:, None], stay.day_index[None, :]))
    pick = np.searchsorted(np.cumsum([w for _, w in causes]), u * sum(w for _, w in causes))
    if stay.index > 0:
        pick[:, 0] = len(causes)                       # the day fish arrived by transfer
    treated = len(causes) + 2                          # delousing losses: injuries from the treatment
    for k, day in stay.shape.ring_events if stay.shape else ():
        pick[k, day] = treated
    for t in layout.batch.lice_treatments:             # plans whose delousings treat every ring on one day
        day = (t.date - stay.window.start).days
        if not t.rings and 0 <= day < stay.days:
            pick[:, day] = treated
    if stay.shape and stay.shape.cull:                 # the fish culled ring by ring after an incident
        for k, day, _ in stay.shape.harvests:
            pick[k, day] = len(causes) + 3
    pick = np.where(pop.deaths > 0, pick, len(causes) + 1)
    cols = assigned(layout.batch.id, stay, stay.days)
    cols["date"] = np.tile(stay.dates(), stay.n)
    cols["count"] = pop.deaths.ravel()
    cols["biomass_kg"] = np.round(pop.deaths * stay.weight[None, :] / 1000.0, 3).ravel()
    cols["cause"] = labels[pick.ravel()]
    return cols


def _transfers(layout: Layout, pops: list[StayPopulation]) -> Columns:
    stays = layout.stays
    moves = range(1, len(stays))
    return {
        "batch_id": constant(layout.batch.id, len(moves)),
        "transfer_no": np.arange(1, len(stays), dtype=np.int64),
        "date": np.array([stays[i].window.start for i in moves], dtype="datetime64[D]"),
        "from_stage": np.array([stays[i - 1].params.name for i in moves], dtype=object),
        "to_stage": np.array([stays[i].params.name for i in moves], dtype=object),
        "fish_moved": np.array([int(pops[i - 1].final.sum()) for i in moves], dtype=np.int64),
        "avg_weight_g": np.array([stays[i - 1].weight[-1] for i in moves], dtype=np.float64),
        "source_containers": np.array([stays[i - 1].n for i in moves], dtype=np.int64),
        "destination_containers": np.array([stays[i].n for i in moves], dtype=np.int64),
    }
