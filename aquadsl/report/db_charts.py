"""Charts of a loaded farm database: KPI distributions, mortality, lice, environment and feed by month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from aquadsl.report.svg import Chart, bar_chart, line_chart
from aquadsl.verify.native import rows

LICE_LIMIT, LICE_SPRING_LIMIT = 0.5, 0.2   # adult females per fish (Norway; spring weeks 16-21)


def _month(column: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def histogram(values: list[float], width: float, digits: int = 1) -> tuple[list[str], list[float]]:
    if not values:
        return [], []
    lo = (min(values) // width) * width
    n = int((max(values) - lo) // width) + 1
    counts = [0.0] * n
    for v in values:
        counts[min(n - 1, int((v - lo) // width))] += 1
    return [f"{lo + i * width:.{digits}f}" for i in range(n)], counts


def kpis() -> list[Chart]:
    """Harvest weight, sea days and survival per batch, and realised FCR per stage."""
    from aquadsl.verify.placement import realised_fcr

    weights = [g / 1000 for (g,) in rows("SELECT avg_weight_g FROM farm_harvest_events")]
    cats, counts = histogram(weights, 0.25, 2)
    out = [bar_chart(Chart("kpi-harvest-weight", "Harvest weight (per harvest event)", "average weight (kg, bin start)",
                           "harvest events"), cats, [("harvest events", counts)])]
    sea = rows("""SELECT b.batch_id, MIN(a.start_date), MAX(a.end_date), b.eggs, b.status FROM farm_assignments a
                  JOIN farm_lifecycle_stages s ON s.id = a.stage_id JOIN farm_batches b ON b.id = a.batch_id
                  WHERE s.water = 'sea' GROUP BY b.batch_id, b.eggs, b.status""")
    days = [(_date(end) - _date(start)).days for _, start, end, _, status in sea if status == "completed" and end]
    cats, counts = histogram(days, 30, 0)
    out.append(bar_chart(Chart("kpi-sea-days", "Days at sea (harvested batches)", "days at sea (bin start)", "batches"),
                         cats, [("batches", counts)]))
    survival = [100.0 * n / eggs for n, eggs in rows("""
        SELECT SUM(h.fish_count), b.eggs FROM farm_harvest_events h JOIN farm_batches b ON b.id = h.batch_id
        GROUP BY b.id, b.eggs""")]
    cats, counts = histogram(survival, 2.5, 1)
    out.append(bar_chart(Chart("kpi-survival", "Survival from egg to harvest (harvested batches)",
                               "survival (% of eggs, bin start)", "batches"), cats, [("batches", counts)]))
    order = [n for (n,) in rows('SELECT name FROM farm_lifecycle_stages ORDER BY "order"')]
    per_stage = defaultdict(list)
    for _, stage, fcr in realised_fcr():
        per_stage[stage].append(float(fcr))
    stages = [s for s in order if per_stage[s]]
    means = [sum(per_stage[s]) / len(per_stage[s]) for s in stages]
    out.append(bar_chart(Chart("kpi-fcr", "Realised FCR per stage (feed / biomass gain)", "stage", "FCR (kg feed per kg gain)"),
                         stages, [("mean over batches", means)], [(min(per_stage[s]), max(per_stage[s])) for s in stages]))
    return out


def mortality() -> Chart:
    data = rows(f"""SELECT {_month('date')} AS m, cause, SUM(count) FROM farm_mortality_events WHERE count > 0
                    GROUP BY m, cause ORDER BY m, cause""")
    months = sorted({m for m, _, _ in data})
    causes = sorted({c for _, c, _ in data})
    cell = {(m, c): n for m, c, n in data}
    stacks = [(c, [float(cell.get((m, c), 0)) / 1000 for m in months]) for c in causes]
    return bar_chart(Chart("mortality", "Mortality by month and cause", "month", "deaths (thousand fish)"),
                     months, stacks)


def _by_geography(sql: str) -> list[tuple[str, list[tuple[dt.date, float]]]]:
    """(geography label, [(first of month, value)]) from rows of (label, 'YYYY-MM', value)."""
    series = defaultdict(list)
    for label, month, value in rows(sql):
        if value is not None:
            series[label].append((dt.date.fromisoformat(f"{month}-01"), float(value)))
    return sorted(series.items())


def lice() -> Chart:
    series = _by_geography(f"""
        SELECT g.label, {_month('l.date')} AS m, 1.0 * SUM(l.adult_female) / SUM(l.fish_sampled)
        FROM farm_lice_counts l JOIN farm_batches b ON b.id = l.batch_id JOIN farm_geographies g ON g.id = b.geography_id
        GROUP BY g.label, m ORDER BY g.label, m""")
    (treated,) = rows("SELECT COUNT(*) FROM farm_treatments WHERE treatment_type <> 'vaccination'")[0]
    chart = Chart("lice", "Sea lice: adult females per fish, monthly average, against treatment limits",
                  "month", "adult female lice per fish")
    chart.note = f"{treated:,} non-vaccination treatments recorded."
    return line_chart(chart, [(f"{g} (adult females per fish)", pts) for g, pts in series],
                      hlines=((LICE_LIMIT, f"limit {LICE_LIMIT} (treatment required)"),
                              (LICE_SPRING_LIMIT, f"spring limit {LICE_SPRING_LIMIT} (weeks 16-21)")))


def environment() -> list[Chart]:
    out = []
    for name, title, unit in (("temperature", "Water temperature", "°C"), ("oxygen", "Dissolved oxygen", "% saturation")):
        series = _by_geography(f"""
            SELECT g.label || ' ' || c.water, {_month('e.ts')} AS m, AVG(e.value) FROM farm_environmental_readings e
            JOIN farm_environmental_parameters p ON p.id = e.parameter_id
            JOIN farm_containers c ON c.id = e.container_id
            JOIN farm_batches b ON b.id = e.batch_id JOIN farm_geographies g ON g.id = b.geography_id
            WHERE p.name = '{name}' GROUP BY g.label, c.water, m ORDER BY g.label, c.water, m""")
        chart = Chart(f"env-{name}", f"{title} by month per geography (fresh and sea water)", "month",
                      f"monthly mean ({unit})")
        out.append(line_chart(chart, series, y_min=None))
    return out


def feed() -> Chart:
    data = rows(f"""SELECT g.label, {_month('f.ts')} AS m, SUM(f.amount_kg) FROM farm_feeding_events f
                    JOIN farm_batches b ON b.id = f.batch_id JOIN farm_geographies g ON g.id = b.geography_id
                    GROUP BY g.label, m ORDER BY g.label, m""")
    months = sorted({m for _, m, _ in data})
    labels = sorted({g for g, _, _ in data})
    cell = {(g, m): v for g, m, v in data}
    stacks = [(g, [float(cell.get((g, m), 0)) / 1000 for m in months]) for g in labels]
    return bar_chart(Chart("feed", "Feed use by month per geography", "month", "feed (tonnes)"), months, stacks)


def database_charts() -> list[tuple[str, list[Chart]]]:
    return [("KPI distributions", kpis()), ("Mortality", [mortality()]), ("Sea lice", [lice()]),
            ("Temperature and oxygen", environment()), ("Feed use", [feed()])]
