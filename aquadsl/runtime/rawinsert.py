"""Insert many rows of a Django model without a model instance per row (D5: apply's preamble).

``bulk_create`` builds a model instance per row and prepares every value through the field (about
200 µs a row here): the 150,000 infrastructure rows of a 10,000-batch plan took 30 s before
``apply`` printed anything. This writes the same rows with multi-row INSERT statements.
"""

from __future__ import annotations

from django.db import models

_PLAIN = (str, int, float, type(None))


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """INSERT ``rows`` (each a dict of field attname -> value, the same keys in every row) into
    ``model``'s table. Fields a row omits get the model's default, as ``bulk_create`` gives them; an
    omitted auto primary key is left to the database."""
    from django.db import connection

    if not rows:
        return
    given = list(rows[0])
    proto = model()
    fields = [f for f in model._meta.concrete_fields
              if f.attname in given or not isinstance(f, models.AutoField)]
    defaults = {f.attname: f.get_db_prep_save(getattr(proto, f.attname), connection)
                for f in fields if f.attname not in given}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, min(500, connection.ops.bulk_batch_size(fields, rows)))
    with connection.cursor() as cursor:
        for at in range(0, len(rows), per):
            chunk = rows[at:at + per]
            params = [_value(f, row[f.attname], connection) if f.attname not in defaults else defaults[f.attname]
                      for row in chunk for f in fields]
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                           + ", ".join([one] * len(chunk)), params)


def _value(field: models.Field, value, connection):
    """The value as the database takes it: plain values as they are, others through the field."""
    if type(value) in _PLAIN:
        if type(value) is int and isinstance(field, models.FloatField):
            return float(value)
        return value
    return field.get_db_prep_save(value, connection)
