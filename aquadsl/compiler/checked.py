"""Values passed between compiler passes after validation: normalised units, resolved references."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aquadsl import ir
from aquadsl.diagnostics import Span
from aquadsl.plan.model import ContainerKindPlan, LifecyclePlan, ProfilePlan


@dataclass(frozen=True)
class HallSetup:
    letter: str
    kind: str
    containers: int


@dataclass(frozen=True)
class GeoSetup:
    """A geography with every setting checked; infrastructure names are not rendered yet."""

    name: str
    label: str
    code: str
    prefix: str
    stations: int
    halls: tuple[HallSetup, ...]
    sea_areas: int
    rings_per_area: int
    ring_kind: str | None
    temperature: dict[str, ProfilePlan]
    names: dict[str, ir.Pattern]
    span: Span
    stations_span: Span | None = None
    sea_span: Span | None = None
    salinity: tuple = ()              # SalinityPlan of estuarine sea areas
    sea_offsets: tuple = ()           # °C per sea area, declared (`temperature sea offset areas A..B X`)
    sites_sd: float = 0.0             # °C, sd of each sea area's offset drawn from the seed


@dataclass(frozen=True)
class BatchSetup:
    """The batch rules of the scenario, checked."""

    geographies: tuple[str, ...]
    counts: dict[str, int]
    stagger_days: int
    stagger_mode: str
    offsets: dict[str, int]
    eggs: ir.Expr
    harvest_kg: tuple[float, float]
    id_pattern: ir.Pattern
    lets: tuple[ir.Let, ...]
    span: Span
    count_span: Span | None
    stagger_span: Span | None


@dataclass(frozen=True)
class Checked:
    """Everything the later passes need, after validation."""

    scenario: str
    seed: int
    start: dt.date
    until: dt.date
    until_source: str
    variables: dict[str, int | float]
    lifecycle: LifecyclePlan
    kinds: dict[str, ContainerKindPlan]
    geographies: dict[str, GeoSetup]
    batches: BatchSetup
    stage_spans: dict[str, Span] = field(default_factory=dict)
    rings_spans: dict[str, Span] = field(default_factory=dict)
