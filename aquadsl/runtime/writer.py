"""Where the parent's database writes go during a run: in place, or through the one SQLite writer.

On PostgreSQL the parent writes ledger rows directly. On SQLite every write (batches sent by the
workers, ledger updates) goes through one thread, so only one connection ever writes to the file.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback

from aquadsl.runtime.errors import LockLost
from aquadsl.runtime.loader import EncodedBatch, write_sqlite
from aquadsl.runtime.tables import TableSpec


class DirectSink:
    """PostgreSQL: workers load their own batches; the parent's ledger writes run in place."""

    pending_writes = 0

    def call(self, fn, *args) -> None:
        """Run a ledger write; once more on a fresh connection if the server dropped this one."""
        from django.db import connection
        from django.db.utils import InterfaceError, OperationalError

        try:
            fn(*args)
        except (OperationalError, InterfaceError):
            connection.close()
            fn(*args)

    def load(self, encoded: EncodedBatch, worker_s: float, log_path: str, task) -> None:
        raise AssertionError("PostgreSQL workers load their own batches")

    def results(self) -> list[tuple]:
        return []

    def close(self, interrupt: bool = False) -> None:
        pass


class SqliteWriter(threading.Thread):
    """The one SQLite writer: loads batches sent by workers and runs ledger updates, in arrival order."""

    def __init__(self, url: str, specs: dict[str, TableSpec], guard=None):
        super().__init__(name="aquadsl-sqlite-writer", daemon=True)
        self._url = url
        self._specs = specs
        self._guard = guard
        self._inbox: queue.Queue = queue.Queue()
        self._outbox: queue.Queue = queue.Queue()
        self._raw = None
        self._stopping = False
        self.pending_writes = 0
        self.start()

    def call(self, fn, *args) -> None:
        self._inbox.put(("call", fn, args))

    def load(self, encoded: EncodedBatch, worker_s: float, log_path: str, task) -> None:
        self.pending_writes += 1
        self._inbox.put(("load", encoded, worker_s, log_path, task))

    def results(self) -> list[tuple]:
        """Finished loads: ("written", task, counts, already, seconds) or ("write_failed", task, msg, trace)."""
        out = []
        while True:
            try:
                item = self._outbox.get_nowait()
            except queue.Empty:
                return out
            if item[0] != "writer_error":
                self.pending_writes -= 1
            out.append(item)

    def run(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self._raw = connection.connection
        try:
            while True:
                item = self._inbox.get()
                if item is None or self._stopping:
                    return
                if item[0] == "call":
                    self._call(item[1], item[2])
                else:
                    self._outbox.put(self._load(*item[1:]))
        finally:
            connection.close()

    def _call(self, fn, args) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - surfaced to the main loop as a database fault
            self._outbox.put(("writer_error", None, f"{type(exc).__name__}: {exc}"))

    def _load(self, encoded: EncodedBatch, worker_s: float, log_path: str, task) -> tuple:
        started = time.perf_counter()
        try:
            counts, already = write_sqlite(encoded, self._specs, worker_s, log_path, self._guard)
            return ("written", task, counts, already, worker_s + time.perf_counter() - started)
        except LockLost as exc:
            return ("lock_lost", task, str(exc))
        except Exception as exc:  # noqa: BLE001 - reported as the batch's failure, then retried
            message = " ".join(str(exc).split()) or type(exc).__name__
            return ("write_failed", task, f"{type(exc).__name__}: {message}", traceback.format_exc(),
                    worker_s + time.perf_counter() - started)

    def close(self, interrupt: bool = False) -> None:
        """Finish queued work and stop; with ``interrupt``, abandon it and roll back the current batch."""
        if interrupt:
            self._stopping = True
            if self._raw is not None:
                self._raw.interrupt()
        self._inbox.put(None)
        self.join()
