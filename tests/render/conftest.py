"""Hand-built plans for the partition, summary, preview and diff tests (no compiler needed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import NamedTuple

import pytest

from aquadsl.plan.model import (
    BatchPlan, BatchRules, CadencePlan, ContainerKindPlan, FeedPlan, GeographyPlan, HallPlan, Infrastructure,
    LifecyclePlan, Parameters, Plan, ProfilePlan, SensorPlan, Sources, StageParams, StageWindow, StationPlan,
    AreaPlan,
)
from aquadsl.plan.ranges import compress
from aquadsl.sim.volume import StageStay, estimate_rows

START = dt.date(2020, 1, 1)
UNTIL = dt.date(2022, 3, 31)          # day 820 after START
FW_SENSORS = ("dissolved_oxygen", "co2", "ph", "temperature", "no2", "no3", "nh4")
SEA_SENSORS = ("temperature", "dissolved_oxygen", "ph")

# name, label, hall, tgc, cap (g), mortality/day, feed rate %, container kind
_STAGES = (
    ("egg_alevin", "Egg&Alevin", "A", 0.0, 0.1, 0.0015, None, "tray"),
    ("fry", "Fry", "B", 2.25, 6.0, 0.0005, 3.0, "tank_fry"),
    ("parr", "Parr", "C", 2.75, 60.0, 0.0003, 2.5, "tank_parr"),
    ("smolt", "Smolt", "D", 2.75, 180.0, 0.0002, 2.0, "tank_smolt"),
    ("post_smolt", "Post-Smolt", "E", 3.25, 500.0, 0.00015, 1.5, "tank_post_smolt"),
    ("adult", "Adult", None, 3.1, 7000.0, 0.0001, 1.0, "ring"),
)
HALL_KINDS = {hall: kind for _, _, hall, *_rest, kind in _STAGES if hall}


def _stage(order: int, name, label, hall, tgc, cap, mortality, rate, kind) -> StageParams:
    sea = hall is None
    cadences = {"growth_samples": CadencePlan(every=7, fish=30)} if order >= 2 else {}
    if order >= 5:
        cadences["health_samples"] = CadencePlan(every=30, fish=75)
    if sea:
        cadences["lice_counts"] = CadencePlan(every=7, fish=20)
    at_days = {"vaccinations": (0, 30)} if name in ("parr", "smolt") else {}
    if sea:
        at_days = {"lice_treatments": (150, 270)}
    return StageParams(
        name=name, label=label, order=order, days=450 if sea else 90, water="sea" if sea else "fresh",
        hall=hall, containers=None if sea else 10, rings=(10, 8, 20) if sea else (),
        tgc=tgc, weight_cap_g=cap, mortality_per_day=mortality,
        feed=FeedPlan(mode="none") if rate is None else FeedPlan(mode="rate", rate_pct=rate),
        feedings_per_day=0 if rate is None else 2,
        sensors=SensorPlan(per_day=6, parameters=SEA_SENSORS if sea else FW_SENSORS),
        cadences=cadences, at_days=at_days,
    )


LIFECYCLE = LifecyclePlan(name="salmon", label="Atlantic Salmon", start_weight_g=0.1,
                          stages=tuple(_stage(i + 1, *s) for i, s in enumerate(_STAGES)))


def _station(name: str) -> StationPlan:
    halls = tuple(HallPlan(name=f"{name}-Hall-{letter}", letter=letter, kind=kind,
                           containers=compress(f"{name}-{letter}-C{n:02d}" for n in range(1, 11)))
                  for letter, kind in HALL_KINDS.items())
    return StationPlan(name=name, halls=halls)


def _area(name: str, rings: int = 20) -> AreaPlan:
    return AreaPlan(name=name, kind="ring", rings=compress(f"{name}-Ring-{n:02d}" for n in range(1, rings + 1)))


def _geography(name, label, code, prefix, stations, areas, sea_mean) -> GeographyPlan:
    return GeographyPlan(
        name=name, label=label, code=code, prefix=prefix,
        temperature={"fresh": ProfilePlan(kind="constant", value=12.0),
                     "sea": ProfilePlan(kind="sine", mean=sea_mean, amplitude=1.0, peak_day=240)},
        stations=tuple(_station(s) for s in stations), sea_areas=tuple(_area(a) for a in areas),
    )


INFRASTRUCTURE = Infrastructure(
    container_kinds={
        "tray": ContainerKindPlan(label="Incubation Trays", volume_m3=10, max_biomass_kg=500),
        "tank_fry": ContainerKindPlan(label="Small Tanks - Fry", volume_m3=100, max_biomass_kg=5_000),
        "tank_parr": ContainerKindPlan(label="Medium Tanks - Parr", volume_m3=500, max_biomass_kg=25_000),
        "tank_smolt": ContainerKindPlan(label="Large Tanks - Smolt", volume_m3=1000, max_biomass_kg=50_000),
        "tank_post_smolt": ContainerKindPlan(label="Pre-Transfer Tanks", volume_m3=2000, max_biomass_kg=100_000),
        "ring": ContainerKindPlan(label="Sea Rings", volume_m3=50_000, max_biomass_kg=500_000),
    },
    geographies=(
        _geography("faroe", "Faroe Islands", "FI", "FAR", ("FI-FW-01", "FI-FW-02"), ("FI-SEA-01", "FI-SEA-02"), 9.5),
        _geography("scotland", "Scotland", "S", "SCO", ("S-FW-01",), ("S-SEA-01", "S-SEA-02"), 10.0),
    ),
)


class Spec(NamedTuple):
    """One batch of a test plan: where it lives and, if harvested, on which day of its life."""

    id: str
    geography: str
    start_day: int                    # days after START
    station: str
    area: str
    first_ring: int
    rings: int
    harvest_day: int | None           # days after the batch's own start; None = active at UNTIL
    eggs: int
    target_kg: float


SPECS = (
    Spec("FAR-2020-001", "faroe", 0, "FI-FW-01", "FI-SEA-01", 1, 10, 780, 3_000_000, 5.0),
    Spec("SCO-2020-001", "scotland", 20, "S-FW-01", "S-SEA-01", 1, 10, 760, 3_000_000, 4.6),
    Spec("FAR-2020-002", "faroe", 50, "FI-FW-02", "FI-SEA-01", 11, 10, None, 3_123_456, 5.5),
    Spec("FAR-2020-003", "faroe", 100, "FI-FW-01", "FI-SEA-02", 1, 10, None, 3_246_912, 6.1),
    Spec("SCO-2020-002", "scotland", 120, "S-FW-01", "S-SEA-01", 11, 10, None, 3_123_456, 5.8),
    Spec("SCO-2020-003", "scotland", 220, "S-FW-01", "S-SEA-02", 1, 8, None, 3_246_912, 6.4),
    Spec("FAR-2021-004", "faroe", 500, "FI-FW-02", "FI-SEA-02", 11, 10, None, 3_370_368, 4.9),
)


def day(n: int) -> dt.date:
    """The date n days after START."""
    return START + dt.timedelta(days=n)


def _windows(spec: Spec, start: dt.date, end: dt.date) -> tuple[list[StageWindow], list[StageStay]]:
    windows, stays, offset = [], [], 0
    for params in LIFECYCLE.stages:
        w_start = start + dt.timedelta(days=offset)
        offset += params.days
        if w_start >= end:
            break
        nominal = start + dt.timedelta(days=offset)
        if params.water == "sea":
            location = spec.area
            names = [f"{spec.area}-Ring-{n:02d}" for n in range(spec.first_ring, spec.first_ring + spec.rings)]
        else:
            location = f"{spec.station}-Hall-{params.hall}"
            names = [f"{spec.station}-{params.hall}-C{n:02d}" for n in range(1, 11)]
        w_end = min(nominal, end)
        windows.append(StageWindow(stage=params.name, start=w_start, end=w_end, reserved_until=nominal,
                                   location=location, containers=compress(names)))
        stays.append(StageStay(params=params, containers=len(names), days=(w_end - w_start).days))
    return windows, stays


def make_batch(spec: Spec, index: int, geo_index: int, until: dt.date = UNTIL) -> BatchPlan:
    """A batch laid out like the compiler would: 90-day fresh-water stages, then the sea."""
    start = day(spec.start_day)
    harvested = spec.harvest_day is not None
    end = start + dt.timedelta(days=spec.harvest_day + 1) if harvested else until + dt.timedelta(days=1)
    windows, stays = _windows(spec, start, end)
    return BatchPlan(
        id=spec.id, index=index, geography=spec.geography, geo_index=geo_index, start=start, end=end,
        days=(end - start).days, status="completed" if harvested else "active", eggs=spec.eggs,
        harvest_target_kg=spec.target_kg,
        harvest_date=start + dt.timedelta(days=spec.harvest_day) if harvested else None,
        stages=tuple(windows), estimated_rows=estimate_rows(stays, harvested),
    )


def with_batches(plan: Plan, batches) -> Plan:
    """A copy of ``plan`` holding ``batches`` (re-indexed in the given order) and their row totals."""
    geo_seen: Counter = Counter()
    placed = []
    for i, b in enumerate(batches):
        placed.append(b.model_copy(update={"index": i, "geo_index": geo_seen[b.geography]}))
        geo_seen[b.geography] += 1
    totals: Counter = Counter()
    for b in placed:
        totals.update(b.estimated_rows)
    rows = {t: totals.get(t, 0) for t in sorted(set(totals) | set(plan.estimated_rows))}
    return plan.model_copy(update={"batches": tuple(placed), "estimated_rows": rows})


def modify_batch(plan: Plan, batch_id: str, **update) -> Plan:
    """A copy of ``plan`` with one batch's fields replaced."""
    return plan.model_copy(update={"batches": tuple(
        b.model_copy(update=update) if b.id == batch_id else b for b in plan.batches)})


def build_plan(specs=SPECS, until: dt.date = UNTIL) -> Plan:
    """The small realistic plan: 2 geographies, 6 stages, ``specs`` batches in start order."""
    ordered = sorted(specs, key=lambda s: (s.start_day, s.id))
    geo_seen: Counter = Counter()
    batches = []
    for i, spec in enumerate(ordered):
        batches.append(make_batch(spec, i, geo_seen[spec.geography], until))
        geo_seen[spec.geography] += 1
    params = Parameters(
        scenario="render-fixture", seed=20240601, start=START, until=until, until_source="file",
        variables={"stagger": 5, "saturation": 0.85}, lifecycle=LIFECYCLE,
        batches=BatchRules(
            geographies=("faroe", "scotland"), counts=dict(Counter(s.geography for s in specs)),
            stagger_days=50, stagger_mode="interleaved", offsets={}, eggs="3000000 + (j * 123456) % 800000",
            harvest_target_kg=(4.5, 6.5), id_pattern="{prefix}-{year}-{seq:03d}",
        ),
    )
    empty = Plan(format_version=1, sources=Sources(sha256="0f3c" + "9a" * 30, files=("demo.aqs",)),
                 parameters=params, infrastructure=INFRASTRUCTURE, batches=(), estimated_rows={})
    return with_batches(empty, batches)


def many_specs(n: int) -> tuple[Spec, ...]:
    """``n`` batches, 5 days apart, alternating geographies (capacity is not respected: diff tests only)."""
    out = []
    for i in range(n):
        geo, prefix, station, area = (("faroe", "FAR", "FI-FW-01", "FI-SEA-01") if i % 2 == 0
                                      else ("scotland", "SCO", "S-FW-01", "S-SEA-01"))
        out.append(Spec(f"{prefix}-X-{i // 2 + 1:04d}", geo, 5 * i - 1500, station, area, 1, 10,
                        780 if i < n // 2 else None, 3_000_000 + (i * 123_456) % 800_000, 4.5 + (i % 5) * 0.5))
    return tuple(out)


@pytest.fixture
def plan() -> Plan:
    return build_plan()


class PlanKit:
    """The builders above, handed to tests through the ``kit`` fixture."""

    START, UNTIL, SPECS, Spec = START, UNTIL, SPECS, Spec
    day = staticmethod(day)
    build = staticmethod(build_plan)
    make_batch = staticmethod(make_batch)
    with_batches = staticmethod(with_batches)
    modify_batch = staticmethod(modify_batch)
    many_specs = staticmethod(many_specs)


@pytest.fixture
def kit() -> type[PlanKit]:
    return PlanKit
