"""Pass 2b: check a lifecycle's stages and lower them to plan stage parameters."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.compiler.units import fraction, grams, kilograms, percent
from aquadsl.compiler.validate_infra import first_by_key
from aquadsl.compiler.validate_sites import profile_plan, stage_temperature
from aquadsl.diagnostics import Diagnostics, Note, Span
from aquadsl.compiler.validate_incidents import check_incidents, check_responses
from aquadsl.compiler.validate_lice import check_lice
from aquadsl.plan.model import (CadencePlan, FeedPlan, LifecyclePlan, PelletPlan, SensorPlan,
                                StageOverride, StageParams)

MAX_DAYS = 5000
_DEFAULT_FEEDINGS = 2


def check_lifecycle(life: ir.Lifecycle, diags: Diagnostics) -> tuple[LifecyclePlan | None, dict[str, Span]]:
    """The lifecycle as plan parameters, plus the span of each stage's ``rings`` statement."""
    before = len(diags)
    for extra in life.start_weight[1:]:
        diags.error("AQS311", "'start_weight' is given more than once", extra.span)
    start_weight = grams(life.start_weight[0], "start_weight", diags) if life.start_weight else None
    if not life.start_weight:
        diags.error("AQS301", f"lifecycle '{life.name}' has no start_weight", life.span,
                    hints=["add `start_weight 0.1 g`"])
    elif start_weight is not None and start_weight <= 0:
        diags.error("AQS302", "start_weight must be above zero", life.start_weight[0].span)
    if not life.stages:
        diags.error("AQS301", f"lifecycle '{life.name}' has no stages", life.span)
    seen: dict[str, ir.Stage] = {}
    stages, rings_spans = [], {}
    for order, stage in enumerate(life.stages, start=1):
        if stage.name in seen:
            diags.error("AQS202", f"stage '{stage.name}' is defined twice", stage.span,
                        notes=[Note(message="first defined here", span=seen[stage.name].span)])
            continue
        seen[stage.name] = stage
        params = _check_stage(stage, order, diags)
        if stage.rings:
            rings_spans[stage.name] = stage.rings[0].span
        if params is not None:
            stages.append(params)
    _check_caps(start_weight, life.stages, diags)
    check_responses(life, diags)
    if life.stages and life.stages[-1].end_weight:
        diags.error("AQS302", f"the last stage '{life.stages[-1].name}' ends at harvest; end_weight is for the "
                    "stages before it", life.stages[-1].end_weight[0].span)
    if len(diags) > before:
        return None, rings_spans
    return LifecyclePlan(name=life.name, label=life.label or life.name, start_weight_g=start_weight,
                         stages=tuple(stages)), rings_spans


def _check_caps(start_weight: float | None, stages: tuple[ir.Stage, ...], diags: Diagnostics) -> None:
    """Caps must not fall from stage to stage (or below the start weight): fish would shrink.

    Works on the written stages, so a stage with some other error is still checked.
    """
    previous = start_weight or 0.0
    for stage in stages:
        setting = next((s for s in stage.settings if s.key == "weight_cap"), None)
        cap = grams(setting.value, "weight_cap", Diagnostics()) if setting is not None else None
        if cap is None:
            continue
        if cap < previous:
            diags.error("AQS302", f"weight_cap of stage '{stage.name}' ({cap:g} g) is below the weight fish can "
                        f"already have ({previous:g} g); fish would shrink", setting.span)
        previous = max(previous, cap)


def _settings(stage: ir.Stage, diags: Diagnostics) -> dict[str, ir.Setting]:
    return first_by_key(stage.settings, lambda s: s.key, diags, "AQS311",
                        lambda key: f"'{key}' is given more than once in stage '{stage.name}'")


def _require(settings: dict, key: str, stage: ir.Stage, diags: Diagnostics, example: str):
    if key not in settings:
        diags.error("AQS301", f"stage '{stage.name}' has no '{key}'", stage.span, hints=[f"add `{example}`"])
        return None
    return settings[key]


def _check_stage(stage: ir.Stage, order: int, diags: Diagnostics) -> StageParams | None:
    before = len(diags)
    st = _settings(stage, diags)
    days = _require(st, "days", stage, diags, "days 90")
    water = _require(st, "water", stage, diags, "water fresh")
    tgc = _require(st, "tgc", stage, diags, "tgc 2.5")
    cap = _require(st, "weight_cap", stage, diags, "weight_cap 60 g")
    mort = _require(st, "mortality", stage, diags, "mortality 0.03 %")
    if days is not None and not 1 <= days.value <= MAX_DAYS:
        diags.error("AQS302", f"a stage lasts between 1 and {MAX_DAYS} days", days.span)
    if tgc is not None and not 0 <= tgc.value <= 20:
        diags.error("AQS302", "tgc (per 1000 degree-days) must lie between 0 and 20", tgc.span)
    cap_g = grams(cap.value, "weight_cap", diags) if cap else None
    if cap_g is not None and cap_g <= 0:
        diags.error("AQS302", "weight_cap must be above zero", cap.span)
    mort_f = fraction(mort.value, "mortality", diags) if mort else None
    if mort_f is not None and not 0 <= mort_f < 0.5:
        diags.error("AQS302", "daily mortality must be at least 0 and below 50 %", mort.span)
    place = _check_place(stage, st, water, diags)
    feed, feedings = _check_feed(stage, st, diags)
    sensors = _check_sensors(stage, diags)
    cadences, at_days = _check_events(stage, days.value if days is not None else MAX_DAYS, diags)
    living = _check_living(stage, st, diags)
    if len(diags) > before:
        return None
    hall, containers, rings = place
    return StageParams(name=stage.name, label=stage.label or stage.name, order=order, days=days.value,
                       water=water.value, hall=hall, containers=containers, rings=rings, tgc=float(tgc.value),
                       weight_cap_g=cap_g, mortality_per_day=mort_f, feed=feed, feedings_per_day=feedings,
                       sensors=sensors, cadences=cadences, at_days=at_days, **living)


def _check_living(stage: ir.Stage, st: dict, diags: Diagnostics) -> dict:
    """The realism statements of a stage: spreads, harvest, fallowing, weight events, incidents, pellets."""
    out: dict = {}
    for key in ("growth_spread", "mortality_spread", "container_spread", "lice_spread"):
        if key in st:
            value = fraction(st[key].value, key, diags)
            if value is not None and not 0 <= value <= 1:
                diags.error("AQS302", f"{key} is a standard deviation between 0 and 100 %", st[key].span)
            if key != "lice_spread":
                out[key] = value or 0.0
    if "harvest_capacity" in st:
        kg = kilograms(st["harvest_capacity"].value, "harvest_capacity", diags)
        if kg is not None and not 1 <= kg <= 1e8:
            diags.error("AQS302", "harvest_capacity must lie between 1 kg and 100,000 t per day",
                        st["harvest_capacity"].span)
        out["harvest_t_per_day"] = (kg or 1000.0) / 1000.0
    for key, field in (("feed_withdrawal", "feed_withdrawal_days"), ("fallow", "fallow_days")):
        if key in st:
            if not 0 <= st[key].value <= 365:
                diags.error("AQS302", f"{key} lies between 0 and 365 days", st[key].span)
            out[field] = st[key].value
    at_weights: dict[str, list[float]] = {}
    for a in stage.at_weights:
        grams_ = grams(a.weight, f"{a.event} weight", diags)
        if grams_ is not None and grams_ <= 0:
            diags.error("AQS302", "a weight threshold must be above zero", a.span)
        at_weights.setdefault(a.event, []).append(grams_ or 0.0)
    out["at_weights"] = {k: tuple(sorted(v)) for k, v in at_weights.items()}
    out["incidents"] = check_incidents(stage, diags)
    out["pellets"] = _pellets(stage, diags)
    out["lice"] = check_lice(stage, st, diags)
    out["end_weight_g"] = _end_weight(stage, diags)
    out["overrides"] = _overrides(stage, diags)
    out["temperature"] = stage_temperature(stage, diags)
    if "maintenance" in st:
        out["maintenance"] = _maintenance(stage, st, diags)
    return out


def _maintenance(stage: ir.Stage, st: dict, diags: Diagnostics) -> float:
    """The least share of the ration fish held at the weight cap get (only with ``feed fcr``)."""
    setting = st["maintenance"]
    value = fraction(setting.value, "maintenance", diags)
    if value is not None and not 0 <= value <= 1:
        diags.error("AQS302", "maintenance is a share of the ration between 0 and 100 %", setting.value.span)
    elif not stage.feed or stage.feed[0].mode != "fcr":
        diags.error("AQS302", f"maintenance applies to rations by FCR; stage '{stage.name}' has no `feed fcr`",
                    setting.span)
    return value if value is not None and 0 <= value <= 1 else 0.3


def _end_weight(stage: ir.Stage, diags: Diagnostics) -> tuple[float, float] | None:
    for extra in stage.end_weight[1:]:
        diags.error("AQS311", f"'end_weight' is given more than once in stage '{stage.name}'", extra.span)
    if not stage.end_weight:
        return None
    e = stage.end_weight[0]
    low, high = grams(e.low, "end_weight", diags), grams(e.high, "end_weight", diags)
    if low is None or high is None:
        return None
    if not 0 < low <= high:
        diags.error("AQS302", "end_weight is a range low..high of weights above zero, like 60..120 g", e.span)
        return None
    return low, high


def _overrides(stage: ir.Stage, diags: Diagnostics) -> dict[str, StageOverride]:
    values: dict[str, dict[str, float]] = {}
    for o in stage.overrides:
        key, value = ("days", o.days) if o.days is not None else ("tgc", o.tgc)
        if o.temperature is not None:
            key, value = "temperature", profile_plan(o.temperature, diags)
        given = values.setdefault(o.geography, {})
        if key in given:
            diags.error("AQS311", f"stage '{stage.name}' gives geography '{o.geography}' its own {key} more "
                        "than once", o.span)
        elif key == "temperature":
            if value is not None:
                given[key] = value
        elif (key == "days" and not 1 <= value <= MAX_DAYS) or (key == "tgc" and not 0 <= value <= 20):
            diags.error("AQS302", f"a stage lasts between 1 and {MAX_DAYS} days and its tgc lies between 0 and 20",
                        o.span)
        else:
            given[key] = value
    out = {g: StageOverride(days=v.get("days"), tgc=None if "tgc" not in v else float(v["tgc"]),
                            temperature=v.get("temperature"))
           for g, v in sorted(values.items()) if v}
    return out

def _pellets(stage: ir.Stage, diags: Diagnostics) -> tuple[PelletPlan, ...]:
    out, previous = [], 0.0
    for i, p in enumerate(stage.pellets):
        up_to = grams(p.up_to, "pellet weight", diags) if p.up_to is not None else None
        last = i == len(stage.pellets) - 1
        if (up_to is None) != last or (up_to is not None and up_to <= previous):
            diags.error("AQS302", "a feed ladder lists pellets by rising 'until' weights; only the last one "
                        "has no 'until'", p.span)
            return ()
        previous = up_to or previous
        out.append(PelletPlan(feed_name=p.feed_name, up_to_g=up_to))
    return tuple(out)


def _check_place(stage: ir.Stage, st: dict, water, diags: Diagnostics):
    hall, containers = st.get("hall"), st.get("containers")
    if water is None:
        return None, None, ()
    if water.value == "fresh":
        if hall is None or containers is None:
            diags.error("AQS301", f"fresh-water stage '{stage.name}' needs 'hall' and 'containers'",
                        stage.span, hints=["add `hall A` and `containers 10`"])
            return None, None, ()
        if stage.rings:
            diags.error("AQS302", "'rings' is for sea stages; fresh-water stages use 'containers'",
                        stage.rings[0].span)
        if not 1 <= containers.value <= 999:
            diags.error("AQS302", "containers per batch must lie between 1 and 999", containers.span)
        return hall.value, containers.value, ()
    for s in (hall, containers):
        if s is not None:
            diags.error("AQS302", f"'{s.key}' is for fresh-water stages; sea stages use 'rings'", s.span)
    if not stage.rings:
        diags.error("AQS301", f"sea stage '{stage.name}' needs 'rings'", stage.span,
                    hints=["add `rings 8..20` (as many free rings as possible, 20 down to 8) or a list "
                           "such as `rings 10, 8` (tried in order)"])
        return None, None, ()
    for extra in stage.rings[1:]:
        diags.error("AQS311", "'rings' is given more than once", extra.span)
    counts = stage.rings[0].counts
    if any(not 1 <= c <= 999 for c in counts):
        diags.error("AQS302", "ring counts must lie between 1 and 999", stage.rings[0].span)
    return None, None, counts


def _check_feed(stage: ir.Stage, st: dict, diags: Diagnostics) -> tuple[FeedPlan, int]:
    for extra in stage.feed[1:]:
        diags.error("AQS311", "'feed' is given more than once", extra.span)
    feedings = st.get("feedings")
    if feedings is not None and not 1 <= feedings.value <= 48:
        diags.error("AQS302", "feedings per day must lie between 1 and 48", feedings.span)
    count = feedings.value if feedings is not None else _DEFAULT_FEEDINGS
    if not stage.feed or stage.feed[0].mode == "none":
        return FeedPlan(mode="none"), count
    feed = stage.feed[0]
    if feed.mode == "rate":
        rate = percent(feed.value, "a feed rate", diags)
        if rate is not None and not 0 < rate <= 20:
            diags.error("AQS302", "a feed rate is between 0 and 20 % of biomass per day", feed.value.span)
        return FeedPlan(mode="rate", rate_pct=rate, feed_name=feed.feed_name), count
    if not 0.3 <= feed.value.value <= 5:
        diags.error("AQS302", "a target FCR lies between 0.3 and 5", feed.value.span)
    return FeedPlan(mode="fcr", fcr=feed.value.value, feed_name=feed.feed_name), count


def _check_sensors(stage: ir.Stage, diags: Diagnostics) -> SensorPlan:
    for extra in stage.sensors[1:]:
        diags.error("AQS311", "'sensors' is given more than once", extra.span)
    if not stage.sensors:
        return SensorPlan(per_day=0, parameters=())
    s = stage.sensors[0]
    if not 1 <= s.per_day <= 288:
        diags.error("AQS302", "sensor readings per day must lie between 1 and 288", s.span)
    seen: set[str] = set()
    for name, span in zip(s.parameters, s.parameter_spans):
        if name in seen:
            diags.error("AQS202", f"parameter '{name}' is listed twice", span)
        seen.add(name)
    return SensorPlan(per_day=s.per_day, parameters=s.parameters)


def _check_events(stage: ir.Stage, stage_days: int, diags: Diagnostics):
    cadences: dict[str, CadencePlan] = {}
    for c in stage.cadences:
        if c.event in cadences:
            diags.error("AQS311", f"'{c.event}' is given more than once", c.span)
            continue
        if not 1 <= c.every <= MAX_DAYS or (c.fish is not None and not 1 <= c.fish <= 1000):
            diags.error("AQS302", "'every' must lie between 1 and 5000 days and 'fish' between 1 and 1000",
                        c.span)
            continue
        cadences[c.event] = CadencePlan(every=c.every, fish=c.fish)
    at_days: dict[str, tuple[int, ...]] = {}
    for a in stage.at_days:
        if a.event in at_days:
            diags.error("AQS311", f"'{a.event}' is given more than once", a.span)
            continue
        if len(set(a.days)) != len(a.days) or any(d >= stage_days for d in a.days):
            diags.error("AQS302", f"{a.event} days must be distinct and within the stage's {stage_days} days "
                        f"(0 to {stage_days - 1})", a.span)
            continue
        at_days[a.event] = tuple(sorted(a.days))
    return cadences, at_days
