"""The real demo scenario, compiled, previewed and diffed against a modified copy (needs the compiler)."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest

from aquadsl.plan.diff import diff_plans
from aquadsl.plan.partition import partition
from aquadsl.render import render_diff_markdown, render_diff_text, render_markdown, render_text

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.aqs"


@pytest.fixture(scope="module")
def demo_plan():
    try:
        compile_path = importlib.import_module("aquadsl.compiler").compile_path
    except (ImportError, AttributeError):
        pytest.skip("aquadsl.compiler.compile_path does not exist yet")
    if not DEMO.exists():
        pytest.skip(f"{DEMO.name} does not exist yet")
    result = compile_path(DEMO, today=dt.date(2026, 1, 15))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert result.plan is not None, f"scenarios/demo.aqs does not compile: {errors[:3]}"
    return result.plan


def test_demo_preview(demo_plan):
    text = render_text(demo_plan, workers=4)
    assert text.splitlines()[0] == f"Plan {demo_plan.parameters.scenario}"
    assert f"{sum(demo_plan.estimated_rows.values()):,}" in text
    assert f"{len(demo_plan.batches)} (" in text
    md = render_markdown(demo_plan, workers=4)
    assert f"| total | {sum(demo_plan.estimated_rows.values()):,} |" in md
    ids = sorted(i for p in partition(demo_plan, 4) for i in p.batch_ids)
    assert ids == sorted(b.id for b in demo_plan.batches)


def test_demo_diff_against_a_modified_copy(demo_plan):
    first, *rest = demo_plan.batches
    assert rest, "the demo should hold more than one batch"
    new = demo_plan.model_copy(update={"batches": (first.model_copy(update={"eggs": first.eggs + 1000}),
                                                   *rest[:-1])})
    diff = diff_plans(demo_plan, new)
    assert diff.has_changes
    assert [(b.kind, b.id) for b in diff.batches] == [("changed", first.id), ("removed", rest[-1].id)]
    assert f"eggs: {first.eggs:,} -> {first.eggs + 1000:,}" in render_diff_text(diff)
    assert len(render_diff_markdown(diff)) <= 60_000
    assert render_diff_text(diff_plans(demo_plan, demo_plan)) == "No changes.\n"
