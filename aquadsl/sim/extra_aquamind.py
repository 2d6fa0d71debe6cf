"""Extra row families AquaMind needs: health fish and parameter scores, feed purchases and stock (pure, seeded)."""

from __future__ import annotations

import numpy as np

from aquadsl.sim import rng
from aquadsl.sim.frame import BatchRows, Columns, constant
from aquadsl.sim.layout import Layout
from aquadsl.sim.samples import K_SD, WEIGHT_CV, length_cm
from aquadsl.sim.schema import Columns as SchemaColumns

_ASSIGNED: SchemaColumns = (("batch_id", "str"), ("assignment_no", "int"), ("container", "str"))

EXTRA_SCHEMA: dict[str, SchemaColumns] = {
    "health_fish": _ASSIGNED + (
        ("date", "date"), ("sample_no", "int"), ("fish_no", "int"), ("weight_g", "float"), ("length_cm", "float"),
    ),
    "health_scores": _ASSIGNED + (
        ("date", "date"), ("fish_row", "int"), ("fish_no", "int"), ("parameter", "str"), ("score", "int"),
    ),
    "feed_purchases": (
        ("batch_id", "str"), ("purchase_no", "int"), ("stage", "str"), ("location", "str"), ("water", "str"),
        ("feed_name", "str"), ("purchase_date", "date"), ("quantity_kg", "float"), ("cost_per_kg", "float"),
        ("supplier", "str"), ("lot_number", "str"),
    ),
    "feed_stock": (
        ("batch_id", "str"), ("purchase_no", "int"), ("location", "str"), ("water", "str"), ("store", "str"),
        ("entry_ts", "datetime"), ("quantity_kg", "float"),
    ),
}

# AquaMind's nine welfare parameters (created by its own migrations), each scored 0 (best) to 3 (worst).
HEALTH_PARAMETERS = (
    "Gill Condition", "Eye Condition", "Wounds/Lesions", "Fin Condition", "Body Condition",
    "Swimming Behavior", "Appetite", "Mucous Membrane", "Color/Pigmentation",
)
MAX_SCORE = 3
PERIOD_DAYS = 7                         # one feed delivery per stay and week
LOT_KG = {"fresh": 25.0, "sea": 500.0}  # deliveries come in whole bags (fresh) or big bags (sea)
SUPPLIERS = ("BioMar", "Skretting", "Cargill", "Aller Aqua")
PRICE_SD = 0.04                         # relative spread of a delivery's price around the feed's list price
DELIVERY_LEAD_DAYS = 3                  # ordered three days before the week it feeds
ENTRY_HOUR = 6                          # put into the silo or barge at 06:00 the day before


def _day_of_batch(layout: Layout, dates: np.ndarray) -> np.ndarray:
    return (dates - np.datetime64(layout.batch.start, "D")).astype(np.int64)


def _row_keys(layout: Layout, family: str, containers: np.ndarray, days: np.ndarray) -> np.ndarray:
    """One stream key per row: (seed, batch, family) mixed with the row's container (broadcast later by lane)."""
    fam = rng.family_key(layout.plan.parameters.seed, layout.batch.id, family)
    names = sorted(set(containers.tolist()))
    base = dict(zip(names, rng.stream(fam, names)))
    return np.array([base[c] for c in containers], dtype=np.uint64), days


def _per_fish(events: Columns, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, Columns]:
    """Event index and 0-based fish number of every fish row, and the repeated assignment columns."""
    event = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    fish = np.arange(len(event), dtype=np.int64) - starts[event]
    cols = {c: events[c][event] for c in ("batch_id", "assignment_no", "container", "date")}
    return event, fish, cols


def health_fish(layout: Layout, rows: BatchRows) -> Columns:
    """The individual fish behind each health sample: weights whose mean is the sample's mean weight."""
    events = rows["health_samples"]
    counts = events["fish_sampled"].astype(np.int64)
    event, fish, cols = _per_fish(events, counts)
    base, days = _row_keys(layout, "health_fish", events["container"], _day_of_batch(layout, events["date"]))
    keys = rng.keys(base[event][:, None], days[event][:, None], 2 * fish[:, None] + np.arange(2)[None, :])
    z = rng.normal(keys)
    spread = np.exp(WEIGHT_CV * z[:, 0])
    mean_spread = np.bincount(event, spread, minlength=len(counts)) / np.maximum(counts, 1)
    weight = events["avg_weight_g"][event] * spread / mean_spread[event]
    k = np.clip(events["condition_factor"][event] + K_SD * z[:, 1], 0.9, 1.5)
    cols["sample_no"] = event + 1
    cols["fish_no"] = fish + 1
    cols["weight_g"] = np.maximum(np.round(weight, 2), 0.01)
    cols["length_cm"] = np.maximum(np.round(length_cm(weight, k), 2), 0.01)
    return cols


def health_scores(layout: Layout, rows: BatchRows) -> Columns:
    """Nine 0–3 scores per sampled fish, binomial around the sample's mean welfare score."""
    events = rows["health_samples"]
    counts = events["fish_sampled"].astype(np.int64)
    event, fish, fish_cols = _per_fish(events, counts)
    n_par = len(HEALTH_PARAMETERS)
    base, days = _row_keys(layout, "health_scores", events["container"], _day_of_batch(layout, events["date"]))
    lane = (fish[:, None, None] * n_par + np.arange(n_par)[None, :, None]) * MAX_SCORE \
        + np.arange(MAX_SCORE)[None, None, :]
    u = rng.uniform(rng.keys(base[event][:, None, None], days[event][:, None, None], lane))
    p = np.clip(events["mean_score"][event] / MAX_SCORE, 0.0, 1.0)[:, None, None]
    score = (u < p).sum(axis=2).astype(np.int64)
    cols = {c: np.repeat(v, n_par) for c, v in fish_cols.items()}
    cols["fish_row"] = np.repeat(np.arange(1, len(fish) + 1, dtype=np.int64), n_par)
    cols["fish_no"] = np.repeat(fish + 1, n_par)
    params = np.empty(n_par, dtype=object)
    params[:] = HEALTH_PARAMETERS
    cols["parameter"] = np.tile(params, len(fish))
    cols["score"] = score.ravel()
    return cols


def list_price(order: int) -> float:
    """Feed list price per kg: small starter pellets cost most, finisher least (EUR/kg)."""
    return max(1.80, 2.70 - 0.15 * (order - 1))


def _stay_weeks(layout: Layout, rows: BatchRows):
    """(stay, daily feed need in kg per lived day) for every fed stay, in stay order."""
    feeding = rows["feeding_events"]
    day = _day_of_batch(layout, feeding["ts"].astype("datetime64[D]"))
    for stay in layout.stays:
        lo, hi = stay.first_assignment, stay.first_assignment + stay.n
        mine = (feeding["assignment_no"] >= lo) & (feeding["assignment_no"] < hi)
        if not mine.any():
            continue
        need = np.bincount(day[mine] - stay.first_day, feeding["amount_kg"][mine], minlength=stay.days)
        yield stay, need


def _deliveries(need: np.ndarray, lot: float) -> tuple[np.ndarray, np.ndarray]:
    """Weekly whole-lot deliveries covering each week's need, and what is left of each under FIFO use."""
    weeks = -(-len(need) // PERIOD_DAYS)
    per_week = np.add.reduceat(need, np.arange(0, len(need), PERIOD_DAYS))[:weeks]
    bought = np.zeros(weeks)
    carry = 0.0
    for w in range(weeks):
        bought[w] = max(1.0, np.ceil(round((per_week[w] - carry) / lot, 9))) * lot
        carry += bought[w] - per_week[w]
    used = float(need.sum())
    before = np.concatenate(([0.0], np.cumsum(bought)[:-1]))
    left = np.clip(before + bought - max(used, 0.0), 0.0, None)
    left = np.minimum(left, bought)
    return bought, np.round(left, 2)


def feed_purchases(layout: Layout, rows: BatchRows) -> Columns:
    """Weekly feed deliveries per fed stay into its hall's silo or its area's barge, from the feed it ate."""
    return _feed(layout, rows)[0]


def feed_stock(layout: Layout, rows: BatchRows) -> Columns:
    """One stock entry per delivery, holding what FIFO use of the batch's feeding events leaves of it."""
    return _feed(layout, rows)[1]


def _feed(layout: Layout, rows: BatchRows) -> tuple[Columns, Columns]:
    parts: list[tuple[Columns, Columns]] = []
    first_no = 1
    for stay, need in _stay_weeks(layout, rows):
        bought, left = _deliveries(need, LOT_KG[stay.params.water])
        parts.append(_feed_rows(layout, stay, first_no, bought, left))
        first_no += len(bought)
    return _concat([p[0] for p in parts], "feed_purchases"), _concat([p[1] for p in parts], "feed_stock")


def _feed_rows(layout: Layout, stay, first_no: int, bought: np.ndarray, left: np.ndarray) -> tuple[Columns, Columns]:
    weeks = len(bought)
    week_start = np.datetime64(stay.window.start, "D") + np.arange(weeks) * PERIOD_DAYS
    base = rng.stream(rng.family_key(layout.plan.parameters.seed, layout.batch.id, "feed_purchases"),
                      [stay.window.location])
    k = rng.keys(base[:, None], (stay.first_day + np.arange(weeks) * PERIOD_DAYS)[None, :],
                 np.arange(2)[:, None])
    price = np.maximum(np.round(list_price(stay.params.order) * np.exp(PRICE_SD * rng.normal(k[0])), 2), 0.01)
    supplier = np.array(SUPPLIERS, dtype=object)[(rng.uniform(k[1]) * len(SUPPLIERS)).astype(np.int64)]
    numbers = np.arange(first_no, first_no + weeks, dtype=np.int64)
    water, loc = stay.params.water, stay.window.location
    purchases = {
        "batch_id": constant(layout.batch.id, weeks), "purchase_no": numbers,
        "stage": constant(stay.params.name, weeks), "location": constant(loc, weeks),
        "water": constant(water, weeks), "feed_name": constant(_feed_name(stay), weeks),
        "purchase_date": week_start - DELIVERY_LEAD_DAYS, "quantity_kg": bought, "cost_per_kg": price,
        "supplier": supplier,
        "lot_number": np.array([f"{layout.batch.id}-FP{n:04d}" for n in numbers], dtype=object),
    }
    entry = (week_start - 1).astype("datetime64[s]") + np.timedelta64(ENTRY_HOUR * 3600, "s")
    stock = {"batch_id": constant(layout.batch.id, weeks), "purchase_no": numbers,
             "location": constant(loc, weeks), "water": constant(water, weeks),
             "store": constant(store_name(loc, water), weeks), "entry_ts": entry,
             "quantity_kg": left}
    return purchases, stock


def store_name(location: str, water: str) -> str:
    """The feed store of a hall (its silo) or of a sea area (its barge)."""
    return f"{location} {'Barge' if water == 'sea' else 'Silo'}"


def _feed_name(stay) -> str:
    return stay.params.feed.feed_name or f"{stay.params.label} feed"


def _concat(parts: list[Columns], table: str) -> Columns:
    from aquadsl.sim.frame import DTYPES

    out: Columns = {}
    for column, kind in EXTRA_SCHEMA[table]:
        pieces = [p[column] for p in parts]
        out[column] = np.concatenate(pieces).astype(DTYPES[kind], copy=False) if pieces \
            else np.empty(0, dtype=DTYPES[kind])
    return out


EXTRA_FAMILIES = {
    "health_fish": health_fish, "health_scores": health_scores,
    "feed_purchases": feed_purchases, "feed_stock": feed_stock,
}


def extra_rows(layout: Layout, rows: BatchRows, families=tuple(EXTRA_FAMILIES)) -> BatchRows:
    """The named extra families of one simulated batch, each in EXTRA_SCHEMA column order and types."""
    return {name: _concat([EXTRA_FAMILIES[name](layout, rows)], name) for name in families}


def estimate_extra(plan, batch) -> dict[str, int]:
    """Rows per extra family of one batch from its plan alone (the counts the simulation will produce)."""
    stages = {s.name: s for s in plan.parameters.lifecycle.stages}
    fish = weeks = 0
    for window in batch.stages:
        params, days = stages[window.stage], (window.end - window.start).days
        n = len(window.container_names())
        cadence = params.cadences.get("health_samples")
        if cadence is not None and days > 0:
            fish += n * (-(-days // cadence.every)) * (cadence.fish or 75)
        if params.feed.mode != "none" and params.feedings_per_day > 0 and days > 0:
            weeks += -(-days // PERIOD_DAYS)
    return {"health_fish": fish, "health_scores": fish * len(HEALTH_PARAMETERS),
            "feed_purchases": weeks, "feed_stock": weeks}
