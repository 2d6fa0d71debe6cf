"""The farm models, one module per area; every table of ``aquadsl.sim.schema.SCHEMA`` has one model."""

from aquadsl.farm.models.batches import Assignment, Batch, Transfer
from aquadsl.farm.models.events import (
    DailyState, EnvironmentalReading, FeedingEvent, GrowthSample, HarvestEvent, HarvestLot,
    HealthSample, LiceCount, MortalityEvent, Treatment,
)
from aquadsl.farm.models.infrastructure import (
    Container, ContainerKind, EnvironmentalParameter, FeedType, FreshwaterStation, Geography, Hall,
    LifecycleStage, SeaArea, Sensor,
)
from aquadsl.farm.models.ledger import BatchLedger, FarmPlan, Run

# The table each model mirrors in aquadsl.sim.schema.SCHEMA.
TABLE_MODELS = {
    "batches": Batch,
    "assignments": Assignment,
    "transfers": Transfer,
    "daily_states": DailyState,
    "environmental_readings": EnvironmentalReading,
    "feeding_events": FeedingEvent,
    "mortality_events": MortalityEvent,
    "growth_samples": GrowthSample,
    "lice_counts": LiceCount,
    "health_samples": HealthSample,
    "treatments": Treatment,
    "harvest_events": HarvestEvent,
    "harvest_lots": HarvestLot,
}

INFRASTRUCTURE_MODELS = (
    Geography, ContainerKind, FreshwaterStation, Hall, SeaArea, Container, EnvironmentalParameter,
    Sensor, FeedType, LifecycleStage,
)

__all__ = [
    "Assignment", "Batch", "BatchLedger", "Container", "ContainerKind", "DailyState",
    "EnvironmentalParameter", "EnvironmentalReading", "FarmPlan", "FeedType", "FeedingEvent",
    "FreshwaterStation", "Geography", "GrowthSample", "Hall", "HarvestEvent", "HarvestLot",
    "HealthSample", "INFRASTRUCTURE_MODELS", "LiceCount", "LifecycleStage", "MortalityEvent", "Run",
    "SeaArea", "Sensor", "TABLE_MODELS", "Transfer", "Treatment",
]
