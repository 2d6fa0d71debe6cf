"""Per-assignment rows: the daily growth state and every recorded event.

These tables hold millions of rows. Their foreign keys carry no database constraint and no index:
a per-row referential check would dominate bulk-load time, and every batch is written whole by
the loader in one transaction, whose output the runtime tests check with SQL invariants.
"""

from __future__ import annotations

from django.db import models

from aquadsl.farm.models.batches import Assignment, Batch
from aquadsl.farm.models.infrastructure import (
    Container, EnvironmentalParameter, FeedType, LifecycleStage, Sensor,
)


def _ref(model) -> models.ForeignKey:
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+")


class PerAssignment(models.Model):
    """Columns shared by every per-assignment table; ``id`` = (batch index + 1) * 10**9 + row number."""

    id = models.BigIntegerField(primary_key=True)
    batch = _ref(Batch)
    assignment = _ref(Assignment)
    container = _ref(Container)

    class Meta:
        abstract = True


class DailyState(PerAssignment):
    """Growth analysis: one row per assignment and day, computed during the simulation."""

    stage = _ref(LifecycleStage)
    date = models.DateField()
    day_number = models.IntegerField()
    population = models.IntegerField()
    avg_weight_g = models.FloatField()
    biomass_kg = models.FloatField()
    temperature_c = models.FloatField()
    mortality = models.IntegerField()
    feed_kg = models.FloatField()
    fcr = models.FloatField(null=True)

    class Meta:
        db_table = "farm_daily_states"


class EnvironmentalReading(PerAssignment):
    parameter = _ref(EnvironmentalParameter)
    sensor = _ref(Sensor)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        db_table = "farm_environmental_readings"


class FeedingEvent(PerAssignment):
    ts = models.DateTimeField()
    feed_type = _ref(FeedType)
    amount_kg = models.FloatField()
    biomass_kg = models.FloatField()
    feeding_pct = models.FloatField()

    class Meta:
        db_table = "farm_feeding_events"


class MortalityEvent(PerAssignment):
    date = models.DateField()
    count = models.IntegerField()
    biomass_kg = models.FloatField()
    cause = models.CharField(max_length=32)

    class Meta:
        db_table = "farm_mortality_events"


class GrowthSample(PerAssignment):
    date = models.DateField()
    sample_size = models.IntegerField()
    avg_weight_g = models.FloatField()
    std_weight_g = models.FloatField()
    min_weight_g = models.FloatField()
    max_weight_g = models.FloatField()
    avg_length_cm = models.FloatField()
    condition_factor = models.FloatField()

    class Meta:
        db_table = "farm_growth_samples"


class LiceCount(PerAssignment):
    date = models.DateField()
    fish_sampled = models.IntegerField()
    adult_female = models.IntegerField()
    adult_male = models.IntegerField()
    pre_adult = models.IntegerField()
    chalimus = models.IntegerField()
    caligus = models.IntegerField()

    class Meta:
        db_table = "farm_lice_counts"


class HealthSample(PerAssignment):
    date = models.DateField()
    fish_sampled = models.IntegerField()
    avg_weight_g = models.FloatField()
    avg_length_cm = models.FloatField()
    condition_factor = models.FloatField()
    mean_score = models.FloatField()

    class Meta:
        db_table = "farm_health_samples"


class Treatment(PerAssignment):
    """Vaccinations and lice treatments (``treatment_type`` tells which)."""

    date = models.DateField()
    treatment_type = models.CharField(max_length=32)
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "farm_treatments"


class HarvestEvent(PerAssignment):
    date = models.DateField()
    fish_count = models.IntegerField()
    live_weight_kg = models.FloatField()
    avg_weight_g = models.FloatField()

    class Meta:
        db_table = "farm_harvest_events"


class HarvestLot(PerAssignment):
    date = models.DateField()
    grade = models.CharField(max_length=16)
    fish_count = models.IntegerField()
    live_weight_kg = models.FloatField()

    class Meta:
        db_table = "farm_harvest_lots"
