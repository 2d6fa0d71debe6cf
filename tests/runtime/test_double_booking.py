"""D3: a hand-edited plan that puts two batches in one container at once is refused (exit 65) by
apply, and by diff, before anything is written."""

from __future__ import annotations

from click.testing import CliRunner

from aquadsl.cli import main
from aquadsl.plan.model import dumps, meaning_problem
from aquadsl.runtime import errors
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan


def double_booked():
    """Batch 2's smolt window gets batch 1's sea rings, on overlapping dates."""
    plan = small_plan(batches=3)
    first, second = plan.batches[0], plan.batches[1]
    sea = first.stages[-1]
    smolt = second.stages[1]
    assert smolt.start < sea.end and sea.start < smolt.end
    moved = smolt.model_copy(update={"containers": sea.containers})
    second = second.model_copy(update={"stages": (second.stages[0], moved, *second.stages[2:])})
    return plan.model_copy(update={"batches": (first, second, *plan.batches[2:])})


def test_the_consistency_check_finds_double_booking():
    problem = meaning_problem(double_booked())
    assert problem is not None and "holds two batches at once" in problem
    assert meaning_problem(small_plan(batches=3)) is None


def test_apply_and_diff_refuse_a_double_booked_plan(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(dumps(double_booked()), encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(dumps(small_plan(batches=3)), encoding="utf-8")
    applied = run_cli("apply", str(bad), "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}", cwd=tmp_path)
    assert applied.returncode == errors.BAD_PLAN, applied.stdout + applied.stderr
    assert "holds two batches at once" in applied.stderr
    diffed = CliRunner().invoke(main, ["diff", str(good), str(bad)])
    assert diffed.exit_code == errors.BAD_PLAN, diffed.output
    assert "holds two batches at once" in diffed.output
