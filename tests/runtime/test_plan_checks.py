"""A hand-edited plan that no longer means anything runnable is refused before apply (exit 65)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aquadsl.plan.model import Plan, dumps, meaning_problem
from aquadsl.runtime import errors
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan


def _day(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def _edit_days(b: dict, key: str, days: int) -> None:
    b[key] = _day(b[key], days)


def _swap_stage_names(b: dict) -> None:
    first, second = b["stages"][0], b["stages"][1]
    first["stage"], second["stage"] = second["stage"], first["stage"]


def _shorten(b: dict) -> None:
    """Shift end, days and harvest date by one day consistently, so only the windows disagree."""
    _edit_days(b, "end", -1)
    b["days"] -= 1
    _edit_days(b, "harvest_date", -1)


EDITS = {  # name: (edit of the plan's data, expected reason)
    "negative eggs": (lambda d: d["batches"][0].update(eggs=-5), "eggs must be above zero, not -5"),
    "zero eggs": (lambda d: d["batches"][0].update(eggs=0), "eggs must be above zero"),
    "duplicate id": (lambda d: d["batches"][1].update(id=d["batches"][0]["id"]), "appears twice"),
    "duplicate index": (lambda d: d["batches"][1].update(index=0), "used by another batch"),
    "days": (lambda d: d["batches"][0].update(days=d["batches"][0]["days"] + 1), "days is"),
    "gap": (lambda d: _edit_days(d["batches"][0]["stages"][1], "start", 1), "without gaps"),
    "reserved": (lambda d: d["batches"][0]["stages"][0].update(reserved_until=d["batches"][0]["stages"][0]["start"]),
                 "start < end <= reserved_until"),
    "empty window": (lambda d: d["batches"][0]["stages"][0].update(end=d["batches"][0]["stages"][0]["start"]),
                     "start < end <= reserved_until"),
    "windows short": (lambda d: _shorten(d["batches"][0]), "stage windows end"),
    "order": (lambda d: _swap_stage_names(d["batches"][0]), "lifecycle's order"),
    "unknown stage": (lambda d: d["batches"][0]["stages"][0].update(stage="smolts"), "no stage 'smolts'"),
    "unknown container": (lambda d: d["batches"][0]["stages"][0].update(containers=["FI-FW-01-A-C99"]),
                          "container FI-FW-01-A-C99 is not in faroe's infrastructure"),
    "no containers": (lambda d: d["batches"][0]["stages"][0].update(containers=[]), "holds no containers"),
    "unknown geography": (lambda d: d["batches"][0].update(geography="mars"), "unknown geography 'mars'"),
    "completed without harvest": (lambda d: d["batches"][0].update(harvest_date=None), "harvested on its last day"),
    "active with harvest": (lambda d: d["batches"][-1].update(harvest_date=d["batches"][-1]["start"]),
                            "an active batch has no harvest_date"),
    "status flipped": (lambda d: d["batches"][0].update(status="active"), "an active batch"),
    "after until": (lambda d: _edit_days(d["parameters"], "until", -1), "after the plan's until date"),
    "unknown table": (lambda d: d["batches"][0]["estimated_rows"].update(bogus=1), "check bogus"),
    "missing table": (lambda d: d["estimated_rows"].pop("treatments"), "check treatments"),
    "negative rows": (lambda d: d["batches"][0]["estimated_rows"].update(treatments=-1), "'treatments'] is negative"),
    "totals": (lambda d: d["estimated_rows"].update(batches=99), "add up to"),
}


@pytest.fixture(scope="module")
def data(plan):
    return json.loads(dumps(plan))


def test_an_unedited_plan_has_no_problem(plan):
    assert meaning_problem(plan) is None


def test_the_shipped_demo_has_no_problem():
    from aquadsl.compiler import compile_path

    result = compile_path("scenarios/demo.aqs")
    assert result.ok and meaning_problem(result.plan) is None


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_inconsistency_is_named_in_one_line(data, name):
    edit, reason = EDITS[name]
    edited = json.loads(json.dumps(data))
    edit(edited)
    problem = meaning_problem(Plan.model_validate(edited))
    assert problem is not None and reason in problem and "\n" not in problem


@pytest.mark.parametrize("name, reason", [
    ("negative eggs", "eggs must be above zero, not -5"),
    ("duplicate id", "appears twice"),
])
def test_apply_refuses_an_inconsistent_plan_with_exit_65_before_touching_the_database(data, tmp_path,
                                                                                      name, reason):
    edited = json.loads(json.dumps(data))
    EDITS[name][0](edited)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(edited))
    db = tmp_path / "farm.sqlite3"
    result = run_cli("apply", str(path), "--database", f"sqlite:///{db}", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == errors.BAD_PLAN, out
    assert out.startswith(f"error[{errors.AQS_PLAN_FILE}]: the plan is inconsistent: batch ") and reason in out
    assert "Traceback" not in out and "UNIQUE" not in out and not db.exists()


def test_a_plan_built_in_code_is_checked_too(tmp_path):
    from aquadsl.runtime.apply import ApplyOptions, apply_plan
    from aquadsl.runtime.errors import RuntimeFault

    plan = small_plan(batches=2)
    bad = plan.model_copy(update={"batches": (plan.batches[0], plan.batches[0])})
    with pytest.raises(RuntimeFault) as err:
        apply_plan(bad, f"sqlite:///{tmp_path / 'f.sqlite3'}", ApplyOptions(progress="none"), echo=lambda m: None)
    assert err.value.exit_code == errors.BAD_PLAN and "appears twice" in err.value.message
