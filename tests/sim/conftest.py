"""A small realistic plan built by hand, the way the compiler builds one (windows, harvest, estimates)."""

from __future__ import annotations

import datetime as dt

import pytest

from aquadsl.plan.model import (
    AreaPlan, BatchPlan, BatchRules, CadencePlan, ContainerKindPlan, FeedPlan, GeographyPlan, HallPlan,
    Infrastructure, LifecyclePlan, Parameters, Plan, ProfilePlan, SensorPlan, Sources, StageParams,
    StageWindow, StationPlan,
)
from aquadsl.plan.ranges import compress
from aquadsl.sim.growth import project
from aquadsl.sim.volume import TABLES, StageStay, estimate_rows

FRESH_SENSORS = SensorPlan(per_day=6, parameters=("temperature", "oxygen", "ph", "co2", "no2", "no3", "nh4"))
SEA_SENSORS = SensorPlan(per_day=6, parameters=("temperature", "oxygen", "ph", "salinity"))
GROWTH = {"growth_samples": CadencePlan(every=7, fish=30)}


def _stage(name, order, hall, tgc, cap, mortality, feed, feedings, cadences=None, at_days=None, **kw):
    sea = hall is None
    return StageParams(
        name=name, label=name.replace("_", " ").title(), order=order, days=kw.get("days", 90),
        water="sea" if sea else "fresh", hall=hall, containers=None if sea else 10,
        rings=kw.get("rings", ()), tgc=tgc, weight_cap_g=cap, mortality_per_day=mortality, feed=feed,
        feedings_per_day=feedings, sensors=SEA_SENSORS if sea else FRESH_SENSORS,
        cadences=cadences or {}, at_days=at_days or {},
    )


def lifecycle(adult_tgc: float = 3.0, fry_feed: FeedPlan | None = None) -> LifecyclePlan:
    """The six stages of domain.md with growth tuned so no cap freezes the fish for weeks."""
    fcr = lambda value, name: FeedPlan(mode="fcr", fcr=value, feed_name=name)  # noqa: E731
    stages = (
        _stage("egg_alevin", 1, "A", 0.0, 0.2, 0.0015, FeedPlan(mode="none"), 0),
        _stage("fry", 2, "B", 1.5, 12.0, 0.0005,
               fry_feed or FeedPlan(mode="rate", rate_pct=3.0, feed_name="Starter Feed 0.5mm"), 4, GROWTH),
        _stage("parr", 3, "C", 1.4, 60.0, 0.0003, fcr(1.0, "Starter Feed 1.0mm"), 3, GROWTH,
               {"vaccinations": (0, 30)}),
        _stage("smolt", 4, "D", 1.2, 150.0, 0.0002, fcr(1.0, "Grower Feed 2.0mm"), 2, GROWTH,
               {"vaccinations": (10, 40)}),
        _stage("post_smolt", 5, "E", 1.3, 320.0, 0.00015, fcr(1.05, "Grower Feed 3.0mm"), 2,
               {**GROWTH, "health_samples": CadencePlan(every=30, fish=75)}),
        _stage("adult", 6, None, adult_tgc, 8000.0, 0.0001, fcr(1.15, "Finisher Feed 4.5mm"), 2,
               {**GROWTH, "lice_counts": CadencePlan(every=7, fish=20),
                "health_samples": CadencePlan(every=30)},
               {"lice_treatments": (150, 270)}, days=450, rings=(8, 10)),
    )
    return LifecyclePlan(name="salmon", label="Atlantic salmon", start_weight_g=0.1, stages=stages)


def geographies() -> tuple[GeographyPlan, ...]:
    def geo(name, label, code, prefix, fresh, sea):
        halls = tuple(HallPlan(name=f"{code}-FW-01-Hall-{x}", letter=x, kind="tank",
                               containers=compress(f"{code}-FW-01-{x}-C{i:02d}" for i in range(1, 11)))
                      for x in "ABCDE")
        areas = tuple(AreaPlan(name=f"{code}-SEA-{a:02d}", kind="sea_ring",
                               rings=compress(f"{code}-SEA-{a:02d}-Ring-{r:02d}" for r in range(1, 21)))
                      for a in (1, 2))
        return GeographyPlan(name=name, label=label, code=code, prefix=prefix,
                             temperature={"fresh": fresh, "sea": sea},
                             stations=(StationPlan(name=f"{code}-FW-01", halls=halls),), sea_areas=areas)
    return (
        geo("faroe", "Faroe Islands", "FI", "FAR", ProfilePlan(kind="constant", value=12.0),
            ProfilePlan(kind="sine", mean=9.5, amplitude=1.2, peak_day=240)),
        geo("scotland", "Scotland", "S", "SCO",
            ProfilePlan(kind="monthly", values=(7, 7, 8, 10, 12, 13, 14, 14, 13, 11, 9, 8)),
            ProfilePlan(kind="sine", mean=10.5, amplitude=3.0, peak_day=235)),
    )


def make_batch(life: LifecyclePlan, geo: GeographyPlan, index: int, batch_id: str, start: dt.date,
               eggs: int, target_kg: float, until: dt.date, rings: int = 8) -> BatchPlan:
    """A batch exactly as the compiler lays it out: trajectory → windows → harvest → estimated rows."""
    traj = project(life, geo.temperature, start, target_kg * 1000.0, (until - start).days + 1)
    windows, stays = [], []
    for i, params in enumerate(life.stages):
        days = [d for d in range(traj.days) if traj.stage_index[d] == i]
        if not days:
            continue
        first = start + dt.timedelta(days=days[0])
        end = first + dt.timedelta(days=len(days))
        if params.water == "fresh":
            names = [f"{geo.code}-FW-01-{params.hall}-C{c:02d}" for c in range(1, params.containers + 1)]
            location, reserved = f"{geo.code}-FW-01-Hall-{params.hall}", end
        else:
            names = [f"{geo.code}-SEA-01-Ring-{r:02d}" for r in range(1, rings + 1)]
            location, reserved = f"{geo.code}-SEA-01", first + dt.timedelta(days=params.days)
        windows.append(StageWindow(stage=params.name, start=first, end=end, reserved_until=reserved,
                                   location=location, containers=compress(names)))
        stays.append(StageStay(params, len(names), len(days)))
    harvest = None if traj.harvest_day is None else start + dt.timedelta(days=traj.harvest_day)
    return BatchPlan(id=batch_id, index=index, geography=geo.name, geo_index=index // 2, start=start,
                     end=start + dt.timedelta(days=traj.days), days=traj.days,
                     status="completed" if harvest else "active", eggs=eggs, harvest_target_kg=target_kg,
                     harvest_date=harvest, stages=tuple(windows),
                     estimated_rows=estimate_rows(stays, harvest is not None))


BATCHES = (  # id, geography, start, eggs, target kg, rings
    ("FAR-2020-001", "faroe", dt.date(2020, 1, 15), 3_200_001, 5.2, 8),
    ("SCO-2021-001", "scotland", dt.date(2021, 3, 1), 3_456_789, 6.0, 10),
    ("FAR-2022-002", "faroe", dt.date(2022, 8, 1), 3_000_000, 4.8, 8),
)


def make_plan(seed: int = 42, until: dt.date = dt.date(2023, 3, 31), life: LifecyclePlan | None = None,
              batches=BATCHES) -> Plan:
    """A plan with the given lifecycle and batches; everything derived as the compiler would."""
    life = life or lifecycle()
    geos = {g.name: g for g in geographies()}
    plans = tuple(make_batch(life, geos[g], i, bid, start, eggs, kg, until, rings)
                  for i, (bid, g, start, eggs, kg, rings) in enumerate(batches))
    rules = BatchRules(geographies=("faroe", "scotland"), counts={"faroe": 2, "scotland": 1}, stagger_days=30,
                       stagger_mode="interleaved", offsets={}, eggs="3000000", harvest_target_kg=(4.5, 6.5),
                       id_pattern="{prefix}-{year}-{geo_index+1:03}")
    params = Parameters(scenario="sim-test", seed=seed, start=dt.date(2020, 1, 1), until=until,
                        until_source="file", variables={}, lifecycle=life, batches=rules)
    kinds = {"tank": ContainerKindPlan(label="Tank", volume_m3=500, max_biomass_kg=25000),
             "sea_ring": ContainerKindPlan(label="Sea ring", volume_m3=50000, max_biomass_kg=1_200_000)}
    total = {t: sum(b.estimated_rows[t] for b in plans) for t in TABLES}
    return Plan(format_version=1, sources=Sources(sha256="0" * 64, files=("test.aqs",)), parameters=params,
                infrastructure=Infrastructure(container_kinds=kinds, geographies=tuple(geos.values())),
                batches=plans, estimated_rows=total)


@pytest.fixture(scope="session")
def plan() -> Plan:
    return make_plan()


@pytest.fixture(scope="session")
def simulated(plan):
    from aquadsl.sim.simulate import simulate_batch
    return {b.id: simulate_batch(plan, b.id) for b in plan.batches}


def digest_rows(rows) -> str:
    """SHA-256 over every table's column bytes, in schema order (strings joined by a separator)."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    for table in sorted(rows):
        for column, values in rows[table].items():
            h.update(f"{table}.{column}:{values.dtype}:{len(values)}\n".encode())
            data = "\x1f".join(map(str, values)).encode() if values.dtype == object else \
                np.ascontiguousarray(values).tobytes()
            h.update(data)
    return h.hexdigest()


ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_plan() -> Plan:
    """scenarios/demo.aqs compiled by the real compiler (skipped while the compiler is absent)."""
    try:
        from aquadsl.compiler import compile_path
    except ImportError as exc:          # pragma: no cover - only before the compiler exists
        pytest.skip(f"compiler not available: {exc}")
    result = compile_path(ROOT / "scenarios" / "demo.aqs")
    assert result.plan is not None, [str(d) for d in result.diagnostics]
    return result.plan


@pytest.fixture(scope="session")
def demo_rows(demo_plan):
    from aquadsl.sim.simulate import simulate_batch
    return {b.id: simulate_batch(demo_plan, b.id) for b in demo_plan.batches}
