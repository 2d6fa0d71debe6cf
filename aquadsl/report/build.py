"""`aquadsl report`: the data of one self-contained HTML page (plan charts, and database charts if asked)."""

from __future__ import annotations

from aquadsl.plan.model import Plan
from aquadsl.report.jinja import render


def summary_rows(plan: Plan) -> list[tuple[str, str]]:
    from aquadsl.plan.summary import summarize

    s = summarize(plan)
    rows = [("scenario", s.scenario), ("seed", str(s.seed)), ("period", f"{s.start} .. {s.until}"),
            ("batches", f"{s.batches:,} ({s.completed:,} completed, {s.active:,} active)"),
            ("eggs", f"{s.total_eggs:,}"), ("estimated rows", f"{s.total_rows:,}")]
    rows += [(f"batches in {g.label}", f"{g.total:,} ({g.completed:,} completed)") for g in s.geographies]
    peaks = [u for u in s.utilisation if u.percent is not None]
    for water in ("fresh", "sea"):
        top = max((u for u in peaks if u.water == water), key=lambda u: u.percent, default=None)
        if top:
            rows.append((f"peak {water} utilisation", f"{top.percent:.1f}% ({top.stage}, {top.geography}, {top.peak_date})"))
    return rows


def database_part(url: str, plan_hash: str) -> dict:
    """Charts and facts from the database at ``url`` (read-only)."""
    from aquadsl.report.db_charts import database_charts
    from aquadsl.runtime import db, digest
    from aquadsl.runtime.status import database_status

    st = database_status(url)
    counts = digest.row_counts()
    facts = [("database", db.redact(url)),
             ("plan held", f"{st.plan_hash or 'none'}" + ("" if st.plan_hash == plan_hash else
                                                          " (NOT the plan of this report)")),
             ("batches loaded", f"{len(st.done):,} of {st.total:,}")]
    facts += [(f"rows: farm_{t}", f"{n:,}") for t, n in sorted(counts.items())]
    return {"facts": facts, "sections": database_charts()}


def render_report(plan: Plan, database: str | None = None) -> str:
    """The whole page as text; deterministic for the same plan and database content."""
    from aquadsl.report.plan_charts import incidents, plan_charts
    from aquadsl.runtime.ledger import plan_hash

    phash = plan_hash(plan)
    context = {
        "scenario": plan.parameters.scenario, "sources_sha256": plan.sources.sha256, "plan_hash": phash,
        "files": plan.sources.files, "summary": summary_rows(plan), "plan_sections": plan_charts(plan),
        "incidents": incidents(plan), "database": database_part(database, phash) if database else None,
    }
    return render("report.html.j2", **context)
