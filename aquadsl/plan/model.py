"""Plan models (frozen), and the canonical JSON form: sorted keys, no timestamps, trailing newline."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from aquadsl.plan.canonical import fast_json
from aquadsl.plan.ranges import check, expand


def _valid_ranges(items: tuple[str, ...]) -> tuple[str, ...]:
    check(items)  # a malformed or over-long range raises ValueError, which pydantic reports; nothing expanded
    return items


def _clean_text(text: str) -> str:
    """Text the databases store alike: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate (not valid Unicode)") from None
    return text


def _text(limit: int):
    """A string of at most ``limit`` characters (the database column's size), clean of NUL and surrogates."""
    return Annotated[str, Field(min_length=1, max_length=limit), AfterValidator(_clean_text)]


# Column sizes of the farm database, which the language enforces too (AQS302 at the source line).
Id = _text(64)
Name = _text(100)        # container, hall, station, area, kind, stage, feed and parameter names; labels
Scenario = _text(200)
Code = _text(16)         # geography code and prefix
Letter = _text(8)        # hall letter
Compact = _text(2 * 100 + 16)   # a compact range item: "NAME..TAIL" of names up to 100 characters
# The language's limits on counts, so a hand-edited plan cannot ask for unbounded work.
Days = Annotated[int, Field(ge=1, le=5000)]
Count = Annotated[int, Field(ge=1, le=999)]

FORMAT_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- parameters
class FeedPlan(_Frozen):
    mode: Literal["none", "rate", "fcr"]
    rate_pct: Annotated[float, Field(ge=0, le=20)] | None = None   # % of biomass per day (mode "rate")
    fcr: Annotated[float, Field(ge=0.3, le=5)] | None = None      # target feed conversion ratio (mode "fcr")
    feed_name: Name | None = None


class SensorPlan(_Frozen):
    per_day: Annotated[int, Field(ge=0, le=288)]
    parameters: Annotated[tuple[Name, ...], Field(max_length=16)]


class CadencePlan(_Frozen):
    every: Days                       # days; events on days_in_stage % every == 0
    fish: Annotated[int, Field(ge=1, le=1000)] | None = None


class StageParams(_Frozen):
    name: Name
    label: Name
    order: Annotated[int, Field(ge=1, le=999)]   # 1-based
    days: Days                        # nominal duration
    water: Literal["fresh", "sea"]
    hall: Letter | None = None        # hall letter for fresh-water stages
    containers: Count | None = None   # per batch, fresh-water stages
    rings: Annotated[tuple[Count, ...], Field(max_length=999)] = ()   # preference order, sea stages
    tgc: Annotated[float, Field(ge=0, le=20)]   # per 1000 degree-days
    weight_cap_g: Annotated[float, Field(gt=0, le=1e6)]
    mortality_per_day: Annotated[float, Field(ge=0, lt=0.5)]   # fraction of the population per day
    feed: FeedPlan
    feedings_per_day: Annotated[int, Field(ge=0, le=48)]
    sensors: SensorPlan
    cadences: dict[str, CadencePlan]  # growth_samples, lice_counts, health_samples
    at_days: dict[str, Annotated[tuple[Annotated[int, Field(ge=0, le=5000)], ...], Field(max_length=5000)]]
    # vaccinations, lice_treatments: days since stage start
    # ---- realism (issue 8); defaults keep hand-built plans meaning what they meant
    at_weights: dict[str, Annotated[tuple[Annotated[float, Field(gt=0, le=1e6)], ...], Field(max_length=999)]] = {}
    # vaccinations...: first day the weight (g) reaches each
    growth_spread: Annotated[float, Field(ge=0, le=1)] = 0.0      # sd of the per-batch TGC factor (fraction)
    mortality_spread: Annotated[float, Field(ge=0, le=5)] = 0.0   # sd of the per-batch log mortality factor
    container_spread: Annotated[float, Field(ge=0, le=5)] = 0.0   # sd of the per-container log mortality factor
    harvest_t_per_day: Annotated[float, Field(gt=0, le=1e6)] | None = None  # harvest capacity, working days only
    feed_withdrawal_days: Annotated[int, Field(ge=0, le=5000)] = 0  # no feed before each container's harvest
    fallow_days: Annotated[int, Field(ge=0, le=5000)] = 0   # a sea area stands empty this long after its last ring
    incidents: Annotated[tuple["IncidentPlan", ...], Field(max_length=999)] = ()
    pellets: Annotated[tuple["PelletPlan", ...], Field(max_length=999)] = ()   # feed ladder: first up_to_g above the weight
    lice: "LicePlan | None" = None    # sea-lice dynamics and threshold-triggered delousing
    end_weight_g: tuple[Annotated[float, Field(gt=0, le=1e6)], Annotated[float, Field(gt=0, le=1e6)]] | None = None
    # the stage ends the first day the batch reaches its own target, drawn per batch in this range (g)
    overrides: dict[str, "StageOverride"] = {}   # geography -> its own days, TGC and temperature for the stage
    temperature: "ProfilePlan | None" = None     # the stage's own water, instead of the geography's profile
    maintenance: Annotated[float, Field(ge=0, le=1)] = 0.3   # with feed fcr: least share of the ration at a cap


class StageOverride(_Frozen):
    days: Days | None = None
    tgc: Annotated[float, Field(ge=0, le=20)] | None = None
    temperature: "ProfilePlan | None" = None


class LiceLimitPlan(_Frozen):
    """Adult females per fish that trigger a delousing; in ISO weeks lo..hi only, or always (None)."""

    limit: Annotated[float, Field(gt=0, le=100)]
    weeks: tuple[Annotated[int, Field(ge=1, le=53)], Annotated[int, Field(ge=1, le=53)]] | None = None


class LicePlan(_Frozen):
    """Adult female lice per fish: settlement and growth (rates at 10 °C) and the delousing that cuts them."""

    growth: Annotated[float, Field(ge=-1, le=1)]          # fraction per day at 10 °C, scaled by (T - 4) / 6
    settle: Annotated[float, Field(ge=0, le=10)]          # adult females per fish per day at 10 °C
    spread: Annotated[float, Field(ge=0, le=5)] = 0.0     # sd of the per-batch log infection pressure
    limits: Annotated[tuple[LiceLimitPlan, ...], Field(max_length=99)] = ()
    cut: Annotated[float, Field(ge=0, le=1)] = 0.0        # fraction of the lice a delousing removes
    mortality: Annotated[float, Field(ge=0, lt=0.5)] = 0.0   # fraction of the fish a delousing kills
    rest_days: Annotated[int, Field(ge=1, le=5000)] = 14  # days at least between two delousings
    rings_per_day: Annotated[int, Field(ge=1, le=10_000)] | None = None   # None: every ring on one day
    pressure: Annotated[float, Field(ge=0, le=100)] = 0.0    # more settlement per neighbours' fish / own fish
    neighbours: Annotated[int, Field(ge=0, le=10_000)] = 0  # sea areas within this many by number


class IncidentPlan(_Frozen):
    """A kind of incident: expected count per year in the stage, months it can start in, its toll."""

    name: Name
    per_year: Annotated[float, Field(ge=0, le=1000)]
    months: tuple[Annotated[int, Field(ge=1, le=12)], Annotated[int, Field(ge=1, le=12)]] = (1, 12)
    mortality: Annotated[float, Field(ge=0, le=1)]   # fraction of the fish lost over the whole incident
    days: Annotated[int, Field(ge=1, le=5000)]       # how long the losses are spread over (a peaked curve)
    appetite: Annotated[float, Field(ge=0, le=1)] = 1.0   # fraction of the normal ration eaten meanwhile
    # what it does to the batch's course: harvest early (fish at or above above_g), or cull every fish
    response: Literal["early_harvest", "cull"] | None = None
    above_g: Annotated[float, Field(gt=0, le=1e6)] | None = None


class PelletPlan(_Frozen):
    feed_name: Name
    up_to_g: Annotated[float, Field(gt=0, le=1e6)] | None = None      # None: every larger weight


class LifecyclePlan(_Frozen):
    name: Name
    label: Name
    start_weight_g: Annotated[float, Field(gt=0, le=1e6)]
    stages: Annotated[tuple[StageParams, ...], Field(min_length=1, max_length=64)]


class BatchRules(_Frozen):
    geographies: tuple[str, ...]
    counts: dict[str, int]
    stagger_days: int
    stagger_mode: Literal["interleaved", "offsets"]
    offsets: dict[str, int]
    eggs: str                         # the formula as written, normalised
    harvest_target_kg: tuple[float, float]
    id_pattern: str


class Parameters(_Frozen):
    scenario: Scenario
    seed: int
    start: dt.date
    until: dt.date                    # last simulated day (inclusive)
    until_source: Literal["file", "today"]
    variables: dict[str, int | float]
    lifecycle: LifecyclePlan
    batches: BatchRules


# ------------------------------------------------------------ infrastructure
class ContainerKindPlan(_Frozen):
    label: Name
    volume_m3: float
    max_biomass_kg: float
    max_density_kg_m3: float | None = None
    max_fish: int | None = None          # fish per container (e.g. 200,000 per sea cage in Norway)

    @property
    def capacity_kg(self) -> float:
        """The most a container of this kind may hold: max_biomass, and the density limit by volume."""
        if self.max_density_kg_m3 is None:
            return self.max_biomass_kg
        return min(self.max_biomass_kg, self.max_density_kg_m3 * self.volume_m3)


class ProfilePlan(_Frozen):
    kind: Literal["constant", "monthly", "sine"]
    value: float | None = None
    values: tuple[float, ...] = ()
    mean: float | None = None
    amplitude: float | None = None
    peak_day: int | None = None
    weather_sd: float = 0.0           # °C, sd of the daily anomaly (autocorrelated)
    weather_days: int = 0             # persistence: the anomaly's e-folding time in days
    weather_yearly_sd: float = 0.0    # °C, sd of a year-to-year offset


class SalinityPlan(_Frozen):
    """Estuarine salinity (ppt) of sea areas ``areas`` (1-based, inclusive; None: all of them)."""

    areas: tuple[int, int] | None = None
    mean: Annotated[float, Field(ge=0, le=40)]
    tide: Annotated[float, Field(ge=0, le=20)]       # half the swing over a 12.42-hour tide
    seasonal: Annotated[float, Field(ge=0, le=20)] = 0.0   # lower by this much in late winter (rain, snowmelt)
    rain_per_month: Annotated[float, Field(ge=0, le=31)] = 0.0   # rain events (Poisson), regional
    rain_drop: Annotated[float, Field(ge=0, le=40)] = 0.0        # ppt, the most one event lowers the salinity


class HallPlan(_Frozen):
    name: Name
    letter: Letter
    kind: Name
    containers: tuple[Compact, ...]   # compact, see plan.ranges

    _check = field_validator("containers")(_valid_ranges)


class StationPlan(_Frozen):
    name: Name
    halls: Annotated[tuple[HallPlan, ...], Field(max_length=999)]


class AreaPlan(_Frozen):
    name: Name
    kind: Name
    rings: tuple[Compact, ...]        # compact
    temperature_offset: Annotated[float, Field(ge=-10, le=10)] = 0.0   # °C from the geography's sea profile

    _check = field_validator("rings")(_valid_ranges)


class GeographyPlan(_Frozen):
    name: Name                        # the identifier used in the scenario, e.g. faroe
    label: Name                       # e.g. "Faroe Islands"
    code: Code
    prefix: Code
    temperature: dict[str, ProfilePlan]   # "fresh", "sea"
    stations: Annotated[tuple[StationPlan, ...], Field(max_length=999)]
    sea_areas: Annotated[tuple[AreaPlan, ...], Field(max_length=999)]
    salinity: Annotated[tuple[SalinityPlan, ...], Field(max_length=99)] = ()


class Infrastructure(_Frozen):
    container_kinds: dict[str, ContainerKindPlan]
    geographies: tuple[GeographyPlan, ...]


# -------------------------------------------------------------------- batches
class StageWindow(_Frozen):
    stage: str
    start: dt.date                    # first day in the stage
    end: dt.date                      # exclusive: transfer, harvest or the day after until
    reserved_until: dt.date           # exclusive end of the container reservation
    location: Name                    # hall or sea area
    containers: tuple[Compact, ...]   # compact

    _check = field_validator("containers")(_valid_ranges)

    def container_names(self) -> list[str]:
        return expand(self.containers)


class BatchPlan(_Frozen):
    id: Id
    index: Annotated[int, Field(ge=0, le=10**6)]   # position in the schedule (0-based, chronological)
    geography: Name
    geo_index: Annotated[int, Field(ge=0, le=10**6)]   # position within its geography
    start: dt.date
    end: dt.date                      # exclusive: the day after harvest, or the day after until
    days: Annotated[int, Field(le=64 * 5000)]   # simulated days = (end - start).days; > 0 in meaning_problem
    status: Literal["completed", "active", "culled"]   # culled: every fish culled after an incident
    eggs: Annotated[int, Field(le=10**9)]   # > 0 checked by meaning_problem (exit 65)
    harvest_target_kg: Annotated[float, Field(gt=0, le=50)]
    harvest_date: dt.date | None      # projected from deterministic growth; None if still at sea at until or culled
    stages: tuple[StageWindow, ...]
    estimated_rows: dict[str, int]
    # ---- realism (issue 8), drawn from the seed at compile time
    growth_factors: dict[str, float] = {}      # stage -> TGC factor
    mortality_factors: dict[str, float] = {}   # stage -> daily mortality factor
    incidents: tuple["BatchIncident", ...] = ()
    weight_events: tuple["WeightEvent", ...] = ()
    harvest_days: tuple["HarvestDay", ...] = ()
    lice_treatments: tuple["LiceTreatment", ...] = ()
    stage_targets: dict[str, float] = {}       # stage -> weight (g) that ends it, drawn from its end_weight
    cull_days: tuple["HarvestDay", ...] = ()   # a culled batch's rings emptied as CULL mortality, like harvest days
    lice_pressure: tuple["PressureStep", ...] = ()   # settlement factor from neighbouring sea areas, weekly


class PressureStep(_Frozen):
    """From ``date`` on (until the next step) lice settle ``factor`` times as fast: fish in neighbouring areas."""

    date: dt.date
    factor: Annotated[float, Field(ge=0, le=10_000)]


class LiceTreatment(_Frozen):
    """A delousing, triggered by the lice level crossing its limit; its rings are treated day by day."""

    date: dt.date                     # the day the limit was crossed and treatment began
    adult_females: float              # per fish, expected, the day the limit was crossed (before the cut)
    cut: float                        # fraction of the lice removed
    rings: tuple["RingDay", ...] = ()   # which rings on which day; () every ring on `date`
    loss: Annotated[float, Field(ge=0, lt=0.5)] = 0.0   # fraction of its fish each ring loses on its day


class RingDay(_Frozen):
    """The rings a delousing treats on one day."""

    date: dt.date
    containers: tuple[Compact, ...]   # compact

    _check = field_validator("containers")(_valid_ranges)


class BatchIncident(_Frozen):
    name: str
    start: dt.date
    days: int
    mortality: float                  # fraction of the fish lost over the incident
    appetite: float
    response: Literal["early_harvest", "cull"] | None = None   # set when it changed the batch's course


class WeightEvent(_Frozen):
    """A treatment on the first day a batch's weight reaches a threshold (e.g. vaccination at 25 g)."""

    family: str
    date: dt.date
    weight_g: float


class HarvestDay(_Frozen):
    """One working day of harvest of one container: ``share`` of the fish left in it that day."""

    container: str
    date: dt.date
    share: float                      # 1.0 on a container's last harvest day


class Sources(_Frozen):
    sha256: str                       # of the normalised sources (layout and comments excluded)
    files: tuple[str, ...]            # relative to the main scenario file


class Plan(_Frozen):
    format_version: int
    sources: Sources
    parameters: Parameters
    infrastructure: Infrastructure
    batches: Annotated[tuple[BatchPlan, ...], Field(max_length=100_000)]
    estimated_rows: dict[str, int]

    def batch(self, batch_id: str) -> BatchPlan:
        """The batch with this id, through an index built once (a linear scan made `apply` quadratic)."""
        cached = self.__dict__.get("_by_id")
        if cached is None or cached[0] is not self.batches:   # model_copy may have replaced the batches
            cached = (self.batches, {b.id: b for b in self.batches})
            self.__dict__["_by_id"] = cached
        return cached[1][batch_id]

    def geography(self, name: str) -> GeographyPlan:
        for g in self.infrastructure.geographies:
            if g.name == name:
                return g
        raise KeyError(name)


# ------------------------------------------------------------- meaning checks
# A hand-edited plan must be refused before `apply`, with one line, not fail later as a database
# constraint error or load silently wrong rows. Not a model validator: the compiler builds plans that
# pass these checks, `diff` must still show any edit, and tests build partial plans by hand.
_ONE_DAY = dt.timedelta(days=1)


def meaning_problem(plan: Plan) -> str | None:
    """The first inconsistency in ``plan`` (one line), or None if it means something runnable."""
    from aquadsl.sim.volume import TABLES  # sim.volume imports this module

    problem = _rows_problem("the plan's estimated_rows", plan.estimated_rows, TABLES)
    if problem:
        return problem
    ids, indexes = set(), set()
    for b in plan.batches:
        if b.id in ids:
            return f"batch id {b.id!r} appears twice"
        if b.index in indexes or b.index < 0:
            return f"batch {b.id}: index {b.index} is negative or used by another batch"
        ids.add(b.id)
        indexes.add(b.index)
    names = {g.name: _container_set(g) for g in plan.infrastructure.geographies}
    stages = {s.name: i for i, s in enumerate(plan.parameters.lifecycle.stages)}
    known: set[tuple[str, tuple[str, ...]]] = set()   # (geography, compact containers) already found there
    for b in plan.batches:
        problem = _batch_problem(plan, b, names, stages, known) or _rows_problem(
            f"batch {b.id}: estimated_rows", b.estimated_rows, TABLES)
        if problem:
            return problem
    for table in TABLES:
        total = sum(b.estimated_rows[table] for b in plan.batches)
        if plan.estimated_rows[table] != total:
            return (f"estimated_rows[{table!r}] is {plan.estimated_rows[table]}, "
                    f"but the batches' estimates add up to {total}")
    return double_booking(plan)


def double_booking(plan: Plan) -> str | None:
    """The first container that holds two batches on the same day (stays are half-open), or None."""
    from aquadsl.plan.booking import double_booking as first_double_booking

    return first_double_booking(plan.batches)


def _container_set(geo: GeographyPlan) -> frozenset[str]:
    names = [c for s in geo.stations for h in s.halls for c in expand(h.containers)]
    names.extend(c for a in geo.sea_areas for c in expand(a.rings))
    return frozenset(names)


def _rows_problem(what: str, rows: dict[str, int], tables: tuple[str, ...]) -> str | None:
    if set(rows) != set(tables):
        odd = sorted(set(rows) ^ set(tables))
        return f"{what} must name exactly the tables {', '.join(tables)} (check {', '.join(odd)})"
    negative = sorted(t for t, n in rows.items() if n < 0)
    return f"{what}[{negative[0]!r}] is negative" if negative else None


def _batch_problem(plan: Plan, b: BatchPlan, containers: dict[str, frozenset[str]],
                   stages: dict[str, int], known: set) -> str | None:
    where = f"batch {b.id}"
    if b.eggs <= 0:
        return f"{where}: eggs must be above zero, not {b.eggs}"
    if b.geography not in containers:
        return f"{where}: unknown geography {b.geography!r}"
    if b.days != (b.end - b.start).days or b.days <= 0:
        return f"{where}: days is {b.days}, but start {b.start} to end {b.end} is {(b.end - b.start).days} days"
    if b.end > plan.parameters.until + _ONE_DAY:
        return f"{where}: ends {b.end}, after the plan's until date {plan.parameters.until}"
    if b.status == "completed" and b.harvest_date != b.end - _ONE_DAY:
        return f"{where}: a completed batch is harvested on its last day ({b.end - _ONE_DAY}), not {b.harvest_date}"
    if b.status == "active" and (b.harvest_date is not None or b.end != plan.parameters.until + _ONE_DAY):
        return f"{where}: an active batch has no harvest_date and ends the day after until"
    # an active batch may be harvesting or culling at until (some rings emptied); a completed one is not culled
    if b.status == "culled" and (not b.cull_days or b.harvest_date is not None or b.harvest_days
                                 or max(d.date for d in b.cull_days) != b.end - _ONE_DAY):
        return f"{where}: a culled batch has cull days, the last on its last day, and no harvest"
    if b.cull_days and (b.status == "completed" or b.harvest_days):
        return f"{where}: a batch with cull days is culled (or culling at until), not harvested"
    if any(d.date >= b.end for d in b.harvest_days + b.cull_days):
        return f"{where}: a harvest or cull day after its last day {b.end - _ONE_DAY}"
    return _windows_problem(b, containers[b.geography], stages, known)


def _windows_problem(b: BatchPlan, containers: frozenset[str], stages: dict[str, int], known: set) -> str | None:
    expected, last_order = b.start, -1
    for w in b.stages:
        where = f"batch {b.id}, stage {w.stage}"
        order = stages.get(w.stage)
        if order is None:
            return f"{where}: the lifecycle has no stage {w.stage!r}"
        if order < last_order:
            return f"{where}: stages must follow the lifecycle's order"
        if w.start != expected:
            return f"{where}: starts {w.start}, expected {expected} (windows run from start to end without gaps)"
        if not w.start < w.end <= w.reserved_until:
            return f"{where}: needs start < end <= reserved_until ({w.start}, {w.end}, {w.reserved_until})"
        if (b.geography, w.containers) not in known:
            names = w.container_names()
            if not names:
                return f"{where}: the window holds no containers"
            unknown = next((c for c in names if c not in containers), None)
            if unknown is not None:
                return f"{where}: container {unknown} is not in {b.geography}'s infrastructure"
            known.add((b.geography, w.containers))
        expected, last_order = w.end, order
    if expected != b.end:
        return f"batch {b.id}: its stage windows end {expected}, not at the batch's end {b.end}"
    return None


def to_data(plan: Plan) -> dict:
    return plan.model_dump(mode="json")


def dumps(plan: Plan) -> str:
    """The canonical bytes of a plan (as text): sorted keys, two-space indent, trailing newline.

    The bytes are those of ``json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)``. The
    standard library writes indented JSON in pure Python (4.6 s for a 94 MB plan), so orjson writes
    it (13 times faster) whenever its bytes are provably the same; see :func:`canonical.fast_json`.
    Remembered on the plan (apply needs the text three times: its hash, the ledger copy, the workers),
    for as long as the plan's parts are the same objects (``model_copy`` replaces the ones it updates).
    """
    parts = tuple(getattr(plan, f) for f in Plan.model_fields)
    cached = plan.__dict__.get("_canonical")
    if cached is not None and all(a is b for a, b in zip(cached[0], parts)):
        return cached[1]
    data = to_data(plan)
    text = (fast_json(data) or json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)) + "\n"
    plan.__dict__["_canonical"] = (parts, text)
    return text


class PlanFormatError(ValueError):
    """A plan file that is not JSON, has an unknown format_version, or does not validate."""


def loads(text: str) -> Plan:
    """Parse and validate a plan; raises PlanFormatError with a one-line reason.

    A plan that validates straight from its text (pydantic's JSON parser: no Python dict of the whole
    plan first, a third less time) is the plan; anything else takes the step-by-step path below,
    which words the error as it always has.
    """
    plan = _validated_text(text)
    return plan if plan is not None else _loads_step_by_step(text)


class _Version(BaseModel):
    """Only the top-level format_version, as the JSON holds it (a strict int: not "1", 1.0 or true)."""

    model_config = ConfigDict(extra="ignore")
    format_version: StrictInt


def _validated_text(text: str) -> Plan | None:
    """The plan if ``text`` validates as one of this format_version, else None (never an error).

    The step-by-step path compares format_version with ``!=`` before validating, where lax validation
    would turn a string "1" into 1: so the version must first be the integer itself (a quick parse).
    """
    try:
        if _Version.model_validate_json(text).format_version != FORMAT_VERSION:
            return None
        return Plan.model_validate_json(text)
    except (ValueError, RecursionError):   # invalid, not JSON, too deep: the step-by-step path says why
        return None


def _loads_step_by_step(text: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise PlanFormatError("not a plan: the top level is not an object")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFormatError(f"unknown plan format_version {version!r}; this aquadsl reads {FORMAT_VERSION}")
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFormatError(f"invalid plan at {where}: {first['msg']}") from None


for _model in (StageOverride, StageParams, LifecyclePlan, Parameters, BatchPlan, Plan):
    _model.model_rebuild()
