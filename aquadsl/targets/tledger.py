"""The target's ledger: aquadsl's run ledger in a schema of its own inside the target database."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aquadsl.runtime.errors import AQS_STALE, STALE_PLAN, RuntimeFault, database_fault
from aquadsl.targets.sqlgen import qi


def ledger_url(url: str, schema: str) -> str:
    """The target URL with ``search_path`` set to the ledger schema (only the ledger is unqualified)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise database_fault(f"targets load into PostgreSQL; {parts.scheme or 'this'} URLs are not supported yet",
                             "pass --database postgresql://USER@HOST:PORT/NAME")
    query = parse_qsl(parts.query)
    if any(k == "options" for k, _ in query):
        raise database_fault("the target URL may not set 'options' (aquadsl sets search_path for its ledger)")
    query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def ensure_schema(schema: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {qi(schema)}")


def prepare(plan, phash: str, fresh: bool, delete_loaded) -> str:
    """Make the ledger describe ``plan`` under ``phash``; returns "new", "resume", "replaced" or "fresh".

    Refuses (STALE_PLAN) when another plan's batches are loaded, unless ``fresh``; ``delete_loaded``
    receives the plan indexes of the loaded batches and deletes their rows (only those).
    """
    from django.db import transaction

    from aquadsl.farm.models import BatchLedger, FarmPlan
    from aquadsl.runtime.ledger import DONE, _ensure_rows, _now

    with transaction.atomic():
        current = FarmPlan.objects.order_by("id").first()
        loaded = list(BatchLedger.objects.filter(status=DONE).values_list("plan_index", "rows"))
        same = current is not None and current.plan_hash == phash
        if fresh:
            delete_loaded(loaded)
            BatchLedger.objects.all().delete()
            outcome = "fresh"
        elif not same and loaded:
            held = f"plan {current.plan_hash[:12]} (scenario {current.scenario!r})" if current else "another plan"
            raise RuntimeFault(AQS_STALE, f"the target holds {len(loaded)} batch(es) of {held}, not of this "
                                          f"plan and mapping ({phash[:12]})", STALE_PLAN,
                               ("re-run with --fresh to delete only the rows aquadsl loaded and start over",))
        elif not same:
            BatchLedger.objects.all().delete()
            outcome = "new" if current is None else "replaced"
        else:
            outcome = "resume"
        if not same or fresh:
            FarmPlan.objects.all().delete()
            FarmPlan.objects.create(plan_hash=phash, scenario=plan.parameters.scenario,
                                    format_version=plan.format_version, batches_total=len(plan.batches),
                                    recorded_at=_now())
        _ensure_rows(plan)
    return outcome
