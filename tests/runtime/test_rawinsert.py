"""D5: rows written by rawinsert.insert_rows are the rows bulk_create writes (defaults, auto ids, floats)."""

from __future__ import annotations

from aquadsl.runtime import db
from aquadsl.runtime.rawinsert import insert_rows
from tests.runtime.conftest import use


def _rows(model):
    return [tuple(r[k] for k in sorted(r) if k != "id") for r in model.objects.order_by("id").values()]


def test_inserted_rows_equal_bulk_created_ones(db_url):
    db.migrate(db_url)
    use(db_url)
    from django.db import transaction

    from aquadsl.farm.models import BatchLedger, ContainerKind

    ledger = [{"batch_id": f"B-{i}", "plan_index": i} for i in range(1200)]   # more than one statement
    with transaction.atomic():
        BatchLedger.objects.bulk_create([BatchLedger(**row) for row in ledger])
        bulk = _rows(BatchLedger)
        BatchLedger.objects.all().delete()
        insert_rows(BatchLedger, ledger)
        assert _rows(BatchLedger) == bulk and bulk[0][:1] != ()
        kinds = [{"id": 7, "name": "tray", "label": "Tray ü", "volume_m3": 2, "max_biomass_kg": 1.5}]
        ContainerKind.objects.bulk_create([ContainerKind(**kinds[0])])
        bulk = list(ContainerKind.objects.values())
        ContainerKind.objects.all().delete()
        insert_rows(ContainerKind, kinds)
        assert list(ContainerKind.objects.values()) == bulk
        assert isinstance(bulk[0]["volume_m3"], float)
