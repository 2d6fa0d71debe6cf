"""Extra row family ``fish_observations``: the individual fish behind every growth sample (on request).

Produced only when a target mapping reads it. The fish are the very draws the growth samples were
computed from (``samples.growth_fish``), so a sample's mean weight is the mean of its observations.
``sample_row`` is the 1-based row number of the growth sample within the batch's growth_samples rows.
"""

from __future__ import annotations

import numpy as np

from aquadsl.plan.model import Plan
from aquadsl.sim.frame import Columns, assigned
from aquadsl.sim.layout import build_layout
from aquadsl.sim.samples import DEFAULT_FISH, event_days, growth_fish

COLUMNS = (("batch_id", "str"), ("assignment_no", "int"), ("container", "str"), ("sample_row", "int"),
           ("fish_no", "int"), ("weight_g", "float"), ("length_cm", "float"))


def fish_observations(plan: Plan, batch_id: str) -> Columns:
    """Every weighed fish of every growth sample of one batch, in growth-sample row order."""
    layout = build_layout(plan, batch_id)
    parts, offset = [], 0
    for stay in layout.stays:
        cadence = stay.params.cadences.get("growth_samples")
        if cadence is None:
            continue
        days, n_fish, weights, lengths = growth_fish(layout, stay, cadence.every, cadence.fish)
        kept = _kept(stay, days)                       # (containers, event days): samples the batch has
        samples = int(kept.sum())
        fish = np.repeat(kept.ravel(), n_fish)
        cols = {k: v[fish] for k, v in assigned(layout.batch.id, stay, len(days) * n_fish).items()}
        cols["sample_row"] = offset + np.repeat(np.arange(1, samples + 1, dtype=np.int64), n_fish)
        cols["fish_no"] = np.tile(np.arange(1, n_fish + 1, dtype=np.int64), samples)
        cols["weight_g"] = np.round(weights, 3).ravel()[fish]
        cols["length_cm"] = np.round(lengths, 2).ravel()[fish]
        parts.append(cols)
        offset += samples
    if not parts:
        return {name: np.empty(0, dtype=object if t == "str" else np.float64 if t == "float" else np.int64)
                for name, t in COLUMNS}
    return {name: np.concatenate([p[name] for p in parts]) for name, _ in COLUMNS}


def fish_observation_count(plan: Plan, batch_id: str) -> int:
    """How many rows ``fish_observations`` gives for a batch: a fixed function of the plan."""
    layout = build_layout(plan, batch_id)
    total = 0
    for stay in layout.stays:
        cadence = stay.params.cadences.get("growth_samples")
        if cadence is not None:
            kept = _kept(stay, event_days(stay.days, cadence.every, stay.stage_day))
            total += int(kept.sum()) * (cadence.fish or DEFAULT_FISH["growth_samples"])
    return total


def _kept(stay, days: np.ndarray) -> np.ndarray:
    """Which (container, event day) samples exist: a ring harvested early has none after its last day,
    exactly as ``simulate.trim`` drops them from growth_samples."""
    return days[None, :] < stay.lived()[:, None]
