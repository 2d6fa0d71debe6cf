"""`compile --format md` and `diff --format md`: the data the Markdown templates are fed, and the size limit."""

from __future__ import annotations

from aquadsl.plan.diff import PlanDiff
from aquadsl.plan.model import Plan
from aquadsl.report.jinja import render

MAX_CHARS = 60_000
FIELDS_UP_TO = 10      # per-batch field tables only when at most this many batches changed, were added or removed
IDS_PER_GROUP = 40


def render_plan_markdown(plan: Plan, workers: int | None = None) -> str:
    """The compile preview: facts and batches per geography open, the other tables collapsed."""
    from aquadsl.plan.summary import summarize
    from aquadsl.render.preview import _facts, sections

    s = summarize(plan, workers)
    return render("preview.md.j2", scenario=s.scenario, facts=_facts(s), sections=sections(s))


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1f}%"


def _arrow(old: str, new: str) -> str:
    return old if old == new else f"{old} → {new}"


def geography_table(diff: PlanDiff) -> dict:
    rows = []
    for g in diff.review.geographies:
        a, b = g.before, g.after
        rng = [f"{x.eggs_min:,}..{x.eggs_max:,}" if x.batches else "—" for x in (a, b)]
        rows.append((g.geography + ("" if g.touched else " (no own line changed)"),
                     _arrow(f"{a.batches:,}", f"{b.batches:,}"), _arrow(f"{a.eggs:,}", f"{b.eggs:,}"),
                     _arrow(*rng), _arrow(f"{a.harvest_t:,.0f}", f"{b.harvest_t:,.0f}"),
                     _arrow(_pct(a.peak_fresh), _pct(b.peak_fresh)), _arrow(_pct(a.peak_sea), _pct(b.peak_sea))))
    return {"header": ("geography", "batches", "eggs", "eggs per batch", "projected harvest (t)",
                       "peak fresh", "peak sea"), "align": "lrrrrrr", "rows": rows}


def _groups(diff: PlanDiff, ids: bool) -> tuple[list, list]:
    rows, lists = [], []
    for i, g in enumerate(diff.review.groups, 1):
        rows.append((g.geography, f"{len(g.batches):,}", f"#{i}: " + "; ".join(g.details)))
        if ids:
            shown = list(g.batches[:IDS_PER_GROUP])
            more = len(g.batches) - len(shown)
            lists.append({"title": f"#{i} ({g.geography})",
                          "ids": ", ".join(shown) + (f" and {more:,} more" if more else "")})
    return rows, lists


def _field_tables(diff: PlanDiff) -> list[dict]:
    from aquadsl.render.diffview import value

    out = []
    for b in diff.batches:
        title = f"{b.kind} {b.id} ({b.geography})" + (f", renamed from {b.old_id}" if b.old_id else "")
        if b.kind == "changed":
            rows = [(c.field, value(c.old), value(c.new)) for c in b.changes]
            out.append({"title": title, "header": ("field", "old", "new"), "align": "lll", "rows": rows})
        else:
            rows = [(c.field, value(c.new if b.kind == "added" else c.old)) for c in b.changes]
            out.append({"title": title, "header": ("field", "value"), "align": "ll", "rows": rows})
    return out


def diff_context(diff: PlanDiff, detail: int = 2) -> dict:
    """Everything the diff template shows; ``detail`` 2: all, 1: no per-batch fields, 0: no id lists."""
    from aquadsl.render.diffview import _counts, _sections, _sha, value

    rows, ids = _groups(diff, detail >= 1)
    fields = _field_tables(diff) if detail >= 2 and len(diff.batches) <= FIELDS_UP_TO else []
    params = [(c.field, value(c.old, group=False), value(c.new, group=False))
              for c in (*diff.plan_changes, *diff.parameters)]
    sections = [s for s in _sections(diff) if s.title not in ("Plan", "Parameters")]
    sections = [{"title": s.title, "header": s.header, "align": s.align, "rows": s.rows} for s in sections]
    return {"scenario": diff.scenario, "sha": _sha(diff), "counts": _counts(diff),
            "rows_line": f"{diff.old_rows:,} → {diff.new_rows:,} ({diff.new_rows - diff.old_rows:+,})",
            "flags": diff.review.flags, "geo": geography_table(diff), "changed_params": params,
            "groups": rows, "groups_ids": ids, "changed": diff.count("changed"), "sections": sections,
            "fields": fields, "diff_batches": len(diff.batches), "note": ""}


def _cut(text: str, max_chars: int, note: str) -> str:
    """Whole lines up to the limit, open <details> closed, then the note."""
    room = max_chars - len(note) - 200
    lines, used = [], 0
    for line in text.splitlines(keepends=True):
        if used + len(line) > room:
            break
        lines.append(line)
        used += len(line)
    body = "".join(lines)
    unclosed = body.count("<details") - body.count("</details>")
    return (body + "\n</details>\n" * unclosed + "\n" + note + "\n")[:max_chars]


def render_diff_markdown(diff: PlanDiff, max_chars: int = MAX_CHARS) -> str:
    """The review diff as GitHub Markdown: summary and flags open, the rest in <details>, within max_chars."""
    if not diff.has_changes:
        return "No changes.\n"
    for detail in (2, 1, 0):
        text = render("diff.md.j2", **diff_context(diff, detail))
        if len(text) <= max_chars:
            return text
    note = "_The rest was left out to fit this comment; the full diff is available with `aquadsl diff --format text`._"
    return _cut(text, max_chars, note)
