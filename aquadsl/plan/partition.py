"""Worker partitions: whole batches dealt to workers, balanced by estimated rows (deterministic LPT)."""

from __future__ import annotations

import heapq

from pydantic import BaseModel, ConfigDict

from aquadsl.plan.model import BatchPlan, Plan


class Partition(BaseModel):
    """The batches one worker applies, in plan order, and the rows they are expected to write."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int                        # 0-based worker number
    batch_ids: tuple[str, ...]        # plan order
    estimated_rows: int


def batch_rows(batch: BatchPlan) -> int:
    """The estimated rows of one batch over all tables."""
    return sum(batch.estimated_rows.values())


def partition(plan: Plan, workers: int) -> tuple[Partition, ...]:
    """Deal the plan's batches to ``workers`` partitions, largest first, each to the lightest partition.

    Ties are broken by plan position (batches) and partition index (partitions), so the result is a
    pure function of (plan, workers). With more workers than batches the extra partitions are empty.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, not {workers!r}")
    rows = [batch_rows(b) for b in plan.batches]
    order = sorted(range(len(rows)), key=lambda i: (-rows[i], i))
    heap = [(0, p) for p in range(workers)]   # (load, partition index): the heap pops ties by index
    members: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for i in order:
        load, p = heapq.heappop(heap)
        members[p].append(i)
        loads[p] = load + rows[i]
        heapq.heappush(heap, (loads[p], p))
    return tuple(
        Partition(index=p, batch_ids=tuple(plan.batches[i].id for i in sorted(members[p])),
                  estimated_rows=loads[p])
        for p in range(workers)
    )
