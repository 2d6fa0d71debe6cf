"""What a reviewer of a plan diff needs first: per-geography before/after, grouped batch changes, and flags
on changed values that no changed scenario line of their geography explains."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from aquadsl.plan.model import BatchPlan, Plan
from aquadsl.plan.summary import peak_utilisation

DATE_FIELDS = ("start", "end", "days", "harvest_date")
CATEGORIES = ("renamed", "geography", "dates", "eggs", "target", "status", "response", "allocation", "rows")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GeoFigures(_Frozen):
    """One geography's figures in one revision."""

    batches: int = 0
    eggs: int = 0
    eggs_min: int | None = None
    eggs_max: int | None = None
    harvest_t: float = 0.0            # projected: eggs x expected survival x target weight, harvested batches
    peak_fresh: float | None = None   # highest utilisation (%) of any fresh-water stage
    peak_sea: float | None = None


class GeoBeforeAfter(_Frozen):
    geography: str
    before: GeoFigures
    after: GeoFigures
    touched: bool                     # a line of this geography changed (counts, offsets, infrastructure)


class ChangeGroup(_Frozen):
    """Paired batches of one geography whose changes fall in the same categories."""

    geography: str
    categories: tuple[str, ...]
    batches: tuple[str, ...]          # "NEW" or "OLD → NEW" for renamed ones
    details: tuple[str, ...]          # one short phrase per category, with ranges


class Review(_Frozen):
    geographies: tuple[GeoBeforeAfter, ...]
    groups: tuple[ChangeGroup, ...]
    flags: tuple[str, ...]
    global_changes: tuple[str, ...]   # changed parameter paths that are no single geography's line


def survival(plan: Plan) -> float:
    """Expected fraction of eggs alive after every stage at its nominal length."""
    out = 1.0
    for s in plan.parameters.lifecycle.stages:
        out *= (1.0 - s.mortality_per_day) ** s.days
    return out


def figures(plan: Plan) -> dict[str, GeoFigures]:
    """Per-geography figures of one plan (geographies in infrastructure order, then batch-only ones)."""
    names = [g.name for g in plan.infrastructure.geographies]
    names += sorted({b.geography for b in plan.batches} - set(names))
    alive = survival(plan)
    by_geo: dict[str, list[BatchPlan]] = defaultdict(list)
    for b in plan.batches:
        by_geo[b.geography].append(b)
    peaks: dict[tuple[str, str], float] = {}
    for u in peak_utilisation(plan):
        if u.percent is not None:
            key = (u.geography, u.water)
            peaks[key] = max(peaks.get(key, 0.0), u.percent)
    out = {}
    for name in names:
        eggs = [b.eggs for b in by_geo[name]]
        tonnes = sum(b.eggs * alive * b.harvest_target_kg for b in by_geo[name] if b.harvest_date) / 1000
        out[name] = GeoFigures(batches=len(eggs), eggs=sum(eggs), eggs_min=min(eggs, default=None),
                               eggs_max=max(eggs, default=None), harvest_t=round(tonnes, 1),
                               peak_fresh=peaks.get((name, "fresh")), peak_sea=peaks.get((name, "sea")))
    return out


def category(field: str) -> str:
    """The review category of one changed batch field."""
    if field == "id":
        return "renamed"
    if field in DATE_FIELDS or (field.startswith("stages.") and field.rsplit(".", 1)[1] in
                                ("start", "end", "reserved_until")):
        return "dates"
    if field.startswith("stages."):
        return "allocation"
    if field.startswith("estimated_rows"):
        return "rows"
    # Any other batch field (incidents, harvest_days, growth factors ...) is a category of its own.
    # An incident that harvests a batch early or culls it, and the cull days it brings, are its "response".
    return {"eggs": "eggs", "harvest_target_kg": "target", "status": "status", "geography": "geography",
            "response": "response", "cull_days": "response"}.get(field, field)


def touched_geographies(diff, names: list[str]) -> tuple[set[str], tuple[str, ...]]:
    """Geographies with a changed line of their own, and the changed paths that belong to none."""
    touched, global_paths = set(), []
    changed = [(c.field, [g for g in names if c.field.endswith(f".{g}") or f".{g}." in c.field])
               for c in diff.parameters]
    changed += [(c.path, [g for g in names if c.path == g or c.path.startswith((f"{g}/", f"{g}."))])
                for c in diff.infrastructure]
    for path, own in changed:
        if own:
            touched.update(own)
        else:
            global_paths.append(path)
    return touched, tuple(global_paths)


def _days(old, new) -> int | None:
    if old is None or new is None:
        return None
    return (dt.date.fromisoformat(str(new)) - dt.date.fromisoformat(str(old))).days


def _span(values: list[int], unit: str = "") -> str:
    lo, hi = min(values), max(values)
    return f"{lo:+,}{unit}" if lo == hi else f"{lo:+,}..{hi:+,}{unit}"


def _details(cats: tuple[str, ...], changes: list) -> tuple[str, ...]:
    """One phrase per category over the group's batches: shifts and totals as ranges."""
    out = []
    fields = defaultdict(list)
    for batch in changes:
        for c in batch.changes:
            fields[c.field].append(c)
    for cat in cats:
        if cat == "dates":
            starts = [d for c in fields["start"] if (d := _days(c.old, c.new)) is not None]
            ends = [d for c in fields["end"] if (d := _days(c.old, c.new)) is not None]
            parts = ([f"start {_span(starts, ' d')}"] if starts else []) + ([f"end {_span(ends, ' d')}"] if ends else [])
            out.append("dates: " + (", ".join(parts) or "stage windows moved"))
        elif cat == "eggs":
            deltas = [c.new - c.old for c in fields["eggs"]]
            out.append(f"eggs {sum(deltas):+,} in all ({_span(deltas)} per batch)")
        elif cat == "allocation":
            stages = sorted({c.field.split(".")[1] for b in changes for c in b.changes
                             if category(c.field) == "allocation"})
            out.append("allocation: " + ", ".join(stages))
        elif cat == "rows":
            total = sum((c.new or 0) - (c.old or 0) for b in changes for c in b.changes
                        if c.field.startswith("estimated_rows"))
            out.append(f"estimated rows {total:+,}")
        elif cat == "renamed":
            out.append(f"renamed: {sum(1 for b in changes if b.old_id)}")
        else:
            key = {"target": "harvest_target_kg"}.get(cat, cat)
            values = sorted({f"{c.old} → {c.new}" for c in fields[key]})
            out.append(f"{cat}: " + ("; ".join(values) if len(values) <= 3 else f"{len(values)} different changes"))
    return tuple(out)


def group_changes(changed: list) -> tuple[ChangeGroup, ...]:
    """Changed batches grouped by (geography, categories), in first-appearance order."""
    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for b in changed:
        cats = {category(c.field) for c in b.changes} | ({"renamed"} if b.old_id else set())
        key = (b.geography, tuple(c for c in CATEGORIES if c in cats))
        groups.setdefault(key, []).append(b)
    return tuple(ChangeGroup(geography=geo, categories=cats, details=_details(cats, members),
                             batches=tuple(f"{b.old_id} → {b.id}" if b.old_id else b.id for b in members))
                 for (geo, cats), members in groups.items())


def _flags(geos: list[GeoBeforeAfter], groups, diff, global_paths: tuple[str, ...]) -> tuple[str, ...]:
    """Changes of eggs, dates, allocation or batch count in a geography none of whose lines changed."""
    cause = f" (shared lines changed: {', '.join(global_paths)})" if global_paths \
        else " and no changed scenario line explains it"
    out = []
    for g in geos:
        if g.touched:
            continue
        counts = defaultdict(int)
        for grp in groups:
            if grp.geography == g.geography:
                for cat in ("eggs", "dates", "allocation"):
                    counts[cat] += len(grp.batches) if cat in grp.categories else 0
        what = [f"{cat} of {n} batch(es)" for cat, n in counts.items() if n]
        added = sum(1 for b in diff.batches if b.geography == g.geography and b.kind != "changed")
        what += [f"{added} batch(es) added or removed"] if added else []
        if g.before.eggs != g.after.eggs:
            what.append(f"eggs total {g.after.eggs - g.before.eggs:+,}")
        if what:
            out.append(f"{g.geography}: {', '.join(what)} changed, though no line of {g.geography} changed{cause}")
    return tuple(out)


def review(old: Plan, new: Plan, diff) -> Review:
    before, after = figures(old), figures(new)
    names = list(after) + [n for n in before if n not in after]
    touched, global_paths = touched_geographies(diff, names)
    geos = [GeoBeforeAfter(geography=n, before=before.get(n, GeoFigures()), after=after.get(n, GeoFigures()),
                           touched=n in touched) for n in names]
    groups = group_changes([b for b in diff.batches if b.kind == "changed"])
    return Review(geographies=tuple(geos), groups=groups, flags=_flags(geos, groups, diff, global_paths),
                  global_changes=global_paths)
