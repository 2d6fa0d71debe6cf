"""Incidents that change the plan: early harvest and cull, drawn at compile time, listed in the plan,
shown by compile and diff, simulated with exact row estimates and conserved fish (CULL mortality)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import compile_path
from aquadsl.fmt import format_text
from aquadsl.plan.diff import diff_plans
from aquadsl.plan.model import meaning_problem
from aquadsl.plan.review import category
from aquadsl.render.preview import render_text
from aquadsl.sim.checks import conservation
from aquadsl.sim.simulate import CULL, simulate_batch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "responses.aqs"


def _compile(path: Path):
    result = compile_path(path)
    assert result.plan is not None, [d.message for d in result.diagnostics]
    return result.plan


@pytest.fixture(scope="module")
def plan():
    return _compile(FIXTURE)


@pytest.fixture(scope="module")
def rows(plan):
    return {b.id: simulate_batch(plan, b.id) for b in plan.batches}   # raises if rows differ from estimates


def _responded(plan, kind: str):
    return [b for b in plan.batches if any(i.response == kind for i in b.incidents)]


def test_the_plan_lists_both_responses(plan):
    assert meaning_problem(plan) is None
    culled, early = _responded(plan, "cull"), _responded(plan, "early_harvest")
    assert culled and early
    for b in culled:
        assert b.status == "culled" and b.harvest_date is None and not b.harvest_days and b.cull_days
        assert max(d.date for d in b.cull_days) == b.end - dt.timedelta(days=1)
        inc = next(i for i in b.incidents if i.response == "cull")
        assert min(d.date for d in b.cull_days) >= inc.start + dt.timedelta(days=inc.days)
        assert all(d.date.weekday() < 5 for d in b.cull_days)
        assert all(i.start < b.end for i in b.incidents) and all(t.date < b.end for t in b.lice_treatments)
    stage = plan.parameters.lifecycle.stages[-1]
    for b in early:
        inc = next(i for i in b.incidents if i.response == "early_harvest")
        first = min(d.date for d in b.harvest_days)
        assert b.status == "completed" and not b.cull_days
        assert inc.start + dt.timedelta(days=stage.feed_withdrawal_days) <= first <= inc.start + dt.timedelta(days=7)
        assert b.harvest_date == b.end - dt.timedelta(days=1)


def test_compile_previews_the_responses(plan):
    text = render_text(plan)
    assert "Incidents that change the plan" in text and "early harvest" in text and " cull " in text
    culled = len(_responded(plan, "cull"))
    assert f", {culled} culled)" in text


def test_a_culled_batch_frees_its_sea_area_after_the_last_cull_day_and_the_fallow(plan):
    fallow = plan.parameters.lifecycle.stages[-1].fallow_days
    for b in _responded(plan, "cull") + _responded(plan, "early_harvest"):
        want = min(b.end + dt.timedelta(days=fallow), plan.parameters.until + dt.timedelta(days=1))
        assert b.stages[-1].reserved_until == want, b.id


def test_culled_fish_leave_as_cull_mortality_and_are_conserved(plan, rows):
    culled = {b.id for b in _responded(plan, "cull")}
    for b in plan.batches:
        r = rows[b.id]
        c = conservation(r)
        assert c["eggs"] == c["deaths"] + c["harvested"] + c["living"], b.id
        m = r["mortality_events"]
        culls = int(m["count"][m["cause"] == CULL].sum())
        if b.id in culled:
            assert c["harvested"] == 0 and c["living"] == 0 and culls > 0.8 * b.eggs
            assert len(r["harvest_events"]["date"]) == 0
            assert not r["assignments"]["is_active"].any()
            assert r["batches"]["end_date"][0] == np.datetime64(b.end, "D")
            days = {d.date for d in b.cull_days}
            assert set(m["date"][m["cause"] == CULL].astype(object)) <= days
        else:
            assert culls == 0


def test_early_harvested_fish_are_below_target_and_above_the_weight(plan, rows):
    above = {i.name: i.above_g for i in plan.parameters.lifecycle.stages[-1].incidents if i.above_g}
    for b in _responded(plan, "early_harvest"):
        w = rows[b.id]["harvest_events"]["avg_weight_g"]
        name = next(i.name for i in b.incidents if i.response == "early_harvest")
        assert (w >= above[name]).all() and w.min() < b.harvest_target_kg * 1000


def test_diff_shows_a_change_of_response(plan, tmp_path):
    quiet = tmp_path / "responses.aqs"
    quiet.write_text(FIXTURE.read_text().replace(" then cull", ""))
    other = _compile(quiet)
    assert not _responded(other, "cull")
    diff = diff_plans(other, plan)
    fields = {c.field for b in diff.batches for c in b.changes}
    assert {"status", "response", "cull_days"} <= fields
    assert {category(f) for f in ("response", "cull_days")} == {"response"}


def test_fmt_keeps_the_responses():
    text = FIXTURE.read_text()
    out, diags = format_text("r.aqs", text)
    assert out is not None, diags
    assert "then early_harvest above 1 kg" in out and "then cull" in out
    assert format_text("r.aqs", out)[0] == out


def test_the_aquamind_batch_of_a_culled_batch_ends_on_its_last_cull_day(plan, rows):
    from aquadsl.aquamind.families import _states
    from aquadsl.sim.layout import build_layout

    for b in plan.batches:
        states = _states(plan, build_layout(plan, b.id), rows[b.id])["batch_states"]
        last = states["last_day"][0]
        if b.status == "culled":
            assert last == np.datetime64(max(d.date for d in b.cull_days), "D")
        elif b.status == "completed":
            assert last == np.datetime64(b.harvest_date, "D")
        else:
            assert np.isnat(last)


def test_a_later_until_treats_culled_batches_as_ended(plan, tmp_path):
    from aquadsl.plan.extension import replace_from, until_extension

    early = tmp_path / "responses.aqs"
    early.write_text(FIXTURE.read_text().replace("until 2026-06-30", "until 2025-03-01"))
    old = _compile(early)
    culled = [b for b in old.batches if b.status == "culled"]
    assert culled
    for b in culled:
        assert replace_from(b, plan.batch(b.id)) is None        # ended: none of its rows is replaced
    found = until_extension(old, plan)    # every batch is planned over its whole life: an extension
    assert not isinstance(found, str), found
    assert not set(found.replace) & {b.id for b in culled}


def test_a_hand_edited_culled_batch_is_refused(plan):
    b = next(b for b in plan.batches if b.status == "culled")
    for edit in ({"harvest_date": b.end - dt.timedelta(days=1)}, {"cull_days": ()},
                 {"cull_days": b.cull_days[:-1]}):
        batches = tuple(x.model_copy(update=edit) if x.id == b.id else x for x in plan.batches)
        problem = meaning_problem(plan.model_copy(update={"batches": batches}))
        assert problem is not None and "culled" in problem, edit


@pytest.mark.parametrize("name", ["demo.aqs", "uat_ladder.aqs"])
def test_shipped_responses_simulate_every_table_as_estimated(name):
    shipped = _compile(Path(__file__).resolve().parents[2] / "scenarios" / name)
    changed = [b for b in shipped.batches if any(i.response for i in b.incidents)]
    assert changed                                 # demo: an early harvest; uat_ladder: a cull
    for b in changed:
        c = conservation(simulate_batch(shipped, b.id))      # every table, counted against the estimate
        assert c["eggs"] == c["deaths"] + c["harvested"] + c["living"]
