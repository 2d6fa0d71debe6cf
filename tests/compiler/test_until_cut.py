"""A batch's plan does not depend on `until` except for being cut at it, so a later `until` extends a plan.

On compiled scenarios (not hand-built plans): the plan at a later `until`, cut at the earlier one,
is the earlier plan batch by batch, and `until_extension` finds the extension.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aquadsl.plan.cut import cut
from aquadsl.plan.extension import Extension, until_extension
from aquadsl.plan.model import meaning_problem
from tests.untilplans import far_plan, harvest_under_way, plan_at, shipped_until, stages_of

DAY = dt.timedelta(days=1)
LATER = (1, 30, 400)


def _assert_extends(name: str, old_until: dt.date, days: int) -> None:
    old, new = plan_at(name, old_until), plan_at(name, old_until + days * DAY)
    stages = stages_of(new)
    by_id = {b.id: b for b in new.batches}
    for b in old.batches:
        assert cut(by_id[b.id], old_until, stages) == b, (name, days, b.id)
    assert all(b.start > old_until for b in new.batches if b.id not in {x.id for x in old.batches})
    found = until_extension(old, new)
    assert isinstance(found, Extension), (name, days, found)
    assert set(found.replace) == {b.id for b in old.batches if b.status == "active"}


@pytest.mark.parametrize("days", LATER)
@pytest.mark.parametrize("name", ["demo", "uat_ladder", "full_170", "responses", "responses_lice"])
def test_a_later_until_extends_the_compiled_plan(name, days):
    _assert_extends(name, shipped_until(name), days)


# Days on which something is under way in the responses fixtures (the asserts below check it); demo's
# are found in its plan, whose figures change with the farm's.
UNDER_WAY = [("responses", dt.date(2024, 11, 27)), ("responses", dt.date(2024, 12, 3)),
             ("responses", dt.date(2024, 12, 25)), ("responses", dt.date(2025, 5, 14)),
             ("responses_lice", dt.date(2024, 12, 3)), ("responses_lice", dt.date(2024, 12, 8)),
             ("demo", "harvest"), ("demo", "delousing")]


@pytest.mark.parametrize("name,until", UNDER_WAY)
def test_a_harvest_cull_or_delousing_under_way_at_until_is_cut_not_moved(name, until):
    if isinstance(until, str):
        until = harvest_under_way(name, delousing=until == "delousing")[0]
    old = plan_at(name, until)
    under_way = [b for b in old.batches if b.status == "active" and (b.harvest_days or b.cull_days)]
    assert under_way, (name, until)
    for days in (1, 9, 60):
        _assert_extends(name, until, days)


def test_demo_has_a_delousing_and_a_harvest_under_way_at_one_until():
    until = harvest_under_way("demo", delousing=True)[0]
    old, far = plan_at("demo", until), far_plan("demo")
    by_id = {b.id: b for b in far.batches}
    delousing = [(b.id, t.date) for b in old.batches for t in b.lice_treatments
                 if len(next(x for x in by_id[b.id].lice_treatments if x.date == t.date).rings) > len(t.rings)]
    harvesting = [b.id for b in old.batches if b.status == "active" and b.harvest_days]
    assert delousing and harvesting


def test_cut_is_idempotent_and_gives_a_sound_plan():
    """cut(cut(b, u2), u1) == cut(b, u1) for u1 <= u2, and a plan cut at any day is a valid plan."""
    far = plan_at("responses", dt.date(2026, 6, 30))
    stages = stages_of(far)
    days = [far.parameters.start + k * 37 * DAY for k in range(22)]
    for u1, u2 in zip(days, days[3:]):
        for b in far.batches:
            if b.start <= u1:
                assert cut(cut(b, u2, stages), u1, stages) == cut(b, u1, stages), (b.id, u1, u2)
        kept = tuple(cut(b, u1, stages) for b in far.batches if b.start <= u1)
        rows = {t: sum(b.estimated_rows[t] for b in kept) for t in far.estimated_rows}
        plan = far.model_copy(update={"batches": kept, "estimated_rows": rows,
                                      "parameters": far.parameters.model_copy(update={"until": u1})})
        assert meaning_problem(plan) is None, u1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.integers(min_value=0, max_value=900))
def test_the_plan_at_any_until_is_the_later_plan_cut_there(day):
    """For a random `until` (the lice fixture, where harvests, culls and delousings come and go), the
    plan compiled there is the plan at 2026-06-30 cut there, batch by batch."""
    far = plan_at("responses_lice", dt.date(2026, 6, 30))
    until = far.parameters.start + day * DAY
    plan, stages = plan_at("responses_lice", until), stages_of(far)
    assert plan.batches == tuple(cut(b, until, stages) for b in far.batches if b.start <= until)
    assert isinstance(until_extension(plan, far), Extension)
