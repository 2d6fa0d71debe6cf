"""Sea-area temperature at allocation: the batch as projected in a given sea area, so that allocation can
re-plan the sea phase for the area it tries.

The site is known only once allocation picks it, and growth at sea follows the site's water. So the
batch is first projected in the geography's mean water (expand), and allocation re-projects its sea
stages for each area it tries (one projection per distinct offset, memoized): the area that takes
the batch is one whose own plan fits. Fresh-water stages lie before the sea and do not change.
Per-site stage days would make the stage length depend on the site and the site on the stage
length; they are not offered.
"""

from __future__ import annotations

import dataclasses

from aquadsl.compiler import living
from aquadsl.compiler.checked import Checked
from aquadsl.compiler.expand import BatchSpec
from aquadsl.compiler.sea import SeaPlan, plan_sea
from aquadsl.plan.model import GeographyPlan, Infrastructure
from aquadsl.sim.growth import project
from aquadsl.sim.lice import DELOUSING, course


class SitePlans:
    """The batch's sea plan for each set of sea-area offsets tried (memoized)."""

    def __init__(self, batch: BatchSpec, checked: Checked, geo: GeographyPlan, infra: Infrastructure):
        self.batch, self.checked, self.geo, self.infra = batch, checked, geo, infra
        self._plans: dict[tuple, SeaPlan] = {}

    @property
    def base(self) -> SeaPlan:
        """The plan in the geography's mean water (planned only when asked for)."""
        return self.at({})

    def at(self, offsets: dict[str, float]) -> SeaPlan:
        key = tuple(sorted((k, v) for k, v in offsets.items() if v))
        if key not in self._plans:
            moved = at_site(self.batch, self.checked, self.geo, dict(key)) if key else self.batch
            self._plans[key] = plan_sea(moved, self.checked, self.geo, self.infra, dict(key) or None)
        return self._plans[key]


def at_site(batch: BatchSpec, checked: Checked, geo: GeographyPlan, offsets: dict[str, float]) -> BatchSpec:
    """The batch grown in sea areas ``offsets`` (°C per stage) warmer: trajectory, delousings, weight events.

    Incidents keep their draws (as for a harvest over weeks): they depend on the stage days only."""
    life = checked.lifecycle
    available = living.LIFE_DAYS
    traj = project(life, geo.temperature, batch.start, batch.harvest_target_kg * 1000.0, available,
                   batch.growth_factors, seed=checked.seed, place=batch.geography, targets=batch.stage_targets,
                   offsets=offsets)
    lice = course(life, checked.seed, batch.id, batch.start, traj.stage_index, traj.temperature)
    kept = tuple(i for i in batch.incidents if i.name != DELOUSING)
    return dataclasses.replace(batch, trajectory=traj, incidents=kept + living.delousing_losses(lice),
                               weight_events=living.weight_events(life, batch.start, traj))
