"""One log file per batch: its parameters, every attempt with timing and full error, and its row counts."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
from pathlib import Path

from aquadsl.plan.model import BatchPlan
from aquadsl.runtime.errors import log_dir_fault
from aquadsl.sim.volume import TABLES

DEFAULT_ROOT = Path(".aquadsl") / "logs"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def log_name(batch_id: str) -> str:
    """The log file name of a batch: ``<id>.log`` when the id is made only of ``A-Z a-z 0-9 . _ -``;
    otherwise every other character becomes ``_`` and ``~`` plus the first 12 hex digits of the id's
    SHA-256 are appended (``A BC-0`` -> ``A_BC-0~5c0f…``.log). ``~`` never appears in a safe id, so two
    different ids never share a log file (``A BC-0`` and ``A_BC-0`` used to)."""
    safe = _UNSAFE.sub("_", batch_id)
    if safe == batch_id:
        return f"{batch_id}.log"
    return f"{safe}~{hashlib.sha256(batch_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}.log"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return exc.strerror or str(exc)


class LogDir:
    """The folder of a run's batch logs. Every failure to write is a LOG_DIR fault."""

    def __init__(self, path: Path, explicit: bool):
        self.path = path
        self.explicit = explicit

    @classmethod
    def prepare(cls, log_dir: str | Path | None) -> "LogDir":
        """Check early that logs can be written: ``log_dir`` itself, or the default root."""
        path = Path(log_dir) if log_dir else DEFAULT_ROOT
        log = cls(path, explicit=log_dir is not None)
        log._probe(path)
        return log

    def _probe(self, path: Path) -> None:
        if path.exists() and not path.is_dir():
            raise log_dir_fault(f"cannot write logs in '{path}': it is a file, not a folder",
                                "choose another folder with --log-dir")
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".probe-{os.getpid()}"
            probe.write_text("ok\n", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            raise log_dir_fault(f"cannot write logs in '{path}': {_reason(exc)}",
                                "choose another folder with --log-dir") from None

    def open_run(self, run_id: int) -> None:
        """Default logs go to a folder of their own per run: ``.aquadsl/logs/<UTC time>-run<id>``."""
        if self.explicit:
            return
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = self.path / f"{stamp}-run{run_id}"
        self._probe(self.path)

    def path_for(self, batch_id: str) -> Path:
        return self.path / log_name(batch_id)

    def append(self, batch_id: str, text: str) -> None:
        try:
            with open(self.path_for(batch_id), "a", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            raise log_dir_fault(f"cannot write the log of batch {batch_id} in '{self.path}': "
                                f"{_reason(exc)}", "free some space or choose another --log-dir") from None


def header(batch: BatchPlan, plan_hash: str, database: str) -> str:
    """The batch's parameters, written before its first attempt."""
    lines = [
        f"batch {batch.id} (plan {plan_hash[:12]}, index {batch.index}, geography {batch.geography})",
        f"database {database}",
        f"start {batch.start}  end {batch.end} (exclusive)  days {batch.days}  status {batch.status}",
        f"eggs {batch.eggs:,}  harvest target {batch.harvest_target_kg} kg  harvest date {batch.harvest_date}",
        "stages:",
    ]
    for w in batch.stages:
        lines.append(f"  {w.stage:<12} {w.start} .. {w.end}  {w.location}  {' '.join(w.containers)}")
    rows = batch.estimated_rows
    lines.append("estimated rows: " + ", ".join(f"{t} {rows[t]:,}" for t in TABLES if rows.get(t)))
    return "\n".join(lines) + "\n"


def attempt_line(attempt: int, outcome: str, seconds: float) -> str:
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return f"[{stamp}] attempt {attempt}: {outcome} after {seconds:.2f} s"


def rows_block(counts: dict[str, int]) -> str:
    width = max(len(t) for t in counts)
    body = "\n".join(f"  {t:<{width}} {n:>12,}" for t, n in counts.items())
    return f"rows written ({sum(counts.values()):,}):\n{body}\n"
