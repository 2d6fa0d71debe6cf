"""D5: the fast paths give exactly what the slow ones gave (plan bytes, diff's has_changes)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aquadsl.plan import booking, canonical
from aquadsl.plan.diff import same_bytes
from aquadsl.plan.model import PlanFormatError, _loads_step_by_step, dumps, loads, to_data
from aquadsl.plan.ranges import compress, expand


def _stdlib(data) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)


def test_plan_bytes_are_the_standard_librarys(plan):
    assert dumps(plan) == _stdlib(to_data(plan)) + "\n"


@pytest.mark.skipif(canonical.orjson is None, reason="orjson is not installed: dumps uses the stdlib only")
def test_orjson_is_used_for_an_ordinary_plan(plan):
    assert canonical.fast_json(to_data(plan)) == _stdlib(to_data(plan))


@pytest.mark.parametrize("value", [1e-05, -2.5e-07, 1e-300, 0.00001234, float("nan"), float("inf"),
                                   2 ** 70, "\ud800", "tab\tnul\x00 \u2028 ü 😀 1e-5 0.00001", -0.0, 1e16,
                                   0.0001, 123.456, {"b": [], "a": {}}])
def test_every_value_gets_the_standard_librarys_bytes(plan, value):
    data = to_data(plan)
    data["parameters"]["variables"] = {"x": value, "ü": [value, 1.5]}
    fast = canonical.fast_json(data)
    try:
        slow = _stdlib(data)
    except UnicodeEncodeError:   # not representable at all: the fast path must not pretend otherwise
        assert fast is None
        return
    assert fast in (None, slow)


def test_small_floats_are_found_in_the_output_and_strings_only_cost_a_false_alarm():
    assert canonical._small_float(b'{"a": 1e-7}') and canonical._small_float(b'[-0.00001]')
    assert canonical._small_float(b'"x": "1e-5"')          # a false alarm: the stdlib writes it instead
    assert not canonical._small_float(b'{"a": 10.00001, "b": "Ring-01", "c": 1e+16, "d": 0.0001}')


def test_same_bytes_agrees_with_comparing_the_whole_dumps(plan, kit):
    first = plan.batches[0].id
    variants = [
        plan,
        kit.modify_batch(plan, first, eggs=plan.batches[0].eggs + 1),
        kit.modify_batch(plan, first, growth_factors={"fry": 1.01}),
        kit.modify_batch(plan, first, growth_factors={"fry": 0.0}),
        kit.modify_batch(plan, first, growth_factors={"fry": -0.0}),     # equal as numbers, not as bytes
        kit.with_batches(plan, list(reversed(plan.batches))),
        kit.with_batches(plan, plan.batches[1:]),
        plan.model_copy(update={"estimated_rows": {**plan.estimated_rows, "batches": 0}}),
        plan.model_copy(update={"parameters": plan.parameters.model_copy(update={"seed": 12})}),
        plan.model_copy(update={"parameters": plan.parameters.model_copy(update={"variables": {
            **plan.parameters.variables, "stagger": 5.0}})}),                 # 5 == 5.0, but "5" != "5.0"
    ]
    for a in variants:
        for b in variants:
            assert same_bytes(a, b) == (dumps(a) == dumps(b))
    assert same_bytes(plan, variants[0]) and not same_bytes(variants[3], variants[4])
    assert not same_bytes(plan, variants[-1])


def _double_booking_by_sort(batches):
    """The sort of every (container, stay) that booking.double_booking replaced, kept as the reference."""
    stays = sorted((c, w.start, w.end, b.id, w.stage) for b in batches for w in b.stages
                   for c in expand(w.containers))
    holder = None
    for stay in stays:
        if holder is not None and holder[0] == stay[0] and stay[1] < holder[2]:
            c, start, end, batch, stage = holder
            return (f"container {c} holds two batches at once: batch {batch} ({stage}, {start} to {end}) "
                    f"and batch {stay[3]} ({stay[4]}, from {stay[1]})")
        if holder is None or holder[0] != stay[0] or stay[2] > holder[2]:
            holder = stay
    return None


_STAY = st.tuples(st.integers(0, 5), st.integers(1, 4), st.integers(0, 60), st.integers(0, 30),
                  st.sampled_from(["fry", "parr"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_STAY, min_size=1, max_size=4), max_size=8))
def test_double_booking_matches_the_sort_of_every_stay(specs):
    day0 = dt.date(2020, 1, 1)
    batches = [SimpleNamespace(id=f"B{i}", stages=tuple(
        SimpleNamespace(stage=stage, containers=compress(f"C{k:02d}" for k in range(first, first + n)),
                        start=day0 + dt.timedelta(days=s), end=day0 + dt.timedelta(days=s + length))
        for first, n, s, length, stage in windows)) for i, windows in enumerate(specs)]
    assert booking.double_booking(batches) == _double_booking_by_sort(batches)


def _outcome(load, text):
    try:
        return load(text)
    except PlanFormatError as exc:
        return str(exc)


def _edits(text: str) -> list[str]:
    """Hand edits of a plan's text: each either loads or is refused, by both paths alike."""
    body = text[text.index("{") + 1:]
    return [
        text,
        text.replace('"format_version": 1', '"format_version": "1"'),
        text.replace('"format_version": 1', '"format_version": 1.0'),
        text.replace('"format_version": 1', '"format_version": true'),
        text.replace('"format_version": 1', '"format\\u005fversion": "1"'),
        text.replace('"format_version": 1', '"format_version": 2'),
        "{" + '"format_version": "1", ' + body,                       # a duplicate key: the last wins
        "\ufeff" + text, text + " x", "[1]", "", "{",
        text.replace('"eggs": ', '"eggs": 1e400, "eggs": ', 1),
        text.replace('"eggs": ', '"eggs": "x", "eggs": ', 1),
        text.replace('"eggs": 3', '"eggs": "3', 1).replace('"eggs": "3000000', '"eggs": "3000000"', 1),
        text.replace('"fry"', '"fr\\ud800y"', 1),                      # a lone surrogate in a dict key
        text.replace('"FI-FW-01', '"FI-FW-01\\ud800', 1),
        text.replace('"label": "', '"label": "\\u0000', 1),
        text.replace('"harvest_target_kg": 5.0', '"harvest_target_kg": NaN', 1),
    ]


def test_loading_straight_from_text_gives_what_the_step_by_step_path_gives(plan):
    for text in _edits(dumps(plan)):
        assert _outcome(loads, text) == _outcome(_loads_step_by_step, text)
    assert loads(dumps(plan)) == plan
