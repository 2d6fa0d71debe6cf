"""Infrastructure and master data, before any batch: natural-key upsert in SQL, or get_or_create in the ORM."""

from __future__ import annotations

import json

from aquadsl.plan.model import Plan
from aquadsl.targets import ir
from aquadsl.targets.families import INFRA, infra_rows
from aquadsl.targets.job import TargetJob
from aquadsl.targets.schema_checks import MISMATCH
from aquadsl.targets.stage import copy_family, family_arrays, stage_name

AQS_INFRA = "AQS665"


def load_infrastructure(job: TargetJob, mapping: ir.Mapping, plan: Plan, target_url: str) -> dict[str, int]:
    """Create or update every infra map's rows, each map in its own committed transaction, in file order."""
    from django.db import connection, transaction
    from django.db.utils import IntegrityError

    entities = {f: infra_rows(plan, f) for f in INFRA}
    written = {}
    for c in job.infra:
        try:
            with transaction.atomic(), connection.cursor() as cur:
                n, arrays = family_arrays(entities[c.family], c.stage_columns, entities)
                copy_family(cur, c.family, n, arrays, c.stage_columns)
                if c.conflict.startswith(" ON CONFLICT") and c.natural_key and _mode(mapping, c) == "upsert":
                    cur.execute(c.insert_sql(stage_name(c.family), 0))
                    written[c.model] = cur.rowcount
                else:
                    cur.execute(c.select_sql.format(stage=stage_name(c.family), base=0))
                    rows = cur.fetchall()
                    written[c.model] = _get_or_create(mapping, c, rows, target_url)
        except IntegrityError as exc:
            from aquadsl.runtime.errors import RuntimeFault

            raise RuntimeFault(AQS_INFRA, f"{c.model} from {c.family}: {' '.join(str(exc).split())[:300]}",
                               MISMATCH, ("two plan rows share the natural key, or a lookup found nothing",)) from None
    return written


def _mode(mapping: ir.Mapping, c) -> str:
    return next(m.create for m in mapping.maps if m.kind == "infra" and m.model == c.model and m.family == c.family)


def _get_or_create(mapping: ir.Mapping, c, rows: list, target_url: str) -> int:
    from aquadsl.runtime.errors import RuntimeFault
    from aquadsl.targets.interp import TargetError, run_script

    payload = {"model": c.model, "columns": c.columns, "key": c.natural_key,
               "rows": json.loads(json.dumps(rows, default=str))}
    try:
        answer = run_script(mapping, "orm_create.py", payload, target_url)
    except TargetError as exc:
        raise RuntimeFault("AQS661", str(exc), 69) from None
    return int(answer.get("created", 0))
