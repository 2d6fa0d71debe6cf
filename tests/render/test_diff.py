"""Semantic plan diff: batches matched by id, field changes with old -> new, deterministic order."""

from __future__ import annotations

import datetime as dt

from aquadsl.plan.diff import diff_plans, flatten
from aquadsl.plan.model import AreaPlan, dumps, loads
from aquadsl.plan.ranges import compress


def _fields(change):
    return {c.field: (c.old, c.new) for c in change.changes}


def _move_fry(plan, batch_id, location, containers):
    batch = plan.batch(batch_id)
    stages = tuple(w.model_copy(update={"location": location, "containers": containers}) if w.stage == "fry" else w
                   for w in batch.stages)
    return plan.model_copy(update={"batches": tuple(b.model_copy(update={"stages": stages}) if b.id == batch_id
                                                    else b for b in plan.batches)})


def test_identical_plans_have_no_changes(plan):
    for other in (plan, loads(dumps(plan))):
        diff = diff_plans(plan, other)
        assert not diff.has_changes
        assert diff.batches == () and diff.parameters == () and diff.infrastructure == ()
        assert diff.unchanged == len(plan.batches) and diff.reordered == 0
        assert all(r.delta == 0 for r in diff.rows)


def test_added_removed_and_changed_batches(plan, kit):
    extra = kit.make_batch(kit.Spec("FAR-2021-005", "faroe", 560, "FI-FW-01", "FI-SEA-01", 1, 10, None,
                                    3_000_000, 5.0), 0, 0)
    new = kit.modify_batch(plan, "FAR-2020-002", eggs=3_200_000)
    new = kit.with_batches(new, [b for b in new.batches if b.id != "SCO-2020-003"] + [extra])
    diff = diff_plans(plan, new)
    assert diff.has_changes
    assert [(b.kind, b.id) for b in diff.batches] == \
        [("changed", "FAR-2020-002"), ("added", "FAR-2021-005"), ("removed", "SCO-2020-003")]
    assert _fields(diff.batches[0]) == {"eggs": (3_123_456, 3_200_000)}
    added = _fields(diff.batches[1])
    assert added["start"] == (None, "2021-07-14") and added["status"] == (None, "active")
    assert added["estimated_rows"] == (None, sum(extra.estimated_rows.values()))
    assert _fields(diff.batches[2])["eggs"] == (3_246_912, None)
    assert (diff.count("added"), diff.count("removed"), diff.count("changed"), diff.unchanged) == (1, 1, 1, 5)
    per_geo = {g.geography: (g.added, g.removed, g.changed) for g in diff.per_geography}
    assert per_geo == {"faroe": (1, 0, 1), "scotland": (0, 1, 0)}


def test_stage_window_changes_are_keyed_by_stage(plan):
    new = _move_fry(plan, "FAR-2020-003", "FI-FW-02-Hall-B", compress(f"FI-FW-02-B-C{n:02d}" for n in range(1, 11)))
    diff = diff_plans(plan, new)
    (change,) = diff.batches
    assert change.stages == ("fry",)
    assert _fields(change) == {
        "stages.fry.location": ("FI-FW-01-Hall-B", "FI-FW-02-Hall-B"),
        "stages.fry.containers": ("FI-FW-01-B-C01..C10", "FI-FW-02-B-C01..C10"),
    }
    assert diff.per_stage == (("fry", 1),)


def test_dates_status_and_rows_per_batch(plan, kit):
    old = plan.batch("FAR-2020-001")
    harvest = old.harvest_date + dt.timedelta(days=5)
    rows = dict(old.estimated_rows, harvest_lots=old.estimated_rows["harvest_lots"] + 5)
    new = kit.modify_batch(plan, "FAR-2020-001", harvest_date=harvest, harvest_target_kg=5.25, estimated_rows=rows)
    fields = _fields(diff_plans(plan, new).batches[0])
    assert fields == {
        "harvest_date": (old.harvest_date.isoformat(), harvest.isoformat()),
        "harvest_target_kg": (5.0, 5.25),
        "estimated_rows.harvest_lots": (old.estimated_rows["harvest_lots"], rows["harvest_lots"]),
    }


def test_estimated_rows_before_and_after(plan, kit):
    new = kit.with_batches(plan, plan.batches[:-1])
    diff = diff_plans(plan, new)
    assert {r.table: (r.old, r.new) for r in diff.rows} == \
        {t: (plan.estimated_rows[t], new.estimated_rows[t]) for t in plan.estimated_rows}
    assert diff.old_rows - diff.new_rows == sum(plan.batches[-1].estimated_rows.values())
    assert [r.table for r in diff.rows] == sorted(plan.estimated_rows)


def test_parameter_changes_as_dotted_paths(plan):
    lifecycle = plan.parameters.lifecycle
    stages = tuple(s.model_copy(update={"tgc": 2.5}) if s.name == "fry" else s for s in lifecycle.stages)
    rules = plan.parameters.batches.model_copy(update={"counts": {"faroe": 5, "scotland": 3}})
    params = plan.parameters.model_copy(update={
        "until": dt.date(2022, 6, 30), "lifecycle": lifecycle.model_copy(update={"stages": stages}),
        "batches": rules, "variables": {"stagger": 5, "saturation": 0.85, "extra": 1}})
    diff = diff_plans(plan, plan.model_copy(update={"parameters": params}))
    assert [(c.field, c.old, c.new) for c in diff.parameters] == [
        ("batches.counts.faroe", 4, 5),
        ("lifecycle.stages.fry.tgc", 2.25, 2.5),
        ("until", "2022-03-31", "2022-06-30"),
        ("variables.extra", None, 1),
    ]
    assert diff.batches == () and diff.has_changes


def test_infrastructure_changes_are_compact(plan):
    infra = plan.infrastructure
    faroe, scotland = infra.geographies
    station = faroe.stations[0].model_copy(update={"name": "FI-FW-03", "halls": faroe.stations[0].halls})
    halls = list(faroe.stations[1].halls)
    halls[0] = halls[0].model_copy(update={"containers": compress(f"FI-FW-02-A-C{n:02d}" for n in range(1, 13))})
    faroe = faroe.model_copy(update={
        "stations": (faroe.stations[0], faroe.stations[1].model_copy(update={"halls": tuple(halls)}), station),
        "code": "FO"})
    scotland = scotland.model_copy(update={
        "sea_areas": (scotland.sea_areas[0], AreaPlan(name="S-SEA-02", kind="ring",
                                                      rings=compress(f"S-SEA-02-Ring-{n:02d}" for n in range(1, 19))))})
    iceland = faroe.model_copy(update={"name": "iceland", "label": "Iceland", "stations": (), "sea_areas": (
        AreaPlan(name="IS-SEA-01", kind="ring", rings=compress(f"IS-SEA-01-Ring-{n:02d}" for n in range(1, 21))),)})
    kinds = dict(infra.container_kinds, tray=infra.container_kinds["tray"].model_copy(update={"volume_m3": 12.0}))
    new_infra = infra.model_copy(update={"geographies": (faroe, scotland, iceland), "container_kinds": kinds})
    diff = diff_plans(plan, plan.model_copy(update={"infrastructure": new_infra}))
    assert [(c.change, c.path, c.detail) for c in diff.infrastructure] == [
        ("changed", "container_kinds.tray.volume_m3", "10.0 -> 12.0"),
        ("changed", "faroe.code", "FI -> FO"),
        ("changed", "faroe/FI-FW-02", "FI-FW-02-Hall-A.containers 10 -> 12"),
        ("added", "faroe/FI-FW-03", "5 halls, 50 containers"),
        ("changed", "scotland/S-SEA-02", "rings 20 -> 18"),
        ("added", "iceland", "0 stations, 1 sea areas, 20 rings"),
    ]


def test_sources_and_only_reordered_batches(plan, kit):
    sources = plan.sources.model_copy(update={"sha256": "ab" * 32})
    swapped = kit.with_batches(plan, [plan.batches[1], plan.batches[0], *plan.batches[2:]])
    diff = diff_plans(plan, swapped.model_copy(update={"sources": sources}))
    assert (diff.old_sha256, diff.new_sha256) == (plan.sources.sha256, "ab" * 32)
    assert diff.has_changes and diff.batches == ()
    assert diff.reordered == 2 and diff.unchanged == len(plan.batches)


def test_geography_change_is_a_field_and_counted_under_the_new_geography(plan, kit):
    new = kit.modify_batch(plan, "SCO-2020-002", geography="faroe")
    diff = diff_plans(plan, new)
    assert _fields(diff.batches[0]) == {"geography": ("scotland", "faroe")}
    assert [(g.geography, g.changed) for g in diff.per_geography] == [("faroe", 1)]


def test_diff_is_deterministic(plan, kit):
    new = kit.modify_batch(kit.modify_batch(plan, "FAR-2021-004", eggs=1), "FAR-2020-001", status="active")
    assert diff_plans(plan, new) == diff_plans(loads(dumps(plan)), loads(dumps(new)))
    assert [b.id for b in diff_plans(plan, new).batches] == ["FAR-2020-001", "FAR-2021-004"]


def test_flatten_keys_named_lists_by_name():
    data = {"b": [{"name": "x", "v": 1}, {"name": "y", "v": 2}], "a": {"c": [1, 2]}, "d": [{"v": 3}], "e": {}}
    assert flatten(data) == {"a.c": "[1, 2]", "b.x.v": 1, "b.y.v": 2, "d.0.v": 3}
