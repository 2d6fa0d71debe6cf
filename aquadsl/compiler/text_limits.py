"""Text fields of a scenario fit the farm database's columns and are clean Unicode (AQS302 at the source).

The limits are the column sizes (ids 64; names, labels and feed names 100; the scenario name 200;
codes and prefixes 16; hall letters 8). Without this check, PostgreSQL refused over-long values at
load time while SQLite stored them, so the two backends diverged. NUL characters and lone surrogates
are refused for the same reason. Names made by patterns are checked where they are rendered.
"""

from __future__ import annotations

from pydantic import BaseModel

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics

LIMITS = {"name": 100, "label": 100, "feed_name": 100, "code": 16, "prefix": 16, "letter": 8}
SCENARIO_NAME = 200
ID = 64


def text_problem(text: str, limit: int) -> str | None:
    """Why ``text`` cannot be stored in a column of ``limit`` characters; None if it can."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode)"
    if len(text) > limit:
        return f"is {len(text)} characters long; at most {limit} fit"
    return None


def check_texts(nodes, diags: Diagnostics) -> None:
    """Report every text field of these IR nodes (and the nodes inside them) that does not fit."""
    for node in nodes:
        _walk(node, diags)


def _walk(node, diags: Diagnostics) -> None:
    if isinstance(node, (tuple, list)):
        for item in node:
            _walk(item, diags)
        return
    if not isinstance(node, BaseModel):
        return
    for field in type(node).model_fields:
        value = getattr(node, field)
        limit = SCENARIO_NAME if isinstance(node, ir.Scenario) and field == "name" else LIMITS.get(field)
        if isinstance(value, str) and limit is not None and isinstance(node, ir.Node):
            problem = text_problem(value, limit)
            if problem:
                diags.error("AQS302", f"{field} {value[:40]!r}{'…' if len(value) > 40 else ''} {problem}",
                            node.span)
        elif isinstance(value, (BaseModel, tuple, list)):
            _walk(value, diags)
