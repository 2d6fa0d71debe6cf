"""The canonical layout of .aqs files: re-emit the parse tree's tokens, keeping every comment."""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass

from lark import Token, Tree

from aquadsl.diagnostics import Diagnostics, render_text
from aquadsl.outputs import output_problem, write_atomic
from aquadsl.parser import decode_source, parse_text

INDENT = "  "

# Tokens written without a space before them, and without a space after them.
_GLUE_BEFORE = {"COMMA", "RPAR", "COLON", "DOTDOT"}
_GLUE_AFTER = {"LPAR", "DOTDOT"}
# Rules whose leading sign is attached to its operand.
_SIGNED = {"neg", "pos", "number"}


def _leaves(tree: Tree) -> list[tuple[Token, bool, bool]]:
    """Every token of ``tree`` in order, with (glue_before, glue_after) flags; iterative, so
    deeply nested expressions cannot exhaust the Python stack."""
    out: list[tuple[Token, bool, bool]] = []
    stack: list[tuple[Tree | Token, Tree]] = [(tree, tree)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, Tree):
            stack.extend((child, node) for child in reversed(node.children))
            continue
        first = node is parent.children[0]
        before = node.type in _GLUE_BEFORE or (node.type == "LPAR" and parent.data in ("call", "per_geography"))
        sign = first and parent.data in _SIGNED and node.type in ("MINUS", "PLUS")
        after = node.type in _GLUE_AFTER or sign
        out.append((node, before, after))
    return out


def _join(leaves: list[tuple[Token, bool, bool]]) -> str:
    """Tokens separated by single spaces, except where either side is glued."""
    parts: list[str] = []
    glue_next = True
    for tok, before, after in leaves:
        if not (glue_next or before):
            parts.append(" ")
        parts.append(str(tok))
        glue_next = after
    return "".join(parts)


def _lbrace_index(tree: Tree) -> int | None:
    """Position of the ``{`` among a block's children, or None for a one-line statement."""
    for i, child in enumerate(tree.children):
        if isinstance(child, Token) and child.type == "LBRACE":
            return i
    return None


@dataclass(frozen=True)
class _Element:
    """A statement or an own-line comment inside a body, with its source line range."""

    start: int
    end: int
    pos: int
    node: Tree | int  # a statement, or the index of a comment


class _Formatter:
    """Walks the tree once, appending output lines; trailing comments are attached afterwards."""

    def __init__(self, text: str, tree: Tree, comments: list[Token]):
        self.text = text
        self.tree = tree
        self.comments = sorted(comments, key=lambda c: c.start_pos)
        self.starts = [c.start_pos for c in self.comments]
        self.used: set[int] = set()
        self.lines: list[str] = []
        self.anchor_line: dict[int, int] = {}  # end_pos of a line's last token -> output line

    def run(self) -> str:
        self._body(self.tree.children, 0, len(self.text), 0, top=True)
        self._attach_trailing()
        body = "\n".join(line.rstrip() for line in self.lines)
        return body + "\n" if body else ""

    # ----------------------------------------------------------------- comments
    def _comments_in(self, lo: int, hi: int) -> list[int]:
        """Indices of unused comments starting within [lo, hi)."""
        first, last = bisect.bisect_left(self.starts, lo), bisect.bisect_left(self.starts, hi)
        return [i for i in range(first, last) if i not in self.used]

    def _own_line(self, comment: Token) -> bool:
        line_start = self.text.rfind("\n", 0, comment.start_pos) + 1
        return not self.text[line_start:comment.start_pos].strip()

    def _emit_comments(self, indices: list[int], indent: int) -> None:
        for i in indices:
            self.used.add(i)
            self.lines.append(INDENT * indent + str(self.comments[i]).rstrip())

    def _attach_trailing(self) -> None:
        """A comment after code stays at the end of the line holding that line's last token."""
        last_on_line: dict[int, int] = {}
        for tok in self.tree.scan_values(lambda v: isinstance(v, Token)):
            if tok.end_pos > last_on_line.get(tok.line, -1):
                last_on_line[tok.line] = tok.end_pos
        for i, comment in enumerate(self.comments):
            if i in self.used:
                continue
            target = self.anchor_line.get(last_on_line.get(comment.line, -1))
            if target is None:  # unreachable by construction; never lose a comment regardless
                self.lines.append(str(comment).rstrip())
            else:
                self.lines[target] += "  " + str(comment).rstrip()

    # ------------------------------------------------------------------ layout
    def _line(self, indent: int, leaves: list[tuple[Token, bool, bool]]) -> None:
        self.anchor_line[leaves[-1][0].end_pos] = len(self.lines)
        self.lines.append(INDENT * indent + _join(leaves))

    def _elements(self, children: list, lo: int, hi: int) -> list[_Element]:
        """The statements of a body and its own-line comments that lie between them."""
        elements = [_Element(c.meta.line, c.meta.end_line, c.meta.start_pos, c) for c in children]
        bounds = [lo] + [p for c in children for p in (c.meta.start_pos, c.meta.end_pos)] + [hi]
        for a, b in zip(bounds[::2], bounds[1::2]):
            for i in self._comments_in(a, b):
                comment = self.comments[i]
                if self._own_line(comment):
                    elements.append(_Element(comment.line, comment.line, comment.start_pos, i))
        return sorted(elements, key=lambda e: e.pos)

    def _body(self, children: list, lo: int, hi: int, indent: int, top: bool = False) -> None:
        elements = self._elements(children, lo, hi)
        blanks = _blank_lines(elements, top)
        for element, blank in zip(elements, blanks):
            if blank:
                self.lines.append("")
            if isinstance(element.node, int):
                self._emit_comments([element.node], indent)
            else:
                self._statement(element.node, indent)

    def _statement(self, tree: Tree, indent: int) -> None:
        brace = _lbrace_index(tree)
        if brace is None:
            self._emit_comments(self._comments_in(tree.meta.start_pos, tree.meta.end_pos), indent)
            self._line(indent, _leaves(tree))
            return
        lbrace, rbrace = tree.children[brace], tree.children[-1]
        self._emit_comments(self._comments_in(tree.meta.start_pos, lbrace.start_pos), indent)
        header = [leaf for child in tree.children[:brace + 1]
                  for leaf in (_leaves(child) if isinstance(child, Tree) else [(child, False, False)])]
        self._line(indent, header)
        self._body(tree.children[brace + 1:-1], lbrace.end_pos, rbrace.start_pos, indent + 1)
        self._line(indent, [(rbrace, False, False)])


def _blank_lines(elements: list[_Element], top: bool) -> list[bool]:
    """Whether a blank line precedes each element: kept where the source had one; at the top
    level, forced between items (but not between consecutive imports; one-line container kinds
    keep the source's grouping)."""
    blanks = [i > 0 and e.start - elements[i - 1].end >= 2 for i, e in enumerate(elements)]
    if not top:
        return blanks
    items = [i for i, e in enumerate(elements) if isinstance(e.node, Tree)]
    for a, b in zip(items, items[1:]):
        imports = elements[a].node.data == elements[b].node.data == "import_stmt"
        kinds = elements[a].node.data == elements[b].node.data == "kind_def"
        if imports and b == a + 1:
            blanks[b] = False
        elif not imports and not kinds and not any(blanks[a + 1:b + 1]):
            blanks[a + 1] = True
    return blanks


def format_text(path: str, text: str) -> tuple[str | None, Diagnostics]:
    """The canonical layout of ``text``, or None with the syntax diagnostics."""
    result = parse_text(path, text)
    if result.tree is None or result.diagnostics.has_errors:
        return None, result.diagnostics
    return _Formatter(text, result.tree, result.comments).run(), result.diagnostics


@dataclass(frozen=True)
class FileOutcome:
    """What ``format_file`` did: ``changed`` is True when the file is (or would be) rewritten;
    ``error`` holds the rendered message when the file could not be formatted."""

    changed: bool = False
    error: str | None = None


def format_file(path: str, write: bool) -> FileOutcome:
    """Format one file; with ``write``, replace it atomically when its layout changes.

    A FIFO, device or folder is refused before reading (reading a FIFO would block); a read-only
    file is refused rather than replaced; a symlink is written through (the link stays).
    """
    problem = output_problem(path)
    if problem:
        return FileOutcome(error=f"{path}: error[AQS100]: cannot read file: {problem}")
    if write and os.path.exists(path) and not os.stat(path).st_mode & 0o222:
        return FileOutcome(error=f"{path}: error[AQS100]: not rewritten: it is read-only")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileOutcome(error=f"{path}: error[AQS100]: cannot read file: {exc.strerror or exc}")
    text, diags = decode_source(path, data)
    if text is None:
        return FileOutcome(error=render_text(diags, {}))
    if path.endswith(".aqt"):  # target mappings have their own grammar and layout
        from aquadsl.targets.fmt import format_text as format_mapping

        formatted, diags = format_mapping(path, text)
    else:
        formatted, diags = format_text(path, text)
    if formatted is None:
        return FileOutcome(error=render_text(diags, {path: text}))
    if formatted.encode("utf-8") == data:
        return FileOutcome()
    if write:
        try:
            write_atomic(path, formatted)   # aquadsl.outputs: temp file + rename, mode kept
        except OSError as exc:
            return FileOutcome(error=f"{path}: error[AQS100]: cannot write file: {exc.strerror or exc}")
    return FileOutcome(changed=True)
