"""Pass 2a: check container kinds and geographies; normalise units and temperature profiles."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.compiler.checked import GeoSetup, HallSetup
from aquadsl.compiler.evaluate import check_names
from aquadsl.compiler.units import cubic_metres, kilograms
from aquadsl.compiler.validate_sites import sea_offsets, sites_sd
from aquadsl.diagnostics import Diagnostics, Note, Span, did_you_mean
from aquadsl.plan.model import ContainerKindPlan, ProfilePlan, SalinityPlan

MAX_COUNT = 999
MAX_FISH = 100_000_000
NAME_VARIABLES = {
    "station": ("n", "code", "prefix", "geography"),
    "container": ("n", "code", "prefix", "geography", "station", "hall"),
    "area": ("n", "code", "prefix", "geography"),
    "ring": ("n", "code", "prefix", "geography", "area"),
}


def check_kinds(kinds: dict[str, ir.ContainerKind], diags: Diagnostics) -> dict[str, ContainerKindPlan]:
    out = {}
    for name, kind in kinds.items():
        volume = cubic_metres(kind.volume, "volume", diags)
        biomass = kilograms(kind.max_biomass, "max_biomass", diags)
        for value, q, what in ((volume, kind.volume, "volume"), (biomass, kind.max_biomass, "max_biomass")):
            if value is not None and value <= 0:
                diags.error("AQS302", f"{what} must be above zero", q.span)
        if volume and biomass and volume > 0 and biomass > 0:
            if kind.max_density is not None and not 0 < kind.max_density <= 1000:
                diags.error("AQS302", "max_density (kg/m³) must lie between 0 and 1000", kind.span)
            out[name] = ContainerKindPlan(label=kind.label or name, volume_m3=volume, max_biomass_kg=biomass,
                                          max_density_kg_m3=kind.max_density, max_fish=_max_fish(kind, diags))
    return out


def _max_fish(kind: ir.ContainerKind, diags: Diagnostics) -> int | None:
    """The kind's fish limit: a whole number of at least one (None when not declared or wrong)."""
    n = kind.max_fish
    if n is None:
        return None
    if n != int(n) or not 1 <= n <= MAX_FISH:
        diags.error("AQS302", f"max_fish must be a whole number of fish between 1 and {MAX_FISH:,}; got {n:g}",
                    kind.max_fish_span or kind.span)
        return None
    return int(n)


def count_in_range(value: int, span: Span, what: str, diags: Diagnostics, low: int = 1) -> bool:
    if not low <= value <= MAX_COUNT:
        diags.error("AQS302", f"{what} must be between {low} and {MAX_COUNT}; got {value}", span)
        return False
    return True


def first_by_key(items, key, diags: Diagnostics, code: str, message, note: str = "first given here") -> dict:
    """Items by ``key(item)``, keeping the first; each repeat is a ``code`` error pointing back at it."""
    out: dict = {}
    for item in items:
        k = key(item)
        if k in out:
            diags.error(code, message(k), item.span, notes=[Note(message=note, span=out[k].span)])
        else:
            out[k] = item
    return out


def single(values: tuple, spans: tuple[Span, ...], what: str, diags: Diagnostics):
    """The one value of a statement that may appear once; later copies are diagnostics."""
    for span in spans[1:]:
        diags.error("AQS311", f"'{what}' is given more than once", span,
                    notes=[Note(message="first given here", span=spans[0])])
    return values[0] if values else None


def check_geography(geo: ir.Geography, kinds: dict[str, ir.ContainerKind], diags: Diagnostics) -> GeoSetup | None:
    before = len(diags)
    code = single((geo.code,) if geo.code else (), geo.code_spans, "code", diags)
    prefix = single((geo.prefix,) if geo.prefix else (), geo.prefix_spans, "prefix", diags)
    for value, what in ((code, "code"), (prefix, "prefix")):
        if value is None:
            diags.error("AQS301", f"geography '{geo.name}' has no {what}", geo.span,
                        hints=[f"add `{what} XX` inside the geography block"])
    stations = single(geo.stations, tuple(s.span for s in geo.stations), "stations", diags)
    sea = single(geo.sea, tuple(s.span for s in geo.sea), "sea_areas", diags)
    halls = _check_halls(geo, stations, kinds, diags)
    if sea is not None:
        count_in_range(sea.areas, sea.span, "sea areas", diags)
        count_in_range(sea.rings, sea.span, "rings per area", diags)
        _known_kind(sea.container_kind, sea.kind_span, kinds, diags)
    temps = _check_temperatures(geo, diags)
    names = _check_names(geo, diags)
    salinity = _check_salinity(geo, sea.areas if sea else 0, diags)
    offsets = sea_offsets(geo, sea.areas if sea else 0, diags)
    sites = [sites_sd(w, diags) for w in geo.weathers if w.water == "sea" or w.sites]
    if len(diags) > before:
        return None
    return GeoSetup(name=geo.name, label=geo.label, code=code, prefix=prefix,
                    stations=stations.count if stations else 0, halls=halls,
                    sea_areas=sea.areas if sea else 0, rings_per_area=sea.rings if sea else 0,
                    ring_kind=sea.container_kind if sea else None, temperature=temps, names=names,
                    span=geo.span, stations_span=stations.span if stations else None,
                    sea_span=sea.span if sea else None, salinity=salinity, sea_offsets=offsets,
                    sites_sd=sites[0] if sites else 0.0)


def _check_salinity(geo: ir.Geography, areas: int, diags: Diagnostics) -> tuple[SalinityPlan, ...]:
    """Estuarine salinity statements: ranges in ppt, areas that exist."""
    out = []
    for s in geo.salinities:
        lo, hi = s.areas or (1, max(areas, 1))
        if not (0 <= s.tide <= 20 and 0 <= s.seasonal <= 20 and s.tide + s.seasonal <= s.mean <= 40):
            diags.error("AQS302", "salinity needs a mean of at most 40 ppt, and tide and seasonal swings of 0 to "
                        "20 ppt that keep it at or above 0", s.span)
        elif not 1 <= lo <= hi <= areas:
            diags.error("AQS302", f"salinity areas run low..high within the geography's {areas} sea areas", s.span)
        elif not (0 <= s.rain <= 31 and 0 <= s.drop <= s.mean):
            diags.error("AQS302", "salinity rain lies between 0 and 31 events per month, and its drop between 0 "
                        "and the mean (ppt)", s.span)
        else:
            out.append(SalinityPlan(areas=s.areas, mean=float(s.mean), tide=float(s.tide), seasonal=float(s.seasonal),
                                    rain_per_month=float(s.rain), rain_drop=float(s.drop)))
    return tuple(out)


def _known_kind(name: str, span: Span, kinds: dict, diags: Diagnostics) -> None:
    if name not in kinds:
        diags.error("AQS201", f"unknown container kind '{name}'", span, hints=did_you_mean(name, kinds))


def _check_halls(geo: ir.Geography, stations: ir.Stations | None, kinds: dict,
                 diags: Diagnostics) -> tuple[HallSetup, ...]:
    specs: dict[str, ir.HallSpec] = first_by_key(geo.halls, lambda h: h.letter, diags, "AQS202",
                                                 lambda letter: f"hall {letter} is described twice",
                                                 note="first described here")
    for spec in specs.values():
        _known_kind(spec.container_kind, spec.kind_span, kinds, diags)
    if stations is None:
        for spec in specs.values():
            diags.error("AQS301", f"hall {spec.letter} is described but the geography has no stations",
                        spec.span, hints=["add `stations N halls A..E containers M`"])
        return ()
    count_in_range(stations.count, stations.span, "stations", diags)
    for letter in sorted({h for h in stations.halls if stations.halls.count(h) > 1}):
        diags.error("AQS202", f"hall {letter} is listed twice", stations.span)
    count_in_range(stations.containers, stations.span, "containers per hall", diags)
    out = []
    for letter in stations.halls:
        spec = specs.get(letter)
        if spec is None:
            diags.error("AQS301", f"hall {letter} has no container kind", stations.span,
                        hints=[f"add `hall {letter} kind <kind>` to geography '{geo.name}'"])
            continue
        containers = spec.containers if spec.containers is not None else stations.containers
        count_in_range(containers, spec.span, "containers per hall", diags)
        out.append(HallSetup(letter=letter, kind=spec.container_kind, containers=containers))
    for letter, spec in specs.items():
        if stations.halls and letter not in stations.halls:
            diags.error("AQS201", f"hall {letter} is not one of this geography's halls "
                        f"({', '.join(stations.halls)})", spec.span, hints=did_you_mean(letter, stations.halls))
    return tuple(out)


def _check_temperatures(geo: ir.Geography, diags: Diagnostics) -> dict[str, ProfilePlan]:
    out: dict[str, ProfilePlan] = {}
    given = first_by_key(geo.temperatures, lambda t: t.water, diags, "AQS311",
                         lambda water: f"the {water}-water temperature is given more than once")
    for t in given.values():
        profile = _profile(t.profile, diags)
        if profile is not None:
            out[t.water] = profile
    weathers = first_by_key(geo.weathers, lambda w: w.water, diags, "AQS311",
                            lambda water: f"the {water}-water weather is given more than once")
    for w in weathers.values():
        if not (0 <= w.sd <= 5 and 0 <= w.yearly <= 5 and 1 <= w.persistence <= 365):
            diags.error("AQS302", "weather needs sd and yearly between 0 and 5 °C and persistence of 1 to "
                        "365 days", w.span)
        elif w.water not in out:
            diags.error("AQS301", f"weather for {w.water} water needs a {w.water}-water temperature", w.span)
        else:
            out[w.water] = out[w.water].model_copy(update={"weather_sd": float(w.sd), "weather_days": w.persistence,
                                                           "weather_yearly_sd": float(w.yearly)})
    return out


def _profile(p: ir.Profile, diags: Diagnostics) -> ProfilePlan | None:
    if isinstance(p, ir.ConstantProfile):
        values = (p.value,)
    elif isinstance(p, ir.MonthlyProfile):
        values = p.values
        if len(values) != 12:
            diags.error("AQS302", f"a monthly profile has 12 values (January to December); got {len(values)}",
                        p.span)
            return None
    else:
        values = (p.mean - p.amplitude, p.mean + p.amplitude)
        if p.amplitude < 0 or not 1 <= p.peak_day <= 366:
            diags.error("AQS302", "a sine profile needs amplitude >= 0 and peak_day between 1 and 366", p.span)
            return None
    if any(not -2.0 <= v <= 40.0 for v in values):
        diags.error("AQS302", "water temperatures must lie between -2 and 40 °C", p.span)
        return None
    if isinstance(p, ir.ConstantProfile):
        return ProfilePlan(kind="constant", value=p.value)
    if isinstance(p, ir.MonthlyProfile):
        return ProfilePlan(kind="monthly", values=p.values)
    return ProfilePlan(kind="sine", mean=p.mean, amplitude=p.amplitude, peak_day=p.peak_day)


DEFAULT_NAMES = {
    "station": "{code}-FW-{n:02}",
    "container": "{station}-{hall}-C{n:02}",
    "area": "{code}-SEA-{n:02}",
    "ring": "{area}-Ring-{n:02}",
}


def _check_names(geo: ir.Geography, diags: Diagnostics) -> dict[str, ir.Pattern]:
    out: dict[str, ir.Pattern] = {}
    for rule in geo.names:
        if rule.target in out:
            diags.error("AQS311", f"the {rule.target} name pattern is given more than once", rule.span)
            continue
        for part in rule.pattern.parts:
            if isinstance(part, ir.Placeholder):
                check_names(part.expr, NAME_VARIABLES[rule.target], diags)
        out[rule.target] = rule.pattern
    return out
