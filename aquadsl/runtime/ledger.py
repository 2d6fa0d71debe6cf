"""The run ledger: which plan the database holds, each batch's status, runs; stale-plan and --fresh rules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from aquadsl.plan.model import Plan, dumps
from aquadsl.runtime.errors import AQS_STALE, STALE_PLAN, RuntimeFault

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
INTERRUPTED = "interrupted"
DIED_NOTE = "its apply process is gone; the run was never closed"


def plan_hash(plan: Plan) -> str:
    """sha256 of the plan's canonical JSON: the identity of what the database should hold."""
    return hashlib.sha256(dumps(plan).encode("utf-8")).hexdigest()


@dataclass
class LedgerStatus:
    """What the database holds, for `aquadsl status` and the apply preamble."""

    plan_hash: str | None
    scenario: str | None
    total: int
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    rows: int = 0
    last_run: dict | None = None
    mismatches: list[str] = field(default_factory=list)   # tables whose rows differ from the ledger's


def _now():
    from django.utils import timezone

    return timezone.now()


def _operational_models() -> list:
    from aquadsl.farm.models import TABLE_MODELS, BatchLedger

    return [BatchLedger, *reversed(list(TABLE_MODELS.values()))]


def wipe_operational() -> None:
    """Delete every batch, assignment, transfer, event and batch-ledger row; infrastructure stays."""
    from django.db import connection

    tables = [m._meta.db_table for m in _operational_models()]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            for t in tables:
                cur.execute(f"DELETE FROM {connection.ops.quote_name(t)}")


def _stale_fault(current, phash: str, loaded: int, reason: str = "") -> RuntimeFault:
    held = f"plan {current.plan_hash[:12]} (scenario {current.scenario!r})" if current else "an unknown plan"
    return RuntimeFault(
        AQS_STALE,
        f"the database holds {loaded} batch(es) of {held}, not of this plan ({phash[:12]})"
        + (f": {reason}" if reason else ""),
        STALE_PLAN,
        ("re-run with --fresh to delete the operational data (infrastructure is kept) and start over",
         "or point --database at another database"))


def prepare(plan: Plan, phash: str, fresh: bool) -> str:
    """Make the ledger describe ``plan``; returns "new", "resume", "replaced", "fresh" or "extended: WHY".

    When another plan's batches are loaded, extends them if ``plan`` differs only by a later `until`
    (see runtime/extend.py); otherwise refuses (STALE_PLAN) saying what differs, unless ``fresh``.
    """
    from django.db import transaction

    from aquadsl.farm.models import Batch, BatchLedger, FarmPlan
    from aquadsl.runtime import extend

    with transaction.atomic():
        current = FarmPlan.objects.order_by("id").first()
        loaded = Batch.objects.count()
        same = current is not None and current.plan_hash == phash
        if fresh:
            wipe_operational()
            outcome = "fresh"
        elif not same and loaded:
            ext = extend.plan_extension(current, plan)
            if isinstance(ext, str):
                raise _stale_fault(current, phash, loaded, ext)
            extend.mark_extension(ext)
            outcome = f"extended: {ext.describe()}"
        elif not same:
            BatchLedger.objects.all().delete()
            outcome = "new" if current is None else "replaced"
        else:
            outcome = "resume"
            if current.plan_zlib is None:   # loaded before plans were recorded: record it now
                FarmPlan.objects.filter(id=current.id).update(plan_zlib=extend.pack(plan))
        if not same or fresh:
            FarmPlan.objects.all().delete()
            FarmPlan.objects.create(
                plan_hash=phash, scenario=plan.parameters.scenario, format_version=plan.format_version,
                batches_total=len(plan.batches), recorded_at=_now(), plan_zlib=extend.pack(plan))
        _ensure_rows(plan)
    return outcome


def _ensure_rows(plan: Plan) -> None:
    from aquadsl.farm.models import BatchLedger

    from aquadsl.runtime.rawinsert import insert_rows

    have = set(BatchLedger.objects.values_list("batch_id", flat=True))
    insert_rows(BatchLedger, [{"batch_id": b.id, "plan_index": b.index} for b in plan.batches if b.id not in have])
    # A run killed outright leaves "running" rows behind; their transactions were rolled back.
    BatchLedger.objects.filter(status=RUNNING).update(status=PENDING)


def done_ids() -> set[str]:
    from aquadsl.farm.models import BatchLedger

    return set(BatchLedger.objects.filter(status=DONE).values_list("batch_id", flat=True))


def mark_attempt(batch_id: str, run_id: int) -> None:
    from django.db.models import F

    from aquadsl.farm.models import BatchLedger

    BatchLedger.objects.filter(batch_id=batch_id).exclude(status=DONE).update(
        status=RUNNING, attempts=F("attempts") + 1, run_id=run_id, updated_at=_now())


def mark_failed(batch_id: str, error: str, log_path: str, final: bool) -> None:
    from aquadsl.farm.models import BatchLedger

    BatchLedger.objects.filter(batch_id=batch_id).exclude(status=DONE).update(
        status=FAILED if final else PENDING, error=error, log_path=log_path, updated_at=_now())


def mark_pending(batch_ids) -> None:
    from aquadsl.farm.models import BatchLedger

    BatchLedger.objects.filter(batch_id__in=list(batch_ids), status=RUNNING).update(status=PENDING)


def lock_done(batch_id: str) -> dict | None:
    """Inside a batch transaction: lock the batch's ledger row; its row counts if already loaded."""
    from aquadsl.farm.models import BatchLedger

    row = BatchLedger.objects.select_for_update().filter(batch_id=batch_id).values("status", "rows").first()
    return row["rows"] if row and row["status"] == DONE else None


def mark_done(batch_id: str, counts: dict[str, int], duration_s: float, log_path: str) -> None:
    """Inside a batch transaction: the batch is loaded (commits together with its rows)."""
    from aquadsl.farm.models import BatchLedger

    BatchLedger.objects.filter(batch_id=batch_id).update(
        status=DONE, rows=counts, row_count=sum(counts.values()), duration_s=round(duration_s, 3),
        error="", log_path=log_path, updated_at=_now())


def start_run(phash: str, options: dict) -> int:
    """Record a new run. Called under the apply lock: a run still marked running is one whose process
    died without closing it (SIGKILL, a power cut), so it is recorded as interrupted first."""
    from aquadsl.farm.models import Run

    Run.objects.filter(outcome=RUNNING).update(outcome=INTERRUPTED, summary={"note": DIED_NOTE})
    return Run.objects.create(plan_hash=phash, started_at=_now(), options=options).id


def finish_run(run_id: int, outcome: str, summary: dict | None) -> None:
    from aquadsl.farm.models import Run

    Run.objects.filter(id=run_id).update(ended_at=_now(), outcome=outcome, summary=summary)


def status() -> LedgerStatus:
    """The plan hash, batches done/failed/pending and the last run, read from the ledger."""
    from aquadsl.farm.models import BatchLedger, FarmPlan, Run

    current = FarmPlan.objects.order_by("id").first()
    out = LedgerStatus(current.plan_hash if current else None, current.scenario if current else None,
                       current.batches_total if current else 0)
    for batch_id, state, rows in BatchLedger.objects.order_by("plan_index").values_list(
            "batch_id", "status", "row_count"):
        {DONE: out.done, FAILED: out.failed}.get(state, out.pending).append(batch_id)
        out.rows += rows if state == DONE else 0
    run = Run.objects.order_by("-id").values("id", "started_at", "ended_at", "outcome").first()
    if run:
        out.last_run = {k: (v.isoformat(timespec="seconds") if hasattr(v, "isoformat") else v)
                        for k, v in run.items()}
    return out
