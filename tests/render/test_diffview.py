"""The rendered diff: summary first, batch entries after, Markdown cut at a batch boundary under a limit."""

from __future__ import annotations

import re

import pytest

from aquadsl.plan.diff import diff_plans
from aquadsl.render import render_diff_markdown, render_diff_text


@pytest.fixture
def changed(plan, kit):
    extra = kit.make_batch(kit.Spec("FAR-2021-005", "faroe", 560, "FI-FW-01", "FI-SEA-01", 1, 10, None,
                                    3_000_000, 5.0), 0, 0)
    new = kit.modify_batch(plan, "FAR-2020-002", eggs=3_200_000)
    new = kit.with_batches(new, [b for b in new.batches if b.id != "SCO-2020-003"] + [extra])
    params = new.parameters.model_copy(update={"seed": 7})
    return diff_plans(plan, new.model_copy(update={"parameters": params}))


def _many(kit, n: int):
    old = kit.build(kit.many_specs(n))
    new = kit.with_batches(old, [b.model_copy(update={"eggs": b.eggs + 1,
                                                       "harvest_target_kg": b.harvest_target_kg + 0.5})
                                 for b in old.batches])
    return diff_plans(old, new)


def test_no_changes_is_one_line(plan):
    diff = diff_plans(plan, plan)
    assert render_diff_text(diff) == render_diff_markdown(diff) == "No changes.\n"


def test_text_summary_comes_first(changed):
    text = render_diff_text(changed)
    lines = text.splitlines()
    assert lines[0] == "Plan diff render-fixture"
    assert "1 added, 1 removed, 1 changed, 5 unchanged" in lines[2]
    assert text.index("Batch changes per geography") < text.index("Estimated rows") < text.index("\nBatches\n")
    assert re.search(r"^  faroe\s+1\s+0\s+1$", text, re.M)
    assert re.search(r"^  scotland\s+0\s+1\s+0$", text, re.M)


def test_text_rows_before_after_delta(changed):
    text = render_diff_text(changed)
    for r in changed.rows:
        sign = "+" if r.delta > 0 else ""
        assert re.search(rf"^  {r.table}\s+{r.old:,}\s+{r.new:,}\s+{sign}{r.delta:,}$", text, re.M), r.table
    total = changed.new_rows - changed.old_rows
    assert re.search(rf"^  total\s+{changed.old_rows:,}\s+{changed.new_rows:,}\s+{total:,}$", text, re.M)


def test_text_batches_and_collapsed_unchanged(changed):
    text = render_diff_text(changed)
    assert "  ~ FAR-2020-002 (faroe)\n      eggs: 3,123,456 -> 3,200,000\n" in text
    assert "  + FAR-2021-005 (faroe) added\n" in text and "      start: 2021-07-14\n" in text
    assert "  - SCO-2020-003 (scotland) removed\n" in text
    assert text.endswith("  … 5 unchanged batches\n")
    assert "seed  20240601  7" in text          # parameters keep raw numbers (no separators)


def test_markdown_summary_open_and_details_collapsed(changed):
    md = render_diff_markdown(changed)
    assert md.startswith("### Plan diff render-fixture\n")
    assert "- **batches**: 1 added, 1 removed, 1 changed, 5 unchanged" in md
    assert md.index("#### Per geography") < md.index("<details>")        # the summary comes first
    assert md.count("<details>") == md.count("</details>") >= 3
    assert "| eggs | 3,123,456 | 3,200,000 |" in md                      # few batches: their fields shown
    assert "**added FAR-2021-005 (faroe)**" in md and "**removed SCO-2020-003 (scotland)**" in md
    assert "| seed | 20240601 | 7 |" in md
    assert "left out" not in md


def test_markdown_truncates_and_closes_its_sections(kit):
    diff = _many(kit, 600)
    md = render_diff_markdown(diff)
    assert len(md) <= 60_000
    assert md.count("<details") == md.count("</details>")
    assert "#### Per geography" in md
    small = render_diff_markdown(diff, max_chars=1_500)
    assert len(small) <= 1_500 and small.count("<details") == small.count("</details>")
    assert small.rstrip().endswith("the full diff is available with `aquadsl diff --format text`._")


@pytest.mark.parametrize("limit", [300, 1_000, 2_500, 7_000, 20_000])
def test_markdown_never_exceeds_the_limit(kit, limit):
    diff = _many(kit, 60)
    md = render_diff_markdown(diff, max_chars=limit)
    assert len(md) <= limit


def test_markdown_within_the_limit_is_not_cut(kit):
    diff = _many(kit, 60)
    md = render_diff_markdown(diff, max_chars=1_000_000)
    assert "left out" not in md and "60 changed" in md
    groups = [line for line in md.splitlines() if line.startswith("| ") and "#1:" in line]
    assert groups and "eggs +" in groups[0] and "target:" in groups[0]
