"""The semantic plan diff as plain text, or as Markdown that fits a pull-request comment."""

from __future__ import annotations

from aquadsl.plan.diff import BatchChange, FieldChange, PlanDiff, Value
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
    return str(v)


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
        return f"      {c.field}: {value(c.old)} -> {value(c.new)}"
    return f"      {c.field}: {value(c.new if kind == 'added' else c.old)}"


def render_diff_text(diff: PlanDiff) -> str:
    """The whole diff as plain text: a summary first, then every added, removed and changed batch."""
    if not diff.has_changes:
        return NO_CHANGES
    lines = [f"Plan diff {diff.scenario}",
             f"  sources  {_sha(diff)}",
             f"  batches  {_counts(diff)}"]
    for sec in _sections(diff):
        lines += ["", sec.title] + text_table(sec.header, sec.rows, sec.align)
    if diff.batches or diff.unchanged:
        lines += ["", "Batches"]
    for b in diff.batches:
        lines.append(f"  {_MARK[b.kind]} {b.id} ({b.geography}){' ' + b.kind if b.kind != 'changed' else ''}")
        lines += [_text_field(c, b.kind) for c in b.changes]
    if diff.unchanged:
        lines.append(f"  {_unchanged_line(diff)}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- markdown
def _md_batch(b: BatchChange) -> str:
    kind = "" if b.kind == "changed" else f" {b.kind}"
    head = f"##### {_MARK[b.kind]} {md_escape(b.id)} ({md_escape(b.geography)}){kind}"
    if b.kind == "changed":
        table = markdown_table(("field", "old", "new"), [(c.field, value(c.old), value(c.new)) for c in b.changes],
                               "lll")
    else:
        table = markdown_table(("field", "value"),
                               [(c.field, value(c.new if b.kind == "added" else c.old)) for c in b.changes], "ll")
    return "\n".join([head, "", *table]) + "\n"


def _md_head(diff: PlanDiff) -> list[str]:
    blocks = [f"### Plan diff {md_escape(diff.scenario)}\n\n"
              f"- **sources**: {md_escape(_sha(diff))}\n"
              f"- **batches**: {md_escape(_counts(diff))}\n"]
    for sec in _sections(diff):
        blocks.append("\n".join([f"#### {md_escape(sec.title)}", "", *markdown_table(sec.header, sec.rows, sec.align)])
                      + "\n")
    if diff.batches:
        blocks.append("#### Batches\n")
    return blocks


def _note(batches_left: int, sections_left: int) -> str:
    parts = [f"{batches_left} batch entries"] + ([f"{sections_left} summary sections"] if sections_left else [])
    return (f"_{' and '.join(parts)} left out to fit this comment; the full diff is available with "
            f"`aquadsl diff --format text`._\n")


def render_diff_markdown(diff: PlanDiff, max_chars: int = 60_000) -> str:
    """The diff as GitHub Markdown of at most ``max_chars`` characters, cut at a batch boundary if needed."""
    if not diff.has_changes:
        return NO_CHANGES
    head, entries = _md_head(diff), [_md_batch(b) for b in diff.batches]
    tail = [f"_{md_escape(_unchanged_line(diff))}_\n"] if diff.unchanged else []
    blocks = head + entries + tail
    if sum(len(b) + 1 for b in blocks) <= max_chars:
        return "\n".join(blocks)
    # Reserve room for the worst-case note (every count as wide as the largest possible value).
    budget = max_chars - len(_note(len(blocks), len(head))) - 1 - sum(len(b) + 1 for b in tail)
    kept: list[str] = []
    used = 0
    for block in head + entries:
        if used + len(block) + 1 > budget:
            break
        kept.append(block)
        used += len(block) + 1
    heads_kept = min(len(kept), len(head))
    text = "\n".join(kept + tail + [_note(len(entries) - (len(kept) - heads_kept), len(head) - heads_kept)])
    return text[:max_chars]
