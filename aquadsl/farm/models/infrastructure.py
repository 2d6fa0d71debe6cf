"""Infrastructure and master data: geographies, stations, halls, sea areas, containers, sensors, stages."""

from __future__ import annotations

from django.db import models


class Named(models.Model):
    """Infrastructure rows are keyed by name; ids are explicit and assigned in plan order."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Geography(Named):
    label = models.CharField(max_length=100)
    code = models.CharField(max_length=16)
    prefix = models.CharField(max_length=16)

    class Meta:
        db_table = "farm_geographies"


class ContainerKind(Named):
    label = models.CharField(max_length=100)
    volume_m3 = models.FloatField()
    max_biomass_kg = models.FloatField()

    class Meta:
        db_table = "farm_container_kinds"


class FreshwaterStation(Named):
    geography = models.ForeignKey(Geography, on_delete=models.PROTECT, related_name="stations")

    class Meta:
        db_table = "farm_stations"


class Hall(Named):
    station = models.ForeignKey(FreshwaterStation, on_delete=models.PROTECT, related_name="halls")
    letter = models.CharField(max_length=8)
    kind = models.ForeignKey(ContainerKind, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "farm_halls"


class SeaArea(Named):
    geography = models.ForeignKey(Geography, on_delete=models.PROTECT, related_name="sea_areas")
    kind = models.ForeignKey(ContainerKind, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "farm_sea_areas"


class Container(Named):
    """A tray, tank or sea ring: exactly one of ``hall`` and ``sea_area`` is set."""

    kind = models.ForeignKey(ContainerKind, on_delete=models.PROTECT, related_name="containers")
    hall = models.ForeignKey(Hall, null=True, on_delete=models.PROTECT, related_name="containers")
    sea_area = models.ForeignKey(SeaArea, null=True, on_delete=models.PROTECT, related_name="containers")
    water = models.CharField(max_length=8)
    volume_m3 = models.FloatField()
    max_biomass_kg = models.FloatField()

    class Meta:
        db_table = "farm_containers"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(hall__isnull=False, sea_area__isnull=True)
                           | models.Q(hall__isnull=True, sea_area__isnull=False)),
                name="farm_container_in_hall_or_area"),
        ]


class EnvironmentalParameter(Named):
    unit = models.CharField(max_length=16, blank=True)

    class Meta:
        db_table = "farm_environmental_parameters"


class Sensor(Named):
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="sensors")
    parameter = models.ForeignKey(EnvironmentalParameter, on_delete=models.PROTECT, related_name="sensors")

    class Meta:
        db_table = "farm_sensors"
        constraints = [models.UniqueConstraint(fields=["container", "parameter"],
                                               name="farm_sensor_one_per_parameter")]


class FeedType(Named):
    class Meta:
        db_table = "farm_feed_types"


class LifecycleStage(Named):
    label = models.CharField(max_length=100)
    order = models.IntegerField()
    water = models.CharField(max_length=8)
    days = models.IntegerField()
    tgc = models.FloatField()
    weight_cap_g = models.FloatField()
    mortality_per_day = models.FloatField()
    feed_type = models.ForeignKey(FeedType, null=True, on_delete=models.PROTECT, related_name="+")
    feedings_per_day = models.IntegerField()

    class Meta:
        db_table = "farm_lifecycle_stages"
