"""Diagnostics as values: code, message, source span and hints; rendered only at the edge."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A range in a source file; lines and columns are 1-based, the end is exclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def shifted(self, line: int, col: int, length: int) -> "Span":
        """A span at (line, col) of ``length`` characters in the same file."""
        return Span(path=self.path, line=line, col=col, end_line=line, end_col=col + length)


class Note(BaseModel):
    """A secondary message pointing at another place, e.g. the line to change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str
    span: Span | None = None


class Diagnostic(BaseModel):
    """One finding about the input. ``code`` is stable: AQS1xx syntax, 2xx names, 3xx semantics."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    message: str
    span: Span | None = None
    severity: Literal["error", "warning"] = "error"
    hints: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


class Diagnostics(list):
    """A list of diagnostics with helpers for passes that collect them."""

    def error(self, code: str, message: str, span: Span | None = None, *,
              hints: Iterable[str] = (), notes: Iterable[Note] = ()) -> None:
        self.append(Diagnostic(code=code, message=message, span=span,
                               hints=tuple(hints), notes=tuple(notes)))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self)


class CompileError(Exception):
    """Raised to stop a pipeline; carries every diagnostic collected so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__(f"{len(self.diagnostics)} error(s)")


def did_you_mean(word: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A 'did you mean' hint for a misspelt name, or nothing."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return (f"did you mean '{close[0]}'?",) if close else ()


def sort_key(d: Diagnostic) -> tuple:
    s = d.span
    return (s.path, s.line, s.col, d.code) if s else ("", 0, 0, d.code)


def _caret(span: Span, sources: Mapping[str, str]) -> list[str]:
    text = sources.get(span.path)
    if text is None:
        return []
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].expandtabs(1)
    if len(line) > 200:
        start = max(0, span.col - 80)
        line, col = line[start:start + 160], span.col - start
    else:
        col = span.col
    width = span.end_col - span.col if span.end_line == span.line else len(line) - col + 1
    width = max(1, min(width, len(line) - col + 1 if len(line) >= col else 1))
    return [f"  {line}", "  " + " " * (col - 1) + "^" * width]


def render_text(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    """The human form: ``path:line:col: error[AQSnnn]: message``, source line, caret, hints."""
    out: list[str] = []
    for d in diagnostics:
        where = f"{d.span.path}:{d.span.line}:{d.span.col}: " if d.span else ""
        out.append(f"{where}{d.severity}[{d.code}]: {d.message}")
        if d.span:
            out.extend(_caret(d.span, sources))
        for note in d.notes:
            nwhere = f"{note.span.path}:{note.span.line}:{note.span.col}: " if note.span else ""
            out.append(f"  {nwhere}note: {note.message}")
        out.extend(f"  help: {h}" for h in d.hints)
    return "\n".join(out)


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The machine form for editors and CI: a JSON list, one object per diagnostic."""
    return json.dumps([d.model_dump(mode="json") for d in diagnostics], indent=2, sort_keys=True)
