"""Master-data families AquaMind needs, built from the plan alone (pure, plan order, no database)."""

from __future__ import annotations

import re

from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand
from aquadsl.runtime.infra import UNITS, feed_names, sensor_parameters
from aquadsl.sim.extra_aquamind import HEALTH_PARAMETERS, store_name
from aquadsl.sim.treatments import NAMES as TREATMENT_NAMES
from aquadsl.sim.volume import HARVEST_GRADES

LOADER_USER = "aquadsl-loader"
EGG_SUPPLIER = "aquadsl broodstock"
SCIENTIFIC = {"atlantic salmon": "Salmo salar"}
SENSOR_TYPES = {"temperature": "TEMPERATURE", "oxygen": "OXYGEN", "ph": "PH", "salinity": "SALINITY",
                "co2": "CO2"}
FEED_STORE_KG = {"fresh": 50_000.0, "sea": 500_000.0}
# Recorded causes -> what AquaMind's MortalityEvent.cause can hold; NATURAL, NONE, TREATMENT and CULL have no
# own choice (a cull is a decision, not a death from disease: OTHER keeps AquaMind's disease mortality to fish
# that died; a delousing's losses are handling losses there). Several causes share one AquaMind reason row.
CAUSES = {"DISEASE": "DISEASE", "ENVIRONMENTAL": "ENVIRONMENTAL", "HANDLING": "HANDLING",
          "PREDATION": "PREDATION", "NATURAL": "OTHER", "NONE": "UNKNOWN", "CULL": "OTHER",
          "TREATMENT": "HANDLING"}


def reason_rows() -> list[tuple[str, str]]:
    """One (recorded causes, AquaMind cause) row per AquaMind reason: an upsert by name meets each once."""
    names: dict[str, list[str]] = {}
    for recorded, am in sorted(CAUSES.items()):
        names.setdefault(am, []).append(recorded)
    return [(", ".join(names[am]), am) for am in sorted(names)]

INFRA_SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "kinds": (("name", "str"), ("label", "str"), ("category", "str"), ("volume_m3", "float"),
              ("max_biomass_kg", "float")),
    "sensors": (("name", "str"), ("container", "str"), ("unit", "str"), ("parameter", "str"),
                ("sensor_type", "str")),
    "species": (("name", "str"), ("scientific_name", "str")),
    "fresh_stores": (("name", "str"), ("unit", "str"), ("store_type", "str"), ("capacity_kg", "float")),
    "sea_stores": (("name", "str"), ("unit", "str"), ("store_type", "str"), ("capacity_kg", "float")),
    "halls": (("name", "str"), ("station", "str"), ("geography_label", "str")),
    "areas": (("name", "str"), ("geography", "str"), ("geography_label", "str"), ("unit_max_biomass_kg", "float")),
    "fresh_containers": (("name", "str"), ("unit", "str"), ("kind_label", "str"), ("volume_m3", "float"),
                         ("container_max_biomass_kg", "float")),
    "sea_containers": (("name", "str"), ("unit", "str"), ("kind_label", "str"), ("volume_m3", "float"),
                       ("container_max_biomass_kg", "float")),
    "feed_specs": (("name", "str"), ("size_category", "str"), ("pellet_mm", "float")),
    "parameter_units": (("name", "str"), ("unit", "str")),
    "vaccines": (("name", "str"),),
    "grades": (("code", "str"), ("name", "str")),
    "causes": (("name", "str"), ("am_cause", "str")),
    "health_parameters": (("name", "str"),),
    "egg_suppliers": (("name", "str"),),
    "users": (("username", "str"),),
}


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _category(kind: str, water: str) -> str:
    if water == "sea":
        return "PEN"
    return "TRAY" if "tray" in kind.lower() else "TANK"


def _kinds(plan: Plan) -> list[tuple]:
    water = {}
    for g in plan.infrastructure.geographies:
        for s in g.stations:
            for h in s.halls:
                water.setdefault(h.kind, "fresh")
        for a in g.sea_areas:
            water.setdefault(a.kind, "sea")
    return [(k, v.label, _category(k, water.get(k, "fresh")), v.volume_m3, v.max_biomass_kg)
            for k, v in sorted(plan.infrastructure.container_kinds.items())]


def _sensors(plan: Plan) -> list[tuple]:
    fresh, sea = sensor_parameters(plan)
    rows = []
    for g in plan.infrastructure.geographies:
        for s in g.stations:
            for h in s.halls:
                rows += [(f"{c}-{p}", c, h.name, p, SENSOR_TYPES.get(p, "OTHER"))
                         for c in expand(h.containers) for p in fresh.get(h.letter, [])]
        for a in g.sea_areas:
            rows += [(f"{c}-{p}", c, a.name, p, SENSOR_TYPES.get(p, "OTHER")) for c in expand(a.rings) for p in sea]
    return rows


def _units(plan: Plan, water: str) -> list[tuple]:
    """(unit name, station or None, geography, unit's container kind, its container names) of one water."""
    rows = []
    for g in plan.infrastructure.geographies:
        if water == "fresh":
            rows += [(h.name, s.name, g, h.kind, expand(h.containers)) for s in g.stations for h in s.halls]
        else:
            rows += [(a.name, None, g, a.kind, expand(a.rings)) for a in g.sea_areas]
    return rows


def _stores(plan: Plan, water: str) -> list[tuple]:
    kind = "BARGE" if water == "sea" else "SILO"
    return [(store_name(u, water), u, kind, FEED_STORE_KG[water]) for u, *_ in _units(plan, water)]


def _containers(plan: Plan, water: str) -> list[tuple]:
    kinds = plan.infrastructure.container_kinds
    return [(c, u, kinds[k].label, kinds[k].volume_m3, kinds[k].max_biomass_kg)
            for u, _, _, k, names in _units(plan, water) for c in names]


def _areas(plan: Plan) -> list[tuple]:
    kinds = plan.infrastructure.container_kinds
    return [(u, g.name, g.label, kinds[k].max_biomass_kg * len(names)) for u, _, g, k, names in _units(plan, "sea")]


def pellet_mm(name: str) -> float | None:
    """The pellet size a feed's name states ("Grower Feed 2.0mm" -> 2.0), if any."""
    found = re.search(r"(\d+(?:\.\d+)?)\s*mm", name)
    return float(found.group(1)) if found else None


def size_category(mm: float | None) -> str:
    if mm is None or mm < 1.0:
        return "MICRO"
    return "SMALL" if mm < 2.5 else ("MEDIUM" if mm < 4.0 else "LARGE")


def _feeds(plan: Plan) -> list[tuple]:
    return [(n, size_category(pellet_mm(n)), pellet_mm(n) or 0.0) for n in feed_names(plan)]


def _parameters(plan: Plan) -> list[tuple]:
    fresh, sea = sensor_parameters(plan)
    # AquaMind requires a unit; pH has none, so it is named by its own scale.
    return [(p, UNITS.get(p) or ("pH" if p == "ph" else "units"))
            for p in _unique(sea + [p for v in fresh.values() for p in v])]


def infra_rows(plan: Plan, family: str) -> list[tuple]:
    """Rows of one master-data family, as tuples in INFRA_SCHEMA column order."""
    life = plan.parameters.lifecycle
    builders = {
        "kinds": lambda: _kinds(plan),
        "sensors": lambda: _sensors(plan),
        "species": lambda: [(life.label, SCIENTIFIC.get(life.label.lower(), life.label))],
        "fresh_stores": lambda: _stores(plan, "fresh"),
        "sea_stores": lambda: _stores(plan, "sea"),
        "halls": lambda: [(u, st, g.label) for u, st, g, _, _ in _units(plan, "fresh")],
        "areas": lambda: _areas(plan),
        "fresh_containers": lambda: _containers(plan, "fresh"),
        "sea_containers": lambda: _containers(plan, "sea"),
        "feed_specs": lambda: _feeds(plan),
        "parameter_units": lambda: _parameters(plan),
        "vaccines": lambda: [(n,) for n in TREATMENT_NAMES["vaccinations"]],
        "grades": lambda: [(g, g.replace("_", " ").title()) for g in HARVEST_GRADES],
        "causes": reason_rows,
        "health_parameters": lambda: [(n,) for n in HEALTH_PARAMETERS],
        "egg_suppliers": lambda: [(EGG_SUPPLIER,)],
        "users": lambda: [(LOADER_USER,)],
    }
    return builders[family]()
