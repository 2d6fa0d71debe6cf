"""Pass 2: validate the scenario against its definitions; produce the checked model."""

from __future__ import annotations

import datetime as dt

from aquadsl.compiler.text_limits import check_texts
from aquadsl import ir
from aquadsl.compiler.checked import BatchSetup, Checked, GeoSetup
from aquadsl.compiler.evaluate import TEXT_VARIABLES, EvalError, check_names, evaluate
from aquadsl.compiler.infrastructure import build_infrastructure
from aquadsl.compiler.resolve import Symbols
from aquadsl.compiler.validate_infra import check_geography, check_kinds, single
from aquadsl.compiler.validate_lifecycle import check_lifecycle
from aquadsl.diagnostics import Diagnostics, Note, Span, did_you_mean

BATCH_NUMBERS = ("batch_index", "geo_index", "global_index", "geo_number", "start_year", "start_month",
                 "start_day", "batches_in_geography")
BATCH_TEXTS = TEXT_VARIABLES
MAX_BATCHES = 100_000
MAX_STAGGER = 3650


def validate(symbols: Symbols, today: dt.date | None, diags: Diagnostics) -> Checked | None:
    """Check every definition and the scenario; None if anything is wrong (all errors reported)."""
    check_texts([*symbols.kinds.values(), *symbols.geographies.values(), *symbols.lifecycles.values(),
                 *([symbols.scenario] if symbols.scenario else [])], diags)
    kinds = check_kinds(symbols.kinds, diags)
    geos = {name: check_geography(g, symbols.kinds, diags) for name, g in symbols.geographies.items()}
    lifecycles = {name: check_lifecycle(life, diags) for name, life in symbols.lifecycles.items()}
    _check_override_places(symbols, diags)
    sc = symbols.scenario
    if sc is None:  # a library: also render its infrastructure names, which can fail on their own
        build_infrastructure({n: g for n, g in geos.items() if g is not None}, kinds, diags)
        return None
    start = single(tuple(v for v, _ in sc.start), tuple(s for _, s in sc.start), "start", diags)
    seed = single(tuple(v for v, _ in sc.seed), tuple(s for _, s in sc.seed), "seed", diags)
    until = single(sc.until, tuple(u.span for u in sc.until), "until", diags)
    given = {"start": bool(sc.start), "seed": bool(sc.seed), "until": bool(sc.until)}
    for value, what, example in ((start, "start", "start 2020-01-01"), (seed, "seed", "seed 1"),
                                 (until, "until", "until 2024-01-01")):
        if value is None and not given[what]:
            diags.error("AQS301", f"scenario has no '{what}'", sc.span, hints=[f"add `{example}`"])
    until_date = _until(until, today, start, diags)
    life_name, life_span = _lifecycle_choice(sc, symbols, diags)
    lifecycle, rings_spans = lifecycles.get(life_name, (None, {}))
    variables = _constants(sc.lets, diags)
    batches = _check_batches(sc, symbols, geos, variables, diags)
    if lifecycle is not None and batches is not None:
        _check_geos_fit(lifecycle, batches, geos, life_span, diags)
    if diags.has_errors or None in (start, seed, until_date, lifecycle, batches):
        return None
    return Checked(scenario=sc.name, seed=seed, start=start, until=until_date,
                   until_source="today" if until.today else "file", variables=variables,
                   lifecycle=lifecycle, kinds=kinds, geographies={g: geos[g] for g in batches.geographies},
                   batches=batches, rings_spans=rings_spans,
                   stage_spans={s.name: s.span for s in symbols.lifecycles[life_name].stages})


def _check_override_places(symbols, diags: Diagnostics) -> None:
    """A stage's `in GEOGRAPHY` must name a declared geography."""
    for life in symbols.lifecycles.values():
        for stage in life.stages:
            for o in stage.overrides:
                if o.geography not in symbols.geographies:
                    diags.error("AQS201", f"unknown geography '{o.geography}'", o.geography_span,
                                hints=did_you_mean(o.geography, symbols.geographies))


def _until(until: ir.Until | None, today: dt.date | None, start: dt.date | None,
           diags: Diagnostics) -> dt.date | None:
    if until is None:
        return None
    if not until.today and until.date is None:
        return None  # an impossible date, already reported
    if until.today and today is None:
        diags.error("AQS301", "'until today' needs a date: pass --today YYYY-MM-DD", until.span)
        return None
    value = today if until.today else until.date
    if start is not None and value < start:
        diags.error("AQS303", f"until ({value}) is before the start date ({start})", until.span)
        return None
    if start is not None and (value - start).days > 100 * 365:
        diags.error("AQS302", "a scenario spans at most 100 years", until.span)
        return None
    return value


def _lifecycle_choice(sc: ir.Scenario, symbols: Symbols, diags: Diagnostics) -> tuple[str | None, Span]:
    choice = single(tuple(n for n, _ in sc.lifecycle), tuple(s for _, s in sc.lifecycle), "lifecycle", diags)
    if choice is None:
        if len(symbols.lifecycles) == 1:
            return next(iter(symbols.lifecycles)), sc.span
        diags.error("AQS301", "scenario names no lifecycle" if symbols.lifecycles else "no lifecycle is defined",
                    sc.span, hints=[f"add `lifecycle {next(iter(symbols.lifecycles), '<name>')}`"])
        return None, sc.span
    span = sc.lifecycle[0][1]
    if choice not in symbols.lifecycles:
        diags.error("AQS201", f"unknown lifecycle '{choice}'", span, hints=did_you_mean(choice, symbols.lifecycles))
        return None, span
    return choice, span


def _constants(lets: tuple[ir.Let, ...], diags: Diagnostics) -> dict[str, int | float]:
    """Scenario-level ``let`` values: each may use the ones before it."""
    env: dict[str, int | float] = {}
    for let in lets:
        if let.name in env or let.name in BATCH_NUMBERS + BATCH_TEXTS:
            diags.error("AQS202", f"variable '{let.name}' is already defined", let.name_span)
            continue
        before = len(diags)
        check_names(let.expr, env, diags)
        if len(diags) > before:
            continue
        try:
            env[let.name] = evaluate(let.expr, env)
        except EvalError as exc:
            diags.error("AQS304", exc.message, exc.span)
    return env


def _check_batches(sc: ir.Scenario, symbols: Symbols, geos: dict[str, GeoSetup | None],
                   constants: dict, diags: Diagnostics) -> BatchSetup | None:
    if not sc.batches:
        diags.error("AQS301", "scenario has no 'batches' block", sc.span)
        return None
    for extra in sc.batches[1:]:
        diags.error("AQS311", "'batches' is given more than once", extra.span)
    b = sc.batches[0]
    before = len(diags)
    order = _geo_order(b, symbols, diags)
    count = single(b.count, tuple(c.span for c in b.count), "count", diags)
    stagger = single(b.stagger, tuple(s.span for s in b.stagger), "stagger", diags)
    eggs = single(b.eggs, tuple(e.span for e in b.eggs), "eggs", diags)
    harvest = single(b.harvest_target, tuple(h.span for h in b.harvest_target), "harvest_target", diags)
    id_pattern = single(b.id_pattern, tuple(p.span for p in b.id_pattern), "id", diags)
    for value, what, example in ((count, "count", "count 10 per geography"), (stagger, "stagger", "stagger 30 days interleaved"),
                                 (eggs, "eggs", "eggs 3_000_000"), (harvest, "harvest_target", "harvest_target 4.5..6.5 kg"),
                                 (id_pattern, "id", 'id "{prefix}-{start_year}-{geo_index+1:03}"')):
        if value is None:
            diags.error("AQS301", f"batches block has no '{what}'", b.span, hints=[f"add `{example}`"])
    counts = _counts(count, order, diags) if count else {}
    offsets = _offsets(stagger, order, diags) if stagger else {}
    if stagger is not None and not 1 <= stagger.days <= MAX_STAGGER:
        diags.error("AQS302", f"stagger must lie between 1 and {MAX_STAGGER} days", stagger.span)
    harvest_kg = _harvest(harvest, diags) if harvest else None
    lets_known = _check_batch_lets(b.lets, constants, diags)
    if eggs is not None:
        check_names(eggs, lets_known, diags)
    if id_pattern is not None:
        for part in id_pattern.parts:
            if isinstance(part, ir.Placeholder):
                check_names(part.expr, lets_known | set(BATCH_TEXTS), diags)
    for name in order:
        if geos.get(name) is None and name in symbols.geographies:
            diags.error("AQS301", f"geography '{name}' has errors; fix them first", b.span)
    if len(diags) > before or None in (count, stagger, eggs, harvest_kg, id_pattern):
        return None
    return BatchSetup(geographies=tuple(order), counts=counts, stagger_days=stagger.days, stagger_mode=stagger.mode,
                      offsets=offsets, eggs=eggs, harvest_kg=harvest_kg, id_pattern=id_pattern, lets=b.lets,
                      span=b.span, count_span=count.span, stagger_span=stagger.span)


def _geo_order(b: ir.Batches, symbols: Symbols, diags: Diagnostics) -> list[str]:
    if len(b.geographies_spans) > 1:
        diags.error("AQS311", "'geographies' is given more than once", b.geographies_spans[1])
    if not b.geographies:
        if not symbols.geographies:
            diags.error("AQS301", "no geography is defined", b.span)
        return list(symbols.geographies)
    order: list[str] = []
    for name, span in b.geographies:
        if name not in symbols.geographies:
            diags.error("AQS201", f"unknown geography '{name}'", span, hints=did_you_mean(name, symbols.geographies))
        elif name in order:
            diags.error("AQS202", f"geography '{name}' is listed twice", span)
        else:
            order.append(name)
    return order


def _counts(count: ir.Count, order: list[str], diags: Diagnostics) -> dict[str, int]:
    if count.mode == "per_geography":
        counts = {g: count.value for g in order}
    elif count.mode == "total":
        n = len(order) or 1
        counts = {g: count.value // n + (1 if i < count.value % n else 0) for i, g in enumerate(order)}
    else:
        counts = _per_geography(count.each, order, "count", "number", count.span, diags)
    if sum(counts.values()) > MAX_BATCHES or any(v < 0 for v in counts.values()):
        diags.error("AQS302", f"a scenario has between 0 and {MAX_BATCHES:,} batches", count.span)
    elif not any(counts.values()) and order:
        diags.error("AQS302", "the scenario has no batches (count is 0)", count.span)
    return counts


def _offsets(stagger: ir.Stagger, order: list[str], diags: Diagnostics) -> dict[str, int]:
    if stagger.mode != "offsets":
        return {}
    return _per_geography(stagger.offsets, order, "stagger", "offset", stagger.span, diags, limit=MAX_STAGGER * 10)


def _per_geography(items: tuple[ir.GeoInt, ...], order: list[str], statement: str, what: str, span: Span,
                   diags: Diagnostics, limit: int | None = None) -> dict[str, int]:
    """``geo N, geo N, ...`` as a mapping: each of the batches' geographies exactly once."""
    out: dict[str, int] = {}
    for item in items:
        if item.geography in out:
            diags.error("AQS202", f"{statement} gives geography '{item.geography}' twice", item.span)
        elif item.geography not in order:
            diags.error("AQS201", f"'{item.geography}' is not one of the batches' geographies", item.span,
                        hints=did_you_mean(item.geography, order))
        elif limit is not None and item.value > limit:
            diags.error("AQS302", f"an {what} is at most {limit:,} days", item.span)
        else:
            out[item.geography] = item.value
    for g in order:
        if g not in out:
            diags.error("AQS301", f"{statement} gives no {what} for geography '{g}'", span)
    return out


def _harvest(h: ir.HarvestTarget, diags: Diagnostics) -> tuple[float, float] | None:
    factor = {"kg": 1.0, "g": 0.001, "t": 1000.0}.get(h.unit)
    if factor is None:
        diags.error("AQS302", f"a harvest target cannot be in '{h.unit}'; use kg, g or t", h.span)
        return None
    low, high = h.low * factor, h.high * factor
    if not 0 < low <= high <= 50:
        diags.error("AQS302", "harvest_target is a range low..high between 0 and 50 kg", h.span)
        return None
    return (low, high)


def _check_batch_lets(lets: tuple[ir.Let, ...], constants: dict, diags: Diagnostics) -> set[str]:
    known = set(constants) | set(BATCH_NUMBERS)
    for let in lets:
        if let.name in known or let.name in BATCH_TEXTS:
            diags.error("AQS202", f"variable '{let.name}' is already defined", let.name_span)
            continue
        check_names(let.expr, known, diags)
        known.add(let.name)
    return known


def _check_geos_fit(lifecycle, batches: BatchSetup, geos: dict, life_span: Span, diags: Diagnostics) -> None:
    """Every stage's hall and water must exist in every geography that hosts batches."""
    for name in batches.geographies:
        geo = geos.get(name)
        if geo is None:
            continue
        letters = {h.letter: h for h in geo.halls}
        missing_reported: set[str] = set()
        for stage in lifecycle.stages:
            if stage.water not in geo.temperature and stage.water not in missing_reported:
                missing_reported.add(stage.water)
                diags.error("AQS301", f"geography '{name}' has no {stage.water}-water temperature, needed by "
                            f"stage '{stage.name}'", geo.span,
                            hints=[f"add `temperature {stage.water} constant 10` to geography '{name}'"])
            if stage.water == "fresh":
                hall = letters.get(stage.hall)
                if hall is None:
                    diags.error("AQS201", f"stage '{stage.name}' uses hall {stage.hall}, which geography "
                                f"'{name}' does not have", geo.stations_span or geo.span,
                                hints=did_you_mean(stage.hall, letters),
                                notes=[Note(message=f"lifecycle chosen here", span=life_span)])
                elif hall.containers < stage.containers:
                    diags.error("AQS310", f"stage '{stage.name}' needs {stage.containers} containers per batch "
                                f"but hall {stage.hall} of '{name}' has only {hall.containers}",
                                geo.stations_span or geo.span)
            elif geo.sea_areas == 0:
                diags.error("AQS301", f"stage '{stage.name}' is at sea but geography '{name}' has no sea areas",
                            geo.span, hints=["add `sea_areas 20 rings 20 kind <kind>`"])
            elif min(stage.rings) > geo.rings_per_area:
                diags.error("AQS310", f"stage '{stage.name}' needs at least {min(stage.rings)} rings in one area "
                            f"but areas of '{name}' have {geo.rings_per_area}", geo.sea_span or geo.span)
