"""The text and Markdown previews show the summary's numbers, aligned, escaped and deterministic."""

from __future__ import annotations

import re

from aquadsl.plan.model import dumps, loads
from aquadsl.plan.summary import summarize
from aquadsl.render import render_markdown, render_text


def _block(text: str, title: str) -> list[str]:
    """The lines of one titled section, up to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start + 1:end]


def test_text_header(plan):
    text = render_text(plan)
    assert text.splitlines()[0] == "Plan render-fixture"
    assert "20240601" in text
    assert "2020-01-01 .. 2022-03-31 (until from file)" in text
    assert f"sha256 {plan.sources.sha256[:12]}" in text and plan.sources.sha256 not in text
    assert "7 (2 completed, 5 active)" in text
    assert f"{sum(b.eggs for b in plan.batches):,}" in text
    assert "(821 days)" in text
    assert text.endswith("\n") and "\x1b" not in text


def test_text_batches_per_geography(plan):
    rows = [line.split() for line in _block(render_text(plan), "Batches per geography")]
    assert rows[0] == ["geography", "name", "completed", "active", "total"]
    assert rows[1] == ["faroe", "Faroe", "Islands", "1", "3", "4"]
    assert rows[2] == ["scotland", "Scotland", "1", "2", "3"]
    assert rows[3] == ["total", "2", "5", "7"]


def test_text_peak_utilisation(plan):
    block = _block(render_text(plan), "Peak utilisation")
    assert re.search(r"^  egg_alevin\s+faroe\s+20\s+20\s+100\.0%\s+2020-02-20$", "\n".join(block), re.M)
    assert re.search(r"^  adult\s+scotland\s+28\s+40\s+70\.0%\s+2021-11-01$", "\n".join(block), re.M)
    assert len(block) == 1 + 6 * 2


def test_text_rows_total_and_alignment(plan):
    block = _block(render_text(plan), "Estimated rows")
    total = sum(plan.estimated_rows.values())
    assert block[-1].split() == ["total", f"{total:,}"]
    assert len({len(line) for line in block}) == 1      # right-aligned numbers end in one column
    for table, n in plan.estimated_rows.items():
        assert any(line.split() == [table, f"{n:,}"] for line in block)


def test_text_partitions_only_with_workers(plan):
    assert "Partitions" not in render_text(plan)
    text = render_text(plan, workers=3)
    s = summarize(plan, workers=3)
    assert "Partitions (3 workers, balanced by estimated rows)" in text
    assert f"max/mean {s.balance:.2f}" in text
    block = _block(text, "Partitions")
    for p in s.partitions:
        assert any(line.split()[:3] == [str(p.index), str(p.batches), f"{p.rows:,}"] for line in block)


def test_markdown_has_the_same_numbers_as_tables(plan):
    md = render_markdown(plan, workers=2)
    assert md.startswith("### Plan render-fixture\n")
    assert "| egg\\_alevin | faroe | 20 | 20 | 100.0% | 2020-02-20 |" in md
    assert "| faroe | Faroe Islands | 1 | 3 | 4 |" in md
    assert f"| total | {sum(plan.estimated_rows.values()):,} |" in md
    assert "<details><summary>Partitions (2 workers, balanced by estimated rows)</summary>" in md
    tables = [line for line in md.splitlines() if line.startswith("|")]
    for line in tables:
        assert line.endswith(" |")
    # Every row of a table has as many (unescaped) cells as its header.
    for chunk in re.split(r"\n(?!\|)", md):
        cells = [len(re.findall(r"(?<!\\)\|", line)) for line in chunk.splitlines() if line.startswith("|")]
        assert len(set(cells)) <= 1


def test_markdown_escapes_user_text(plan):
    params = plan.parameters.model_copy(update={"scenario": "a|b <img src=x> *c*"})
    md = render_markdown(plan.model_copy(update={"parameters": params}))
    assert "a\\|b \\<img src=x\\> \\*c\\*" in md
    own = re.sub(r"</?details>|<summary>|</summary>", "", md)   # the template's own collapsible sections
    assert not re.search(r"(?<!\\)<", own)               # no raw HTML can open from user text


def test_previews_are_deterministic(plan):
    again = loads(dumps(plan))
    assert render_text(plan, 4) == render_text(again, 4)
    assert render_markdown(plan, 4) == render_markdown(again, 4)


def test_empty_plan_renders(plan, kit):
    empty = kit.with_batches(plan, [])
    text = render_text(empty)
    assert "0 (0 completed, 0 active)" in text and "span     —" in text
    md = render_markdown(empty)
    assert md.count("| 0.0% | — |") == 12                 # 6 stages x 2 geographies, never occupied
    assert "| egg\\_alevin | faroe | 0 | 20 | 0.0% | — |" in md
