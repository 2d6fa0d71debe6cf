"""Replay steps of targets/aquamind.aqt: AquaMind's own FCR service, run in AquaMind's interpreter.

aquadsl's `replay` steps call these once per loaded row (see docs/targets.md). They import AquaMind's
service and models (stdlib + Django + AquaMind only, never aquadsl) and compute nothing themselves:
the periods are calendar months, the interval AquaMind's own FCR trends service uses, so each month's
container summaries aggregate into the batch summary of that month.

Both service calls are AquaMind's `update_or_create`, so a repeated call changes nothing. The rows'
`created_at`/`updated_at` (auto_now) would hold the wall clock; they are set to the mapping's
`load_time` (AQUADSL_LOAD_TIME, set by aquadsl's replay runner) so that reloads compare equal.
"""
import datetime as dt
import os


def _months(first, last):
    """(first day, last day) of every calendar month that [first, last] touches, in order."""
    start = first.replace(day=1)
    while start <= last:
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        yield start, following - dt.timedelta(days=1)
        start = following


def _stamp(model, pks):
    value = os.environ.get("AQUADSL_LOAD_TIME")
    if value and pks:
        when = dt.datetime.fromisoformat(value)
        model.objects.filter(pk__in=pks).update(created_at=when, updated_at=when)


def _last_day(assignment):
    """The assignment's departure, else its last feeding day, else the day it started."""
    from django.db.models import Max

    from apps.inventory.models import FeedingEvent

    if assignment.departure_date:
        return assignment.departure_date
    last = FeedingEvent.objects.filter(batch_assignment=assignment).aggregate(day=Max("feeding_date"))["day"]
    return last or assignment.assignment_date


def container_fcr_by_month(assignment):
    """ContainerFeedingSummary of every month the assignment was in its container (none without growth)."""
    from apps.inventory.models import ContainerFeedingSummary
    from apps.inventory.services.fcr_service import FCRCalculationService

    made = []
    for start, end in _months(assignment.assignment_date, _last_day(assignment)):
        summary = FCRCalculationService.create_container_feeding_summary(assignment, start, end)
        if summary is not None:
            made.append(summary.pk)
    _stamp(ContainerFeedingSummary, made)


def batch_fcr_by_month(batch):
    """BatchFeedingSummary of every month that has container summaries of the batch (AquaMind aggregates)."""
    from apps.inventory.models import BatchFeedingSummary, ContainerFeedingSummary
    from apps.inventory.services.fcr_service import FCRCalculationService

    periods = (ContainerFeedingSummary.objects.filter(batch=batch).values_list("period_start", "period_end")
               .distinct().order_by("period_start", "period_end"))
    made = []
    for start, end in periods:
        summary = FCRCalculationService.aggregate_container_fcr_to_batch(batch, start, end)
        if summary is not None:
            made.append(summary.pk)
    _stamp(BatchFeedingSummary, made)


def forget_container_fcr(assignment):
    """Before `apply --fresh` deletes the assignment: its container summaries."""
    from apps.inventory.models import ContainerFeedingSummary

    ContainerFeedingSummary.objects.filter(container_assignment=assignment).delete()


def forget_batch_fcr(batch):
    """Before `apply --fresh` deletes the batch: its batch summaries."""
    from apps.inventory.models import BatchFeedingSummary

    BatchFeedingSummary.objects.filter(batch=batch).delete()
