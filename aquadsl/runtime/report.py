"""The run summary: rows per table, batches succeeded/failed/skipped, time, throughput, peak utilisation."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aquadsl.outputs import is_one_of, output_problem, writable_problem, write_atomic
from aquadsl.plan.model import Plan
from aquadsl.plan.ranges import expand
from aquadsl.printable import printable
from aquadsl.sim.volume import TABLES


@dataclass
class FailedBatch:
    batch_id: str
    error: str
    log: str
    attempts: int


@dataclass
class Summary:
    """Everything `apply` reports; ``to_json`` is what ``--report`` writes."""

    outcome: str                       # completed, failed, interrupted, noop
    plan_hash: str
    scenario: str
    database: str                      # redacted
    workers: int
    batches_total: int
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    elapsed_s: float = 0.0
    peak_utilisation: dict[str, dict] = field(default_factory=dict)
    failures: list[FailedBatch] = field(default_factory=list)
    worker_peak_rss_mb: list[float | None] = field(default_factory=list)   # None: not measurable
    log_dir: str = ""
    ledger: str = ""                   # new, resume, replaced or fresh
    report_error: str = ""             # why --report could not be written (not part of the report)

    @property
    def rows_total(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_s(self) -> float:
        return self.rows_total / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_json(self) -> str:
        data = asdict(self)
        del data["report_error"]
        data["rows_total"] = self.rows_total
        data["rows_per_s"] = round(self.rows_per_s, 1)
        data["elapsed_s"] = round(self.elapsed_s, 3)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def peak_utilisation(plan: Plan, loaded: set[str]) -> dict[str, dict]:
    """Per water type: the most containers occupied on one day by loaded batches, of all containers."""
    capacity = {"fresh": 0, "sea": 0}
    for geo in plan.infrastructure.geographies:
        capacity["fresh"] += sum(len(expand(h.containers)) for s in geo.stations for h in s.halls)
        capacity["sea"] += sum(len(expand(a.rings)) for a in geo.sea_areas)
    water = {s.name: s.water for s in plan.parameters.lifecycle.stages}
    changes: dict[str, dict[dt.date, int]] = {"fresh": {}, "sea": {}}
    for batch in plan.batches:
        if batch.id not in loaded:
            continue
        for w in batch.stages:
            n, ch = len(w.container_names()), changes[water[w.stage]]
            ch[w.start] = ch.get(w.start, 0) + n
            ch[w.end] = ch.get(w.end, 0) - n
    out = {}
    for kind, ch in changes.items():
        level, peak, when = 0, 0, None
        for day in sorted(ch):
            level += ch[day]
            if level > peak:
                peak, when = level, day
        total = capacity[kind]
        out[kind] = {"containers": total, "peak": peak, "date": when.isoformat() if when else None,
                     "ratio": round(peak / total, 4) if total else 0.0}
    return out


def render(summary: Summary) -> str:
    """The human summary printed at the end of `apply`."""
    s = summary
    head = {"completed": "applied", "failed": "applied with failures", "interrupted": "interrupted",
            "noop": "nothing to do"}[s.outcome]
    lines = [f"{head}: plan {s.plan_hash[:12]} (scenario {s.scenario!r}) on {s.database}"]
    if s.outcome == "noop":
        lines.append(f"all {s.batches_total} batches are already loaded; the plan was applied before")
        return "\n".join(lines) + "\n"
    lines.append(f"batches: {s.succeeded} succeeded, {s.failed} failed, {s.skipped} skipped"
                 + (f", {s.pending} pending" if s.pending else "") + f" (of {s.batches_total})")
    lines.append(f"rows: {s.rows_total:,} in {s.elapsed_s:.1f} s = {s.rows_per_s:,.0f} rows/s "
                 f"with {s.workers} worker(s)")
    width = max((len(t) for t in s.rows), default=0)   # a target run that loaded nothing has no rows
    lines.extend(f"  {t:<{width}} {n:>12,}" for t, n in s.rows.items())
    util = ", ".join(f"{k} {v['ratio']:.1%} ({v['peak']}/{v['containers']} containers"
                     + (f" on {v['date']})" if v["date"] else ")") for k, v in s.peak_utilisation.items())
    lines.append(f"peak utilisation: {util}")
    if s.worker_peak_rss_mb:
        lines.append("peak memory per worker: " + ", ".join(
            "unknown" if m is None else f"{m:.0f} MB" for m in s.worker_peak_rss_mb))
    lines.append(f"logs: {s.log_dir}")
    for f in s.failures:
        lines.append(f"FAILED {printable(f.batch_id)} after {f.attempts} attempt(s): {printable(f.error)}  "
                     f"(log: {printable(f.log)})")
    return "\n".join(lines) + "\n"


def report_problem(path: str | Path | None, inputs: tuple[str, ...] = (),
                   database_files: tuple[str, ...] = ()) -> str | None:
    """Why ``path`` could not or must not be written as the report (an input, the database, not a
    regular file, not writable), checked before any batch is loaded and without creating it; else None."""
    if not path:
        return None
    if is_one_of(path, database_files):
        return "it is the database (or its journal or lock file)"
    return output_problem(path, inputs) or writable_problem(path)


def write_report(summary: Summary, path: str | Path) -> None:
    """Write the JSON report atomically, keeping the mode of a file it replaces (the caller records
    an OSError in ``summary.report_error``)."""
    write_atomic(path, summary.to_json())
