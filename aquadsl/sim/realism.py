"""Realism figures measured on simulated rows (no database): capacity, variation, harvest, incidents."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand

# kg/m³ measured when a kind declares no max_density: 25 in sea rings (domain §11), 50 in RAS tanks
DEFAULT_DENSITY = {"sea": 25.0, "fresh": 50.0}
NEEDED = ("batches", "transfers", "daily_states", "treatments", "harvest_events", "harvest_lots")


@dataclass
class Tally:
    """Running per-batch figures; :meth:`figures` turns them into the realism table."""

    container_days: int = 0
    over_limit: int = 0
    over_fish: int = 0
    sea_fish_max: int = 0
    sea_days: list = field(default_factory=list)
    smolt_g: list = field(default_factory=list)
    survival: list = field(default_factory=list)
    efcr: list = field(default_factory=list)
    harvest_working_days: list = field(default_factory=list)
    grade_shares: set = field(default_factory=set)
    harvest_events: int = 0
    batches: int = 0
    incident_batches: int = 0
    weekend_harvests: int = 0
    vaccinated_min_g: float = float("inf")
    area_days: dict = field(default_factory=lambda: defaultdict(set))
    august: dict = field(default_factory=lambda: defaultdict(list))
    delousings: list = field(default_factory=list)
    culled: int = 0                   # batches culled after an incident (not in the completed figures)
    early: int = 0                    # batches harvested early after an incident (completed)


def limits(plan: Plan) -> tuple[dict[str, float], dict[str, str]]:
    """Per container: the kg it may hold (max_biomass and density × volume), and its sea area."""
    kinds = plan.infrastructure.container_kinds

    def limit(kind: str, water: str) -> float:
        k = kinds[kind]
        density = getattr(k, "max_density_kg_m3", None) or DEFAULT_DENSITY[water]
        return min(k.max_biomass_kg, density * k.volume_m3)

    cap, area = {}, {}
    for g in plan.infrastructure.geographies:
        for s in g.stations:
            for h in s.halls:
                for c in expand(h.containers):
                    cap[c] = limit(h.kind, "fresh")
        for a in g.sea_areas:
            for c in expand(a.rings):
                cap[c], area[c] = limit(a.kind, "sea"), a.name
    return cap, area


def fish_limits(plan: Plan) -> dict[str, float]:
    """Per container of a kind with ``max_fish``: the most fish it may hold."""
    kinds = plan.infrastructure.container_kinds
    out: dict[str, float] = {}
    for g in plan.infrastructure.geographies:
        places = [(h.kind, h.containers) for s in g.stations for h in s.halls]
        for kind, names in places + [(a.kind, a.rings) for a in g.sea_areas]:
            if getattr(kinds[kind], "max_fish", None):
                out.update(dict.fromkeys(expand(names), float(kinds[kind].max_fish)))
    return out


def add_batch(tally: Tally, plan: Plan, rows: dict, cap: dict, area: dict, fish: dict | None = None) -> None:
    """Fold one batch's rows into the tally (``fish``: per container, its max_fish)."""
    ds = rows["daily_states"]
    tally.batches += 1
    limit = np.array([cap[c] for c in ds["container"]])
    tally.container_days += len(limit)
    tally.over_limit += int(np.sum(ds["biomass_kg"] > limit + 1e-6))
    most = np.array([(fish or {}).get(c, np.inf) for c in ds["container"]])
    tally.over_fish += int(np.sum(ds["population"] > most))
    before = ds["population"] + ds["mortality"]
    with np.errstate(divide="ignore", invalid="ignore"):
        worst = np.where(before > 0, ds["mortality"] / np.maximum(before, 1), 0.0)
    batch = plan.batch(rows["batches"]["batch_id"][0])
    dates = [x.date for t in batch.lice_treatments for x in t.rings] or [t.date for t in batch.lice_treatments]
    deloused = np.isin(ds["date"], np.array(dates, dtype="datetime64[D]"))
    tally.incident_batches += int(np.any(worst[~deloused] >= 0.005))      # delousing losses are not incidents
    if rows["batches"]["status"][0] == "completed":
        tally.delousings.append(len(batch.lice_treatments))
    sea = np.array([c in area for c in ds["container"]])
    tally.sea_fish_max = max(tally.sea_fish_max, int(ds["population"][sea].max(initial=0)))
    for c, d in zip(ds["container"][sea], ds["date"][sea]):
        tally.area_days[(area[c], d)].add(rows["batches"]["batch_id"][0])
    _august(tally, plan, rows, ds, sea)
    _vaccinated(tally, rows, ds)
    if rows["batches"]["status"][0] == "completed":
        _completed(tally, rows, ds, sea)


def _august(tally: Tally, plan: Plan, rows: dict, ds: dict, sea: np.ndarray) -> None:
    geo = rows["batches"]["geography"][0]
    dates = ds["date"][sea].astype("datetime64[D]")
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    for y, t in zip(years[months == 8], ds["temperature_c"][sea][months == 8]):
        tally.august[(geo, int(y))].append(float(t))


def _vaccinated(tally: Tally, rows: dict, ds: dict) -> None:
    tr = rows["treatments"]
    vac = tr["treatment_type"] == "vaccination"
    if not vac.any():
        return
    weight = {(c, d): w for c, d, w in zip(ds["container"], ds["date"], ds["avg_weight_g"])}
    for c, d in zip(tr["container"][vac], tr["date"][vac]):
        tally.vaccinated_min_g = min(tally.vaccinated_min_g, float(weight[(c, d)]))


def _completed(tally: Tally, rows: dict, ds: dict, sea: np.ndarray) -> None:
    tf, he, lots = rows["transfers"], rows["harvest_events"], rows["harvest_lots"]
    sea_dates = ds["date"][sea]
    if not len(sea_dates) or not len(he["date"]):
        return
    first_sea = sea_dates.min()
    tally.sea_days.append(int((he["date"].max() - first_sea).astype(int)) + 1)
    into_sea = tf["date"] == first_sea
    stocked = int(tf["fish_moved"][into_sea].sum())
    tally.smolt_g.append(float(np.average(tf["avg_weight_g"][into_sea], weights=tf["fish_moved"][into_sea])))
    tally.survival.append(he["fish_count"].sum() / stocked)
    stocked_kg = float(np.sum(tf["fish_moved"][into_sea] * tf["avg_weight_g"][into_sea]) / 1000.0)
    tally.efcr.append(float(ds["feed_kg"][sea].sum()) / (float(he["live_weight_kg"].sum()) - stocked_kg))
    days = np.unique(he["date"])
    span = np.busday_count(days.min(), days.max() + np.timedelta64(1, "D"))
    tally.harvest_working_days.append(int(span))
    weekday = (days.astype("datetime64[D]").astype(int) + 3) % 7      # 0 = Monday
    tally.weekend_harvests += int(np.sum(np.isin(he["date"], days[weekday >= 5])))
    n = len(lots["fish_count"]) // 5
    counts = lots["fish_count"].reshape(n, 5).astype(float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    tally.grade_shares.update(tuple(np.round(s, 3)) for s in shares)
    tally.harvest_events += n


def figures(tally: Tally) -> dict[str, float]:
    """The realism table: name -> measured value."""
    sea = np.array(tally.sea_days, dtype=float)
    smolt = np.array(tally.smolt_g)
    surv = np.array(tally.survival) * 100
    efcr = np.array(tally.efcr)
    aug: dict[str, dict[int, float]] = defaultdict(dict)
    for (geo, year), temps in tally.august.items():
        if len(temps) >= 20:
            aug[geo][year] = float(np.mean(temps))
    stds = [float(np.std(list(v.values()))) for v in aug.values() if len(v) >= 3]
    shared = sum(1 for batches in tally.area_days.values() if len(batches) > 1)
    pct = (lambda a, q: float(np.percentile(a, q)) if len(a) else float("nan"))
    return {
        "container-days over limit": tally.over_limit,
        "container-days over max_fish": tally.over_fish,
        "sea ring fish max": tally.sea_fish_max,
        "sea days CV %": float(sea.std() / sea.mean() * 100) if len(sea) else float("nan"),
        "smolt g p90-p10": pct(smolt, 90) - pct(smolt, 10),
        "sea survival min %": pct(surv, 0), "sea survival max %": pct(surv, 100),
        "sea survival p90-p10 pts": pct(surv, 90) - pct(surv, 10),
        "sea eFCR min": pct(efcr, 0), "sea eFCR max": pct(efcr, 100),
        "harvest working days min": min(tally.harvest_working_days, default=0),
        "distinct grade shares / events": len(tally.grade_shares) / max(tally.harvest_events, 1),
        "batches with incident day %": 100.0 * tally.incident_batches / max(tally.batches, 1),
        "weekend harvest events": tally.weekend_harvests,
        "vaccinated min g": tally.vaccinated_min_g,
        "sea area-days with 2+ batches": shared,
        "August sea temp std between years min": min(stds, default=0.0),
        "delousings per completed batch": float(np.mean(tally.delousings)) if tally.delousings else 0.0,
        "culled batches": tally.culled,
        "early-harvested batches": tally.early,
    }


def measure(plan: Plan, simulate) -> dict[str, float]:
    """Figures for every batch of ``plan``; ``simulate(plan, batch_id)`` returns its rows."""
    cap, area = limits(plan)
    fish = fish_limits(plan)
    tally = Tally()
    for b in plan.batches:
        add_batch(tally, plan, simulate(plan, b.id), cap, area, fish)
        tally.culled += b.status == "culled"
        tally.early += any(i.response == "early_harvest" for i in b.incidents)
    return figures(tally)

