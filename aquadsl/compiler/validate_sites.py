"""Checks of water temperature by site and stage: sea-area offsets, seeded site offsets, stage profiles."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import ProfilePlan

MAX_OFFSET = 5.0        # °C from the geography's profile, declared
MAX_SITES_SD = 3.0      # °C, sd of the drawn per-area offset


def profile_plan(p: ir.Profile, diags: Diagnostics) -> ProfilePlan | None:
    """A temperature profile, checked (the same rules as a geography's)."""
    from aquadsl.compiler.validate_infra import _profile   # validate_infra imports this module
    return _profile(p, diags)


def stage_temperature(stage: ir.Stage, diags: Diagnostics) -> ProfilePlan | None:
    """The stage's own water temperature (`temperature PROFILE` in the stage), if given once."""
    for extra in stage.temperatures[1:]:
        diags.error("AQS311", f"stage '{stage.name}' gives its own temperature more than once", extra.span,
                    notes=[Note(message="first given here", span=stage.temperatures[0].span)])
    return profile_plan(stage.temperatures[0].profile, diags) if stage.temperatures else None


def sea_offsets(geo: ir.Geography, areas: int, diags: Diagnostics) -> tuple[float, ...]:
    """Each sea area's declared offset (°C) from the geography's sea profile: `temperature sea offset areas
    A..B X`; an area given twice, a range outside the areas or fresh water are errors."""
    out: list[float | None] = [None] * areas
    for t in geo.temperature_offsets:
        lo, hi = t.areas
        if t.water != "sea":
            diags.error("AQS302", "temperature offsets are for sea areas: write `temperature sea offset areas "
                        "A..B X` (fresh-water stages can have their own `temperature` instead)", t.span)
        elif not -MAX_OFFSET <= t.offset <= MAX_OFFSET:
            diags.error("AQS302", f"a temperature offset lies between -{MAX_OFFSET:g} and {MAX_OFFSET:g} °C; "
                        f"got {t.offset:g}", t.span)
        elif not 1 <= lo <= hi <= areas:
            diags.error("AQS302", f"temperature offset areas run low..high within the geography's {areas} sea "
                        "areas", t.span)
        elif any(out[a - 1] is not None for a in range(lo, hi + 1)):
            diags.error("AQS311", f"a sea area of {lo}..{hi} already has a temperature offset", t.span)
        else:
            out[lo - 1:hi] = [float(t.offset)] * (hi - lo + 1)
    return tuple(0.0 if x is None else x for x in out)


def sites_sd(w: ir.Weather, diags: Diagnostics) -> float:
    """The sd (°C) of the per-area offset drawn from the seed (`weather sea ... sites X`)."""
    if not w.sites:
        return 0.0
    if w.water != "sea":
        diags.error("AQS302", "weather `sites` draws an offset per sea area, so it belongs to sea weather", w.span)
    elif not 0 <= w.sites <= MAX_SITES_SD:
        diags.error("AQS302", f"weather sites (the sd of each sea area's offset) lies between 0 and "
                    f"{MAX_SITES_SD:g} °C", w.span)
    else:
        return float(w.sites)
    return 0.0
