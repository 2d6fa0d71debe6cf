"""Is a new plan the applied one with only a later `until`? If so, which rows each batch must replace.

Rows are deterministic per (seed, batch, family, container, day), so a batch simulated to a later
`until` reproduces the rows already loaded, except those that depend on the `until`: the batch row
(status, end, harvest date, living fish), its transfers, and the rows of its open stay (the last
entered stage window: its end, final population and active flag change, and its rows are numbered
container by container, so a longer stay renumbers the rows of its later containers; a ring
harvested or culled before the old `until` inside it is part of it). Rows of the stays before it are
identical. A batch is planned over its whole life and cut at `until` (aquadsl.plan.cut), so the new
plan extends the old one when every old batch is the new one cut at the old `until`. Everything
else that can differ between two plans is described in one line, so a user knows whether `--fresh`
is needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aquadsl.plan.cut import cut
from aquadsl.plan.model import BatchPlan, Plan, StageWindow

# What a changed field is called in a refusal ("eggs of 3 batches changed").
_NAMES = {"geography": "geography", "geo_index": "position in their geography", "start": "start dates",
          "eggs": "eggs", "harvest_target_kg": "harvest targets", "index": "schedule positions",
          "end": "dates", "days": "dates", "status": "status", "harvest_date": "harvest dates",
          "stages": "stage windows or containers", "estimated_rows": "row estimates"}


@dataclass(frozen=True)
class Extension:
    """How to turn the database of ``old`` into that of ``new``: only ``until`` moved later."""

    old_until: dt.date
    new_until: dt.date
    replace: dict[str, int] = field(default_factory=dict)   # batch id -> first assignment_no replaced
    added: tuple[str, ...] = ()                              # batches that start after the old until

    def describe(self) -> str:
        if self.old_until == self.new_until:
            return "the plan differs only in its sources' hash: no rows change"
        return (f"only `until` changed: {self.old_until} → {self.new_until} "
                f"({len(self.replace)} batch(es) to extend, {len(self.added)} new)")


def until_extension(old: Plan, new: Plan) -> Extension | str:
    """The extension from ``old`` to ``new``, or one line saying what else differs."""
    if old.format_version != new.format_version:
        return f"the plan format changed ({old.format_version} → {new.format_version})"
    o, n = old.parameters.until, new.parameters.until
    reasons = _parameter_changes(old, new)
    if old.infrastructure != new.infrastructure:
        reasons.append("the infrastructure changed")
    if reasons:
        return "; ".join(reasons)
    if n < o:
        return (f"`until` moved earlier: {o} → {n}; the database holds days after {n}, which an "
                "extension cannot remove")
    return _batches(old, new)


def _parameter_changes(old: Plan, new: Plan) -> list[str]:
    out = []
    for name in type(old.parameters).model_fields:
        if name in ("until", "until_source"):
            continue
        a, b = getattr(old.parameters, name), getattr(new.parameters, name)
        if a != b:
            shown = f": {a} → {b}" if isinstance(a, (int, str, dt.date)) else ""
            out.append(f"`{name}` changed{shown}")
    return out


def _batches(old: Plan, new: Plan) -> Extension | str:
    until = old.parameters.until
    stages = {s.name: s for s in old.parameters.lifecycle.stages}
    by_id = {b.id: b for b in new.batches}
    counts: dict[str, int] = {}
    replace: dict[str, int] = {}
    removed = [b.id for b in old.batches if b.id not in by_id]
    for b in old.batches:
        if b.id not in by_id or by_id[b.id] == b:
            continue
        seen = cut(by_id[b.id], until, stages)       # the new plan as of the old until
        changed = [f for f in type(b).model_fields if getattr(b, f) != getattr(seen, f)]
        for name in dict.fromkeys(_NAMES.get(f, f.replace("_", " ")) for f in changed):
            counts[name] = counts.get(name, 0) + 1
        start = None if changed else replace_from(b, by_id[b.id])
        if start is not None:
            replace[b.id] = start
    known = {b.id for b in old.batches}
    added = [b for b in new.batches if b.id not in known]
    early = [b for b in added if b.start <= until or b.index < len(old.batches)]
    reasons = [f"{name} of {k} batch(es) changed" for name, k in counts.items()]
    if removed:
        more = ", …" if len(removed) > 3 else ""
        reasons.append(f"{len(removed)} batch(es) removed ({', '.join(removed[:3])}{more})")
    if early:
        reasons.append(f"{len(early)} batch(es) added that start on or before the old until {until}")
    if reasons:
        return "; ".join(reasons)
    return Extension(until, new.parameters.until, replace, tuple(b.id for b in added))


def _entered(batch: BatchPlan) -> list[StageWindow]:
    return [w for w in batch.stages if w.end > w.start]


def replace_from(old: BatchPlan, new: BatchPlan) -> int | None:
    """The first assignment number whose rows differ between the two versions of a batch (None: none).

    For a batch active at the old `until` this is its open stay's first assignment at the latest.
    """
    if old.status != "active":
        return None
    k = 1
    for w in _entered(old)[:-1]:
        k += len(w.container_names())
    return k
