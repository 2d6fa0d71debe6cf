"""Name patterns such as "{prefix}-{geo_index+1:03}": literal text and placeholders parsed by the grammar."""

from __future__ import annotations

from lark import Token
from lark.exceptions import UnexpectedInput

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Span
from aquadsl.parser import parse_placeholder
from aquadsl.tokens import new_node, token_span, unquote


def parse_pattern(tok: Token, path: str, diags: Diagnostics, transform) -> ir.Pattern:
    """Split ``"a-{expr:03}"`` into text and placeholders; each placeholder is parsed by the grammar."""
    text, span = unquote(tok), token_span(path, tok)
    parts: list = []
    i, buf = 0, []
    while i < len(text):
        ch = text[i]
        if ch in "{}" and text[i:i + 2] in ("{{", "}}"):
            buf.append(ch)
            i += 2
            continue
        if ch == "}":
            _pattern_error("unmatched '}' in pattern (write '}}' for a literal brace)", span, i, diags)
            return new_node(ir.Pattern, span=span, source=text, parts=())
        if ch != "{":
            buf.append(ch)
            i += 1
            continue
        close = text.find("}", i)
        if close < 0:
            _pattern_error("unclosed '{' in pattern", span, i, diags)
            return new_node(ir.Pattern, span=span, source=text, parts=())
        if buf:
            parts.append(new_node(ir.Literal_, span=span, text="".join(buf)))
            buf = []
        part = _placeholder(text[i + 1:close], span, i + 1, diags, transform)
        if part is None:
            return new_node(ir.Pattern, span=span, source=text, parts=())
        parts.append(part)
        i = close + 1
    if buf:
        parts.append(new_node(ir.Literal_, span=span, text="".join(buf)))
    return new_node(ir.Pattern, span=span, source=text, parts=tuple(parts))

def _placeholder(inner: str, span: Span, offset: int, diags: Diagnostics, transform) -> ir.Placeholder | None:
    # offset counts characters after the opening quote; +1 for the quote itself.
    base_col = span.col + 1 + offset
    try:
        tree = parse_placeholder(inner)
    except UnexpectedInput as err:
        col = base_col + max(0, (getattr(err, "column", 1) or 1) - 1)
        what = ""
        tok = getattr(err, "token", None)
        if tok is not None:
            what = "end of placeholder" if tok.type == "$END" else f"'{tok}'"
        elif getattr(err, "char", None):
            what = repr(err.char)
        diags.error("AQS106", f"bad placeholder {{{inner}}}: unexpected {what or 'input'}",
                               span.shifted(span.line, col, 1))
        return None
    expr, spec = transform(tree)
    expr = _relocate(expr, span.line, base_col - 1)
    zero = spec.startswith("0")
    return new_node(ir.Placeholder, span=span.shifted(span.line, base_col, len(inner)), expr=expr,
                          width=int(spec) if spec else 0, zero_pad=zero)

def _pattern_error(message: str, span: Span, offset: int, diags: Diagnostics) -> None:
    diags.error("AQS106", message, span.shifted(span.line, span.col + 1 + offset, 1))


def _relocate(expr, line: int, col_offset: int):
    """Move spans of an expression parsed from a pattern to their place in the file."""
    def fix(s: Span) -> Span:
        return new_node(Span, path=s.path, line=line, col=s.col + col_offset, end_line=line, end_col=s.end_col + col_offset)

    update = {"span": fix(expr.span)}
    for name in ("left", "right", "operand"):
        if hasattr(expr, name):
            update[name] = _relocate(getattr(expr, name), line, col_offset)
    if isinstance(expr, ir.Call):
        update["args"] = tuple(_relocate(a, line, col_offset) for a in expr.args)
        update["func_span"] = fix(expr.func_span)
    return expr.model_copy(update=update)
