"""Sea-area temperature offsets: each area's own (declared plus drawn from the seed), and which one applies
to which stage of a batch (from its windows)."""

from __future__ import annotations

import numpy as np

from aquadsl.plan.model import GeographyPlan
from aquadsl.sim import rng

CLIP = 2.0      # drawn offsets lie within ±2 standard deviations


def with_site_offsets(geo: GeographyPlan, declared: tuple[float, ...], sd: float, seed: int) -> GeographyPlan:
    """The geography with each sea area's temperature offset: declared, plus N(0, sd) drawn per area name."""
    if not geo.sea_areas or (not any(declared) and sd <= 0):
        return geo
    names = [a.name for a in geo.sea_areas]
    drawn = np.zeros(len(names))
    if sd > 0:
        base = rng.stream(rng.family_key(seed, f"sites:{geo.name}", "sea"), names)
        drawn = sd * np.clip(rng.normal(rng.keys(base, 0)), -CLIP, CLIP)
    declared = tuple(declared) + (0.0,) * (len(names) - len(declared))
    areas = tuple(a.model_copy(update={"temperature_offset": round(float(d + x), 3) + 0.0})
                  for a, d, x in zip(geo.sea_areas, declared, drawn))
    return geo.model_copy(update={"sea_areas": areas})


def stage_offsets(geo: GeographyPlan, windows) -> dict[str, float]:
    """°C per stage: the temperature offset of the sea area each stage's windows are in (none if 0)."""
    areas = {a.name: a.temperature_offset for a in geo.sea_areas if a.temperature_offset}
    if not areas:
        return {}
    return {w.stage: areas[w.location] for w in windows if w.location in areas}
