"""Pass 3: render the infrastructure inventory (stations, halls, containers, areas, rings) from patterns."""

from __future__ import annotations

import functools

from lark import Token

from aquadsl.compiler.text_limits import LIMITS, text_problem
from aquadsl import ir
from aquadsl.compiler.checked import GeoSetup
from aquadsl.compiler.evaluate import EvalError, render_pattern
from aquadsl.compiler.validate_infra import DEFAULT_NAMES
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import AreaPlan, GeographyPlan, HallPlan, Infrastructure, StationPlan
from aquadsl.plan.ranges import compress, expand
from aquadsl.sim.sites import with_site_offsets
from aquadsl.patterns import parse_pattern
from aquadsl.transformer import ToIR


@functools.lru_cache(maxsize=None)
def default_pattern(target: str) -> ir.Pattern:
    text = DEFAULT_NAMES[target]
    token = Token("STRING", f'"{text}"', line=1, column=1, end_line=1, end_column=len(text) + 3)
    return parse_pattern(token, "<default>", Diagnostics(), ToIR("<default>").transform)


def build_infrastructure(geographies: dict[str, GeoSetup], kinds: dict, diags: Diagnostics,
                         seed: int = 0) -> Infrastructure | None:
    """Every container of every geography, named by its patterns; duplicate names are errors. Each sea
    area's temperature offset is its declared one plus its draw from ``seed``."""
    geos = []
    owner: dict[str, str] = {}
    before = len(diags)
    for geo in geographies.values():
        try:
            plan = with_site_offsets(_geography(geo), geo.sea_offsets, geo.sites_sd, seed)
        except EvalError as exc:
            diags.error("AQS304", f"cannot name infrastructure of '{geo.name}': {exc.message}", exc.span)
            continue
        for target, name in _all_names(plan):
            if _bad_name(name, target, geo, owner, diags):
                break  # one report per geography; the others are still checked
            owner[name] = geo.name
        geos.append(plan)
    if len(diags) > before:
        return None
    return Infrastructure(container_kinds=kinds, geographies=tuple(geos))


def _bad_name(name: str, target: str, geo: GeoSetup, owner: dict[str, str], diags: Diagnostics) -> bool:
    """Empty, range-like or duplicate names are errors (the plan writes container runs as 'A..B')."""
    span = geo.names[target].span if target in geo.names else geo.span  # the pattern at fault
    if not name.strip() or ".." in name:
        diags.error("AQS302", f"the name patterns of '{geo.name}' produce the name '{name}'; names must not be "
                    "empty or contain '..'", span)
        return True
    problem = text_problem(name, LIMITS["name"])
    if problem:
        diags.error("AQS302", f"the name patterns of '{geo.name}' produce the name '{name[:40]}…', which {problem}",
                    span)
        return True
    if name not in owner:
        return False
    where = f"twice in '{geo.name}'" if owner[name] == geo.name else f"in '{owner[name]}' and '{geo.name}'"
    diags.error("AQS306", f"two places are both named '{name}' ({where})", span,
                hints=["give the geographies different codes, or change the name patterns"],
                notes=[Note(message="name patterns are set with a `names { ... }` block")])
    return True


def _pattern(geo: GeoSetup, target: str) -> ir.Pattern:
    return geo.names.get(target) or default_pattern(target)


def _geography(geo: GeoSetup) -> GeographyPlan:
    base = {"code": geo.code, "prefix": geo.prefix, "geography": geo.name}
    stations = []
    for s in range(1, geo.stations + 1):
        station = render_pattern(_pattern(geo, "station"), {**base, "n": s})
        halls = []
        for hall in geo.halls:
            env = {**base, "station": station, "hall": hall.letter}
            names = [render_pattern(_pattern(geo, "container"), {**env, "n": n})
                     for n in range(1, hall.containers + 1)]
            halls.append(HallPlan(name=f"{station}-Hall-{hall.letter}", letter=hall.letter, kind=hall.kind,
                                  containers=compress(names)))
        stations.append(StationPlan(name=station, halls=tuple(halls)))
    areas = []
    for a in range(1, geo.sea_areas + 1):
        area = render_pattern(_pattern(geo, "area"), {**base, "n": a})
        rings = [render_pattern(_pattern(geo, "ring"), {**base, "area": area, "n": n})
                 for n in range(1, geo.rings_per_area + 1)]
        areas.append(AreaPlan(name=area, kind=geo.ring_kind, rings=compress(rings)))
    return GeographyPlan(name=geo.name, label=geo.label, code=geo.code, prefix=geo.prefix,
                         temperature=geo.temperature, stations=tuple(stations), sea_areas=tuple(areas),
                         salinity=geo.salinity)


def _all_names(geo: GeographyPlan):
    """(pattern target, name) of every named place; halls have a fixed pattern."""
    for station in geo.stations:
        yield "station", station.name
        for hall in station.halls:
            yield "hall", hall.name
            yield from (("container", n) for n in expand(hall.containers))
    for area in geo.sea_areas:
        yield "area", area.name
        yield from (("ring", n) for n in expand(area.rings))
