"""Semantic plan diff: batches paired by identity (geography and index in it), else by id; parameters and
infrastructure compared field by field. A batch whose id changed is one change with ``old_id``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict

from aquadsl.plan.model import BatchPlan, GeographyPlan, Infrastructure, Plan
from aquadsl.plan.ranges import expand

Value = str | int | float | bool | None

BATCH_FIELDS = ("geography", "start", "end", "days", "status", "eggs", "harvest_target_kg", "harvest_date")
WINDOW_FIELDS = ("start", "end", "reserved_until", "location", "containers")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldChange(_Frozen):
    field: str                        # dotted path, e.g. "stages.fry.end" or "lifecycle.stages.fry.tgc"
    old: Value
    new: Value


class BatchChange(_Frozen):
    id: str
    kind: Literal["added", "removed", "changed"]
    geography: str                    # the new geography (the old one for removed batches)
    stages: tuple[str, ...] = ()      # stages whose window changed (changed batches)
    changes: tuple[FieldChange, ...]  # for added/removed: the batch's fields, with old or new None
    old_id: str | None = None         # set when the paired batch had another id (a rename)


class GeographyCounts(_Frozen):
    geography: str
    added: int = 0
    removed: int = 0
    changed: int = 0


class RowsDelta(_Frozen):
    table: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


class InfraChange(_Frozen):
    change: Literal["added", "removed", "changed"]
    path: str                         # e.g. "faroe", "faroe/FI-FW-13", "container_kinds.tray.volume_m3"
    detail: str


class PlanDiff(_Frozen):
    has_changes: bool
    scenario: str
    old_sha256: str
    new_sha256: str
    plan_changes: tuple[FieldChange, ...]     # format_version, sources.files
    batches: tuple[BatchChange, ...]          # added and changed in new plan order, then removed
    unchanged: int
    reordered: int                            # unchanged except their position in the schedule
    review: object = None                     # aquadsl.plan.review.Review: per-geography before/after, flags
    per_geography: tuple[GeographyCounts, ...]
    per_stage: tuple[tuple[str, int], ...]    # (stage, changed batches whose window changed)
    rows: tuple[RowsDelta, ...]
    parameters: tuple[FieldChange, ...]
    infrastructure: tuple[InfraChange, ...]

    def count(self, kind: str) -> int:
        return sum(1 for b in self.batches if b.kind == kind)

    @property
    def old_rows(self) -> int:
        return sum(r.old for r in self.rows)

    @property
    def new_rows(self) -> int:
        return sum(r.new for r in self.rows)


def field_diff(old: Plan, new: Plan) -> PlanDiff:
    """Compare two plans; every list is in plan order or sorted, so the result is deterministic."""
    dumped: dict[int, dict] = {}       # id(batch) -> its JSON data, shared by both comparisons
    batches, unchanged, reordered = _batch_changes(old, new, dumped)
    return PlanDiff(
        has_changes=not same_bytes(old, new, dumped),
        scenario=new.parameters.scenario,
        old_sha256=old.sources.sha256, new_sha256=new.sources.sha256,
        plan_changes=_plan_changes(old, new),
        batches=batches, unchanged=unchanged, reordered=reordered,
        per_geography=_per_geography(new, batches),
        per_stage=_per_stage(new, batches),
        rows=_rows(old.estimated_rows, new.estimated_rows),
        parameters=compare(flatten(old.parameters.model_dump(mode="json")),
                           flatten(new.parameters.model_dump(mode="json"))),
        infrastructure=infrastructure_changes(old.infrastructure, new.infrastructure),
    )


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """The field diff with the reviewer's summary: per-geography before/after and unexplained changes."""
    from aquadsl.plan.review import review

    base = field_diff(old, new)
    return base.model_copy(update={"review": review(old, new, base)})


def same_bytes(old: Plan, new: Plan, dumped: dict[int, dict] | None = None) -> bool:
    """Whether ``dumps(old) == dumps(new)``, without rendering either plan whole.

    The canonical form indents a fixed way, so two plans render alike exactly when every part does in
    compact JSON (sorted keys, the same C encoder's float and string forms): the plan without its
    batches, then batch by batch, stopping at the first difference.
    """
    if len(old.batches) != len(new.batches):
        return False
    if _compact(old.model_dump(mode="json", exclude={"batches"})) != \
            _compact(new.model_dump(mode="json", exclude={"batches"})):
        return False
    dumped = {} if dumped is None else dumped
    return all(a is b or _compact(_data(a, dumped)) == _compact(_data(b, dumped))
               for a, b in zip(old.batches, new.batches))


def _data(b: BatchPlan, dumped: dict[int, dict]) -> dict:
    """``b.model_dump(mode="json")``, once per batch object within one diff."""
    data = dumped.get(id(b))
    if data is None:
        data = dumped[id(b)] = b.model_dump(mode="json")
    return data


def _compact(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


# ------------------------------------------------------------------ generic
def _scalar(value: object) -> Value:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _compact(value)


def flatten(data: object, prefix: str = "") -> dict[str, Value]:
    """Nested JSON data as {dotted path: scalar}; lists of named objects are keyed by their names."""
    if isinstance(data, dict):
        out: dict[str, Value] = {}
        for key in sorted(data):
            out.update(flatten(data[key], f"{prefix}{key}."))
        return out        # an empty mapping has no leaves: {} -> {"a": 1} reads as one addition
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        names = [x.get("name") for x in data]
        named = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        out = {}
        for i, item in enumerate(data):
            # Keyed by name, the name itself is in the path and need not be repeated as a field.
            body = {k: v for k, v in item.items() if k != "name"} if named else item
            out.update(flatten(body, f"{prefix}{names[i] if named else i}."))
        return out
    return {prefix.rstrip("."): _scalar(data)}


def compare(old: dict[str, Value], new: dict[str, Value]) -> tuple[FieldChange, ...]:
    """Changes between two flat mappings, sorted by path; a missing side is None."""
    return tuple(FieldChange(field=k, old=old.get(k), new=new.get(k))
                 for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k))


def compare_in_order(old: dict[str, Value], new: dict[str, Value]) -> tuple[FieldChange, ...]:
    """Like :func:`compare`, but in the order the fields were built (batch fields, stages, rows)."""
    keys = list(new) + [k for k in old if k not in new]
    return tuple(FieldChange(field=k, old=old.get(k), new=new.get(k)) for k in keys if old.get(k) != new.get(k))


def _plan_changes(old: Plan, new: Plan) -> tuple[FieldChange, ...]:
    def data(p: Plan) -> dict[str, Value]:
        return {"format_version": p.format_version, "sources.files": _scalar(list(p.sources.files))}
    return compare(data(old), data(new))


# ------------------------------------------------------------------ batches
def batch_fields(b: BatchPlan, dumped: dict[int, dict] | None = None) -> dict[str, Value]:
    """The compared fields of one batch as {dotted path: scalar}, stage windows keyed by stage name."""
    data = _data(b, {} if dumped is None else dumped)
    out: dict[str, Value] = {f: data[f] for f in BATCH_FIELDS}
    seen: dict[str, int] = {}
    for w in data["stages"]:
        seen[w["stage"]] = seen.get(w["stage"], 0) + 1          # a sea stage may split into several windows
        key = w["stage"] if seen[w["stage"]] == 1 else f"{w['stage']}#{seen[w['stage']]}"
        for f in WINDOW_FIELDS:
            value = w[f]
            out[f"stages.{key}.{f}"] = ", ".join(value) if f == "containers" else value
    out["incidents"] = "; ".join(f"{i.name} {i.start} {i.days}d {100 * i.mortality:.2f}%"
                                 + (f" then {i.response}" if i.response else "") for i in b.incidents)
    responses = [f"{i.response.replace('_', ' ')} after {i.name} {i.start}" for i in b.incidents if i.response]
    if responses:
        out["response"] = "; ".join(responses)
    if b.stage_targets:
        out["stage_targets"] = ", ".join(f"{k} {v:g} g" for k, v in sorted(b.stage_targets.items()))
    if b.lice_treatments:
        out["lice_treatments"] = "; ".join(f"{t.date} at {t.adult_females:.2f}" + _ring_days(t) for t in b.lice_treatments)
    if b.lice_pressure:
        factors = [s.factor for s in b.lice_pressure]
        out["lice_pressure"] = (f"{len(factors)} steps from {b.lice_pressure[0].date}, "
                                f"x{min(factors):.2f} to x{max(factors):.2f}")
    if b.harvest_days:
        out["harvest_days"] = f"{len(b.harvest_days)} from {b.harvest_days[0].date} to {b.harvest_days[-1].date}"
    if b.cull_days:
        out["cull_days"] = f"{len(b.cull_days)} from {b.cull_days[0].date} to {b.cull_days[-1].date}"
    for table in sorted(b.estimated_rows):
        out[f"estimated_rows.{table}"] = b.estimated_rows[table]
    return out


def _ring_days(t) -> str:
    """`` over N days (a, b | c)``: the rings a delousing treats day by day, when it treats them over days."""
    if len(t.rings) < 2:
        return ""
    return f" over {len(t.rings)} days ({' | '.join(', '.join(x.containers) for x in t.rings)})"


def _one_sided(b: BatchPlan, kind: Literal["added", "removed"]) -> BatchChange:
    """An added or removed batch, described by its own fields and one compact line of stages."""
    data = b.model_dump(mode="json")
    fields: dict[str, Value] = {f: data[f] for f in BATCH_FIELDS}
    fields["stages"] = ", ".join(f"{w.stage} {w.location} ×{len(expand(w.containers))}" for w in b.stages)
    fields["estimated_rows"] = sum(b.estimated_rows.values())
    changes = tuple(FieldChange(field=k, old=None if kind == "added" else v, new=v if kind == "added" else None)
                    for k, v in fields.items())
    return BatchChange(id=b.id, kind=kind, geography=b.geography, changes=changes)


def pair_batches(old: Plan, new: Plan) -> dict[str, BatchPlan]:
    """New batch id -> its old batch: by identity (geography, index in it) where that is unique on both
    sides, then by id among the rest. A stagger change that renames batches keeps them paired."""
    def by_identity(plan: Plan) -> dict[tuple[str, int], BatchPlan]:
        seen = Counter((b.geography, b.geo_index) for b in plan.batches)
        return {(b.geography, b.geo_index): b for b in plan.batches if seen[(b.geography, b.geo_index)] == 1}
    before, after = by_identity(old), by_identity(new)
    pairs = {b.id: before[key] for key, b in after.items() if key in before}
    used = {a.id for a in pairs.values()}
    old_by_id = {a.id: a for a in old.batches if a.id not in used}
    for b in new.batches:
        if b.id not in pairs and b.id in old_by_id:
            pairs[b.id] = old_by_id.pop(b.id)
    return pairs


def _batch_changes(old: Plan, new: Plan, dumped: dict[int, dict]) -> tuple[tuple[BatchChange, ...], int, int]:
    pairs = pair_batches(old, new)
    paired_old = {a.id for a in pairs.values()}
    out: list[BatchChange] = []
    unchanged = reordered = 0
    for b in new.batches:
        a = pairs.get(b.id)
        if a is None:
            out.append(_one_sided(b, "added"))
            continue
        changes = compare_in_order(batch_fields(a, dumped), batch_fields(b, dumped))
        if not changes and a.id == b.id:
            unchanged += 1
            reordered += (a.index, a.geo_index) != (b.index, b.geo_index)
            continue
        stages = sorted({c.field.split(".")[1] for c in changes if c.field.startswith("stages.")},
                        key=_stage_order(new, a, b))
        out.append(BatchChange(id=b.id, kind="changed", geography=b.geography, stages=tuple(stages),
                               changes=changes, old_id=a.id if a.id != b.id else None))
    out += [_one_sided(a, "removed") for a in old.batches if a.id not in paired_old]
    return tuple(out), unchanged, reordered


def _stage_order(plan: Plan, *batches: BatchPlan):
    """Sort key: lifecycle order, then the batches' own window order, then name."""
    names = [s.name for s in plan.parameters.lifecycle.stages]
    for b in batches:
        names += [w.stage for w in b.stages if w.stage not in names]
    rank = {n: i for i, n in enumerate(names)}
    return lambda name: (rank.get(name, len(rank)), name)


def _per_geography(new: Plan, batches: tuple[BatchChange, ...]) -> tuple[GeographyCounts, ...]:
    order = [g.name for g in new.infrastructure.geographies]
    counts: dict[str, Counter] = {}
    for b in batches:
        counts.setdefault(b.geography, Counter())[b.kind] += 1
    names = [g for g in order if g in counts] + sorted(set(counts) - set(order))
    return tuple(GeographyCounts(geography=g, **counts[g]) for g in names)


def _per_stage(new: Plan, batches: tuple[BatchChange, ...]) -> tuple[tuple[str, int], ...]:
    counts = Counter(s for b in batches for s in b.stages)
    key = _stage_order(new)
    return tuple((s, counts[s]) for s in sorted(counts, key=key))


def _rows(old: dict[str, int], new: dict[str, int]) -> tuple[RowsDelta, ...]:
    return tuple(RowsDelta(table=t, old=old.get(t, 0), new=new.get(t, 0)) for t in sorted(old.keys() | new.keys()))


# ----------------------------------------------------------- infrastructure
def _station_text(station) -> str:
    containers = sum(len(expand(h.containers)) for h in station.halls)
    return f"{len(station.halls)} halls, {containers} containers"


def _geo_text(g: GeographyPlan) -> str:
    rings = sum(len(expand(a.rings)) for a in g.sea_areas)
    return f"{len(g.stations)} stations, {len(g.sea_areas)} sea areas, {rings} rings"


def _named(old: tuple, new: tuple, path: str, describe, compare_items) -> list[InfraChange]:
    """Added, removed and changed items of two tuples of named things, in (old then new) order."""
    before, after = {x.name: x for x in old}, {x.name: x for x in new}
    out = [InfraChange(change="removed", path=f"{path}{n}", detail=describe(before[n]))
           for n in before if n not in after]
    for n, item in after.items():
        if n not in before:
            out.append(InfraChange(change="added", path=f"{path}{n}", detail=describe(item)))
        elif before[n] != item:
            out += compare_items(before[n], item, f"{path}{n}")
    return out


def _halls(station) -> dict[str, Value]:
    return flatten({h.name: {"letter": h.letter, "kind": h.kind, "containers": len(expand(h.containers))}
                    for h in station.halls})


def _hall_changes(a, b, path: str) -> list[InfraChange]:
    details = [f"{c.field} {_arrow(c.old, c.new)}" for c in compare(_halls(a), _halls(b))]
    return [InfraChange(change="changed", path=path, detail="; ".join(details) or "container names changed")]


def _area_changes(a, b, path: str) -> list[InfraChange]:
    details = [f"{c.field} {_arrow(c.old, c.new)}"
               for c in compare({"kind": a.kind, "rings": len(expand(a.rings))},
                                {"kind": b.kind, "rings": len(expand(b.rings))})]
    return [InfraChange(change="changed", path=path, detail="; ".join(details) or "ring names changed")]


def _geo_changes(a: GeographyPlan, b: GeographyPlan, path: str) -> list[InfraChange]:
    skip = ("stations", "sea_areas")
    out = [InfraChange(change="changed", path=f"{path}.{c.field}", detail=_arrow(c.old, c.new))
           for c in compare(flatten(a.model_dump(mode="json", exclude=set(skip))),
                            flatten(b.model_dump(mode="json", exclude=set(skip))))]
    out += _named(a.stations, b.stations, f"{path}/", _station_text, _hall_changes)
    out += _named(a.sea_areas, b.sea_areas, f"{path}/", lambda x: f"{len(expand(x.rings))} rings", _area_changes)
    return out


def infrastructure_changes(old: Infrastructure, new: Infrastructure) -> tuple[InfraChange, ...]:
    """Geographies, stations and sea areas added/removed/changed, and container kinds field by field."""
    out = [InfraChange(change="changed", path=f"container_kinds.{c.field}", detail=_arrow(c.old, c.new))
           for c in compare(flatten(old.model_dump(mode="json")["container_kinds"]),
                            flatten(new.model_dump(mode="json")["container_kinds"]))]
    out += _named(old.geographies, new.geographies, "", _geo_text, _geo_changes)
    return tuple(out)


def _arrow(old: Value, new: Value) -> str:
    return f"{'—' if old is None else old} -> {'—' if new is None else new}"
