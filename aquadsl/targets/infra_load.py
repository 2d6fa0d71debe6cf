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

    entities = {f: infra_rows(plan, f) for f in sorted(set(INFRA) | {c.family for c in job.infra})}
    written = {}
    for c in job.infra:
        try:
            with transaction.atomic(), connection.cursor() as cur:
                n, arrays = family_arrays(entities[c.family], c.stage_columns, entities)
                copy_family(cur, c.family, n, arrays, c.stage_columns)
                if c.declared_key and _mode(mapping, c) == "upsert":
                    written[c.model] = upsert_declared(cur, c, stage_name(c.family))
                elif c.conflict.startswith(" ON CONFLICT") and c.natural_key and _mode(mapping, c) == "upsert":
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


def upsert_declared(cur, c, stage: str) -> int:
    """Upsert by a key the database does not enforce: refuse repeated keys, update matches, insert the rest."""
    from aquadsl.targets.sqlgen import qi

    keys = ", ".join(qi(k) for k in c.natural_key)
    cur.execute(f"SELECT {keys} FROM {c.table} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1")
    repeated = cur.fetchone()
    if repeated is not None:
        from aquadsl.runtime.errors import RuntimeFault

        raise RuntimeFault(AQS_INFRA, f"{c.model}: existing rows repeat the natural key ({', '.join(c.natural_key)}) "
                           f"= {repeated!r}, so lookups by it would be ambiguous", MISMATCH,
                           ("rename or remove the duplicates, or scope the `by` key by a parent",))
    cols = ", ".join(qi(x) for x in c.columns)
    match = " AND ".join(f"t.{qi(k)} IS NOT DISTINCT FROM src.{qi(k)}" for k in c.natural_key)
    source = f"WITH src ({cols}) AS ({c.select_sql.format(stage=stage, base=0)})"
    rest = [x for x in c.columns if x not in c.natural_key]
    if rest:
        sets = ", ".join(f"{qi(x)} = src.{qi(x)}" for x in rest)
        cur.execute(f"{source} UPDATE {c.table} t SET {sets} FROM src WHERE {match}")
    cur.execute(f"{source} INSERT INTO {c.table} ({cols}) SELECT {cols} FROM src "
                f"WHERE NOT EXISTS (SELECT 1 FROM {c.table} t WHERE {match})")
    return cur.rowcount


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
