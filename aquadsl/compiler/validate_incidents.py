"""Incidents of a stage and the responses that change a batch's course (early harvest, cull)."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.compiler.units import fraction, grams
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import IncidentPlan
from aquadsl.sim.lice import DELOUSING

ABOVE_G = (10.0, 50_000.0)   # an early-harvest weight between 10 g and 50 kg


def check_incidents(stage: ir.Stage, diags: Diagnostics) -> tuple[IncidentPlan, ...]:
    """Each incident of ``stage`` as a plan; a name given twice in one stage is AQS311."""
    seen: dict[str, ir.Incident] = {}
    out = []
    for x in stage.incidents:
        if x.name in seen:
            diags.error("AQS311", f"incident '{x.name}' is given more than once in stage '{stage.name}'", x.span,
                        notes=[Note(message="first given here", span=seen[x.name].span)])
            continue
        seen[x.name] = x
        plan = _incident(x, diags)
        if plan is not None:
            out.append(plan)
    return tuple(out)


def _incident(x: ir.Incident, diags: Diagnostics) -> IncidentPlan | None:
    mortality = fraction(x.mortality, "incident mortality", diags)
    appetite = fraction(x.appetite, "appetite", diags) if x.appetite is not None else 1.0
    lo, hi = x.months
    if x.name == DELOUSING:
        diags.error("AQS302", f"the incident name '{DELOUSING}' is kept for the losses of delousings; "
                    "choose another name", x.span)
        return None
    if not (0 <= x.rate <= 50 and 1 <= lo <= 12 and 1 <= hi <= 12 and 1 <= x.days <= 365):
        diags.error("AQS302", "an incident needs a rate between 0 and 50 per year, months within 1..12 "
                    "(10..3 runs over the new year) and 1 to 365 days", x.span)
        return None
    if mortality is None or appetite is None or not 0 <= mortality < 1 or not 0 <= appetite <= 1:
        diags.error("AQS302", "incident mortality lies in 0..100 % (below 100) and appetite in 0..100 %", x.span)
        return None
    above = None
    if x.response == "early_harvest":
        above = grams(x.above, "early_harvest weight", diags)
        if above is None:
            return None
        if not ABOVE_G[0] <= above <= ABOVE_G[1]:
            diags.error("AQS302", "an early harvest needs a weight between 10 g and 50 kg, like "
                        "'then early_harvest above 3 kg'", x.above.span)
            return None
    return IncidentPlan(name=x.name, per_year=float(x.rate), months=(lo, hi), mortality=mortality,
                        days=x.days, appetite=appetite, response=x.response, above_g=above)


def check_responses(life: ir.Lifecycle, diags: Diagnostics) -> None:
    """Responses empty rings at the harvest stage's capacity: only the last stage, at sea, with one."""
    for k, stage in enumerate(life.stages):
        last = k == len(life.stages) - 1
        keys = {s.key: s for s in stage.settings}
        water = keys.get("water")
        for x in stage.incidents:
            if x.response is None:
                continue
            then = f"'then {x.response}'"
            if not last:
                diags.error("AQS302", f"{then} is for incidents of the last stage, where the batch is harvested; "
                            f"'{stage.name}' is not the last stage", x.span)
            elif water is not None and water.value != "sea":
                diags.error("AQS302", f"{then} empties sea rings; stage '{stage.name}' is in fresh water", x.span)
            elif "harvest_capacity" not in keys:
                diags.error("AQS301", f"{then} empties the rings at the harvest capacity, and stage "
                            f"'{stage.name}' has no harvest_capacity", x.span,
                            hints=["add `harvest_capacity 400 t per day` to the stage"])
                break                  # once per stage
