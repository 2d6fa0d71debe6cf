"""`aquadsl target verify`: counts against the plan, full_clean() and save() replay in the target's interpreter."""

from __future__ import annotations

from aquadsl.plan.model import Plan
from aquadsl.targets import ir
from aquadsl.targets.families import DERIVED, EXTRA, extra_rows
from aquadsl.targets.job import TargetJob, build_job
from aquadsl.targets.manifest import Manifest
from aquadsl.targets.schema_checks import ranges
from aquadsl.verify.findings import Finding, VerifyReport


def expected_rows(job: TargetJob, plan: Plan) -> dict[str, int | None]:
    """Rows per model the plan implies (None for a `where` map: data-dependent, counted by the ledger)."""
    out: dict[str, int | None] = {}
    from aquadsl.targets.families import provided_kind, row_family

    for c in job.maps:
        family = row_family(c.family)          # a provided copy of batches/assignments counts like them
        if ("WHERE" in c.select_sql.split("FROM", 1)[-1] and family != "batches") or c.family in DERIVED \
                or (provided_kind(c.family) and family == c.family):     # provided: counted by the ledger
            n = None
        elif family == "batches":
            n = len(plan.batches)
        elif family in EXTRA:
            n = sum(extra_rows(plan, family, b.id) for b in plan.batches) * c.rows_per_row
        else:
            n = sum(b.estimated_rows.get(family, 0) for b in plan.batches) * c.rows_per_row
        out[c.model] = n if c.model not in out or out[c.model] is None or n is None else out[c.model] + n
        if c.history_table:
            out[c.history_table] = out[c.model]
    return out


def ledger_rows(url: str, schema: str) -> dict[str, int]:
    """Rows per model the ledger recorded for the loaded batches (for data-dependent `where` maps)."""
    import psycopg2

    from aquadsl.targets.sqlgen import qi

    totals: dict[str, int] = {}
    try:
        conn = psycopg2.connect(url)
    except psycopg2.Error:
        return totals
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT rows FROM {qi(schema)}.farm_ledger_batches WHERE status = 'done'")
            for (rows,) in cur.fetchall():
                for label, n in (rows or {}).items():
                    totals[label] = totals.get(label, 0) + n
    except psycopg2.Error:
        pass
    finally:
        conn.close()
    return totals


def payload(job: TargetJob, plan: Plan, mapping: ir.Mapping, recorded: dict[str, int] | None = None) -> dict:
    indexes = [b.index for b in plan.batches]
    expected = expected_rows(job, plan)
    for label, n in expected.items():
        if n is None and recorded and label in recorded:
            expected[label] = recorded[label]
    models = {}
    ignored = clean_ignored(mapping)
    for c in job.maps:
        models[c.model] = {"ranges": ranges(indexes, job.id_block), "expected": expected[c.model]}
        if c.model in ignored:
            models[c.model]["clean_ignored"] = ignored[c.model]
        if c.history_table:
            models[c.history_table] = {"ranges": ranges(indexes, c.history_block),
                                       "expected": expected[c.history_table], "sample": False}
    return {"models": models, "sample": mapping.target.verify_sample, "seed": plan.parameters.seed,
            "endpoints": list(mapping.target.endpoints)}


def clean_ignored(mapping: ir.Mapping) -> dict[str, str]:
    """Models whose ``clean()`` the mapping decides to ignore: label -> "reason (file:line:col)".

    Verify still runs the rest of ``full_clean()`` on them (field checks, unique and model constraints)
    and runs ``clean()`` too, but reports what ``clean()`` rejects against the decision that covers it,
    rather than as a failure of the load."""
    out = {}
    for d in mapping.decisions:
        if d.subject == "clean" and d.action == "ignore":
            out[d.target] = f"{d.reason} ({d.span.path}:{d.span.line}:{d.span.col})"
    return out


def verify_target(mapping: ir.Mapping, manifest: Manifest, plan: Plan, url: str, redacted: str) -> VerifyReport:
    """Run every check in the target's interpreter; raises interp.TargetError if it cannot run."""
    from aquadsl.targets.apply import plan_hash
    from aquadsl.targets.interp import run_script

    job = build_job(mapping, manifest, plan)
    recorded = ledger_rows(url, mapping.target.ledger_schema)
    answer = run_script(mapping, "verify.py", payload(job, plan, mapping, recorded), url)
    report = VerifyReport(database=redacted, plan_hash=plan_hash(plan, job))
    report.findings.extend(Finding(**f) for f in answer["findings"])
    return report
