"""How many containers a batch needs: its expected biomass and fish count against a kind's limits.

The compiler plans to ``FILL`` of each limit, so Poisson deaths and the container spread stay below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aquadsl.plan.model import ContainerKindPlan

FILL = 0.95          # plan to 95 % of a container's limit


@dataclass(frozen=True)
class Limit:
    """One container kind's limits as planned: kg and (if declared) fish, each at ``FILL``."""

    kg: float
    fish: float | None = None

    @classmethod
    def of(cls, kind: ContainerKindPlan) -> Limit:
        return cls(kind.capacity_kg * FILL, kind.max_fish * FILL if kind.max_fish else None)

    def count(self, kg: float, fish: float) -> int:
        """Containers needed to hold ``kg`` of ``fish`` fish (at least one)."""
        by_fish = math.ceil(fish / self.fish) if self.fish else 1
        return max(1, math.ceil(kg / self.kg), by_fish)

    def needs(self, kg: np.ndarray, fish: np.ndarray) -> np.ndarray:
        """``count`` of every day, at once."""
        out = np.maximum(1.0, np.ceil(kg / self.kg))
        return np.maximum(out, np.ceil(fish / self.fish)) if self.fish else out

    def by_fish(self, kg: float, fish: float) -> bool:
        """Whether the fish count, not the biomass, sets the container count."""
        return bool(self.fish) and math.ceil(fish / self.fish) > math.ceil(kg / self.kg)

    def why(self, kg: float, fish: float, count: int, unit: str) -> str:
        """'its expected biomass (up to 13,990 t) needs 30 rings of 500 t', or the same for fish."""
        if self.by_fish(kg, fish):
            return (f"its expected fish count (up to {fish:,.0f}) needs {count} {unit} of at most "
                    f"{round(self.fish / FILL):,} fish")
        return f"its expected biomass (up to {kg / 1000:,.0f} t) needs {count} {unit} of {self.kg / FILL / 1000:g} t"
