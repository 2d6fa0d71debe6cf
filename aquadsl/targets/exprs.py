"""Static facts about mapping expressions: their type, the values and lengths they can take, what they read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aquadsl.targets import ir
from aquadsl.targets.families import BOUNDS, ENTITY, INFRA, VOCABULARIES, family_columns

_TYPES = {"str": "text", "int": "int", "float": "float", "date": "date", "datetime": "datetime"}
FUNCTIONS = {"round": (1, 2), "round_even": (1, 2), "int": (1, 1), "text": (1, 1), "abs": (1, 1), "coalesce": (2, 8), "least": (2, 8), "greatest": (2, 8)}


@dataclass(frozen=True)
class Facts:
    """What an expression yields: ``kind`` (text, int, float, date, datetime, bool, null, id, any),
    the values it can take when known, and the largest magnitude of a number when known."""

    kind: str
    values: tuple | None = None
    bound: float | None = None


def column_type(family: str, path: tuple[str, ...], extra: dict[str, str]) -> str | None:
    """The type of ``path`` in ``family`` ("str", "int", ...), or None if it does not exist."""
    if len(path) == 1:
        if path[0] in extra:
            return extra[path[0]]
        return (family_columns(family) or {}).get(path[0])
    if len(path) == 2 and path[0] in (family_columns(family) or {}) and path[0] in ENTITY:
        return dict(INFRA[ENTITY[path[0]]]).get(path[1])
    return None


def facts(expr, family: str, extra: dict[str, str], extra_values: dict[str, tuple]) -> Facts:
    kind = expr.kind
    if kind == "lit":
        return _literal(expr.value)
    if kind == "column":
        t = column_type(family, expr.path, extra)
        name = expr.path[0]
        values = extra_values.get(name) if len(expr.path) == 1 else None
        if values is None and len(expr.path) == 1:
            values = VOCABULARIES.get((family, name))
        return Facts(_TYPES.get(t or "", "any"), values, BOUNDS.get(expr.path[-1]))
    if kind == "load_time":
        return Facts("datetime")
    if kind in ("lookup", "ref"):
        return Facts("id")
    if kind == "value_map":
        return Facts(_common([_literal(e.value).kind for e in expr.entries]),
                     tuple(e.value for e in expr.entries))
    if kind == "neg":
        inner = facts(expr.operand, family, extra, extra_values)
        return Facts(inner.kind, None, inner.bound)
    if kind == "binop":
        return _binop(expr, family, extra, extra_values)
    if kind == "call":
        return _call(expr, family, extra, extra_values)
    return Facts("any")


def _literal(value) -> Facts:
    if value is None:
        return Facts("null", (None,))
    if isinstance(value, bool):
        return Facts("bool", (value,))
    if isinstance(value, int):
        return Facts("int", (value,), abs(value))
    if isinstance(value, float):
        return Facts("float", (value,), abs(value))
    if isinstance(value, dt.datetime):
        return Facts("datetime", (value,))
    if isinstance(value, dt.date):
        return Facts("date", (value,))
    return Facts("text", (value,))


def _common(kinds: list[str]) -> str:
    real = {k for k in kinds if k != "null"}
    if real <= {"int"} and real:
        return "int"
    if real <= {"int", "float"} and real:
        return "float"
    return real.pop() if len(real) == 1 else ("null" if not real else "any")


def _binop(expr, family, extra, extra_values) -> Facts:
    left = facts(expr.left, family, extra, extra_values)
    right = facts(expr.right, family, extra, extra_values)
    kind = "int" if left.kind == right.kind == "int" and expr.op != "/" else "float"
    if left.kind not in ("int", "float", "any") or right.kind not in ("int", "float", "any"):
        kind = "any"
    bound = None
    if left.bound is not None and right.bound is not None:
        if expr.op in "+-":
            bound = left.bound + right.bound
        elif expr.op == "*":
            bound = left.bound * right.bound
        elif expr.op == "/" and right.values and right.values[0]:
            bound = left.bound / abs(right.values[0])
    return Facts(kind, None, bound)


def _call(expr, family, extra, extra_values) -> Facts:
    args = [facts(a, family, extra, extra_values) for a in expr.args]
    if expr.name in ("round", "round_even"):
        return Facts("decimal" if len(args) == 1 else "float", None, args[0].bound if args else None)
    if expr.name == "int":
        return Facts("int", None, args[0].bound if args else None)
    if expr.name == "text":
        return Facts("text")
    if expr.name == "abs":
        return args[0] if args else Facts("any")
    if expr.name in ("least", "greatest"):
        bounds = [a.bound for a in args]
        return Facts(_common([a.kind for a in args]), None, None if None in bounds else max(bounds))
    if expr.name == "coalesce":
        return Facts(_common([a.kind for a in args]))
    return Facts("any")


def walk(expr):
    """Every node of an expression tree, outermost first."""
    yield expr
    for child in _children(expr):
        yield from walk(child)


def _children(expr) -> list:
    if expr.kind == "call":
        return list(expr.args)
    if expr.kind == "lookup":
        return [k.value for k in expr.keys]
    if expr.kind == "binop":
        return [expr.left, expr.right]
    if expr.kind == "neg":
        return [expr.operand]
    if expr.kind == "value_map":
        return [expr.source]
    return []


def unpivot_extra(m: ir.ModelMap) -> tuple[dict[str, str], dict[str, tuple]]:
    """The names an ``unpivot`` adds to a map body: its key (text) and value (the source columns' type)."""
    if m.unpivot is None:
        return {}, {}
    cols = family_columns(m.family) or {}
    types = {cols.get(i.key) for i in m.unpivot.items}
    value_type = types.pop() if len(types) == 1 and None not in types else "any"
    key_type = "str" if all(isinstance(i.value, str) for i in m.unpivot.items) else "int"
    return ({m.unpivot.key_name: key_type, m.unpivot.value_name: value_type},
            {m.unpivot.key_name: tuple(i.value for i in m.unpivot.items)})
