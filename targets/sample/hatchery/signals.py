"""A receiver that writes another model: heavy mortality raises an Alert for the cohort."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from hatchery.models import Alert, MortalityRecord

ALERT_THRESHOLD = 500


@receiver(post_save, sender=MortalityRecord)
def raise_mortality_alert(sender, instance, created, **kwargs):
    if created and instance.count >= ALERT_THRESHOLD:
        Alert.objects.create(placement=instance.placement, raised_on=instance.recorded_on,
                             kind="MORT", level=2 if instance.count >= 2 * ALERT_THRESHOLD else 1)
