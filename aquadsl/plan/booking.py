"""Whether a plan puts two batches in one container on the same day (the check behind D3's exit 65).

A 10,000-batch plan has about 800,000 (container, window) stays. Sorting them as Python tuples took
two seconds, so the stays are found with numpy instead, and the Python walk that words the message
runs only over the first container that is double-booked, giving the same message as before.
"""

from __future__ import annotations

import numpy as np

from aquadsl.plan.ranges import expand

_SPAN = 10 ** 7        # above every date ordinal: container rank * _SPAN + ordinal sorts by container first


def double_booking(batches) -> str | None:
    """The first container (by name) that holds two batches at once (stays are half-open), or None."""
    ids: dict[str, int] = {}
    arrays: dict[tuple[str, ...], np.ndarray] = {}
    parts, starts, ends = [], [], []
    for b in batches:
        for w in b.stages:
            ids_of = arrays.get(w.containers)
            if ids_of is None:
                ids_of = arrays[w.containers] = np.array(
                    [ids.setdefault(c, len(ids)) for c in expand(w.containers)], dtype=np.int64)
            parts.append(ids_of)
            starts.append(w.start.toordinal())
            ends.append(w.end.toordinal())
    if not ids:
        return None
    names = sorted(ids)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[[ids[n] for n in names]] = np.arange(len(names))
    counts = [len(p) for p in parts]
    container = rank[np.concatenate(parts)]
    start, end = np.repeat(np.array(starts), counts), np.repeat(np.array(ends), counts)
    order = np.lexsort((end, start, container))
    container, start, end = container[order], start[order], end[order]
    latest = np.maximum.accumulate(container * _SPAN + end)   # the latest end so far, within the container
    clash = (container[1:] == container[:-1]) & (container[1:] * _SPAN + start[1:] < latest[:-1])
    hits = np.nonzero(clash)[0]
    return None if not len(hits) else _first_clash(batches, names[int(container[hits[0] + 1])])


def _first_clash(batches, name: str) -> str | None:
    """The message for the first overlap in container ``name``: its stays sorted, holder by latest end."""
    stays = sorted((name, w.start, w.end, b.id, w.stage) for b in batches for w in b.stages
                   if name in expand(w.containers))
    holder = None
    for stay in stays:
        if holder is not None and stay[1] < holder[2]:
            c, start, end, batch, stage = holder
            return (f"container {c} holds two batches at once: batch {batch} ({stage}, {start} to {end}) "
                    f"and batch {stay[3]} ({stay[4]}, from {stay[1]})")
        if holder is None or stay[2] > holder[2]:
            holder = stay
    return None
