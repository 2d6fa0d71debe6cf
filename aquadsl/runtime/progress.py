"""Progress of a run: batches done out of total, rows per second and ETA.

A live bar (rich) when the stream is a terminal, plain periodic lines otherwise, or nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts batches and rows; subclasses decide how to show them."""

    def __init__(self, total_batches: int, total_rows: int):
        self.total_batches = total_batches
        self.total_rows = total_rows
        self.batches = 0
        self.failed = 0
        self.rows = 0
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.rows / self.elapsed if self.elapsed > 0 else 0.0

    def eta(self) -> float | None:
        remaining = self.total_rows - self.rows
        return remaining / self.rate if self.rate > 0 and remaining > 0 else None

    def line(self) -> str:
        eta = self.eta()
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"{self.batches}/{self.total_batches} batches{failed}, {self.rows:,} rows, "
                f"{self.rate:,.0f} rows/s, ETA {_clock(eta) if eta is not None else '-'}")

    def batch_done(self, rows: int) -> None:
        self.batches += 1
        self.rows += rows
        self.show(force=False)

    def batch_failed(self) -> None:
        self.failed += 1
        self.show(force=False)

    def tick(self) -> None:
        self.show(force=False)

    def show(self, force: bool) -> None:
        """Draw or print the current state (subclasses)."""

    def close(self) -> None:
        """Remove the bar or print the last line (subclasses)."""


class PlainProgress(Progress):
    """One line at most every ``interval`` seconds, and one at the end."""

    def __init__(self, total_batches: int, total_rows: int, stream: TextIO, interval: float):
        super().__init__(total_batches, total_rows)
        self.stream, self.interval = stream, interval
        self._last = time.monotonic()

    def show(self, force: bool) -> None:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            print(f"[apply] {self.line()}", file=self.stream, flush=True)

    def close(self) -> None:
        self.show(force=True)


class BarProgress(Progress):
    """A rich live bar on a terminal."""

    def __init__(self, total_batches: int, total_rows: int, stream: TextIO):
        super().__init__(total_batches, total_rows)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
                                 console=Console(file=stream), transient=False)
        self._task = self._bar.add_task("apply", total=total_batches, info="")
        self._bar.start()

    def show(self, force: bool) -> None:
        eta = self.eta()
        info = f"{self.rows:,} rows  {self.rate:,.0f} rows/s  ETA {_clock(eta) if eta is not None else '-'}"
        if self.failed:
            info += f"  [red]{self.failed} failed[/red]"
        self._bar.update(self._task, completed=self.batches + self.failed, info=info)

    def close(self) -> None:
        self.show(force=True)
        self._bar.stop()


def make_progress(mode: str, total_batches: int, total_rows: int, stream: TextIO | None = None,
                  interval: float = 5.0) -> Progress:
    """``mode``: "auto" (bar on a terminal, else lines), "bar", "plain" or "none"."""
    stream = stream or sys.stderr
    if mode == "auto":
        mode = "bar" if stream.isatty() else "plain"
    if mode == "bar":
        return BarProgress(total_batches, total_rows, stream)
    if mode == "plain":
        return PlainProgress(total_batches, total_rows, stream, interval)
    return Progress(total_batches, total_rows)
