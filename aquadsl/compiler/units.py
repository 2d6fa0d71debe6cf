"""Unit conversion for quantities: weights to grams or kilograms, fractions and percentages."""

from __future__ import annotations

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics

_TO_GRAMS = {None: 1.0, "g": 1.0, "kg": 1000.0, "t": 1_000_000.0}
_TO_KG = {None: 1.0, "g": 0.001, "kg": 1.0, "t": 1000.0}


def grams(q: ir.Quantity, what: str, diags: Diagnostics) -> float | None:
    """A weight in grams (no unit means grams)."""
    return _convert(q, _TO_GRAMS, what, "g, kg or t", diags)


def kilograms(q: ir.Quantity, what: str, diags: Diagnostics) -> float | None:
    """A weight in kilograms (no unit means kilograms)."""
    return _convert(q, _TO_KG, what, "g, kg or t", diags)


def cubic_metres(q: ir.Quantity, what: str, diags: Diagnostics) -> float | None:
    return _convert(q, {None: 1.0, "m3": 1.0}, what, "m3", diags)


def fraction(q: ir.Quantity, what: str, diags: Diagnostics) -> float | None:
    """A rate as a fraction: ``0.15 %`` is 0.0015; a bare number is already a fraction."""
    return _convert(q, {None: 1.0, "%": 0.01}, what, "% or none", diags)


def percent(q: ir.Quantity, what: str, diags: Diagnostics) -> float | None:
    """A rate in percent: ``1.5 %`` and ``1.5`` are both 1.5 %."""
    return _convert(q, {None: 1.0, "%": 1.0}, what, "%", diags)


def _convert(q: ir.Quantity, table: dict, what: str, allowed: str, diags: Diagnostics) -> float | None:
    if q.unit not in table:
        diags.error("AQS302", f"{what} cannot be in '{q.unit}'; use {allowed}", q.span)
        return None
    return q.value * table[q.unit]
