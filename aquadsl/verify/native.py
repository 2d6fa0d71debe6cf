"""Native verify: the farm schema checked against its plan (or, without one, against its own ledger).

Each check returns findings: one passing finding when nothing is wrong, else one failing finding per
offending subject (capped at ``LIMIT`` per check, with a last finding counting the rest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aquadsl.verify.findings import Finding, VerifyReport

LIMIT = 25   # failing findings listed per check; the rest are counted in one more finding


@dataclass(frozen=True)
class Expectations:
    """What the database should hold: from the plan when given, else from the ledger alone."""

    source: str                                    # "plan" or "ledger"
    rows: dict[str, int]                           # per SCHEMA table name (without the farm_ prefix)
    plan_hash: str | None = None
    until: dt.date | None = None
    harvest_kg: tuple[float, float] | None = None  # the scenario's target range
    fcr: dict[str, float] = field(default_factory=dict)   # stage name -> target FCR (mode "fcr")
    batches: int | None = None
    early: frozenset[str] = frozenset()            # batches harvested early after an incident (below target)


def early_harvested(plan) -> frozenset[str]:
    """Ids of the batches an incident harvested early (their fish may weigh less than the target)."""
    if plan is None:
        return frozenset()
    return frozenset(b.id for b in plan.batches if any(i.response == "early_harvest" for i in b.incidents))


def expectations_from_plan(plan) -> Expectations:
    from aquadsl.runtime.ledger import plan_hash

    params = plan.parameters
    fcr = {s.name: s.feed.fcr for s in params.lifecycle.stages if s.feed.mode == "fcr"}
    return Expectations("plan", dict(plan.estimated_rows), plan_hash(plan), params.until,
                        tuple(params.batches.harvest_target_kg), fcr, len(plan.batches), early_harvested(plan))


def expectations_from_ledger() -> Expectations:
    """Row counts the loads recorded (in the same transaction as the rows) for every done batch."""
    from aquadsl.farm.models import TABLE_MODELS, BatchLedger, FarmPlan

    rows = dict.fromkeys(TABLE_MODELS, 0)
    for counts in BatchLedger.objects.filter(status=BatchLedger.DONE).values_list("rows", flat=True):
        for table, n in (counts or {}).items():
            rows[table] = rows.get(table, 0) + n
    from aquadsl.runtime.extend import stored_plan

    current = FarmPlan.objects.order_by("id").first()
    return Expectations("ledger", rows, current.plan_hash if current else None,
                        batches=current.batches_total if current else None,
                        early=early_harvested(stored_plan(current) if current else None))


def ledger_mismatches() -> list[str]:
    """One "farm_T: N in the ledger, M found" per table whose row count differs from the ledger's record."""
    from aquadsl.runtime import digest

    recorded, found = expectations_from_ledger().rows, digest.row_counts()
    return [f"farm_{t}: {recorded[t]:,} in the ledger, {found.get(t, 0):,} found"
            for t in sorted(recorded) if recorded[t] != found.get(t, 0)]


def capped(check: str, failures: list[Finding], ok_subject: str, ok_message: str) -> list[Finding]:
    """The check's failures (at most LIMIT, then a count of the rest), or one passing finding."""
    if not failures:
        return [Finding(check, ok_subject, True, ok_message)]
    shown = failures[:LIMIT]
    if len(failures) > LIMIT:
        rest = len(failures) - LIMIT
        shown.append(Finding(check, ok_subject, False, f"... and {rest:,} more {check} failure(s)"))
    return shown


def rows(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def check_plan(exp: Expectations) -> list[Finding]:
    """The database holds this plan, every batch of it loaded."""
    from aquadsl.farm.models import BatchLedger, FarmPlan

    current = FarmPlan.objects.order_by("id").first()
    held = current.plan_hash if current else None
    out = []
    if exp.source == "plan" and held != exp.plan_hash:
        out.append(Finding("plan", "ledger", False,
                           f"the database holds plan {(held or 'none')[:12]}, not this plan "
                           f"({exp.plan_hash[:12]})", exp.plan_hash, held))
    done = BatchLedger.objects.filter(status=BatchLedger.DONE).count()
    total = exp.batches if exp.batches is not None else (current.batches_total if current else 0)
    if done != total:
        out.append(Finding("plan", "batches", False, f"batches loaded: {total:,} expected, {done:,} done",
                           total, done))
    return out or [Finding("plan", "ledger", True, f"plan {(held or '')[:12]}: all {done:,} batches done")]


def check_row_counts(exp: Expectations) -> list[Finding]:
    """Rows per table against the plan's estimates (or the ledger's recorded counts)."""
    from aquadsl.runtime import digest

    found = digest.row_counts()
    out = []
    for table in sorted(exp.rows):
        want, got = exp.rows[table], found.get(table, 0)
        name = f"farm_{table}"
        out.append(Finding("row-count", name, want == got,
                           f"{name}: {want:,} expected, {got:,} found" if want != got
                           else f"{name}: {got:,} rows", want, got))
    return out


def check_conservation(exp: Expectations) -> list[Finding]:
    """Fish are neither created nor lost: per batch, per assignment, per transfer, and the living."""
    failures = []
    for batch, eggs, dead, harvested, living in rows("""
            SELECT b.batch_id, b.eggs, COALESCE(m.n, 0), COALESCE(h.n, 0), b.living_fish FROM farm_batches b
            LEFT JOIN (SELECT batch_id, SUM(count) AS n FROM farm_mortality_events GROUP BY batch_id) m
                   ON m.batch_id = b.id
            LEFT JOIN (SELECT batch_id, SUM(fish_count) AS n FROM farm_harvest_events GROUP BY batch_id) h
                   ON h.batch_id = b.id
            WHERE b.eggs - COALESCE(m.n, 0) - COALESCE(h.n, 0) <> b.living_fish ORDER BY b.batch_id"""):
        failures.append(Finding("conservation", batch, False,
                                f"batch {batch}: {eggs:,} eggs - {dead:,} deaths - {harvested:,} harvested "
                                f"= {eggs - dead - harvested:,}, but living_fish is {living:,}",
                                eggs - dead - harvested, living))
    # population_end counts the fish left after the stay's deaths and harvest days; a stay harvested on
    # its last day only (no harvest capacity declared) keeps the count before that harvest.
    for batch, container, start, dead, harvested, end in rows("""
            SELECT b.batch_id, c.name, a.population_start, COALESCE(m.n, 0), COALESCE(h.n, 0), a.population_end
            FROM farm_assignments a JOIN farm_batches b ON b.id = a.batch_id
            JOIN farm_containers c ON c.id = a.container_id
            LEFT JOIN (SELECT assignment_id, SUM(count) AS n FROM farm_mortality_events
                       GROUP BY assignment_id) m ON m.assignment_id = a.id
            LEFT JOIN (SELECT assignment_id, SUM(fish_count) AS n FROM farm_harvest_events
                       GROUP BY assignment_id) h ON h.assignment_id = a.id
            WHERE a.population_start - COALESCE(m.n, 0) - COALESCE(h.n, 0) <> a.population_end
              AND NOT (a.population_start - COALESCE(m.n, 0) = a.population_end
                       AND COALESCE(h.n, 0) = a.population_end)
            ORDER BY b.batch_id, a.assignment_no"""):
        left = start - dead - harvested
        failures.append(Finding("conservation", f"{batch}/{container}", False,
                                f"batch {batch} in {container}: population {start:,} at start - {dead:,} "
                                f"deaths - {harvested:,} harvested = {left:,}, but population_end is {end:,}",
                                left, end))
    failures += _transfers_and_living()
    return capped("conservation", failures, "batches", "every fish accounted for: eggs = deaths + "
                  "harvested + living, per batch, assignment and transfer")


def _transfers_and_living() -> list[Finding]:
    out = []
    for batch, no, moved, left, arrived in rows("""
            SELECT b.batch_id, t.transfer_no, t.fish_moved,
                   (SELECT COALESCE(SUM(population_end), 0) FROM farm_assignments a
                     WHERE a.batch_id = t.batch_id AND a.stage_id = t.from_stage_id AND a.end_date = t.date),
                   (SELECT COALESCE(SUM(population_start), 0) FROM farm_assignments a
                     WHERE a.batch_id = t.batch_id AND a.stage_id = t.to_stage_id AND a.start_date = t.date)
            FROM farm_transfers t JOIN farm_batches b ON b.id = t.batch_id ORDER BY b.batch_id, t.transfer_no"""):
        if not moved == left == arrived:
            out.append(Finding("conservation", f"{batch}/transfer {no}", False,
                               f"batch {batch}, transfer {no}: {left:,} fish left the stage, {moved:,} moved, "
                               f"{arrived:,} arrived", moved, f"{left}/{arrived}"))
    for batch, living, active in rows("""
            SELECT b.batch_id, b.living_fish,
                   (SELECT COALESCE(SUM(population_end), 0) FROM farm_assignments a
                     WHERE a.batch_id = b.id AND a.is_active = %s)
            FROM farm_batches b ORDER BY b.batch_id""", (True,)):
        if living != active:
            out.append(Finding("conservation", f"{batch}/living", False,
                               f"batch {batch}: living_fish is {living:,}, its active assignments hold "
                               f"{active:,}", living, active))
    return out


def run_checks(exp: Expectations, database: str) -> VerifyReport:
    """Every native check, in a fixed order, into one report."""
    from aquadsl.verify import placement

    report = VerifyReport(database=database, plan_hash=exp.plan_hash)
    for check in (check_plan, check_row_counts, check_conservation, placement.check_double_booking,
                  placement.check_windows, placement.check_capacity, placement.check_harvest_weight,
                  placement.check_fcr):
        report.findings.extend(check(exp))
    return report


def verify_database(url: str, plan=None) -> VerifyReport:
    """Set up Django on ``url`` (must be migrated) and verify it against ``plan`` or its ledger."""
    from aquadsl.runtime import db
    from aquadsl.runtime.status import database_status

    database_status(url)   # never creates a database; the farm schema must be there and current
    exp = expectations_from_plan(plan) if plan is not None else expectations_from_ledger()
    return run_checks(exp, db.redact(url))
