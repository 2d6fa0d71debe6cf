"""Write the plan's infrastructure and master data (idempotent upsert by name) and read the id lookups."""

from __future__ import annotations

import numpy as np

from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand
from aquadsl.runtime.encode import Lookups

# Units of the environmental parameters the shipped scenarios measure; others get none.
UNITS = {"temperature": "°C", "oxygen": "%", "ph": "", "co2": "mg/L", "no2": "mg/L", "no3": "mg/L",
         "nh4": "mg/L", "salinity": "ppt"}


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def sensor_parameters(plan: Plan) -> tuple[dict[str, list[str]], list[str]]:
    """Parameters measured per fresh-water hall letter, and in sea rings, from the stages placed there."""
    fresh: dict[str, list[str]] = {}
    sea: list[str] = []
    for stage in plan.parameters.lifecycle.stages:
        if stage.water == "sea":
            sea = _unique(sea + list(stage.sensors.parameters))
        elif stage.hall is not None:
            fresh[stage.hall] = _unique(fresh.get(stage.hall, []) + list(stage.sensors.parameters))
    return fresh, sea


def feed_name(stage) -> str | None:
    """The feed a stage's feeding events name (the simulation's rule when the plan names none)."""
    if stage.feed.mode == "none" or stage.feedings_per_day <= 0:
        return None
    return stage.feed.feed_name or f"{stage.label} feed"


def feed_names(plan: Plan) -> list[str]:
    """Every feed a feeding event can name: each feeding stage's own feed, then its pellet ladder's."""
    stages = plan.parameters.lifecycle.stages
    return _unique(f for s in stages if feed_name(s) for f in [feed_name(s), *(p.feed_name for p in s.pellets)])


def _containers(plan: Plan):
    """(container name, kind, hall name or None, area name or None, water) in plan order."""
    for geo in plan.infrastructure.geographies:
        for station in geo.stations:
            for hall in station.halls:
                for name in expand(hall.containers):
                    yield name, hall.kind, hall.name, None, "fresh", hall.letter
        for area in geo.sea_areas:
            for name in expand(area.rings):
                yield name, area.kind, None, area.name, "sea", None


def _upsert(model, rows: list[dict]) -> dict[str, int]:
    """Create missing rows (ids continue after the largest), update changed ones; name -> id."""
    existing = {o.name: o for o in model.objects.all()}
    next_id = max((o.id for o in existing.values()), default=0) + 1
    create, update = [], []
    for row in rows:
        obj = existing.get(row["name"])
        if obj is None:
            obj = model(id=next_id, **row)
            next_id += 1
            create.append(obj)
            existing[row["name"]] = obj
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            update.append(obj)
    model.objects.bulk_create(create, batch_size=2000)
    if update:
        model.objects.bulk_update(update, [k for k in rows[0] if k != "name"], batch_size=500)
    return {name: obj.id for name, obj in existing.items()}


def write_infrastructure(plan: Plan) -> dict[str, int]:
    """Upsert everything the plan's rows refer to, in one transaction; returns rows per model."""
    from django.db import transaction

    from aquadsl.farm import models as m

    infra = plan.infrastructure
    with transaction.atomic():
        kinds = _upsert(m.ContainerKind, [
            dict(name=k, label=v.label, volume_m3=v.volume_m3, max_biomass_kg=v.max_biomass_kg)
            for k, v in sorted(infra.container_kinds.items())])
        geos = _upsert(m.Geography, [dict(name=g.name, label=g.label, code=g.code, prefix=g.prefix)
                                     for g in infra.geographies])
        stations = _upsert(m.FreshwaterStation, [dict(name=s.name, geography_id=geos[g.name])
                                                 for g in infra.geographies for s in g.stations])
        halls = _upsert(m.Hall, [dict(name=h.name, station_id=stations[s.name], letter=h.letter,
                                      kind_id=kinds[h.kind])
                                 for g in infra.geographies for s in g.stations for h in s.halls])
        areas = _upsert(m.SeaArea, [dict(name=a.name, geography_id=geos[g.name], kind_id=kinds[a.kind])
                                    for g in infra.geographies for a in g.sea_areas])
        containers = list(_containers(plan))
        cids = _upsert(m.Container, [
            dict(name=name, kind_id=kinds[kind], hall_id=halls.get(hall), sea_area_id=areas.get(area),
                 water=water, volume_m3=infra.container_kinds[kind].volume_m3,
                 max_biomass_kg=infra.container_kinds[kind].max_biomass_kg)
            for name, kind, hall, area, water, _ in containers])
        fresh, sea = sensor_parameters(plan)
        params = _upsert(m.EnvironmentalParameter, [
            dict(name=p, unit=UNITS.get(p, "")) for p in _unique(sea + [p for v in fresh.values() for p in v])])
        _upsert(m.Sensor, [
            dict(name=f"{name}-{p}", container_id=cids[name], parameter_id=params[p])
            for name, _, _, _, water, letter in containers
            for p in (sea if water == "sea" else fresh.get(letter, []))])
        stages = plan.parameters.lifecycle.stages
        feeds = _upsert(m.FeedType, [dict(name=f) for f in feed_names(plan)])
        _upsert(m.LifecycleStage, [
            dict(name=s.name, label=s.label, order=s.order, water=s.water, days=s.days, tgc=s.tgc,
                 weight_cap_g=s.weight_cap_g, mortality_per_day=s.mortality_per_day,
                 feed_type_id=feeds.get(feed_name(s)), feedings_per_day=s.feedings_per_day)
            for s in stages])
    return {model.__name__: model.objects.count() for model in m.INFRASTRUCTURE_MODELS}


def lookups() -> Lookups:
    """The name -> id maps the loader needs, read from the database (plain data)."""
    from aquadsl.farm import models as m

    def names(model) -> dict[str, int]:
        return dict(model.objects.values_list("name", "id"))

    sensors = list(m.Sensor.objects.values_list("container_id", "parameter_id", "id"))
    grid = np.zeros((max((s[0] for s in sensors), default=0) + 1, max((s[1] for s in sensors), default=0) + 1),
                    dtype=np.int64)
    for container_id, parameter_id, sensor_id in sensors:
        grid[container_id, parameter_id] = sensor_id
    return Lookups(container=names(m.Container), stage=names(m.LifecycleStage),
                   parameter=names(m.EnvironmentalParameter), feed_type=names(m.FeedType),
                   geography=names(m.Geography), sensor_grid=grid)
