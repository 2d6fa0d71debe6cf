"""The local executor: today's pool of worker processes on this machine (aquadsl.runtime.workers)."""

from __future__ import annotations

from aquadsl.runtime.workers import Pool


class LocalExecutor(Pool):
    """Worker subprocesses dealt batches by the scheduler; replaced when they die or hang."""

    def worker_peaks(self) -> list[float | None]:
        return [s.peak() for s in self.slots]   # None: no figure could be read (never a false 0.0)

    def abandoned(self) -> list[str]:
        return []   # shutdown kills every worker: nothing runs on after it
