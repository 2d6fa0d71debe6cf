"""`replay` steps: the target's own services, run in its interpreter once per row loaded for each batch.

A step (``replay NAME per MODEL call "module.function"``) iterates the rows of MODEL that a `map` block
loaded, batch by batch in plan order and by id within a batch (ids are ``(index + 1) * id_block + row``,
so the set is exactly this plan's rows). Each (step, batch) runs in one transaction with its record in
the ledger table ``replay_steps``: a resumed or repeated run skips what is recorded. Codes AQS654-657.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from aquadsl.diagnostics import Diagnostic, Diagnostics, did_you_mean
from aquadsl.targets import ir
from aquadsl.targets.manifest import Manifest


def probe_payload(mapping: ir.Mapping) -> dict | None:
    """What the probe needs to check the steps' callables (None: no steps, a plain manifest)."""
    if not mapping.replays:
        return None
    return {"callables": sorted({path for s in mapping.replays for path, _ in _callables(s)}),
            "paths": search_path(mapping)}


def _callables(step: ir.ReplayStep) -> list[tuple[str, object]]:
    return [(step.callable, step.callable_span)] + ([(step.undo, step.undo_span)] if step.undo else [])


def search_path(mapping: ir.Mapping) -> list[str]:
    """Where callables are looked for after the target's project: the mapping's folder, then the shipped
    mappings' folder (``targets/`` of an aquadsl checkout), so a copy of a shipped mapping still finds
    its adapters."""
    folders = [os.path.dirname(os.path.abspath(mapping.path))]
    shipped = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "targets")
    if os.path.isdir(shipped) and shipped not in folders:
        folders.append(shipped)
    return folders


def check_replays(mapping: ir.Mapping, manifest: Manifest, mapped: dict, diags: Diagnostics) -> None:
    per_batch = sorted({label for label, maps in mapped.items() if any(m.kind == "map" for m in maps)})
    seen: set[str] = set()
    known = manifest.data.get("callables")
    for step in mapping.replays:
        if step.name in seen:
            diags.error("AQS657", f"replay step '{step.name}' is defined twice", step.span)
        seen.add(step.name)
        if step.model not in per_batch:
            diags.error("AQS654", f"replay steps iterate rows loaded per batch; no `map` block loads {step.model}",
                        step.model_span, hints=did_you_mean(step.model, per_batch))
        for path, span in _callables(step):
            _check_callable(path, span, known, diags)


def _check_callable(path: str, span, known: dict | None, diags: Diagnostics) -> None:
    if "." not in path.strip(".") or " " in path:
        diags.error("AQS655", f"'{path}' is not a dotted callable (module.function)", span)
    elif known is not None and path not in known:
        diags.append(Diagnostic(code="AQS656", severity="warning", span=span,
                                message=f"the manifest does not know '{path}': probe with this mapping to check it"))
    elif known is not None and not known[path]["ok"]:
        diags.error("AQS656", f"'{path}' cannot be used in the target: {known[path]['error']}", span,
                    hints=("callables are imported from the target's project, then the mapping's folder, "
                           "then aquadsl's targets/",))


def selected(mapping: ir.Mapping, choice: str) -> list[ir.ReplayStep]:
    """The steps ``--replay`` names: all, none, or a comma-separated list of step names (ValueError)."""
    if choice == "all":
        return list(mapping.replays)
    if choice == "none":
        return []
    names = [n.strip() for n in choice.split(",") if n.strip()]
    by_name = {s.name: s for s in mapping.replays}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"no replay step named {', '.join(unknown)} in {mapping.path} "
                         f"(steps: {', '.join(by_name) or 'none'})")
    return [s for s in mapping.replays if s.name in names]


@dataclass(frozen=True)
class StepResult:
    name: str
    batches: int      # replayed now
    skipped: int      # not loaded, or already replayed by an earlier run
    objects: int
    seconds: float

    def line(self) -> str:
        rate = f", {self.seconds / self.objects:.3f} s per object" if self.objects else ""
        return (f"replay {self.name}: {self.objects} object(s) in {self.batches} batch(es) in {self.seconds:.1f} s"
                f"{rate}; {self.skipped} batch(es) skipped (already replayed or not loaded)")


def run_replays(mapping: ir.Mapping, plan, url: str, steps: list[ir.ReplayStep],
                timeout: float = 24 * 3600.0) -> list[StepResult]:
    """Run ``steps`` over every batch of ``plan`` that is loaded and not yet replayed (TargetError on failure)."""
    from aquadsl.targets.interp import run_script

    if not steps:
        return []
    block = mapping.target.id_block
    payload = {
        "steps": [{"name": s.name, "model": s.model, "callable": s.callable,
                   "where": f"{s.span.path}:{s.span.line}:{s.span.col}"} for s in steps],
        "batches": [{"id": b.id, "lo": (b.index + 1) * block, "hi": (b.index + 2) * block} for b in plan.batches],
        "ledger_schema": mapping.target.ledger_schema, "paths": search_path(mapping),
        "load_time": mapping.target.load_time.isoformat() if mapping.target.load_time else "",
    }
    answer = run_script(mapping, "replay.py", payload, url, timeout=timeout)["steps"]
    return [StepResult(s.name, **answer[s.name]) for s in steps]


def undo_replays(mapping: ir.Mapping, url: str, timeout: float = 24 * 3600.0) -> dict:
    """Before `apply --fresh`: each step's undo on the rows of every batch it was recorded for, newest step first.

    The records go too (a step without undo only loses its records), so the reload replays again.
    """
    from aquadsl.targets.interp import run_script

    if not mapping.replays:
        return {}
    payload = {
        "undo": [{"name": s.name, "model": s.model, "callable": s.undo,
                  "where": f"{s.span.path}:{s.span.line}:{s.span.col}"} for s in reversed(mapping.replays)],
        "block": mapping.target.id_block, "ledger_schema": mapping.target.ledger_schema,
        "paths": search_path(mapping),
    }
    return run_script(mapping, "replay.py", payload, url, timeout=timeout)["undone"]
