"""The intermediate representation: frozen pydantic nodes, one per construct, each with its span."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from aquadsl.diagnostics import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    span: Span


# ------------------------------------------------------------------ expressions
class Num(Node):
    kind: Literal["num"] = "num"
    value: int | float


class Var(Node):
    kind: Literal["var"] = "var"
    name: str


class BinOp(Node):
    kind: Literal["binop"] = "binop"
    op: Literal["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">="]
    left: "Expr"
    right: "Expr"


class Neg(Node):
    kind: Literal["neg"] = "neg"
    operand: "Expr"


class Call(Node):
    kind: Literal["call"] = "call"
    func: str
    func_span: Span
    args: tuple["Expr", ...]


class IfElse(Node):
    kind: Literal["if"] = "if"
    cond: "Expr"
    then: "Expr"
    other: "Expr"


class PerGeography(Node):
    """``per_geography(faroe 1, scotland 2)``: the value for the batch's geography."""

    kind: Literal["per_geography"] = "per_geography"
    names: tuple[str, ...]
    name_spans: tuple[Span, ...]
    values: tuple["Expr", ...]


Expr = Annotated[Union[Num, Var, BinOp, Neg, Call, IfElse, PerGeography], Field(discriminator="kind")]


class Literal_(Node):
    """Literal text inside a name pattern."""

    kind: Literal["text"] = "text"
    text: str


class Placeholder(Node):
    """``{expr}`` or ``{expr:03}`` inside a name pattern."""

    kind: Literal["placeholder"] = "placeholder"
    expr: Expr
    width: int = 0
    zero_pad: bool = False


PatternPart = Annotated[Union[Literal_, Placeholder], Field(discriminator="kind")]


class Pattern(Node):
    source: str
    parts: tuple[PatternPart, ...]


class Quantity(Node):
    value: float
    unit: str | None = None


class Let(Node):
    name: str
    name_span: Span
    expr: Expr


# --------------------------------------------------------------- infrastructure
class ContainerKind(Node):
    name: str
    label: str | None = None
    volume: Quantity
    max_biomass: Quantity
    max_density: float | None = None     # kg/m³
    max_fish: float | None = None        # fish per container
    max_fish_span: Span | None = None


class Stations(Node):
    count: int
    halls: tuple[str, ...]
    containers: int


class HallSpec(Node):
    letter: str
    container_kind: str
    kind_span: Span
    containers: int | None = None


class SeaSpec(Node):
    areas: int
    rings: int
    container_kind: str
    kind_span: Span


class ConstantProfile(Node):
    kind: Literal["constant"] = "constant"
    value: float


class MonthlyProfile(Node):
    kind: Literal["monthly"] = "monthly"
    values: tuple[float, ...]


class SineProfile(Node):
    kind: Literal["sine"] = "sine"
    mean: float
    amplitude: float
    peak_day: int


Profile = Annotated[Union[ConstantProfile, MonthlyProfile, SineProfile], Field(discriminator="kind")]


class Temperature(Node):
    water: Literal["fresh", "sea"]
    profile: Profile


class Weather(Node):
    water: Literal["fresh", "sea"]
    sd: float
    persistence: int
    yearly: float = 0.0
    sites: float = 0.0        # °C, sd of each sea area's own offset (drawn from the seed)


class TemperatureOffset(Node):
    """Sea areas ``areas`` (1-based, inclusive) are ``offset`` °C warmer than the geography's profile."""

    water: Literal["fresh", "sea"]
    areas: tuple[int, int]
    offset: float


class Salinity(Node):
    """Estuarine salinity (ppt) of some sea areas: a mean, a tidal swing and a seasonal swing."""

    areas: tuple[int, int] | None = None
    mean: float
    tide: float
    seasonal: float = 0.0
    rain: float = 0.0         # rain events per month (Poisson, the same days in every estuarine area)
    drop: float = 0.0         # ppt, the most one rain event lowers the salinity


class NameRule(Node):
    target: Literal["station", "area", "ring", "container"]
    pattern: Pattern


class Geography(Node):
    name: str
    label: str
    code: str | None = None
    prefix: str | None = None
    stations: tuple[Stations, ...] = ()
    halls: tuple[HallSpec, ...] = ()
    sea: tuple[SeaSpec, ...] = ()
    temperatures: tuple[Temperature, ...] = ()
    names: tuple[NameRule, ...] = ()
    weathers: tuple[Weather, ...] = ()
    salinities: tuple["Salinity", ...] = ()
    temperature_offsets: tuple[TemperatureOffset, ...] = ()
    # Spans of single-valued statements, for duplicate checks.
    code_spans: tuple[Span, ...] = ()
    prefix_spans: tuple[Span, ...] = ()


# -------------------------------------------------------------------- lifecycle
class Feed(Node):
    mode: Literal["none", "rate", "fcr"]
    value: Quantity | None = None
    feed_name: str | None = None


class Cadence(Node):
    """An event family generated every ``every`` days (optionally sampling ``fish``)."""

    event: Literal["growth_samples", "lice_counts", "health_samples"]
    every: int
    fish: int | None = None


class AtDays(Node):
    """An event family generated on given days since the stage began."""

    event: Literal["vaccinations", "lice_treatments"]
    days: tuple[int, ...]


class AtWeight(Node):
    """An event family on the first day the batch's weight reaches ``weight``."""

    event: Literal["vaccinations", "lice_treatments"]
    weight: Quantity


class Incident(Node):
    name: str
    rate: float                         # expected incidents per year in the stage
    months: tuple[int, int] = (1, 12)
    mortality: Quantity
    days: int
    appetite: Quantity | None = None
    response: Literal["early_harvest", "cull"] | None = None   # then early_harvest above W / then cull
    above: Quantity | None = None       # early harvest only if the fish weigh at least this much


class LiceGrowth(Node):
    growth: Quantity                    # % per day at 10 °C
    settle: float                       # adult females per fish per day at 10 °C


class LicePressure(Node):
    pressure: Quantity                  # % more settlement per neighbours' fish as many as the batch's own
    neighbours: int                     # sea areas within this many by number are neighbours


class LiceLimit(Node):
    limit: float                        # adult females per fish
    weeks: tuple[int, int] | None = None


class Delousing(Node):
    cut: Quantity
    mortality: Quantity
    rest: int                           # days
    rings_per_day: int | None = None    # rings treated per day; None: all on one day


class EndWeight(Node):
    low: Quantity
    high: Quantity


class Override(Node):
    geography: str
    geography_span: Span
    days: int | None = None
    tgc: float | None = None
    temperature: Profile | None = None


class StageTemperature(Node):
    """The stage's own water temperature, instead of its geography's profile for that water."""

    profile: Profile


class Pellet(Node):
    feed_name: str
    up_to: Quantity | None = None


class Sensors(Node):
    per_day: int
    parameters: tuple[str, ...]
    parameter_spans: tuple[Span, ...]


class RingPreference(Node):
    counts: tuple[int, ...]


class Setting(Node):
    """A single-valued stage statement (days, water, hall, containers, tgc, weight_cap, mortality, feedings)."""

    key: str
    value: int | float | str | Quantity


class Stage(Node):
    name: str
    label: str | None = None
    settings: tuple[Setting, ...] = ()
    rings: tuple[RingPreference, ...] = ()
    feed: tuple[Feed, ...] = ()
    sensors: tuple[Sensors, ...] = ()
    cadences: tuple[Cadence, ...] = ()
    at_days: tuple[AtDays, ...] = ()
    at_weights: tuple[AtWeight, ...] = ()
    incidents: tuple[Incident, ...] = ()
    pellets: tuple[Pellet, ...] = ()
    lice_growth: tuple[LiceGrowth, ...] = ()
    lice_limits: tuple[LiceLimit, ...] = ()
    delousing: tuple[Delousing, ...] = ()
    end_weight: tuple[EndWeight, ...] = ()
    overrides: tuple[Override, ...] = ()
    temperatures: tuple[StageTemperature, ...] = ()
    lice_pressure: tuple[LicePressure, ...] = ()


class Lifecycle(Node):
    name: str
    label: str | None = None
    start_weight: tuple[Quantity, ...] = ()
    stages: tuple[Stage, ...] = ()


# --------------------------------------------------------------------- scenario
class GeoInt(Node):
    geography: str
    value: int


class Count(Node):
    mode: Literal["per_geography", "total", "each"]
    value: int = 0
    each: tuple[GeoInt, ...] = ()


class Stagger(Node):
    days: int
    mode: Literal["interleaved", "offsets"]
    offsets: tuple[GeoInt, ...] = ()


class HarvestTarget(Node):
    low: float
    high: float
    unit: str


class Batches(Node):
    geographies: tuple[tuple[str, Span], ...] = ()
    geographies_spans: tuple[Span, ...] = ()
    count: tuple[Count, ...] = ()
    stagger: tuple[Stagger, ...] = ()
    eggs: tuple[Expr, ...] = ()
    harvest_target: tuple[HarvestTarget, ...] = ()
    id_pattern: tuple[Pattern, ...] = ()
    lets: tuple[Let, ...] = ()


class Until(Node):
    today: bool = False
    date: dt.date | None = None     # None with today False: an impossible date, already reported


class Scenario(Node):
    name: str
    lifecycle: tuple[tuple[str, Span], ...] = ()
    start: tuple[tuple[dt.date | None, Span], ...] = ()   # None: an impossible date, already reported
    until: tuple[Until, ...] = ()
    seed: tuple[tuple[int, Span], ...] = ()
    lets: tuple[Let, ...] = ()
    batches: tuple[Batches, ...] = ()


class Import(Node):
    target: str


Item = Union[Import, ContainerKind, Geography, Lifecycle, Scenario]


class Module(BaseModel):
    """One parsed source file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    items: tuple[Item, ...]


for _model in (BinOp, Neg, Call, IfElse, PerGeography, Placeholder, Pattern, Let, Batches, NameRule, Geography):
    _model.model_rebuild()
