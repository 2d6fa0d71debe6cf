"""Token-level helpers for building IR: spans from tokens, numbers with limits, string unquoting."""

from __future__ import annotations

import functools

from lark import Token

from aquadsl.diagnostics import Span

def new_node(cls, **fields):
    """Build an IR node without re-validating: the grammar already guarantees every field's type.

    This is what pydantic's ``model_construct`` does, minus its per-call default lookups, which
    dominate the time of checking a large file.
    """
    node = cls.__new__(cls)
    values = dict(_defaults(cls))
    values.update(fields)
    object.__setattr__(node, "__dict__", values)
    object.__setattr__(node, "__pydantic_fields_set__", set(fields))
    object.__setattr__(node, "__pydantic_extra__", None)
    object.__setattr__(node, "__pydantic_private__", None)
    return node


@functools.lru_cache(maxsize=None)
def _defaults(cls) -> dict:
    return {name: f.default for name, f in cls.model_fields.items() if not f.is_required()}


def token_span(path: str, tok: Token) -> Span:
    return new_node(Span, path=path, line=tok.line, col=tok.column,
                end_line=tok.end_line or tok.line, end_col=tok.end_column or tok.column + 1)


def position(item) -> tuple[int, int, int, int] | None:
    """(line, col, end_line, end_col) of a token, an IR node, or a positioned number."""
    if isinstance(item, Token):
        return (item.line, item.column, item.end_line or item.line, item.end_column or item.column + 1)
    span = getattr(item, "span", None)
    if isinstance(span, Span):
        return (span.line, span.col, span.end_line, span.end_col)
    return None


def first_position(children):
    for item in children:
        pos = first_position(item) if isinstance(item, (tuple, list)) else position(item)
        if pos is not None:
            return pos
    return None


def last_position(children):
    for item in reversed(children):
        pos = last_position(item) if isinstance(item, (tuple, list)) else position(item)
        if pos is not None:
            return pos
    return None


def unquote(tok: Token) -> str:
    body = str(tok)[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\") if "\\" in body else body


MAX_DIGITS = 30


class NumberTooLarge(Exception):
    """A numeric literal with more digits than any scenario needs."""

    def __init__(self, token: Token):
        self.token = token


def parse_int(tok: Token) -> int:
    digits = str(tok).replace("_", "")
    if len(digits) > MAX_DIGITS:
        raise NumberTooLarge(tok)
    return int(digits)


class Positioned:
    """A number with the span it was written at (``number`` results are consumed by their parents)."""

    __slots__ = ("value", "span")

    def __init__(self, value: int | float, span: Span):
        self.value, self.span = value, span


class NestingTooDeep(Exception):
    def __init__(self, span: Span):
        self.span = span


def parse_float(tok: Token) -> float:
    text = str(tok).replace("_", "")
    value = float(text)
    if len(text) > 60 or value in (float("inf"), float("-inf")) or abs(value) > 1e30:
        raise NumberTooLarge(tok)
    return value


def tokens_of(children, *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]
