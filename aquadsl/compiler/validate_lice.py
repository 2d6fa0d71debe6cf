"""Pass 2b (sea lice): check a stage's lice_growth, lice_limit and delousing statements."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.compiler.units import fraction
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import LiceLimitPlan, LicePlan


def check_lice(stage: ir.Stage, st: dict, diags: Diagnostics) -> LicePlan | None:
    """The stage's lice dynamics, or None when it declares none (errors go to ``diags``)."""
    statements = stage.lice_growth + stage.lice_limits + stage.delousing + stage.lice_pressure
    if not statements and "lice_spread" not in st:
        return None
    for extra in stage.lice_growth[1:] + stage.delousing[1:] + stage.lice_pressure[1:]:
        diags.error("AQS311", f"'{_keyword(extra)}' is given more than once in stage '{stage.name}'", extra.span)
    water = st.get("water")
    first = statements[0] if statements else st["lice_spread"]
    if water is not None and water.value != "sea":
        diags.error("AQS302", f"sea lice live at sea; fresh-water stage '{stage.name}' cannot declare them",
                    first.span)
        return None
    if not stage.lice_growth:
        diags.error("AQS301", f"stage '{stage.name}' declares lice limits, delousing or lice_pressure but no "
                    "'lice_growth'",
                    first.span, hints=["add `lice_growth 2.5 % per day settle 0.004 per day`"])
        return None
    if stage.lice_limits and not stage.delousing:
        diags.error("AQS301", f"stage '{stage.name}' has a 'lice_limit' but no 'delousing' to answer it",
                    stage.lice_limits[0].span, hints=["add `delousing cut 85 % mortality 1 % rest 14 days`"])
    fixed = [a for a in (*stage.at_days, *stage.at_weights) if a.event == "lice_treatments"]
    if fixed and stage.lice_limits:
        diags.error("AQS302", "lice treatments follow either fixed days or weights, or the lice limit, not both",
                    fixed[0].span, notes=[Note(message="the limit is declared here", span=stage.lice_limits[0].span)])
    growth = _growth(stage.lice_growth[0], diags)
    spread = fraction(st["lice_spread"].value, "lice_spread", diags) if "lice_spread" in st else 0.0
    limits = _limits(stage.lice_limits, diags)
    cut, mortality, rest = _delousing(stage.delousing[0], diags) if stage.delousing else (0.0, 0.0, 14)
    per_day = _rings_per_day(stage.delousing[0], diags) if stage.delousing else None
    pressure = _pressure(stage.lice_pressure[0], diags) if stage.lice_pressure else (0.0, 0)
    if growth is None or spread is None or limits is None or cut is None or per_day == 0 or pressure is None:
        return None
    return LicePlan(growth=growth[0], settle=growth[1], spread=spread, limits=limits, cut=cut,
                    mortality=mortality, rest_days=rest, rings_per_day=per_day, pressure=pressure[0],
                    neighbours=pressure[1])


def _keyword(node: ir.Node) -> str:
    return {ir.LiceGrowth: "lice_growth", ir.Delousing: "delousing"}.get(type(node), "lice_pressure")


def _pressure(p: ir.LicePressure, diags: Diagnostics) -> tuple[float, int] | None:
    share = fraction(p.pressure, "lice_pressure", diags)
    if share is None:
        return None
    if not 0 <= share <= 5 or not 1 <= p.neighbours <= 100:
        diags.error("AQS302", "lice_pressure raises settlement 0 to 500 % and counts neighbours 1 to 100 sea areas "
                    "away", p.span, hints=["`lice_pressure 30 % neighbours 2`: the sea areas two either side"])
        return None
    return share, p.neighbours


def _growth(g: ir.LiceGrowth, diags: Diagnostics) -> tuple[float, float] | None:
    rate = fraction(g.growth, "lice growth", diags)
    if rate is None:
        return None
    if not -0.2 <= rate <= 0.2 or not 0 <= g.settle <= 1:
        diags.error("AQS302", "lice grow between -20 and 20 % per day, and settle 0 to 1 adult female per fish "
                    "per day", g.span)
        return None
    return rate, float(g.settle)


def _limits(limits: tuple[ir.LiceLimit, ...], diags: Diagnostics) -> tuple[LiceLimitPlan, ...] | None:
    out, general, ok = [], None, True
    for x in limits:
        if not 0 < x.limit <= 100 or (x.weeks and not 1 <= x.weeks[0] <= x.weeks[1] <= 53):
            diags.error("AQS302", "a lice limit lies above 0 and at most 100 adult females per fish, and its weeks "
                        "run low..high within 1..53", x.span)
            ok = False
        elif x.weeks is None and general is not None:
            diags.error("AQS311", "a lice limit without weeks is given more than once", x.span,
                        notes=[Note(message="first given here", span=general.span)])
            ok = False
        else:
            general = x if x.weeks is None else general
            out.append(LiceLimitPlan(limit=float(x.limit), weeks=x.weeks))
    return tuple(out) if ok else None


def _rings_per_day(d: ir.Delousing, diags: Diagnostics) -> int | None:
    """Rings treated per day (0 when out of range, reported); None: every ring on the day it starts."""
    if d.rings_per_day is not None and not 1 <= d.rings_per_day <= 1000:
        diags.error("AQS302", "a delousing treats 1 to 1000 rings per day", d.span,
                    hints=["a well boat or a tarp crew treats 1-4 rings a day: `3 rings per day`"])
        return 0
    return d.rings_per_day


def _delousing(d: ir.Delousing, diags: Diagnostics) -> tuple[float | None, float, int]:
    cut = fraction(d.cut, "delousing cut", diags)
    mortality = fraction(d.mortality, "delousing mortality", diags)
    if cut is None or mortality is None:
        return None, 0.0, 14
    if not 0 < cut <= 1 or not 0 <= mortality < 0.5 or not 1 <= d.rest <= 365:
        diags.error("AQS302", "a delousing cuts above 0 and up to 100 % of the lice, kills 0 to 50 % (below) of "
                    "the fish, and rests 1 to 365 days", d.span)
        return None, 0.0, 14
    return cut, mortality, d.rest
