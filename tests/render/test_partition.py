"""Worker partitions: every batch once, balanced by estimated rows, a pure function of (plan, workers)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aquadsl.plan.model import dumps, loads
from aquadsl.plan.partition import batch_rows, partition


def _with_rows(plan, kit, rows):
    """A plan whose i-th batch has ``rows[i]`` estimated rows (in one table)."""
    template = plan.batches[0]
    batches = [template.model_copy(update={"id": f"B-{i:03d}", "estimated_rows": {"batches": n}})
               for i, n in enumerate(rows)]
    return kit.with_batches(plan, batches)


@pytest.mark.parametrize("workers", [1, 2, 3, 4, 7, 10])
def test_every_batch_in_exactly_one_partition_in_plan_order(plan, workers):
    parts = partition(plan, workers)
    assert [p.index for p in parts] == list(range(workers))
    ids = [i for p in parts for i in p.batch_ids]
    assert sorted(ids) == sorted(b.id for b in plan.batches)
    order = {b.id: b.index for b in plan.batches}
    for p in parts:
        assert [order[i] for i in p.batch_ids] == sorted(order[i] for i in p.batch_ids)
        assert p.estimated_rows == sum(batch_rows(plan.batch(i)) for i in p.batch_ids)


def test_same_result_twice_and_after_a_json_round_trip(plan):
    assert partition(plan, 3) == partition(plan, 3) == partition(loads(dumps(plan)), 3)


def test_partitioning_does_not_touch_the_plan(plan):
    before = dumps(plan)
    partition(plan, 4)
    assert dumps(plan) == before


def test_lpt_bound_on_the_fixture(plan):
    for workers in range(1, 9):
        loads_ = [p.estimated_rows for p in partition(plan, workers)]
        largest = max(batch_rows(b) for b in plan.batches)
        assert max(loads_) <= sum(loads_) / workers + largest


def test_more_workers_than_batches_leaves_empty_partitions(plan):
    parts = partition(plan, len(plan.batches) + 3)
    assert len(parts) == len(plan.batches) + 3
    assert sum(1 for p in parts if not p.batch_ids) == 3
    assert all(p.estimated_rows == 0 for p in parts if not p.batch_ids)
    assert all(len(p.batch_ids) == 1 for p in parts if p.batch_ids)


def test_balanced_by_rows_not_by_batch_count(plan, kit):
    skewed = _with_rows(plan, kit, [1000, 100, 100, 100, 100, 100])
    parts = partition(skewed, 2)
    assert parts[0].batch_ids == ("B-000",)
    assert parts[1].batch_ids == ("B-001", "B-002", "B-003", "B-004", "B-005")
    assert [p.estimated_rows for p in parts] == [1000, 500]


def test_ties_go_to_the_earlier_batch_and_the_lower_partition(plan, kit):
    even = _with_rows(plan, kit, [10] * 5)
    assert [p.batch_ids for p in partition(even, 2)] == [("B-000", "B-002", "B-004"), ("B-001", "B-003")]


def test_largest_first_into_the_lightest_partition(plan, kit):
    # By hand: 7 -> p0, 6 -> p1, 5 -> p2, 4 -> p2 (load 5 is lightest), 3 -> p1 (6 < 7), 2 -> p0 (7 < 9).
    rows = [3, 7, 2, 5, 6, 4]
    parts = partition(_with_rows(plan, kit, rows), 3)
    assert [p.batch_ids for p in parts] == [("B-001", "B-002"), ("B-000", "B-004"), ("B-003", "B-005")]
    assert [p.estimated_rows for p in parts] == [9, 9, 9]


@pytest.mark.parametrize("workers", [0, -1, True, 2.0])
def test_workers_must_be_a_positive_whole_number(plan, workers):
    with pytest.raises(ValueError, match="workers"):
        partition(plan, workers)


# The fixtures are read-only, so sharing them across generated examples is safe.
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40),
       workers=st.integers(min_value=1, max_value=12))
def test_lpt_property(plan, kit, rows, workers):
    p = _with_rows(plan, kit, rows)
    parts = partition(p, workers)
    loads_ = [x.estimated_rows for x in parts]
    assert sum(loads_) == sum(rows)
    assert max(loads_) <= sum(rows) / workers + max(rows)
    assert sorted(i for x in parts for i in x.batch_ids) == sorted(b.id for b in p.batches)
