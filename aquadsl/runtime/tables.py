"""How each SCHEMA table maps onto its farm model: database columns, their source, type and nullability.

Derived from the Django models (so the two cannot drift apart) and checked against SCHEMA:
every SCHEMA column must feed exactly one model field. The result is plain data, safe to send
to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from aquadsl.sim.schema import SCHEMA

# Tables in load order: rows referenced by a foreign key constraint come first.
LOAD_ORDER = tuple(SCHEMA)

ROW_BLOCK = 10**9  # id = (batch index + 1) * ROW_BLOCK + row number within the batch and table

# Foreign-key field -> the SCHEMA column naming its target.
_NAMED_REFS = {
    "container": "container", "stage": "stage", "from_stage": "from_stage", "to_stage": "to_stage",
    "parameter": "parameter", "feed_type": "feed_name", "geography": "geography",
}

_TYPES = {
    "BigIntegerField": "int8", "ForeignKey": "int8", "IntegerField": "int4", "FloatField": "float8",
    "BooleanField": "bool", "DateField": "date", "DateTimeField": "timestamptz", "CharField": "text",
    "TextField": "text",
}


@dataclass(frozen=True)
class Column:
    """One database column. ``kind`` says where its values come from:

    ``id`` computed row id; ``batch`` the batch's id; ``assignment`` from assignment_no;
    ``sensor`` from (container, parameter); ``ref:<lookup>`` a name resolved to an id;
    ``value`` the SCHEMA column of the same name, unchanged.
    """

    name: str
    source: str | None
    kind: str
    pgtype: str
    nullable: bool


@dataclass(frozen=True)
class TableSpec:
    table: str
    db_table: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _column(table: str, field) -> Column:
    internal = field.get_internal_type()
    pgtype = _TYPES[internal]
    nullable = bool(field.null)
    if field.primary_key:
        return Column("id", None, "id", pgtype, False)
    if internal != "ForeignKey":
        return Column(field.column, field.name, "value", pgtype, nullable)
    if field.name == "batch":
        return Column(field.column, "batch_id", "batch", pgtype, nullable)
    if field.name == "assignment":
        return Column(field.column, "assignment_no", "assignment", pgtype, nullable)
    if field.name == "sensor":
        return Column(field.column, None, "sensor", pgtype, nullable)
    source = _NAMED_REFS[field.name]
    lookup = "stage" if source.endswith("stage") else field.name
    return Column(field.column, source, f"ref:{lookup}", pgtype, nullable)


def table_spec(table: str) -> TableSpec:
    """The mapping of one SCHEMA table (requires Django to be set up)."""
    from aquadsl.farm.models import TABLE_MODELS

    model = TABLE_MODELS[table]
    columns = tuple(_column(table, f) for f in model._meta.concrete_fields)
    used = [c.source for c in columns if c.source is not None]
    wanted = [name for name, _ in SCHEMA[table]]
    if sorted(used) != sorted(wanted):
        raise AssertionError(f"farm model for {table!r} does not mirror SCHEMA: "
                             f"model uses {sorted(used)}, SCHEMA has {sorted(wanted)}")
    return TableSpec(table, model._meta.db_table, columns)


def table_specs() -> dict[str, TableSpec]:
    """Every table's mapping, in load order."""
    return {table: table_spec(table) for table in LOAD_ORDER}
