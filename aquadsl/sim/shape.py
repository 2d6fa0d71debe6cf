"""The shape of each stage window of a batch: stage day, lived and fed days per container, event days.

One function serves the compiler's row estimates and the simulation, so both count the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from aquadsl.plan.model import BatchPlan, StageParams, StageWindow
from aquadsl.plan.ranges import expand


@dataclass(frozen=True)
class WindowShape:
    stage_day: int                      # days since the stage began, at the window's start
    days: int                           # days of the window (the longest-lived container)
    container_days: tuple[int, ...]     # lived days per container
    fed_days: tuple[int, ...]           # days with feed per container
    event_days: tuple[int, ...]         # window days with a weight-triggered treatment (all containers)
    harvests: tuple[tuple[int, int, float], ...]   # (container index, window day, share)
    cull: bool = False                  # the harvests are culls: the fish leave as CULL mortality
    ring_events: tuple[tuple[int, int], ...] = ()  # (container index, window day) of each ring's delousing


def window_shapes(batch: BatchPlan, stages: dict[str, StageParams]) -> list[WindowShape]:
    """Shapes of every window of ``batch`` (in order), from its harvest days and weight events."""
    out, stage_start = [], {}
    last = len(batch.stages) - 1
    for i, w in enumerate(batch.stages):
        stage_start.setdefault(w.stage, w.start)
        names = w.container_names()
        days = (w.end - w.start).days
        lived, fed, harvests = [days] * len(names), [days] * len(names), []
        emptied = batch.harvest_days or batch.cull_days
        if i == last and emptied:
            index = {c: k for k, c in enumerate(names)}
            # culled rings are fed until their first cull day; harvested rings starve before it
            withdrawal = stages[w.stage].feed_withdrawal_days if w.stage in stages and batch.harvest_days else 0
            first: dict[int, int] = {}
            for h in emptied:
                k, day = index[h.container], (h.date - w.start).days
                harvests.append((k, day, h.share))
                if h.share >= 1.0:        # emptied (a ring part-harvested at until still holds fish)
                    lived[k] = day + 1
                first[k] = min(first.get(k, day), day)
            for k, day in first.items():
                fed[k] = max(0, min(lived[k], day - withdrawal))
        dates = [e.date for e in batch.weight_events] + [t.date for t in batch.lice_treatments if not t.rings]
        events = tuple(sorted((d - w.start).days for d in dates if w.start <= d < w.end))
        out.append(WindowShape((w.start - stage_start[w.stage]).days, days, tuple(lived), tuple(fed),
                               events, tuple(harvests), bool(harvests) and not batch.harvest_days,
                               _ring_events(batch, w, names)))
    return out


def _ring_events(batch: BatchPlan, w: StageWindow, names: list[str]) -> tuple[tuple[int, int], ...]:
    """(container index, window day) of the rings each delousing treats in this window, sorted."""
    index = {c: k for k, c in enumerate(names)}
    out = []
    for t in batch.lice_treatments:
        for day in t.rings:
            if w.start <= day.date < w.end:
                out.extend((index[c], (day.date - w.start).days) for c in expand(day.containers) if c in index)
    return tuple(sorted(out))

