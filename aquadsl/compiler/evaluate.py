"""Evaluate formula expressions safely: exact integers, bounded sizes, errors as diagnostics."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Span, did_you_mean

Value = int | float | str

FUNCTIONS = {"min": (2, None), "max": (2, None), "clamp": (3, 3), "abs": (1, 1)}
COMPARISONS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
               "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
LIMIT = 10 ** 18


class EvalError(Exception):
    """An expression that cannot be evaluated for some input (division by zero, overflow, text)."""

    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message, self.span = message, span


TEXT_VARIABLES = ("prefix", "code", "geography")


def check_names(expr: ir.Expr, known: Iterable[str], diags: Diagnostics) -> None:
    """Report unknown variables and functions, and wrong argument counts, without evaluating."""
    known = set(known)
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Var) and node.name in TEXT_VARIABLES and node.name not in known:
            diags.error("AQS201", f"'{node.name}' is text; it can be used in the id pattern, not in a formula",
                        node.span)
        elif isinstance(node, ir.Var) and node.name not in known:
            diags.error("AQS201", f"unknown variable '{node.name}'", node.span,
                        hints=did_you_mean(node.name, known))
        elif isinstance(node, ir.Call):
            _check_call(node, diags)
            stack.extend(node.args)
        elif isinstance(node, ir.BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, ir.Neg):
            stack.append(node.operand)
        elif isinstance(node, ir.IfElse):
            stack.extend((node.cond, node.then, node.other))
        elif isinstance(node, ir.PerGeography):
            _check_per_geography(node, diags)
            stack.extend(node.values)


def _check_per_geography(node: ir.PerGeography, diags: Diagnostics) -> None:
    seen: set[str] = set()
    for name, span in zip(node.names, node.name_spans):
        if name in seen:
            diags.error("AQS202", f"geography '{name}' is given twice in per_geography", span)
        seen.add(name)


def _check_call(node: ir.Call, diags: Diagnostics) -> None:
    if node.func not in FUNCTIONS:
        diags.error("AQS203", f"unknown function '{node.func}'", node.func_span,
                    hints=did_you_mean(node.func, FUNCTIONS) or ("functions are min, max, clamp and abs",))
        return
    low, high = FUNCTIONS[node.func]
    if len(node.args) < low or (high is not None and len(node.args) > high):
        wanted = f"{low}" if low == high else f"at least {low}"
        diags.error("AQS203", f"{node.func}() takes {wanted} arguments, got {len(node.args)}", node.span,
                    hints=("clamp(x, low, high)",) if node.func == "clamp" else ())


def evaluate(expr: ir.Expr, env: Mapping[str, Value]) -> Value:
    """The value of ``expr`` with variables from ``env``; raises EvalError."""
    if isinstance(expr, ir.Num):
        return expr.value
    if isinstance(expr, ir.Var):
        return env[expr.name]
    if isinstance(expr, ir.Neg):
        return _bounded(-_number(evaluate(expr.operand, env), expr.operand.span), expr.span)
    if isinstance(expr, ir.IfElse):
        cond = _number(evaluate(expr.cond, env), expr.cond.span)
        return evaluate(expr.then if cond else expr.other, env)
    if isinstance(expr, ir.PerGeography):
        return _per_geography(expr, env)
    if isinstance(expr, ir.Call):
        args = [_number(evaluate(a, env), a.span) for a in expr.args]
        if expr.func == "abs":
            return abs(args[0])
        if expr.func == "clamp":
            if args[1] > args[2]:
                raise EvalError(f"clamp() low {args[1]} is above high {args[2]}", expr.span)
            return min(max(args[0], args[1]), args[2])
        return min(args) if expr.func == "min" else max(args)
    left = _number(evaluate(expr.left, env), expr.left.span)
    right = _number(evaluate(expr.right, env), expr.right.span)
    return _bounded(_apply(expr.op, left, right, expr.span), expr.span)


def _per_geography(expr: ir.PerGeography, env: Mapping[str, Value]) -> Value:
    geo = env.get("geography")
    for name, value in zip(expr.names, expr.values):
        if name == geo:
            return evaluate(value, env)
    raise EvalError(f"per_geography has no value for geography '{geo}' (it lists {', '.join(expr.names)})",
                    expr.span)


def _apply(op: str, a: int | float, b: int | float, span: Span) -> int | float:
    if op in COMPARISONS:
        return int(COMPARISONS[op](a, b))
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in ("/", "//", "%") and b == 0:
        raise EvalError("division by zero", span)
    if op == "/":
        return a / b if not (isinstance(a, int) and isinstance(b, int) and a % b == 0) else a // b
    if op == "//":
        return a // b
    if op == "%":
        return a % b
    return _power(a, b, span)


def _power(a: int | float, b: int | float, span: Span) -> int | float:
    if a == 0 and b < 0:
        raise EvalError("zero raised to a negative power", span)
    if abs(a) > 1 and abs(b) * math.log2(abs(a)) > 64:
        raise EvalError("number too large (results must stay below 10**18)", span)
    try:
        result = a ** b
    except OverflowError:
        raise EvalError("number too large (results must stay below 10**18)", span) from None
    if isinstance(result, complex):
        raise EvalError("a negative number raised to a fractional power", span)
    return result


def _bounded(value: int | float, span: Span) -> int | float:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise EvalError("the result is not a finite number", span)
    if abs(value) >= LIMIT:
        raise EvalError("number too large (results must stay below 10**18)", span)
    return value


def _number(value: Value, span: Span) -> int | float:
    if isinstance(value, str):
        raise EvalError(f"'{value}' is text, not a number", span)
    return value


def render_pattern(pattern: ir.Pattern, env: Mapping[str, Value]) -> str:
    """Fill a name pattern; numbers get the placeholder's width (zero padded with ``:03``)."""
    out = []
    for part in pattern.parts:
        if isinstance(part, ir.Literal_):
            out.append(part.text)
            continue
        value = evaluate(part.expr, env)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if part.width:
            if isinstance(value, str) or not part.zero_pad:
                text = text.rjust(part.width)
            else:
                text = f"{value:0{part.width}d}" if isinstance(value, int) else text.zfill(part.width)
        out.append(text)
    return "".join(out)


def pattern_vars(pattern: ir.Pattern) -> list[ir.Expr]:
    return [p.expr for p in pattern.parts if isinstance(p, ir.Placeholder)]


def unparse(expr: ir.Expr) -> str:
    """A normalised text form of an expression (for the plan), fully parenthesised where needed."""
    prec = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "%": 2, "**": 4, **dict.fromkeys(COMPARISONS, 0.5)}

    def go(e: ir.Expr, parent: int) -> str:
        if isinstance(e, ir.Num):
            return repr(e.value) if isinstance(e.value, float) else str(e.value)
        if isinstance(e, ir.Var):
            return e.name
        if isinstance(e, ir.Call):
            return f"{e.func}(" + ", ".join(go(a, 0) for a in e.args) + ")"
        if isinstance(e, ir.IfElse):
            text = f"if {go(e.cond, 0)} then {go(e.then, 0)} else {go(e.other, 0)}"
            return f"({text})" if parent > 0 else text
        if isinstance(e, ir.PerGeography):
            return "per_geography(" + ", ".join(f"{n} {go(v, 0)}" for n, v in zip(e.names, e.values)) + ")"
        if isinstance(e, ir.Neg):
            text = "-" + go(e.operand, 3)
            return f"({text})" if parent > 3 else text
        p = prec[e.op]
        right_p = p if e.op == "**" else p + 1
        text = f"{go(e.left, p + 1 if e.op == '**' else p)} {e.op} {go(e.right, right_p)}"
        return f"({text})" if p < parent else text

    return go(expr, 0)
