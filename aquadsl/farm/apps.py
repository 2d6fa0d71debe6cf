"""Django app configuration of the farm database."""

from django.apps import AppConfig


class FarmConfig(AppConfig):
    name = "aquadsl.farm"
    label = "farm"
    verbose_name = "aquadsl farm"
    default_auto_field = "django.db.models.BigAutoField"
