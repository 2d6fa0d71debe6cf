"""Per-statement timings of a target batch, for benchmarks: ``AQUADSL_TARGET_PROFILE=FILE`` appends one
JSON line per loaded batch (step, seconds, rows). Off (and free) unless the variable is set."""

from __future__ import annotations

import json
import os
import time


class Clock:
    def __init__(self, batch_id: str) -> None:
        self.path = os.environ.get("AQUADSL_TARGET_PROFILE")
        self.batch_id, self.steps, self.last = batch_id, [], time.perf_counter()

    def lap(self, step: str, rows: int) -> None:
        if self.path:
            now = time.perf_counter()
            self.steps.append((step, round(now - self.last, 4), rows))
            self.last = now

    def write(self) -> None:
        if self.path:
            with open(self.path, "a", encoding="utf-8") as fh:     # one write per batch in append mode
                fh.write(json.dumps({"batch": self.batch_id, "pid": os.getpid(), "steps": self.steps}) + "\n")
