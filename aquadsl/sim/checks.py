"""Invariants computed from simulated rows: realised FCR per stage and population conservation."""

from __future__ import annotations

import numpy as np

from aquadsl.sim.frame import BatchRows


def realised_fcr(rows: BatchRows, start_weight_g: float) -> dict[str, float | None]:
    """Feed over biomass gain per stage of one batch, from its daily states (None: no gain).

    The gain of a container-day is its end-of-day population times the day's change of average
    weight, the weight of day 0 being the lifecycle's start weight.
    """
    ds = rows["daily_states"]
    day = ds["day_number"]
    weight_by_day = np.full(int(day.max()) + 1 if len(day) else 1, np.nan)
    weight_by_day[0] = start_weight_g
    weight_by_day[day] = ds["avg_weight_g"]
    gain = ds["population"] * (ds["avg_weight_g"] - weight_by_day[day - 1]) / 1000.0
    out: dict[str, float | None] = {}
    for stage in sorted(set(ds["stage"].tolist())):
        mask = ds["stage"] == stage
        total_gain = float(gain[mask].sum())
        out[stage] = float(ds["feed_kg"][mask].sum()) / total_gain if total_gain > 0 else None
    return out


def conservation(rows: BatchRows) -> dict[str, int]:
    """Eggs, deaths, harvested and living fish of one batch; eggs = deaths + harvested + living when sound."""
    batch = rows["batches"]
    return {
        "eggs": int(batch["eggs"].sum()),
        "deaths": int(rows["mortality_events"]["count"].sum()),
        "harvested": int(rows["harvest_events"]["fish_count"].sum()),
        "living": int(batch["living_fish"].sum()),
    }
