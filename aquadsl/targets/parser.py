"""The cached .aqt parser: text -> Lark tree, or diagnostics (AQS600) with human token names."""

from __future__ import annotations

import functools
import logging
import re
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from aquadsl.diagnostics import Diagnostics, Span
from aquadsl.parser import decode_source

SYNTAX = "AQS600"

_PUNCTUATION = {"LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','",
                "COLON": "':'", "DOT": "'.'", "EQUALS": "'='", "PLUS": "'+'", "MINUS": "'-'",
                "STAR": "'*'", "SLASH": "'/'", "COMPARE": "a comparison (== != < <= > >=)"}
_CLASSES = {"NAME": "a name", "STRING": "a quoted string", "INT": "a whole number", "FLOAT": "a number",
            "DATE": "a date (YYYY-MM-DD)", "TIMESTAMP": "a UTC time (YYYY-MM-DDTHH:MM:SSZ)",
            "BOOL": "true or false", "CREATE_MODE": "'upsert' or 'get_or_create'",
            "HISTORY_POLICY": "'none' or 'initial'", "FK_MODE": "'checked' or 'trusted'",
            "INDEX_MODE": "'kept' or 'deferred'", "DECIDE_KIND": "'save', 'clean' or 'signal'",
            "$END": "the end of the file"}


@functools.lru_cache(maxsize=1)
def lark_parser() -> Lark:
    grammar = resources.files("aquadsl.targets").joinpath("mapping.lark").read_text(encoding="utf-8")
    logging.getLogger("lark").addHandler(logging.NullHandler())
    return Lark(grammar, parser="lalr", strict=True, propagate_positions=True, maybe_placeholders=False,
                cache=True)


def human_name(terminal: str) -> str:
    if terminal.startswith("KW_"):
        return "'" + terminal[3:].lower() + "'"
    return _PUNCTUATION.get(terminal) or _CLASSES.get(terminal) or terminal.lower()


def span_of(path: str, token: Token) -> Span:
    line, col = token.line or 1, token.column or 1
    end = token.end_column if token.end_line == line and token.end_column else col + 1
    return Span(path=path, line=line, col=col, end_line=line, end_col=max(end, col + 1))


def _error(path: str, text: str, err: UnexpectedInput) -> tuple[Span, str]:
    line, col = getattr(err, "line", 1) or 1, getattr(err, "column", 1) or 1
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        lines = text.rstrip().split("\n")
        line, col = len(lines), len(lines[-1]) + 1
    span = Span(path=path, line=line, col=col, end_line=line, end_col=col + 1)
    expected = sorted({human_name(t) for t in (getattr(err, "expected", None) or getattr(err, "allowed", ()))})
    want = ("one of " + ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")) if len(expected) > 1 \
        else (expected[0] if expected else "something else")
    if isinstance(err, UnexpectedCharacters):
        got = repr(text[err.pos_in_stream])
    elif isinstance(err, UnexpectedToken) and err.token.type != "$END":
        got = f"'{str(err.token)[:40]}'"
        span = span_of(path, err.token)
    else:
        got = "end of file"
    return span, f"unexpected {got}; expected {want}"


def parse_text(path: str, text: str) -> tuple[Tree | None, Diagnostics]:
    """The tree of ``text``, or one syntax diagnostic at the first error."""
    diags = Diagnostics()
    try:
        return lark_parser().parse(text), diags
    except UnexpectedInput as err:
        span, message = _error(path, text, err)
        diags.error(SYNTAX, message, span)
        return None, diags


def read_source(path: str) -> tuple[str | None, Diagnostics]:
    """The mapping file's text, or a diagnostic saying why it cannot be read."""
    diags = Diagnostics()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        diags.error(SYNTAX, f"cannot read '{path}': {exc.strerror or exc}")
        return None, diags
    return decode_source(path, data)


def comments(text: str) -> list[tuple[int, str]]:
    """(line, text) of every comment, for the formatter (a '#' inside a string is not a comment)."""
    out = []
    for i, line in enumerate(text.split("\n"), 1):
        stripped = re.sub(r'"[^"\\\n]*(\\.[^"\\\n]*)*"', lambda m: " " * len(m.group()), line)
        if "#" in stripped:
            out.append((i, line[stripped.index("#"):].rstrip()))
    return out
