"""How many rows a batch produces per table. The runtime's simulation must match these exactly."""

from __future__ import annotations

from dataclasses import dataclass

from aquadsl.plan.model import StageParams

HARVEST_GRADES = ("SUPERIOR", "GRADE_A", "GRADE_B", "GRADE_C", "REJECT")

TABLES = (
    "batches", "assignments", "transfers", "daily_states", "environmental_readings", "feeding_events",
    "mortality_events", "growth_samples", "lice_counts", "health_samples", "treatments",
    "harvest_events", "harvest_lots",
)


@dataclass(frozen=True)
class StageStay:
    """A batch's stay in one stage: its parameters, containers held and days lived there."""

    params: StageParams
    containers: int
    days: int
    stage_day: int = 0                            # days since the stage began, at the window's start
    container_days: tuple[int, ...] | None = None  # lived days per container (harvest ends some early)
    fed_days: tuple[int, ...] | None = None       # fed days per container (feed withdrawal before harvest)
    event_days: tuple[int, ...] = ()              # window days of weight-triggered treatments
    ring_events: tuple[tuple[int, int], ...] = ()  # (container, window day) of treatments of one ring

    def lived(self) -> tuple[int, ...]:
        return self.container_days if self.container_days is not None else (self.days,) * self.containers

    def fed(self) -> tuple[int, ...]:
        return self.fed_days if self.fed_days is not None else self.lived()


def cadence_days(days: int, every: int, offset: int = 0) -> int:
    """Event days among ``days`` days from stage day ``offset``, events on day_in_stage % every == 0."""
    first = (-offset) % every
    return (days - first + every - 1) // every if days > first else 0


def estimate_rows(stays: list[StageStay], harvested: bool, harvest_events: int | None = None) -> dict[str, int]:
    """Rows per table for one batch. Every count is a fixed function of the plan.

    ``harvest_events`` is the number of (container, day) harvests; by default one per last container.
    """
    rows = dict.fromkeys(TABLES, 0)
    rows["batches"] = 1
    entered = [s for s in stays if s.days > 0]
    rows["transfers"] = max(0, len(entered) - 1)
    for s in entered:
        _add_stay(rows, s)
    if harvested and entered:
        last = entered[-1].containers if harvest_events is None else harvest_events
        rows["harvest_events"] = last
        rows["harvest_lots"] = last * len(HARVEST_GRADES)
    return rows


def _add_stay(rows: dict[str, int], s: StageStay) -> None:
    p, lived = s.params, s.lived()
    total = sum(lived)
    rows["assignments"] += s.containers
    rows["daily_states"] += total
    rows["mortality_events"] += total
    rows["environmental_readings"] += total * p.sensors.per_day * len(p.sensors.parameters)
    if p.feed.mode != "none":
        rows["feeding_events"] += sum(s.fed()) * p.feedings_per_day
    for family, cadence in p.cadences.items():
        rows[family] += sum(cadence_days(d, cadence.every, s.stage_day) for d in lived)
    for days in p.at_days.values():
        rows["treatments"] += sum(1 for day in days for d in lived if s.stage_day <= day < s.stage_day + d)
    rows["treatments"] += sum(1 for day in s.event_days for d in lived if day < d)
    rows["treatments"] += sum(1 for k, day in s.ring_events if day < lived[k])
