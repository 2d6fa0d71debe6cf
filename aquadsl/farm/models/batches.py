"""Batches and their movement: batches, container assignments per stage, and stage transfers."""

from __future__ import annotations

from django.db import models

from aquadsl.farm.models.infrastructure import Container, Geography, LifecycleStage


class Batch(models.Model):
    """One batch of the plan; ``id`` is the plan index + 1, ``batch_id`` the plan's batch id."""

    id = models.BigIntegerField(primary_key=True)
    batch_id = models.CharField(max_length=64, unique=True)
    geography = models.ForeignKey(Geography, on_delete=models.PROTECT, related_name="batches")
    start_date = models.DateField()
    end_date = models.DateField(null=True)      # NULL while the batch is still active
    status = models.CharField(max_length=16)
    eggs = models.IntegerField()
    harvest_target_kg = models.FloatField()
    harvest_date = models.DateField(null=True)
    living_fish = models.IntegerField()

    class Meta:
        db_table = "farm_batches"

    def __str__(self) -> str:
        return self.batch_id


class Assignment(models.Model):
    """A batch's stay in one container during one stage. Fish moved at a transfer appear here only."""

    id = models.BigIntegerField(primary_key=True)
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="assignments")
    assignment_no = models.IntegerField()
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="assignments")
    stage = models.ForeignKey(LifecycleStage, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True)      # exclusive; NULL for the active assignment
    population_start = models.IntegerField()
    population_end = models.IntegerField()
    avg_weight_start_g = models.FloatField()
    avg_weight_end_g = models.FloatField()
    biomass_end_kg = models.FloatField()
    is_active = models.BooleanField()

    class Meta:
        db_table = "farm_assignments"
        constraints = [models.UniqueConstraint(fields=["batch", "assignment_no"],
                                               name="farm_assignment_no_per_batch")]


class Transfer(models.Model):
    """A stage transition: how many fish moved (a count, not a second copy of the population)."""

    id = models.BigIntegerField(primary_key=True)
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="transfers")
    transfer_no = models.IntegerField()
    date = models.DateField()
    from_stage = models.ForeignKey(LifecycleStage, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(LifecycleStage, on_delete=models.PROTECT, related_name="+")
    fish_moved = models.IntegerField()
    avg_weight_g = models.FloatField()
    source_containers = models.IntegerField()
    destination_containers = models.IntegerField()

    class Meta:
        db_table = "farm_transfers"
