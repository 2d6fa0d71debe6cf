"""The semantic plan diff as plain text, or as Markdown that fits a pull-request comment."""

from __future__ import annotations

from aquadsl.plan.diff import BatchChange, FieldChange, PlanDiff, Value
from aquadsl.printable import printable
from aquadsl.render.preview import DASH, Section, markdown_table, md_escape, number, signed, text_table

NO_CHANGES = "No changes.\n"
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def value(v: Value, group: bool = True) -> str:
    """One old or new value as shown to a reader; ``group`` adds thousands separators to integers."""
    if v is None:
        return DASH
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and group:
        return f"{v:,}"
    return printable(v)


def _sha(diff: PlanDiff) -> str:
    old, new = diff.old_sha256[:12], diff.new_sha256[:12]
    return f"sha256 {old} (unchanged)" if diff.old_sha256 == diff.new_sha256 else f"sha256 {old} -> {new}"


def _counts(diff: PlanDiff) -> str:
    text = (f"{diff.count('added')} added, {diff.count('removed')} removed, {diff.count('changed')} changed, "
            f"{diff.unchanged} unchanged")
    return text + (f" ({diff.reordered} with only a new schedule position)" if diff.reordered else "")


def _sections(diff: PlanDiff) -> list[Section]:
    out = []
    if diff.per_geography:
        rows = [(g.geography, number(g.added), number(g.removed), number(g.changed)) for g in diff.per_geography]
        out.append(Section("Batch changes per geography", ("geography", "added", "removed", "changed"), rows, "lrrr"))
    if diff.per_stage:
        rows = [(stage, number(n)) for stage, n in diff.per_stage]
        out.append(Section("Changed batches per stage", ("stage", "batches"), rows, "lr"))
    rows = [(r.table, number(r.old), number(r.new), signed(r.delta)) for r in diff.rows]
    rows.append(("total", number(diff.old_rows), number(diff.new_rows), signed(diff.new_rows - diff.old_rows)))
    out.append(Section("Estimated rows", ("table", "before", "after", "delta"), rows, "lrrr"))
    for title, changes in ("Plan", diff.plan_changes), ("Parameters", diff.parameters):
        if changes:
            # Parameters hold seeds and ids, which read wrong with separators.
            rows = [(c.field, value(c.old, group=False), value(c.new, group=False)) for c in changes]
            out.append(Section(title, ("path", "old", "new"), rows, "lll"))
    if diff.infrastructure:
        rows = [(_MARK[c.change], c.path, c.detail) for c in diff.infrastructure]
        out.append(Section("Infrastructure", ("", "path", "change"), rows, "lll"))
    return out


def _unchanged_line(diff: PlanDiff) -> str:
    return f"… {diff.unchanged} unchanged batches" if diff.unchanged else ""


# --------------------------------------------------------------------- text
def _text_field(c: FieldChange, kind: str) -> str:
    if kind == "changed":
        return f"      {printable(c.field)}: {value(c.old)} -> {value(c.new)}"
    return f"      {printable(c.field)}: {value(c.new if kind == 'added' else c.old)}"


def _review_text(diff: PlanDiff) -> list[str]:
    """Flags, then per-geography before/after (the same data the Markdown template shows)."""
    if diff.review is None:
        return []
    from aquadsl.report.markdown import geography_table

    lines = []
    if diff.review.flags:
        lines += ["", "Check: changes no line of their geography explains"]
        lines += [f"  ! {printable(flag)}" for flag in diff.review.flags]
    geo = geography_table(diff)
    lines += ["", "Per geography, before -> after"] + text_table(geo["header"], geo["rows"], geo["align"])
    return lines


def render_diff_text(diff: PlanDiff) -> str:
    """The whole diff as plain text: a summary first, then every added, removed and changed batch."""
    if not diff.has_changes:
        return NO_CHANGES
    lines = [f"Plan diff {printable(diff.scenario)}",
             f"  sources  {_sha(diff)}",
             f"  batches  {_counts(diff)}"]
    lines += _review_text(diff)
    for sec in _sections(diff):
        lines += ["", sec.title] + text_table(sec.header, sec.rows, sec.align)
    if diff.batches or diff.unchanged:
        lines += ["", "Batches"]
    for b in diff.batches:
        renamed = f" renamed from {printable(b.old_id)}" if b.old_id else ""
        lines.append(f"  {_MARK[b.kind]} {printable(b.id)} ({printable(b.geography)}){' ' + b.kind if b.kind != 'changed' else ''}{renamed}")
        lines += [_text_field(c, b.kind) for c in b.changes]
    if diff.unchanged:
        lines.append(f"  {_unchanged_line(diff)}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- markdown
def render_diff_markdown(diff: PlanDiff, max_chars: int = 60_000) -> str:
    """The diff as GitHub Markdown of at most ``max_chars`` characters (the Jinja2 template's rendering)."""
    from aquadsl.report.markdown import render_diff_markdown as render

    return render(diff, max_chars)
