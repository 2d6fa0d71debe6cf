"""The run ledger: which plan the database holds, each batch's load status, and each run."""

from __future__ import annotations

from django.db import models


class FarmPlan(models.Model):
    """The single plan whose batches the database holds (at most one row)."""

    plan_hash = models.CharField(max_length=64)
    scenario = models.CharField(max_length=200)
    format_version = models.IntegerField()
    batches_total = models.IntegerField()
    recorded_at = models.DateTimeField()
    # The plan itself (zlib-compressed canonical JSON), so that a later plan differing only by a later
    # `until` can extend the database; NULL in databases loaded before extension existed.
    plan_zlib = models.BinaryField(null=True)

    class Meta:
        db_table = "farm_ledger_plan"


class Run(models.Model):
    """One `aquadsl apply` invocation; timestamps live here, never in farm data."""

    plan_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=16, default="running")
    options = models.JSONField(default=dict)
    summary = models.JSONField(null=True)

    class Meta:
        db_table = "farm_ledger_runs"


class BatchLedger(models.Model):
    """A batch's load status. ``done`` is written in the same transaction as the batch's rows."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"

    batch_id = models.CharField(max_length=64, unique=True)
    plan_index = models.IntegerField()
    status = models.CharField(max_length=16, default=PENDING)
    attempts = models.IntegerField(default=0)
    rows = models.JSONField(null=True)
    row_count = models.BigIntegerField(default=0)
    duration_s = models.FloatField(null=True)
    run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)
    log_path = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True)
    # While an extension is pending: the batch's rows from this assignment number on (and its batch and
    # transfer rows) are replaced; NULL: the batch's rows are absent and loaded whole.
    replace_from = models.IntegerField(null=True)

    class Meta:
        db_table = "farm_ledger_batches"
