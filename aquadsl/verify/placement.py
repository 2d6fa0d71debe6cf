"""Native verify checks of where and when fish are: double-booking, windows and until, capacity, harvest, FCR."""

from __future__ import annotations

import datetime as dt

from aquadsl.verify.findings import Finding
from aquadsl.verify.native import Expectations, capped, rows

EVENT_DAYS = {  # per-assignment table -> its date or timestamp column
    "farm_daily_states": "date", "farm_environmental_readings": "ts", "farm_feeding_events": "ts",
    "farm_mortality_events": "date", "farm_growth_samples": "date", "farm_lice_counts": "date",
    "farm_health_samples": "date", "farm_treatments": "date", "farm_harvest_events": "date",
    "farm_harvest_lots": "date",
}
# Realised FCR per batch and stage within 15% of the stage's target: feed follows the target, and feed
# withdrawal before harvest, incidents' lost appetite and per-batch factors (issue 8) move the result.
FCR_TOLERANCE = 0.15
HARVEST_START_TOLERANCE = 0.05   # a harvest starts on the first working day the rings allow: up to 5% above the range
FAR_FUTURE = dt.date(9999, 12, 31)


def day_of(column: str) -> str:
    """SQL for the UTC calendar day of a date or timestamp column, on either backend."""
    from django.db import connection

    return f"({column} AT TIME ZONE 'UTC')::date" if connection.vendor == "postgresql" else f"date({column})"


def check_double_booking(exp: Expectations) -> list[Finding]:
    """No container holds two batches on the same day (assignment windows are half-open)."""
    open_end = (exp.until + dt.timedelta(days=1)) if exp.until else FAR_FUTURE
    failures = []
    for container, b1, s1, e1, b2, s2, e2 in rows("""
            SELECT c.name, b1.batch_id, a1.start_date, a1.end_date, b2.batch_id, a2.start_date, a2.end_date
            FROM farm_assignments a1 JOIN farm_assignments a2
              ON a1.container_id = a2.container_id AND a1.id < a2.id AND a1.batch_id <> a2.batch_id
             AND a1.start_date < COALESCE(a2.end_date, %s) AND a2.start_date < COALESCE(a1.end_date, %s)
            JOIN farm_containers c ON c.id = a1.container_id
            JOIN farm_batches b1 ON b1.id = a1.batch_id JOIN farm_batches b2 ON b2.id = a2.batch_id
            ORDER BY c.name, b1.batch_id, b2.batch_id""", (open_end, open_end)):
        failures.append(Finding("double-booking", container, False,
                                f"container {container}: batch {b1} ({s1}..{e1 or 'active'}) and batch {b2} "
                                f"({s2}..{e2 or 'active'}) overlap"))
    return capped("double-booking", failures, "containers", "no container holds two batches at once")


def check_windows(exp: Expectations) -> list[Finding]:
    """Every event lies inside its assignment (batch, container, dates) and not after until."""
    out = []
    until = exp.until or FAR_FUTURE
    open_end = (exp.until + dt.timedelta(days=1)) if exp.until else FAR_FUTURE
    for table in sorted(EVENT_DAYS):
        day = day_of(f"e.{EVENT_DAYS[table]}")
        (outside, late), = rows(f"""
            SELECT COALESCE(SUM(CASE WHEN a.id IS NULL OR e.batch_id <> a.batch_id
                                    OR e.container_id <> a.container_id OR {day} < a.start_date
                                    OR {day} >= COALESCE(a.end_date, %s) THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN {day} > %s THEN 1 ELSE 0 END), 0)
            FROM {table} e LEFT JOIN farm_assignments a ON a.id = e.assignment_id""", (open_end, until))
        problems = []
        if outside:
            problems.append(f"{outside:,} row(s) outside their assignment's batch, container or dates")
        if late:
            problems.append(f"{late:,} row(s) dated after until {exp.until}")
        out.append(Finding("windows", table, not problems,
                           f"{table}: " + ("; ".join(problems) if problems else "every row inside its "
                                           "assignment" + (f" and on or before {exp.until}" if exp.until else "")),
                           0, outside + late))
    return out


def check_capacity(exp: Expectations) -> list[Finding]:
    """No container holds more biomass on any day than its max_biomass (as the plan's kinds give it)."""
    failures = []
    for container, cap, peak, days, first in rows("""
            SELECT c.name, c.max_biomass_kg, MAX(d.biomass_kg), COUNT(*), MIN(d.date) FROM farm_daily_states d
            JOIN farm_containers c ON c.id = d.container_id
            WHERE d.biomass_kg > c.max_biomass_kg GROUP BY c.name, c.max_biomass_kg ORDER BY c.name"""):
        failures.append(Finding("capacity", container, False,
                                f"container {container}: up to {peak:,.0f} kg, capacity {cap:,.0f} kg, "
                                f"exceeded on {days:,} day(s) from {first}", cap, round(peak, 1)))
    return capped("capacity", failures, "containers", "no container above its max biomass on any day")


def check_harvest_weight(exp: Expectations) -> list[Finding]:
    """Every harvest's average weight is at least the batch's target and the range's low end; a batch's
    first harvest day is inside the scenario's range. Harvest runs over weeks at the site's capacity, so
    later days carry the growth since; the first day may lie HARVEST_START_TOLERANCE above the range."""
    low, high = exp.harvest_kg or (0.0, float("inf"))
    failures = []
    found = rows("""
        SELECT b.batch_id, h.date, h.avg_weight_g, b.harvest_target_kg FROM farm_harvest_events h
        JOIN farm_batches b ON b.id = h.batch_id ORDER BY b.batch_id, h.date, h.id""")
    first: dict[str, object] = {}
    for batch, day, grams, target in found:
        kg = grams / 1000
        first.setdefault(batch, day)
        over = day == first[batch] and kg > high * (1 + HARVEST_START_TOLERANCE)
        if (kg < target or kg < low) and batch not in exp.early or over:   # an early harvest is below target
            window = f"target {target:.2f} kg" + (f", range {low:g}-{high:g} kg" if exp.harvest_kg else "")
            failures.append(Finding("harvest-weight", batch, False,
                                    f"batch {batch} harvested on {day} at {kg:,.3f} kg, outside {window}",
                                    target, round(kg, 3)))
    return capped("harvest-weight", failures, "harvest_events",
                  f"all {len(found):,} harvests at or above their target"
                  + (f" and within {low:g}-{high:g} kg" if exp.harvest_kg else "")
                  + (f" ({len(exp.early):,} batch(es) harvested early after an incident, below it)"
                     if exp.early else ""))


def check_fcr(exp: Expectations) -> list[Finding]:
    """Realised FCR per batch and stage (feed / biomass gain) within FCR_TOLERANCE of the stage's target."""
    if not exp.fcr:
        return [Finding("fcr", "stages", True, "no stage feeds to a target FCR"
                        + (" (pass the plan to check FCR bands)" if exp.source == "ledger" else ""))]
    failures, checked = [], 0
    for batch, stage, fcr in realised_fcr():
        target = exp.fcr.get(stage)
        if target is None:
            continue
        checked += 1
        if abs(fcr / target - 1) > FCR_TOLERANCE:
            failures.append(Finding("fcr", f"{batch}/{stage}", False,
                                    f"batch {batch}, stage {stage}: FCR {fcr:.3f}, target {target:g} "
                                    f"± {FCR_TOLERANCE:.0%}", target, round(fcr, 3)))
    return capped("fcr", failures, "stages",
                  f"{checked:,} batch stages within {FCR_TOLERANCE:.0%} of their target FCR")


def realised_fcr() -> list[tuple[str, str, float]]:
    """(batch id, stage name, feed kg / biomass gain kg) for every batch stage that gained over 1 kg."""
    return rows("""
        WITH g AS (
          SELECT d.batch_id, d.stage_id, d.feed_kg,
                 d.population * (d.avg_weight_g - COALESCE(
                     LAG(d.avg_weight_g) OVER (PARTITION BY d.assignment_id ORDER BY d.date),
                     a.avg_weight_start_g)) / 1000.0 AS gain
          FROM farm_daily_states d JOIN farm_assignments a ON a.id = d.assignment_id)
        SELECT b.batch_id, s.name, SUM(g.feed_kg) / SUM(g.gain) FROM g
        JOIN farm_lifecycle_stages s ON s.id = g.stage_id JOIN farm_batches b ON b.id = g.batch_id
        GROUP BY b.batch_id, s.name HAVING SUM(g.gain) > 1 ORDER BY b.batch_id, s.name""")
