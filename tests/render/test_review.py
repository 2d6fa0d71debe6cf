"""The reviewer's diff: renamed batches paired by identity, per-geography before/after, flags, short Markdown."""

from __future__ import annotations

import shutil

import pytest

from aquadsl.compiler import compile_path
from aquadsl.plan.diff import diff_plans
from aquadsl.render import render_diff_markdown, render_diff_text
from tests.conftest import SCENARIOS

# The case: ids carry the start month, so a stagger change renames most batches.
STAGGER = """import "lib/farm.aqs"

scenario "stagger" {{
  lifecycle atlantic_salmon
  start 2020-01-10
  until 2024-12-31
  seed 7

  batches {{
    geographies faroe, scotland
    count 20 per geography
    stagger {stagger} days interleaved
    eggs 3_000_000 + ((batch_index * 123_456) % 800_000)
    harvest_target 4.5..6.5 kg
    id "{{prefix}}-{{start_year}}{{start_month:02}}-{{geo_index+1:03}}"
  }}
}}
"""
# Today's (pre-issue-9) renderer, run on exactly these two scenarios before it was replaced, printed
# "31 added, 31 removed, 8 changed" in 41,253 Markdown characters (1,224 lines; text: 932 lines). The
# old renderer no longer exists in the code base, so the figure is recorded here and in NOTES-report.md;
# the issue asks for at least 5x shorter, so the bound is 41,253 // 5.
OLD_MARKDOWN_CHARS = 41_253


@pytest.fixture(scope="module")
def stagger_plans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stagger")
    shutil.copytree(SCENARIOS / "lib", folder / "lib")
    plans = []
    for days in (30, 33):
        (folder / f"s{days}.aqs").write_text(STAGGER.format(stagger=days), encoding="utf-8")
        result = compile_path(folder / f"s{days}.aqs")
        assert result.ok, result.diagnostics
        plans.append(result.plan)
    return plans


def test_a_stagger_change_pairs_renamed_batches_as_single_changes(stagger_plans):
    old, new = stagger_plans
    diff = diff_plans(old, new)
    renamed = [b for b in diff.batches if b.old_id]
    assert diff.count("added") == diff.count("removed") == 0
    assert len(renamed) > 25 and all(b.old_id not in {n.id for n in new.batches} for b in renamed)
    for b in renamed:
        assert old.batch(b.old_id).geo_index == new.batch(b.id).geo_index
        assert old.batch(b.old_id).geography == new.batch(b.id).geography
    text = render_diff_text(diff)
    assert f"~ {renamed[0].id} ({renamed[0].geography}) renamed from {renamed[0].old_id}" in text


def test_the_stagger_change_markdown_is_five_times_shorter_with_the_summary_first(stagger_plans):
    md = render_diff_markdown(diff_plans(*stagger_plans))
    assert len(md) <= OLD_MARKDOWN_CHARS // 5, len(md)
    assert md.index("#### ⚠ Check") < md.index("#### Per geography") < md.index("<details>")
    assert "| batches.stagger\\_days | 30 | 33 |" in md
    assert "renamed: " in md and " → " in md


def test_per_geography_before_and_after(plan, kit):
    new = kit.with_batches(plan, [b for b in plan.batches if b.id != "SCO-2020-003"])
    review = diff_plans(plan, new).review
    sco = next(g for g in review.geographies if g.geography == "scotland")
    removed = plan.batch("SCO-2020-003")
    assert sco.before.batches - sco.after.batches == 1
    assert sco.before.eggs - sco.after.eggs == removed.eggs
    assert sco.after.eggs_max <= sco.before.eggs_max
    far = next(g for g in review.geographies if g.geography == "faroe")
    assert far.before == far.after


def test_an_unexplained_egg_cut_is_flagged_in_its_geography(plan, kit):
    sco = [b for b in plan.batches if b.geography == "scotland"]
    new = plan
    for b in sco:
        new = kit.modify_batch(new, b.id, eggs=b.eggs - 100_000)
    diff = diff_plans(plan, new)
    (flag,) = diff.review.flags
    assert flag.startswith(f"scotland: eggs of {len(sco)} batch(es), eggs total {-100_000 * len(sco):+,} changed")
    assert "no changed scenario line explains it" in flag
    md = render_diff_markdown(diff)
    assert md.index("scotland: eggs of") < md.index("#### Per geography")


def test_a_change_to_a_geographys_own_line_is_not_flagged_there(plan, kit):
    rules = plan.parameters.batches
    params = plan.parameters.model_copy(update={"batches": rules.model_copy(
        update={"counts": {**rules.counts, "scotland": rules.counts["scotland"] - 1}})})
    new = kit.with_batches(plan.model_copy(update={"parameters": params}),
                           [b for b in plan.batches if b.id != "SCO-2020-003"])
    review = diff_plans(plan, new).review
    assert [g.geography for g in review.geographies if g.touched] == ["scotland"]
    assert review.flags == ()


def test_every_batch_field_has_a_review_category():
    """Fields the living farm added to a batch (incidents, harvest days) are reviewed, never a KeyError."""
    from aquadsl.plan.review import category

    assert category("eggs") == "eggs" and category("harvest_target_kg") == "target"
    assert category("incidents") == "incidents" and category("harvest_days") == "harvest_days"
