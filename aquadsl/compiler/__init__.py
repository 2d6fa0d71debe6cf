"""The compiler: scenario files -> validated IR -> deterministic plan, as a list of pure passes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from aquadsl.compiler.allocate import allocate
from aquadsl.compiler.expand import expand
from aquadsl.compiler.infrastructure import build_infrastructure
from aquadsl.compiler.loader import Loaded, load
from aquadsl.compiler.lower import lower
from aquadsl.compiler.resolve import resolve
from aquadsl.compiler.validate import validate
from aquadsl.diagnostics import Diagnostic, Diagnostics, Span, sort_key
from aquadsl.plan.model import Plan, Sources

# The passes after loading, in order. Each takes what the previous produced and the diagnostics list.
PASSES = ("resolve", "validate", "build_infrastructure", "expand", "allocate", "lower")


@dataclass
class Result:
    """What a compile produced: the plan (or None), every diagnostic, and the source texts for rendering."""

    plan: Plan | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not any(d.severity == "error" for d in self.diagnostics)


def check_path(path: str | Path, today: dt.date | None = None) -> Result:
    """Load and validate a file (a scenario or a library of definitions) without building a plan."""
    loaded = load(path)
    if not loaded.complete:
        return Result(None, sorted(loaded.diagnostics, key=sort_key), loaded.sources)
    if resolve(loaded.modules, loaded.root, Diagnostics()).scenario is not None:
        return compile_loaded(loaded, today, lower_plan=False)
    diags = Diagnostics(loaded.diagnostics)
    root = next((m for m in loaded.modules if m.path == loaded.root), None)
    if root is not None and not root.items:
        diags.error("AQS206", f"'{loaded.root}' is empty: it defines no scenario, geography, lifecycle or "
                    "container kind", Span(path=loaded.root, line=1, col=1, end_line=1, end_col=2))
    validate(resolve(loaded.modules, loaded.root, diags), today, diags)
    return Result(None, sorted(diags, key=sort_key), loaded.sources)


def compile_path(path: str | Path, today: dt.date | None = None) -> Result:
    """Compile a scenario file. ``today`` resolves ``until today`` (the CLI passes the real date)."""
    loaded = load(path)
    if not loaded.complete:
        return Result(None, sorted(loaded.diagnostics, key=sort_key), loaded.sources)
    return compile_loaded(loaded, today)


def compile_loaded(loaded: Loaded, today: dt.date | None, lower_plan: bool = True) -> Result:
    """Run the passes; with ``lower_plan=False`` (check) stop after allocation, which finds every error."""
    diags = Diagnostics(loaded.diagnostics)
    plan = _run_passes(loaded, today, diags, lower_plan)
    return Result(plan if not diags.has_errors else None, sorted(diags, key=sort_key), loaded.sources)


def _run_passes(loaded: Loaded, today: dt.date | None, diags: Diagnostics, lower_plan: bool) -> Plan | None:
    symbols = resolve(loaded.modules, loaded.root, diags)
    if symbols.scenario is None and not diags.has_errors:
        diags.error("AQS206", f"'{loaded.root}' defines no scenario; it can be checked but not compiled")
    if diags.has_errors:
        validate(symbols, today, diags)
        return None
    checked = validate(symbols, today, diags)
    if checked is None or diags.has_errors:
        return None
    infra = build_infrastructure(checked.geographies, checked.kinds, diags, checked.seed)
    if infra is None:
        return None
    batches = expand(checked, infra, diags)
    if diags.has_errors:
        return None
    placed = allocate(checked, infra, batches, diags)
    if placed is None or not lower_plan:
        return None
    return lower(checked, infra, batches, placed, sources_of(loaded))


def sources_of(loaded: Loaded) -> Sources:
    """Hash of the normalised sources: the IR without positions, so layout and comments do not count."""
    root_dir = Path(os.path.abspath(loaded.root)).parent
    files, digest = [], hashlib.sha256()
    for module in sorted(loaded.modules, key=lambda m: _relative(m.path, root_dir)):
        rel = _relative(module.path, root_dir)
        files.append(rel)
        data = _strip_spans(module.model_dump(mode="json"))
        data["path"] = rel
        digest.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    return Sources(sha256=digest.hexdigest(), files=tuple(files))


def _relative(path: str, root_dir: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), root_dir)).as_posix()


_SPAN_KEYS = {"path", "line", "col", "end_line", "end_col"}


def _strip_spans(value):
    if isinstance(value, dict) and set(value) == _SPAN_KEYS:
        return None
    if isinstance(value, dict):
        return {k: _strip_spans(v) for k, v in value.items() if not (k == "span" or k.endswith(("_span", "_spans")))}
    if isinstance(value, list):
        return [_strip_spans(v) for v in value]
    return value
