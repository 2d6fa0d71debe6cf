"""Lice per fish ring by ring, kept as the mean over the batch's rings plus each ring's own offset.

All rings share the day's growth and settlement, so between treatments the offsets only scale with
the growth: they are stored once per epoch (a change of rings, a treatment) with a running scale,
which keeps a day of the curve O(1) however many rings the batch holds.
"""

from __future__ import annotations

import numpy as np


class Herd:
    """The lice state of a batch's rings, and the record that gives each ring's level on any day."""

    def __init__(self, days: int) -> None:
        """``days``: how many batch days to record for ``ring_level`` (0: none, the compiler's case)."""
        self.mean = 0.0
        self.scale = 1.0
        self.offsets: dict[str, float] = {}
        self.names: tuple[str, ...] = ()
        self.epochs: list[dict[str, float]] = [{}]
        self.day_scale = [1.0] * days if days else None
        self.day_epoch = [0] * days

    def levels(self) -> dict[str, float]:
        return {r: self.mean + self.scale * self.offsets.get(r, 0.0) for r in self.names}

    def _set(self, levels: dict[str, float]) -> None:
        self.names = tuple(levels)
        self.mean = sum(levels.values()) / len(levels) if levels else 0.0
        self.offsets = {r: v - self.mean for r, v in levels.items()}
        self.scale = 1.0
        self.epochs.append(self.offsets)

    def clear(self) -> None:
        """No lice (out of the sea)."""
        if self.names or self.mean:
            self._set({})

    def regroup(self, names: tuple[str, ...]) -> None:
        """The batch's rings change: rings kept keep their lice, new rings start at the mean (a split)."""
        old, mean = self.levels(), self.mean
        self._set({r: old.get(r, mean) for r in names})

    def grow(self, factor: float, settle: float, day: int) -> float:
        """One day of growth and settlement; records the day and returns the mean before any treatment."""
        self.mean = self.mean * factor + settle
        self.scale *= factor
        if self.day_scale is not None:
            self.day_scale[day] = self.scale
            self.day_epoch[day] = len(self.epochs) - 1
        return self.mean

    def treat(self, names: list[str], cut: float) -> None:
        """Cut the lice of ``names`` by ``cut``; the mean falls by their share."""
        if names:
            levels = self.levels()
            for r in names:
                levels[r] *= 1.0 - cut
            self._set(levels)

    def ring_level(self, ring: str, mean: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The ring's level on ``days`` (batch days, before that day's treatment): ``mean`` plus its offset."""
        offsets = np.array([self.epochs[self.day_epoch[d]].get(ring, 0.0) for d in days.tolist()])
        return mean[days] + np.array(self.day_scale)[days] * offsets
