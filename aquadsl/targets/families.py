"""The row families a mapping reads: the simulation's tables, the plan's infrastructure, and their vocabularies.

Batch families come from ``sim.schema.SCHEMA``; infrastructure families are built here from the plan
(pure functions, plan order). ``VOCABULARIES`` lists every value a text column can carry when the
set is fixed by the simulation; ``OPEN`` columns take their values from the plan (checked at apply).
``BOUNDS`` are the largest magnitudes a numeric column reaches, for the precision check.
"""

from __future__ import annotations

import functools
import importlib

from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand
from aquadsl.sim import fish
from aquadsl.targets import derived
from aquadsl.sim.schema import SCHEMA
from aquadsl.sim.volume import HARVEST_GRADES

INFRA: dict[str, tuple[tuple[str, str], ...]] = {
    "geographies": (("name", "str"), ("label", "str"), ("code", "str"), ("prefix", "str")),
    "stations": (("name", "str"), ("geography", "str")),
    "units": (("name", "str"), ("geography", "str"), ("geography_code", "str"), ("station", "str"), ("water", "str"), ("kind", "str")),
    "containers": (("name", "str"), ("short_name", "str"), ("unit", "str"), ("station", "str"),
                   ("geography", "str"), ("geography_code", "str"), ("water", "str"), ("kind", "str"), ("volume_m3", "float"),
                   ("max_biomass_kg", "float")),
    "stages": (("name", "str"), ("label", "str"), ("order", "int"), ("water", "str"), ("days", "int")),
    "parameters": (("name", "str"),),
    "feeds": (("name", "str"),),
}

# Extra batch families: the simulation produces them only when a mapping reads one.
EXTRA: dict[str, tuple[tuple[str, str], ...]] = {"fish_observations": fish.COLUMNS}
# Derived batch families: built from a batch's rows by joins (aquadsl.targets.derived); data-dependent counts.
DERIVED: dict[str, tuple[tuple[str, str], ...]] = {"transfer_actions": derived.COLUMNS}

# ref(FAMILY) -> the column of the reading family that holds the referenced row's number.
REF_COLUMNS = {"batches": None, "assignments": "assignment_no", "growth_samples": "sample_row",
               "transfers": "transfer_no"}

# A batch column naming an entity -> the infrastructure family whose attributes `column.attr` reads.
ENTITY = {"container": "containers", "source_container": "containers", "dest_container": "containers", "geography": "geographies", "stage": "stages", "from_stage": "stages",
          "to_stage": "stages", "parameter": "parameters", "feed_name": "feeds", "unit": "units",
          "station": "stations"}

VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("batches", "status"): ("active", "completed", "culled"),
    ("mortality_events", "cause"): ("CULL", "DISEASE", "ENVIRONMENTAL", "HANDLING", "NATURAL", "NONE", "PREDATION",
                                    "TREATMENT"),
    ("treatments", "treatment_type"): ("lice_treatment", "vaccination"),
    ("harvest_lots", "grade"): tuple(sorted(HARVEST_GRADES)),
    ("units", "water"): ("fresh", "sea"),
    ("containers", "water"): ("fresh", "sea"),
    ("stages", "water"): ("fresh", "sea"),
}
OPEN = {"container", "geography", "stage", "from_stage", "to_stage", "parameter", "feed_name", "name",
        "unit", "station", "batch_id", "label", "code", "prefix", "short_name", "kind", "geography_code"}

# Upper bounds of magnitudes (the biology caps weights at a few kg per fish; biomass per container).
BOUNDS = {"avg_weight_g": 20_000.0, "avg_weight_start_g": 20_000.0, "avg_weight_end_g": 20_000.0,
          "std_weight_g": 20_000.0, "min_weight_g": 20_000.0, "max_weight_g": 20_000.0,
          "avg_length_cm": 200.0, "condition_factor": 10.0, "mean_score": 5.0, "value": 100_000.0,
          "temperature_c": 40.0, "fcr": 100.0, "feeding_pct": 100.0, "feed_kg": 1e7, "amount_kg": 1e5,
          "biomass_kg": 1e7, "biomass_end_kg": 1e7, "live_weight_kg": 1e7, "harvest_target_kg": 1e9,
          "volume_m3": 1e6, "max_biomass_kg": 1e8}
ASSIGNED = {t for t, cols in SCHEMA.items() if any(c == "assignment_no" for c, _ in cols)}


# Modules that bring a target's own row families: each has FAMILIES {name: obj with .kind ("batch" or
# "infra") and .columns}, batch_rows(plan, batch_id, rows, names) and infra_columns(plan, family).
PROVIDERS = ("aquadsl.aquamind.families",)


@functools.lru_cache(maxsize=1)
def _providers() -> dict:
    """family name -> its provider module (imported once, lazily: the sim and the plan only)."""
    out = {}
    for name in PROVIDERS:
        module = importlib.import_module(name)
        out.update({family: module for family in module.FAMILIES
                    if not any(family in known for known in (SCHEMA, INFRA, EXTRA, DERIVED))})
        for key, values in getattr(module, "VOCABULARIES", {}).items():
            VOCABULARIES.setdefault(key, tuple(values))
        for column, bound in getattr(module, "BOUNDS", {}).items():
            BOUNDS.setdefault(column, bound)
    return out


def row_family(family: str) -> str:
    """The family whose rows a provided family repeats one for one, in order (its ids are theirs), else itself."""
    module = _providers().get(family)
    return getattr(module, "ALIASES", {}).get(family, family) if module else family


def provided_kind(family: str) -> str | None:
    module = _providers().get(family)
    return module.FAMILIES[family].kind if module else None


def family_columns(family: str) -> dict[str, str] | None:
    """Column -> type of a family, or None if there is no such family."""
    cols = SCHEMA.get(family) or INFRA.get(family) or EXTRA.get(family) or DERIVED.get(family)
    if cols is None and family in _providers():
        cols = _providers()[family].FAMILIES[family].columns
    return dict(cols) if cols else None


def all_families() -> list[str]:
    return sorted(set(SCHEMA) | set(INFRA) | set(EXTRA) | set(DERIVED) | set(_providers()))


def extra_rows(plan: Plan, family: str, batch_id: str) -> int:
    """Rows an extra family gives for a batch (a fixed function of the plan, like the plan's estimates)."""
    return {"fish_observations": fish.fish_observation_count}[family](plan, batch_id)


def extra_family(plan: Plan, family: str, batch_id: str) -> dict:
    return {"fish_observations": fish.fish_observations}[family](plan, batch_id)


def is_infra(family: str) -> bool:
    return family in INFRA or provided_kind(family) == "infra"


def provided_rows(plan: Plan, batch_id: str, rows: dict, families) -> dict:
    """The provided batch families among ``families`` for one simulated batch (its ``rows``)."""
    out: dict = {}
    by_module: dict = {}
    for family in families:
        if family not in SCHEMA and provided_kind(family) == "batch":
            by_module.setdefault(_providers()[family], []).append(family)
    for module, names in by_module.items():
        out.update(module.batch_rows(plan, batch_id, rows, names))
    return out


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _short(name: str) -> str:
    return name.rsplit("-", 1)[-1]


def infra_rows(plan: Plan, family: str) -> dict[str, list]:
    """The rows of one infrastructure family, column-wise, in plan order."""
    if family not in INFRA:
        return _providers()[family].infra_columns(plan, family)
    rows = [dict(zip([c for c, _ in INFRA[family]], r)) for r in _infra_tuples(plan, family)]
    return {c: [r[c] for r in rows] for c, _ in INFRA[family]}


def _infra_tuples(plan: Plan, family: str):
    from aquadsl.runtime.infra import feed_names, sensor_parameters

    infra = plan.infrastructure
    if family == "geographies":
        return [(g.name, g.label, g.code, g.prefix) for g in infra.geographies]
    if family == "stations":
        return [(s.name, g.name) for g in infra.geographies for s in g.stations]
    if family == "units":
        return ([(h.name, g.name, g.code, s.name, "fresh", h.kind) for g in infra.geographies
                 for s in g.stations for h in s.halls]
                + [(a.name, g.name, g.code, None, "sea", a.kind) for g in infra.geographies for a in g.sea_areas])
    if family == "containers":
        kinds = infra.container_kinds
        return _unique([(c, _short(c), unit, station, g.name, g.code, water, kind, kinds[kind].volume_m3,
                         kinds[kind].max_biomass_kg) for c, unit, station, g, water, kind in _containers(plan)])
    if family == "stages":
        return [(s.name, s.label, s.order, s.water, s.days) for s in plan.parameters.lifecycle.stages]
    if family == "parameters":
        fresh, sea = sensor_parameters(plan)
        return [(p,) for p in _unique(sea + [p for v in fresh.values() for p in v])]
    if family == "feeds":
        return [(f,) for f in feed_names(plan)]
    raise KeyError(family)


def _containers(plan: Plan):
    for g in plan.infrastructure.geographies:
        for s in g.stations:
            for h in s.halls:
                for c in expand(h.containers):
                    yield c, h.name, s.name, g, "fresh", h.kind
        for a in g.sea_areas:
            for c in expand(a.rings):
                yield c, a.name, None, g, "sea", a.kind


def plan_vocabulary(plan: Plan, family: str, column: str) -> list[str] | None:
    """Every value ``family.column`` (or an entity attribute path) can take in this plan, if known."""
    path = column.split(".")
    if (family, path[0]) in VOCABULARIES and len(path) == 1:
        return list(VOCABULARIES[(family, path[0])])
    if is_infra(family):
        values = infra_rows(plan, family).get(path[0])
        return sorted({str(v) for v in values if v is not None}) if values is not None and len(path) == 1 else None
    entity = ENTITY.get(path[0])
    if entity is None:
        return None
    rows = infra_rows(plan, entity)
    attr = path[1] if len(path) > 1 else "name"
    return sorted({str(v) for v in rows.get(attr, []) if v is not None})
