"""Read a scenario and its imports: files -> parsed modules, with missing files and cycles as diagnostics."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Span
from aquadsl.parser import MAX_SOURCE_BYTES, decode_source
from aquadsl.transformer import parse_module


@dataclass
class Loaded:
    """Every module reachable from the root file, in a stable order (imports before importers)."""

    root: str
    modules: list[ir.Module] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)     # display path -> text
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    complete: bool = True      # every file was read and parsed (errors while building IR are soft)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when possible."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


class _NotRegular(Exception):
    pass


def _read_bounded(path: Path) -> bytes:
    """At most one byte more than the size limit (enough to report it), and only from regular files:
    devices, FIFOs and sockets could be endless or block forever."""
    if path.exists() and not path.is_dir() and not path.is_file():
        raise _NotRegular(path)
    with path.open("rb") as fh:
        return fh.read(MAX_SOURCE_BYTES + 1)


def read_source(path: Path, shown: str, diags: Diagnostics, at: Span | None = None) -> str | None:
    """Read and decode one file, or add a diagnostic (AQS100 for the root, AQS204 for an import)."""
    code = "AQS204" if at else "AQS100"
    at = at or Span(path=shown, line=1, col=1, end_line=1, end_col=2)
    try:
        data = _read_bounded(path)
    except _NotRegular:
        diags.error(code, f"cannot read '{shown}': not a regular file", at)
        return None
    except FileNotFoundError:
        diags.error(code, f"cannot read '{shown}': no such file", at)
        return None
    except IsADirectoryError:
        diags.error(code, f"cannot read '{shown}': it is a directory", at)
        return None
    except OSError as exc:
        diags.error(code, f"cannot read '{shown}': {exc.strerror or exc}", at)
        return None
    text, decode_diags = decode_source(shown, data)
    diags.extend(decode_diags)
    return text


def parse_source(shown: str, text: str, diags: Diagnostics) -> ir.Module | None:
    module, more = parse_module(shown, text)
    diags.extend(more)
    return module


def load(root: str | Path) -> Loaded:
    """Load ``root`` and, depth first, every file it imports (relative to the importing file)."""
    root_path = Path(root)
    loaded = Loaded(root=display_path(root_path))
    _visit(_absolute(root_path), loaded.root, None, [], {}, loaded)
    return loaded


def _absolute(path: Path) -> Path:
    """An absolute path as written (symbolic links kept, so the plan's file list does not depend
    on where links point)."""
    return Path(os.path.normpath(os.path.abspath(path)))


_IMPORT = re.compile(r'^[ \t]*import[ \t]+"([^"\n]+)"', re.M)


def _imports_in(text: str, shown: str) -> list[tuple[str, Span]]:
    """Import statements found by a plain scan, for a file that does not parse."""
    out = []
    for m in _IMPORT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append((m.group(1), Span(path=shown, line=line, col=col, end_line=line, end_col=col + len(m.group()))))
    return out


def _visit(path: Path, shown: str, at: Span | None, stack: list[Path], done: dict[Path, str],
           loaded: Loaded) -> None:
    key = path.resolve()  # identity for cycles and repeats: the real file
    if key in stack:
        chain = " -> ".join([done.get(p, p.name) for p in stack[stack.index(key):]] + [shown])
        loaded.diagnostics.error("AQS205", f"import cycle: {chain}", at)
        loaded.complete = False
        return
    if key in done:
        return
    text = read_source(path, shown, loaded.diagnostics, at)
    if text is None:
        loaded.complete = False
        return
    loaded.sources[shown] = text
    done[key] = shown
    module = parse_source(shown, text, loaded.diagnostics)
    if module is None:
        loaded.complete = False
        # Still check the files it imports, so one run reports their errors too.
        for target, span in _imports_in(text, shown):
            _visit(_absolute(path.parent / target), display_path(_absolute(path.parent / target)), span,
                   stack + [key], done, loaded)
        return
    stack.append(key)
    for item in module.items:
        if isinstance(item, ir.Import) and not item.target.strip():
            loaded.diagnostics.error("AQS204", "an import needs a file name", item.span)
            loaded.complete = False
        elif isinstance(item, ir.Import):
            target = _absolute(path.parent / item.target)
            _visit(target, display_path(target), item.span, stack, done, loaded)
    stack.pop()
    loaded.modules.append(module)
