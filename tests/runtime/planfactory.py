"""A small hand-built Plan (3 stages, few containers) for fast runtime tests."""

from __future__ import annotations

import datetime as dt

from aquadsl.plan.model import (
    FORMAT_VERSION, AreaPlan, BatchPlan, BatchRules, CadencePlan, ContainerKindPlan, FeedPlan,
    GeographyPlan, HallPlan, Infrastructure, LifecyclePlan, Parameters, Plan, ProfilePlan, SensorPlan,
    Sources, StageParams, StageWindow, StationPlan,
)
from aquadsl.plan.ranges import compress
from aquadsl.sim.growth import project
from aquadsl.sim.volume import StageStay, estimate_rows

START = dt.date(2023, 1, 1)


def _lifecycle(sea_days: int) -> LifecyclePlan:
    egg = StageParams(
        name="egg", label="Egg&Alevin", order=1, days=20, water="fresh", hall="A", containers=2,
        tgc=0.0, weight_cap_g=0.2, mortality_per_day=0.0015, feed=FeedPlan(mode="none"),
        feedings_per_day=0, sensors=SensorPlan(per_day=2, parameters=("temperature", "oxygen")),
        cadences={}, at_days={})
    smolt = StageParams(
        name="smolt", label="Smolt", order=2, days=30, water="fresh", hall="B", containers=2,
        tgc=2.5, weight_cap_g=200.0, mortality_per_day=0.0003,
        feed=FeedPlan(mode="fcr", fcr=1.0, feed_name="Starter Feed 1.0mm"), feedings_per_day=2,
        sensors=SensorPlan(per_day=2, parameters=("temperature", "oxygen")),
        cadences={"growth_samples": CadencePlan(every=7, fish=30)}, at_days={"vaccinations": (10,)})
    adult = StageParams(
        name="adult", label="Adult", order=3, days=sea_days, water="sea", rings=(2, 3),
        tgc=3.1, weight_cap_g=7000.0, mortality_per_day=0.0001,
        feed=FeedPlan(mode="fcr", fcr=1.2, feed_name="Finisher Feed 4.5mm"), feedings_per_day=2,
        sensors=SensorPlan(per_day=2, parameters=("temperature", "oxygen", "salinity")),
        cadences={"growth_samples": CadencePlan(every=7, fish=30),
                  "lice_counts": CadencePlan(every=7, fish=20),
                  "health_samples": CadencePlan(every=30, fish=75)},
        at_days={"lice_treatments": (40,)})
    return LifecyclePlan(name="salmon", label="Atlantic Salmon", start_weight_g=0.1,
                         stages=(egg, smolt, adult))


def _infrastructure(rings: int) -> Infrastructure:
    station = StationPlan(name="FI-FW-01", halls=(
        HallPlan(name="FI-FW-01-Hall-A", letter="A", kind="tray",
                 containers=compress(f"FI-FW-01-A-C{i:02d}" for i in range(1, 5))),
        HallPlan(name="FI-FW-01-Hall-B", letter="B", kind="tank",
                 containers=compress(f"FI-FW-01-B-C{i:02d}" for i in range(1, 5))),
    ))
    area = AreaPlan(name="FI-SEA-01", kind="ring",
                    rings=compress(f"FI-SEA-01-Ring-{i:02d}" for i in range(1, rings + 1)))
    geo = GeographyPlan(
        name="faroe", label="Faroe Islands", code="FI", prefix="FAR",
        temperature={"fresh": ProfilePlan(kind="constant", value=12.0),
                     "sea": ProfilePlan(kind="sine", mean=9.5, amplitude=1.0, peak_day=230)},
        stations=(station,), sea_areas=(area,))
    kinds = {"tray": ContainerKindPlan(label="Incubation Trays", volume_m3=10, max_biomass_kg=500),
             "tank": ContainerKindPlan(label="Smolt Tanks", volume_m3=1000, max_biomass_kg=50000),
             "ring": ContainerKindPlan(label="Sea Rings", volume_m3=50000, max_biomass_kg=500000)}
    return Infrastructure(container_kinds=kinds, geographies=(geo,))


def _batch(index: int, lifecycle: LifecyclePlan, geo: GeographyPlan, until: dt.date,
           stagger: int, target_kg: float) -> BatchPlan:
    start = START + dt.timedelta(days=index * stagger)
    traj = project(lifecycle, geo.temperature, start, target_kg * 1000, (until - start).days + 1)
    lived = traj.days
    harvested = traj.harvest_day is not None
    slot = index % 2
    names = {"egg": [f"FI-FW-01-A-C{2 * slot + i:02d}" for i in (1, 2)],
             "smolt": [f"FI-FW-01-B-C{2 * slot + i:02d}" for i in (1, 2)],
             "adult": [f"FI-SEA-01-Ring-{2 * (index % 3) + i:02d}" for i in (1, 2)]}
    windows, stays, day = [], [], 0
    for stage in lifecycle.stages:
        days = max(0, min(stage.days, lived - day))
        stays.append(StageStay(params=stage, containers=len(names[stage.name]), days=days))
        if days:
            first = start + dt.timedelta(days=day)
            end = first + dt.timedelta(days=days)
            windows.append(StageWindow(
                stage=stage.name, start=first, end=end,       # reserved for the whole stage, as compiled
                reserved_until=max(end, first + dt.timedelta(days=stage.days)),
                location="FI-SEA-01" if stage.water == "sea" else f"FI-FW-01-Hall-{stage.hall}",
                containers=compress(names[stage.name])))
        day += stage.days
    end = start + dt.timedelta(days=lived)
    return BatchPlan(
        id=f"FAR-{start.year}-{index + 1:03d}", index=index, geography="faroe", geo_index=index,
        start=start, end=end, days=lived, status="completed" if harvested else "active",
        eggs=200_000 + 10_000 * index, harvest_target_kg=target_kg,
        harvest_date=start + dt.timedelta(days=traj.harvest_day) if harvested else None,
        stages=tuple(windows), estimated_rows=estimate_rows(stays, harvested))


def small_plan(batches: int = 3, sea_days: int = 60, stagger: int = 30, seed: int = 7,
               until: dt.date | None = None) -> Plan:
    """A plan of ``batches`` Faroe batches; the last one is still at sea on ``until``."""
    lifecycle = _lifecycle(sea_days)
    infra = _infrastructure(rings=6)
    geo = infra.geographies[0]
    total = sum(s.days for s in lifecycle.stages)
    until = until or START + dt.timedelta(days=(batches - 1) * stagger + total - 15)
    plan_batches = tuple(_batch(i, lifecycle, geo, until, stagger, 0.3 + 0.01 * i) for i in range(batches))
    rows = {t: sum(b.estimated_rows[t] for b in plan_batches) for t in plan_batches[0].estimated_rows}
    params = Parameters(
        scenario="runtime-test", seed=seed, start=START, until=until, until_source="file", variables={},
        lifecycle=lifecycle,
        batches=BatchRules(geographies=("faroe",), counts={"faroe": batches}, stagger_days=stagger,
                           stagger_mode="interleaved", offsets={}, eggs="200000 + 10000 * index",
                           harvest_target_kg=(0.3, 0.4), id_pattern="{prefix}-{year}-{geo_index+1:03}"))
    return Plan(format_version=FORMAT_VERSION, sources=Sources(sha256="0" * 64, files=("test.aqs",)),
                parameters=params, infrastructure=infra, batches=plan_batches, estimated_rows=rows)
