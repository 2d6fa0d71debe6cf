"""The human preview of a compiled plan, as aligned plain text or as GitHub Markdown for a PR comment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from aquadsl.plan.model import Plan
from aquadsl.printable import printable
from aquadsl.plan.summary import PlanSummary, summarize

DASH = "—"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


class Section(NamedTuple):
    """One titled table; the renderers decide how it looks."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    align: str                        # one "l" or "r" per column
    subtitle: str = ""                # shown after the title
    footer: str = ""                  # shown under the table


# ------------------------------------------------------------------ helpers
def number(n: int | float) -> str:
    """Thousands separators for integers, one decimal for the rest."""
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def percent(p: float | None) -> str:
    return DASH if p is None else f"{p:.1f}%"


def signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str, indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; "r" columns are right-aligned; control characters escaped."""
    header, rows = [printable(c) for c in header], [[printable(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def md_escape(text: object) -> str:
    """User text as literal Markdown: newlines flattened, control characters shown as escapes
    (``\\x1b``), special characters (``|``, backticks, ``\\``…) backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", printable(" ".join(str(text).splitlines())))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """A GitHub table; cells are escaped here, so callers pass plain text."""
    rule = ["---:" if a == "r" else ":---" for a in align]
    return ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in [header]] + \
        ["| " + " | ".join(rule) + " |"] + \
        ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]


# ------------------------------------------------------------------ content
def _facts(s: PlanSummary) -> list[tuple[str, str]]:
    span = DASH
    if s.first_start is not None and s.last_day is not None:
        span = f"{s.first_start} .. {s.last_day} ({number((s.last_day - s.first_start).days + 1)} days)"
    return [
        ("seed", str(s.seed)),
        ("period", f"{s.start} .. {s.until} (until from {s.until_source})"),
        ("sources", f"sha256 {s.sha256[:12]}"),
        ("batches", f"{number(s.batches)} ({number(s.completed)} completed, {number(s.active)} active"
                    + (f", {number(s.culled)} culled)" if s.culled else ")")),
        ("span", span),
        ("eggs", number(s.total_eggs)),
    ]


def sections(s: PlanSummary) -> list[Section]:
    """The preview's tables, in reading order."""
    culled = bool(s.culled)      # the column only when a batch is culled
    geos = [(g.geography, g.label, number(g.completed), number(g.active)) + ((number(g.culled),) if culled else ())
            + (number(g.total),) for g in s.geographies]
    geos.append(("total", "", number(s.completed), number(s.active)) + ((number(s.culled),) if culled else ())
                + (number(s.batches),))
    util = [(u.stage, u.geography, number(u.occupied), number(u.capacity), percent(u.percent),
             str(u.peak_date) if u.peak_date else DASH) for u in s.utilisation]
    rows = [(table, number(n)) for table, n in s.rows] + [("total", number(s.total_rows))]
    out = [
        Section("Batches per geography", ("geography", "name", "completed", "active")
                + (("culled",) if culled else ()) + ("total",), geos, "llrrrr" if culled else "llrrr"),
        Section("Peak utilisation", ("stage", "geography", "occupied", "capacity", "%", "first peak"), util,
                "llrrrl", "containers occupied on the busiest day"),
        Section("Estimated rows", ("table", "rows"), rows, "lr"),
    ]
    if s.responses:
        changed = [(r.batch, r.incident, str(r.start), r.response.replace("_", " "), str(r.first), str(r.last),
                    number(r.rings)) for r in s.responses]
        out.insert(1, Section("Incidents that change the plan", ("batch", "incident", "start", "response", "first day",
                                                                 "last day", "rings"), changed, "llllllr",
                              "drawn from the seed; rings emptied at the harvest capacity"))
    if s.workers is not None:
        total = sum(p.rows for p in s.partitions)
        parts = [(str(p.index), number(p.batches), number(p.rows), percent(100 * p.rows / total if total else None))
                 for p in s.partitions]
        out.append(Section("Partitions", ("worker", "batches", "rows", "share"), parts, "rrrr",
                           f"{s.workers} workers, balanced by estimated rows",
                           footer=f"max/mean {s.balance:.2f} (1.00 is perfectly balanced)"))
    return out


# ---------------------------------------------------------------- rendering
def render_text(plan: Plan, workers: int | None = None) -> str:
    """A plain-text preview of ``plan`` (aligned columns, no colour), ending in a newline."""
    s = summarize(plan, workers)
    facts = _facts(s)
    width = max(len(k) for k, _ in facts)
    lines = [f"Plan {printable(s.scenario)}"] + [f"  {k.ljust(width)}  {printable(v)}" for k, v in facts]
    for sec in sections(s):
        lines += ["", f"{sec.title} ({sec.subtitle})" if sec.subtitle else sec.title]
        lines += text_table(sec.header, sec.rows, sec.align)
        if sec.footer:
            lines.append(f"  {sec.footer}")
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan, workers: int | None = None) -> str:
    """The same preview as GitHub Markdown (a Jinja2 template), the secondary tables in <details>."""
    from aquadsl.report.markdown import render_plan_markdown

    return render_plan_markdown(plan, workers)
