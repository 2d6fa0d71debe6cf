"""Read-only list endpoints (JSON) used by aquadsl's GET smoke tests."""
from django.urls import path

from hatchery import views

urlpatterns = [
    path("api/cohorts/", views.cohorts),
    path("api/placements/", views.placements),
]
