"""Preview numbers checked against values worked out by hand from the fixture plan (see conftest SPECS)."""

from __future__ import annotations

from aquadsl.plan.partition import partition
from aquadsl.plan.summary import summarize


def _util(summary, stage, geography):
    return next(u for u in summary.utilisation if (u.stage, u.geography) == (stage, geography))


def test_batches_per_geography_split_by_status(plan):
    s = summarize(plan)
    counts = {g.geography: (g.completed, g.active, g.total) for g in s.geographies}
    # FAR-2020-001 and SCO-2020-001 are harvested before until; the rest are still alive.
    assert counts == {"faroe": (1, 3, 4), "scotland": (1, 2, 3)}
    assert (s.completed, s.active, s.batches) == (2, 5, 7)
    assert [g.label for g in s.geographies] == ["Faroe Islands", "Scotland"]


def test_header_span_and_eggs(plan, kit):
    s = summarize(plan)
    assert (s.scenario, s.seed, s.start, s.until, s.until_source) == \
        ("render-fixture", 20240601, kit.START, kit.UNTIL, "file")
    assert s.first_start == kit.START
    assert s.last_day == kit.UNTIL          # active batches run to until inclusive
    assert s.total_eggs == sum(spec.eggs for spec in kit.SPECS)


def test_last_day_of_a_fully_harvested_plan_is_the_last_harvest(plan, kit):
    done = kit.build([kit.SPECS[0], kit.SPECS[1]])
    assert summarize(done).last_day == kit.day(780)   # both harvested on day 780 after START


def test_two_batches_overlapping_in_hall_a_fill_both_stations(plan, kit):
    s = summarize(plan)
    egg = _util(s, "egg_alevin", "faroe")
    # FAR-2020-001 holds hall A on days [0, 90), FAR-2020-002 on [50, 140): both on day 50 first.
    assert (egg.occupied, egg.capacity, egg.peak_date) == (20, 20, kit.day(50))
    assert egg.percent == 100.0


def test_capacity_counts_containers_of_the_stage_hall_letter_only(plan):
    s = summarize(plan)
    fresh = {(u.stage, u.geography): u.capacity for u in s.utilisation if u.water == "fresh"}
    assert set(fresh.values()) == {20, 10}
    assert all(cap == (20 if geo == "faroe" else 10) for (_, geo), cap in fresh.items())


def test_sea_peak_uses_all_rings_of_the_geography(plan, kit):
    s = summarize(plan)
    faroe, scotland = _util(s, "adult", "faroe"), _util(s, "adult", "scotland")
    # Faroe: 3 batches x 10 rings at sea together from day 100 + 450; 2 areas x 20 rings.
    assert (faroe.occupied, faroe.capacity, faroe.peak_date) == (30, 40, kit.day(550))
    assert faroe.percent == 75.0
    # Scotland: 10 + 10 + 8 rings once SCO-2020-003 reaches the sea on day 220 + 450.
    assert (scotland.occupied, scotland.capacity, scotland.peak_date) == (28, 40, kit.day(670))
    assert scotland.percent == 70.0


def test_back_to_back_windows_do_not_overlap(kit):
    first = kit.Spec("FAR-A", "faroe", 0, "FI-FW-01", "FI-SEA-01", 1, 10, 780, 3_000_000, 5.0)
    second = first._replace(id="FAR-B", start_day=90, first_ring=11)
    egg = _util(summarize(kit.build([first, second])), "egg_alevin", "faroe")
    assert (egg.occupied, egg.peak_date) == (10, kit.day(0))
    assert egg.percent == 50.0


def test_stages_in_lifecycle_order_then_geographies_in_infrastructure_order(plan):
    s = summarize(plan)
    stages = [st.name for st in plan.parameters.lifecycle.stages]
    assert [(u.stage, u.geography) for u in s.utilisation] == \
        [(stage, geo) for stage in stages for geo in ("faroe", "scotland")]


def test_rows_per_table_sorted_with_total(plan):
    s = summarize(plan)
    assert dict(s.rows) == plan.estimated_rows
    assert [t for t, _ in s.rows] == sorted(plan.estimated_rows)
    assert s.total_rows == sum(sum(b.estimated_rows.values()) for b in plan.batches)


def test_partition_balance(plan):
    assert summarize(plan).partitions == () and summarize(plan).balance is None
    s = summarize(plan, workers=3)
    parts = partition(plan, 3)
    assert [(p.index, p.batches, p.rows) for p in s.partitions] == \
        [(p.index, len(p.batch_ids), p.estimated_rows) for p in parts]
    loads = [p.estimated_rows for p in parts]
    assert s.balance == max(loads) / (sum(loads) / 3)
    assert s.balance >= 1.0


def test_empty_plan(plan, kit):
    s = summarize(kit.with_batches(plan, []), workers=2)
    assert (s.batches, s.first_start, s.last_day, s.total_eggs) == (0, None, None, 0)
    assert all(u.occupied == 0 and u.peak_date is None and u.capacity > 0 for u in s.utilisation)
    assert s.balance == 1.0
