"""The cached Lark parser; turns Lark errors into diagnostics with human token names."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from aquadsl.diagnostics import Diagnostic, Diagnostics, Span, did_you_mean

MAX_SOURCE_BYTES = 4 * 1024 * 1024
MAX_NESTING = 200
MAX_SYNTAX_ERRORS = 20

_PUNCTUATION = {
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','",
    "COLON": "':'", "EQUALS": "'='", "DOTDOT": "'..'", "PLUS": "'+'", "MINUS": "'-'",
    "DSTAR": "'**'", "STAR": "'*'", "DSLASH": "'//'", "SLASH": "'/'", "PERCENT": "'%'",
}
_CLASSES = {
    "DATE": "a date (YYYY-MM-DD)", "FLOAT": "a number", "INT": "a whole number",
    "NAME": "a name", "STRING": "a quoted string", "FORMAT_SPEC": "a width such as 03",
    "WATER": "'fresh' or 'sea'", "NAME_KIND": "'station', 'area', 'ring' or 'container'",
    "EVENT_EVERY": "'growth_samples', 'lice_counts' or 'health_samples'",
    "EVENT_AT": "'vaccinations' or 'lice_treatments'", "UNIT": "a unit (g, kg, t, m3)",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files("aquadsl").joinpath("grammar.lark").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def lark_parser() -> Lark:
    """The Lark LALR parser that builds trees with positions (for ``fmt`` and syntax errors)."""
    grammar = grammar_text()
    # Lark keys its table cache (a temp file) by grammar and options; it only saves start-up time.
    # A cache that cannot be written is logged by Lark, which we keep quiet.
    logging.getLogger("lark").addHandler(logging.NullHandler())
    logging.getLogger("lark").propagate = False
    return Lark(grammar, parser="lalr", strict=True, propagate_positions=True,
                maybe_placeholders=False, start=["start", "placeholder"], cache=True)


_WORD_TERMINALS = ("WATER", "NAME_KIND", "EVENT_EVERY", "EVENT_AT", "UNIT")


def _words(pattern: str) -> list[str]:
    """The words of a whole-word keyword pattern such as ``(?:fresh|sea)(?![A-Za-z0-9_])``."""
    return re.findall(r"[a-z_0-9]+", pattern.split("(?!")[0])


@functools.lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    """Terminal name -> literal text, for every keyword terminal."""
    return {t.name: _words(t.pattern.value)[0] for t in lark_parser().terminals if t.name.startswith("KW_")}


@functools.lru_cache(maxsize=1)
def keyword_words() -> tuple[str, ...]:
    """Every reserved word of the grammar (keywords, waters, name kinds, event names, units)."""
    words = set(_keywords().values())
    for term in lark_parser().terminals:
        if term.name in _WORD_TERMINALS:
            words.update(_words(term.pattern.value))
    return tuple(sorted(words))


def human_name(terminal: str) -> str:
    """A terminal's name as a user would say it (never ``__ANON_0``)."""
    if terminal in _keywords():
        return f"'{_keywords()[terminal]}'"
    return _PUNCTUATION.get(terminal) or _CLASSES.get(terminal) or terminal.lower()


def _end_span(path: str, text: str) -> Span:
    lines = text.split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    line, col = len(lines), len(lines[-1]) + 1
    return Span(path=path, line=line, col=col, end_line=line, end_col=col + 1)


def _describe_expected(expected: set[str]) -> str:
    names = sorted({human_name(t) for t in expected})
    if len(names) > 8:
        return "one of " + ", ".join(names[:8]) + ", ..."
    if len(names) == 1:
        return names[0]
    return "one of " + ", ".join(names)


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    text = str(token)
    return f"'{text[:40]}'" if text else human_name(token.type)


@dataclass
class ParseResult:
    tree: Tree | None
    diagnostics: Diagnostics
    comments: list[Token] = field(default_factory=list)


def _span(path: str, token: Token) -> Span:
    line = token.line or 1
    col = token.column or 1
    end_col = token.end_column if token.end_line == line and token.end_column else col + 1
    return Span(path=path, line=line, col=col, end_line=line, end_col=max(end_col, col + 1))


def _unexpected_token(path: str, text: str, err: UnexpectedToken) -> Diagnostic:
    tok = err.token
    expected = set(err.accepts or err.expected or ())
    hints: tuple[str, ...] = ()
    if tok.type in ("NAME",) or tok.type.startswith("KW_"):
        words = [_keywords()[t] for t in expected if t in _keywords()]
        hints = did_you_mean(str(tok), words)
    span = _span(path, tok) if tok.type != "$END" else _end_span(path, text)
    return Diagnostic(code="AQS102", span=span, hints=hints,
                      message=f"unexpected {_token_text(tok)}; expected {_describe_expected(expected)}")


def _unexpected_chars(path: str, text: str, err: UnexpectedCharacters) -> Diagnostic:
    lines = text.split("\n")
    line = lines[err.line - 1] if 0 < err.line <= len(lines) else ""
    ch = line[err.column - 1] if 0 < err.column <= len(line) else ""
    if ch == '"':
        message = "unterminated string (strings end on the same line with '\"')"
    else:
        message = f"unexpected character {ch!r}"
    span = Span(path=path, line=err.line, col=err.column, end_line=err.line, end_col=err.column + 1)
    return Diagnostic(code="AQS101", message=message, span=span)


def decode_source(path: str, data: bytes) -> tuple[str | None, Diagnostics]:
    """Bytes -> text, or a diagnostic for oversized, binary or non-UTF-8 input."""
    diags = Diagnostics()
    start = Span(path=path, line=1, col=1, end_line=1, end_col=2)
    if len(data) > MAX_SOURCE_BYTES:
        diags.error("AQS100", f"file is larger than the limit of {MAX_SOURCE_BYTES:,} bytes", start,
                    hints=["split the scenario with 'import'"])
        return None, diags
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error("AQS100", "file is not UTF-8 text", Span(path=path, line=line, col=col,
                                                           end_line=line, end_col=col + 1))
        return None, diags
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        diags.error("AQS100", "file contains a NUL byte; is it binary?",
                    Span(path=path, line=line, col=col, end_line=line, end_col=col + 1))
        return None, diags
    return text.lstrip("\ufeff"), diags


def parse_text(path: str, text: str) -> ParseResult:
    """Parse a whole file. On a syntax error, reparse each top-level block on its own so that
    one run reports the first error of every broken block instead of a cascade."""
    diags = Diagnostics()
    comments = _scan_comments(text)
    try:
        tree = lark_parser().parse(text, start="start")
    except UnexpectedInput:
        for first_line, chunk in _top_level_chunks(text):
            _chunk_errors(path, chunk, first_line, diags)
            if len(diags) >= MAX_SYNTAX_ERRORS:
                break
        if not diags:  # the blocks parse alone but not together; report the whole-file error
            try:
                lark_parser().parse(text, start="start")
            except UnexpectedInput as err:
                diags.append(_to_diagnostic(path, text, err))
        return ParseResult(None, diags, comments)
    too_deep = _too_deep(tree)
    if too_deep is not None:
        diags.error("AQS103", f"expression nested more than {MAX_NESTING} levels deep "
                        "(operators and parentheses both count)", _span(path, too_deep))
        return ParseResult(None, diags, comments)
    return ParseResult(tree, diags, comments)


def _chunk_errors(path: str, chunk: str, first_line: int, diags: Diagnostics) -> None:
    """Every syntax error of one top-level block: after each, blank the offending line (if it opens
    or closes no block) and parse again, so one run reports the errors of several statements."""
    lines = chunk.split("\n")
    while len(diags) < MAX_SYNTAX_ERRORS:
        try:
            lark_parser().parse("\n".join(lines), start="start")
            return
        except UnexpectedInput as err:
            diags.append(_shift(_to_diagnostic(path, "\n".join(lines), err), first_line - 1))
            index = (getattr(err, "line", 0) or 0) - 1
            if not 0 <= index < len(lines) or any(b in _COMMENT_OR_STRING.sub("", lines[index]) for b in "{}"):
                return
            lines[index] = " " * len(lines[index])


def _shift(d: Diagnostic, lines: int) -> Diagnostic:
    """Move a diagnostic found in a chunk to its place in the whole file."""
    if d.span is None or lines == 0:
        return d
    span = d.span.model_copy(update={"line": d.span.line + lines, "end_line": d.span.end_line + lines})
    return d.model_copy(update={"span": span})


def _top_level_chunks(text: str) -> list[tuple[int, str]]:
    """Split source into runs of whole lines that each close every brace they open."""
    chunks: list[tuple[int, str]] = []
    depth, start, lines = 0, 0, text.split("\n")
    for i, line in enumerate(lines):
        if depth == 0 and i > start and line.strip() and not line[0].isspace() and line[0] not in "#}":
            chunks.append((start + 1, "\n".join(lines[start:i])))
            start = i
        stripped = _COMMENT_OR_STRING.sub("", line)
        depth = max(0, depth + stripped.count("{") - stripped.count("}"))
    chunks.append((start + 1, "\n".join(lines[start:])))
    return chunks


_COMMENT_OR_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*')


def _scan_comments(text: str) -> list[Token]:
    """Every ``# comment`` outside strings, as tokens with positions (for ``fmt``)."""
    out = []
    line, line_start = 1, 0
    pos = 0
    for m in _COMMENT_OR_STRING.finditer(text):
        if m.group().startswith("#"):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            line_start = text.rfind("\n", 0, m.start()) + 1
            out.append(Token("COMMENT", m.group(), start_pos=m.start(), line=line,
                             column=m.start() - line_start + 1))
    return out


def _to_diagnostic(path: str, text: str, err: UnexpectedInput) -> Diagnostic:
    if isinstance(err, UnexpectedToken):
        return _unexpected_token(path, text, err)
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_chars(path, text, err)
    if isinstance(err, UnexpectedEOF):
        return Diagnostic(code="AQS102", message="unexpected end of file; a '}' may be missing",
                          span=_end_span(path, text))
    return Diagnostic(code="AQS102", message=str(err).splitlines()[0])


def _too_deep(tree: Tree) -> Token | None:
    """The first token of an expression nested deeper than MAX_NESTING, found without recursion."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return _first_token(node)
        for child in node.children:
            if isinstance(child, Tree):
                nested = child.data in ("binop", "neg", "pos", "paren", "call")
                stack.append((child, depth + 1 if nested else depth))
    return None


def _first_token(node: Tree) -> Token:
    while isinstance(node, Tree):
        node = node.children[0]
    return node


def parse_placeholder(text: str) -> Tree:
    """Parse the inside of ``{...}`` in a name pattern; raises UnexpectedInput."""
    return lark_parser().parse(text, start="placeholder")
