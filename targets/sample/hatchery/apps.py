"""The hatchery app; connects its signal receivers when ready."""
from django.apps import AppConfig


class HatcheryConfig(AppConfig):
    name = "hatchery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from hatchery import signals  # noqa: F401 - connects the receivers
