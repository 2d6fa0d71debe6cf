"""Two small JSON list views: the first 50 cohorts and placements."""
from django.http import JsonResponse

from hatchery.models import Cohort, Placement


def cohorts(request):
    rows = list(Cohort.objects.order_by("id").values("id", "number", "status")[:50])
    return JsonResponse({"count": Cohort.objects.count(), "results": rows})


def placements(request):
    rows = list(Placement.objects.order_by("id").values("id", "cohort_id", "fish_count")[:50])
    return JsonResponse({"count": Placement.objects.count(), "results": rows})
