"""An active batch whose harvest, cull or early harvest is under way at `until` simulates exactly.

Rings emptied by `until` are closed and have no rows after their last day; the others still hold
fish and stay open; the row counts are the plan's estimates (simulate_batch checks every table) and
the fish are conserved.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from aquadsl.sim.checks import conservation
from aquadsl.sim.simulate import simulate_batch
from tests.untilplans import harvest_under_way, plan_at

CASES = [  # (scenario, until, batch, what is under way); demo's are found in its plan (its figures change)
    ("responses", dt.date(2024, 12, 3), "NOR-01", "harvest"),
    ("responses", dt.date(2024, 11, 27), "NOR-04", "early harvest"),
    ("responses", dt.date(2025, 5, 14), "NOR-05", "early harvest"),
    ("responses", dt.date(2024, 12, 25), "NOR-03", "cull"),
    ("demo", None, None, "harvest"),
    ("demo", None, None, "harvest and delousing"),
]


@pytest.mark.parametrize("name,until,batch_id,what", CASES)
def test_a_batch_emptied_in_part_at_until_simulates_as_estimated(name, until, batch_id, what):
    if until is None:
        until, batch_id = harvest_under_way(name, delousing="delousing" in what)
    plan = plan_at(name, until)
    b = plan.batch(batch_id)
    emptied = b.cull_days or b.harvest_days
    assert b.status == "active" and emptied and b.end == until + dt.timedelta(days=1), what
    rows = simulate_batch(plan, batch_id)                 # raises if any table differs from the estimate
    c = conservation(rows)
    assert c["eggs"] == c["deaths"] + c["harvested"] + c["living"] and c["living"] > 0
    assert (c["harvested"] > 0) == bool(b.harvest_days)
    assert len(rows["harvest_events"]["fish_count"]) == len(b.harvest_days)
    last = b.stages[-1]
    done = {h.container for h in emptied if h.share >= 1.0}
    a = rows["assignments"]
    mine = np.isin(a["container"], last.container_names()) & (a["start_date"] == np.datetime64(last.start, "D"))
    for container, active, population, end in zip(a["container"][mine], a["is_active"][mine],
                                                   a["population_end"][mine], a["end_date"][mine]):
        assert bool(active) == (container not in done), container
        assert (population == 0) == (container in done), container
        assert np.isnat(end) == (container not in done), container
    states = rows["daily_states"]
    for container in done:
        last_day = max(h.date for h in emptied if h.container == container)
        assert not np.any((states["container"] == container) & (states["date"] > np.datetime64(last_day, "D")))
