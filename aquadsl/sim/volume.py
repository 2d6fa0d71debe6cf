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


def cadence_days(days: int, every: int) -> int:
    """Event days among ``days`` days in a stage when events fall on day_in_stage % every == 0."""
    return (days + every - 1) // every if days > 0 else 0


def estimate_rows(stays: list[StageStay], harvested: bool) -> dict[str, int]:
    """Rows per table for one batch. Every count is a fixed function of the plan."""
    rows = dict.fromkeys(TABLES, 0)
    rows["batches"] = 1
    entered = [s for s in stays if s.days > 0]
    rows["transfers"] = max(0, len(entered) - 1)
    for s in entered:
        n, d, p = s.containers, s.days, s.params
        rows["assignments"] += n
        rows["daily_states"] += n * d
        rows["mortality_events"] += n * d
        rows["environmental_readings"] += n * d * p.sensors.per_day * len(p.sensors.parameters)
        if p.feed.mode != "none":
            rows["feeding_events"] += n * d * p.feedings_per_day
        for family, cadence in p.cadences.items():
            rows[family] += n * cadence_days(d, cadence.every)
        for days in p.at_days.values():
            rows["treatments"] += n * sum(1 for day in days if day < d)
    if harvested and entered:
        last = entered[-1].containers
        rows["harvest_events"] = last
        rows["harvest_lots"] = last * len(HARVEST_GRADES)
    return rows
