"""The sample target's schema: sites, units and tanks (names unique only within a unit), cohorts, events."""
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


def default_origin():
    return "import"


class Site(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=60)


class Unit(models.Model):
    """A freshwater hall or a sea area."""

    WATER = [("FW", "Freshwater"), ("SW", "Seawater")]
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    name = models.CharField(max_length=40)
    water = models.CharField(max_length=2, choices=WATER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unit_unique_in_site")]


class Tank(models.Model):
    """A tank or ring; its name (e.g. "C01") is unique only within its unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT)
    name = models.CharField(max_length=20)
    volume_m3 = models.DecimalField(max_digits=10, decimal_places=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="tank_unique_in_unit")]


class Stage(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()


class Cohort(models.Model):
    STATUS = [("RUN", "Running"), ("DONE", "Harvested")]
    number = models.CharField(max_length=40, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    status = models.CharField(max_length=4, choices=STATUS)
    egg_count = models.PositiveIntegerField()
    started_on = models.DateField()
    harvested_on = models.DateField(null=True, blank=True)
    target_kg = models.DecimalField(max_digits=12, decimal_places=1)
    origin = models.CharField(max_length=12, default=default_origin)
    notes = models.TextField(default="", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()


class Placement(models.Model):
    """A cohort in a tank for a stage; ``biomass_kg`` is derived in save()."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="placements")
    tank = models.ForeignKey(Tank, on_delete=models.PROTECT)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT)
    placed_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)
    fish_count = models.PositiveIntegerField()
    avg_weight_g = models.DecimalField(max_digits=10, decimal_places=2)
    biomass_kg = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def clean(self):
        if self.removed_on and self.removed_on < self.placed_on:
            raise ValidationError("a placement cannot end before it starts")

    def save(self, *args, **kwargs):
        biomass = Decimal(self.fish_count) * Decimal(self.avg_weight_g) / 1000
        self.biomass_kg = biomass.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        super().save(*args, **kwargs)


class DailyState(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    day = models.DateField()
    fish_count = models.PositiveIntegerField()
    avg_weight_g = models.DecimalField(max_digits=10, decimal_places=2)
    feed_kg = models.DecimalField(max_digits=10, decimal_places=2)


class Reading(models.Model):
    PARAMETERS = [("TEMP", "Temperature"), ("O2", "Oxygen"), ("PH", "pH"), ("CO2", "CO2"),
                  ("NO2", "Nitrite"), ("NO3", "Nitrate"), ("NH4", "Ammonium"), ("SAL", "Salinity")]
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    parameter = models.CharField(max_length=4, choices=PARAMETERS)
    taken_at = models.DateTimeField()
    value = models.DecimalField(max_digits=9, decimal_places=3)
    source = models.CharField(max_length=12, default="sensor")


class MortalityRecord(models.Model):
    CAUSES = [("NAT", "Natural"), ("DIS", "Disease"), ("ENV", "Environment"), ("PRED", "Predation"),
              ("HAND", "Handling"), ("NONE", "None recorded")]
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    recorded_on = models.DateField()
    count = models.PositiveIntegerField()
    cause = models.CharField(max_length=4, choices=CAUSES)
    biomass_kg = models.DecimalField(max_digits=12, decimal_places=3)
    origin = models.CharField(max_length=12, default=default_origin)


class Alert(models.Model):
    """Written by a signal receiver when a mortality record is heavy."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    raised_on = models.DateField()
    kind = models.CharField(max_length=4, choices=[("MORT", "Mortality")])
    level = models.PositiveSmallIntegerField()


class LiceCount(models.Model):
    """One row per lice stage counted (aquadsl emits one row with a column per stage)."""

    STAGES = [("AF", "Adult female"), ("AM", "Adult male"), ("PA", "Pre-adult"), ("CH", "Chalimus"),
              ("CAL", "Caligus")]
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    counted_on = models.DateField()
    lice_stage = models.CharField(max_length=3, choices=STAGES)
    fish_sampled = models.PositiveIntegerField()
    count = models.PositiveIntegerField()


class GrowthSample(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE)
    sampled_on = models.DateField()
    sample_size = models.PositiveIntegerField()
    avg_weight_g = models.DecimalField(max_digits=10, decimal_places=2)
    condition_factor = models.DecimalField(max_digits=6, decimal_places=3)


class FishObservation(models.Model):
    """One weighed fish behind a growth sample."""

    sample = models.ForeignKey(GrowthSample, on_delete=models.CASCADE)
    fish_no = models.PositiveIntegerField()
    weight_g = models.DecimalField(max_digits=10, decimal_places=2)
    length_cm = models.DecimalField(max_digits=6, decimal_places=2)


class Transfer(models.Model):
    """A cohort's move from one stage to the next."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE)
    moved_on = models.DateField()
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    fish_count = models.PositiveIntegerField()


class TransferAction(models.Model):
    """One source tank to one destination tank within a transfer."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="actions")
    source = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="+")
    fish_count = models.PositiveIntegerField()
    biomass_kg = models.DecimalField(max_digits=12, decimal_places=3)
