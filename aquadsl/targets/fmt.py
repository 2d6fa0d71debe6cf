"""The canonical layout of .aqt mappings: one statement per line, two-space indent, comments kept."""

from __future__ import annotations

from lark import Token, Tree

from aquadsl.diagnostics import Diagnostics
from aquadsl.targets.parser import comments, parse_text

INDENT = "  "
_GLUE_BEFORE = {"COMMA", "RPAR", "COLON", "DOT"}
_GLUE_AFTER = {"LPAR", "DOT"}
_BLOCKS = {"target_block", "infra_block", "map_block"}
_WIDTH = 110


def _tokens(node) -> list[Token]:
    if isinstance(node, Token):
        return [node]
    out: list[Token] = []
    for child in node.children:
        out.extend(_tokens(child))
    return out


def _join(tokens: list[Token]) -> str:
    parts, glue = [], True
    for i, tok in enumerate(tokens):
        before = tok.type in _GLUE_BEFORE or (tok.type == "LPAR" and i and tokens[i - 1].type in ("NAME", "KW_REF"))
        if not (glue or before):
            parts.append(" ")
        parts.append(str(tok))
        glue = tok.type in _GLUE_AFTER or (tok.type == "MINUS" and i and tokens[i - 1].type in ("COLON",))
    return "".join(parts)


class _Out:
    """Output lines; own-line and trailing comments are placed by their source line."""

    def __init__(self, text: str):
        self.lines: list[str] = []
        self.pending = comments(text)

    def comments_before(self, line: int, depth: int) -> None:
        while self.pending and self.pending[0][0] < line:
            self.lines.append(INDENT * depth + self.pending.pop(0)[1])

    def emit(self, text: str, first: int, last: int, depth: int) -> None:
        self.comments_before(first, depth)
        trailing = []
        while self.pending and self.pending[0][0] <= last:
            trailing.append(self.pending.pop(0)[1])
        self.lines.append(INDENT * depth + text + ("  " + " ".join(trailing) if trailing else ""))


def _statement(out: _Out, node, depth: int) -> None:
    toks = _tokens(node)
    text = _join(toks)
    if len(INDENT * depth + text) > _WIDTH and _value_map(node) is not None:
        _long_value_map(out, node, depth)
        return
    out.emit(text, toks[0].line, toks[-1].line, depth)


def _value_map(node) -> Tree | None:
    if isinstance(node, Tree):
        for sub in node.iter_subtrees_topdown():
            if sub.data == "value_map":
                return sub
    return None


def _long_value_map(out: _Out, node: Tree, depth: int) -> None:
    """``field = map col {`` then one entry per line, then ``}`` and the rest of the statement."""
    toks = _tokens(node)
    vmap = _tokens(_value_map(node))
    brace = next(t for t in vmap if t.type == "LBRACE")
    head_end = next(i for i, t in enumerate(toks) if t is brace)
    out.emit(_join(toks[:head_end + 1]), toks[0].line, toks[head_end].line, depth)
    entries = [c for c in _value_map(node).children if isinstance(c, Tree) and c.data == "map_entry"]
    for entry in entries:
        et = _tokens(entry)
        out.emit(_join(et) + ",", et[0].line, et[-1].line, depth + 1)
    # whatever follows the map's `}` in the statement (a lookup's `)`, more arguments, arithmetic) stays on its line
    close = next(i for i, t in enumerate(toks) if t is vmap[-1])
    out.emit(_join(toks[close:]), vmap[-1].line, toks[-1].line, depth)


def _block(out: _Out, node: Tree, depth: int) -> None:
    toks = _tokens(node)
    brace = next(i for i, t in enumerate(toks) if t.type == "LBRACE" and _is_block_brace(node, t))
    header = toks[:brace + 1]
    if len(INDENT * depth + _join(header)) <= _WIDTH:
        out.emit(_join(header), toks[0].line, toks[0].line, depth)
    else:  # a long header: `unpivot`, `as` and `where` start continuation lines
        cuts = [0] + [i for i, t in enumerate(header) if t.type in ("KW_UNPIVOT", "KW_AS", "KW_WHERE")]
        for n, (a, b) in enumerate(zip(cuts, cuts[1:] + [len(header)])):
            part = header[a:b]
            out.emit(("  " if n else "") + _join(part), part[0].line, part[-1].line, depth + (1 if n else 0))
    for child in node.children:
        if isinstance(child, Tree) and child.data not in ("dotted", "unpivot", "where"):
            _statement(out, child, depth + 1)
    out.comments_before(toks[-1].line, depth + 1)
    out.emit("}", toks[-1].line, toks[-1].line, depth)


def _is_block_brace(node: Tree, tok: Token) -> bool:
    return any(c is tok for c in node.children)


def format_text(path: str, text: str) -> tuple[str | None, Diagnostics]:
    """The canonical text of a mapping, or None and the syntax diagnostics."""
    tree, diags = parse_text(path, text)
    if tree is None:
        return None, diags
    out = _Out(text)
    for i, item in enumerate(tree.children):
        if i and (item.data in _BLOCKS or tree.children[i - 1].data != item.data):  # blocks and kinds apart
            out.lines.append("")
        if item.data in _BLOCKS:
            _block(out, item, 0)
        else:
            _statement(out, item, 0)
    out.comments_before(10**9, 0)
    return "\n".join(out.lines).rstrip("\n") + "\n", diags
