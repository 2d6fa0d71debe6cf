"""Worker processes that simulate whole batches, and the parent's pool that runs and replaces them.

Each worker sets up Django itself, then loads its batches (PostgreSQL) or returns them staged in a
serialized in-memory SQLite database (SQLite). Only plain data crosses the pipe: plan JSON, names,
numpy arrays, bytes.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from aquadsl.runtime.encode import Lookups

MAX_RESPAWNS = 3  # consecutive deaths before a worker became ready: give up


@dataclass(frozen=True)
class Task:
    """One attempt at one batch."""

    batch_id: str
    attempt: int
    log_path: str


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker if the parent dies, so no orphan keeps writing."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, because Linux carries ru_maxrss across exec, so
    a spawned worker's getrusage would include the parent's memory at fork time."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024.0, 1)
    except (OSError, ValueError, IndexError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _error_text(exc: BaseException, url: str) -> tuple[str, str]:
    from aquadsl.runtime.db import scrub

    message = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(f"{type(exc).__name__}: {message}", url), scrub(traceback.format_exc(), url)


def worker_main(conn: Connection, url: str, plan_text: str, lookups: Lookups, vendor: str) -> None:
    """Entry point of a worker process: set up, then serve tasks until told to stop or orphaned."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    if not os.environ.get("AQUADSL_DEBUG"):
        # Drivers may print chained exceptions on their own; every failure reaches the batch log instead.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    try:
        from aquadsl.plan.model import loads
        from aquadsl.runtime import db
        from aquadsl.runtime.tables import table_specs

        db.setup(url)
        plan = loads(plan_text)
        specs = table_specs()
        if vendor == "postgresql":
            db.check_connection(url)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as plain text
        conn.send(("fatal", _error_text(exc, url)[0]))
        return
    serve(conn, lambda task: _run_task(task, plan, specs, lookups, vendor, url))


def serve(conn: Connection, run) -> None:
    """Report ready, then answer each task with ``run(task)`` until told to stop or orphaned."""
    conn.send(("ready", os.getpid(), _peak_rss_mb()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        conn.send(run(msg[1]))


def _run_task(task: Task, plan, specs, lookups: Lookups, vendor: str, url: str) -> tuple:
    from aquadsl.runtime import db, loader
    from aquadsl.runtime.faults import inject
    from aquadsl.sim.simulate import simulate_batch

    started = time.perf_counter()
    try:
        inject("simulate", task.batch_id, task.attempt)
        batch = plan.batch(task.batch_id)
        rows = simulate_batch(plan, task.batch_id)
        encoded = loader.encode_batch(batch, rows, specs, lookups, vendor)
        del rows
        if vendor != "postgresql":
            staged = loader.stage_sqlite(encoded, specs)
            del encoded
            inject("load", task.batch_id, task.attempt)
            return ("rows", task, staged, time.perf_counter() - started, _peak_rss_mb())
        db.reconnect_if_dropped()
        counts, already = loader.write_postgresql(encoded, specs, task.attempt, started, task.log_path)
        return ("done", task, counts, already, time.perf_counter() - started, _peak_rss_mb())
    except Exception as exc:  # noqa: BLE001 - any failure of a batch is reported, then retried
        from django.db import connection

        message, trace = _error_text(exc, url)
        connection.close()  # a broken connection must not poison the next batch
        return ("failed", task, message, trace, time.perf_counter() - started, _peak_rss_mb())


# ------------------------------------------------------------------ parent side
@dataclass(eq=False)
class Slot:
    """One worker position; its process is replaced when it dies or hangs."""

    index: int
    process: mp.process.BaseProcess | None = None
    conn: Connection | None = None
    task: Task | None = None
    started: float = 0.0
    ready: bool = False
    respawns: int = 0
    peak_rss_mb: list[float] = field(default_factory=list)


class Pool:
    """N worker slots; dispatch tasks, collect results, kill hung workers and replace dead ones."""

    def __init__(self, size: int, url: str, plan_text: str, lookups: Lookups, vendor: str, main=None):
        self._ctx = mp.get_context("spawn")
        self._main = main or worker_main   # a target load passes its own entry point
        self._args = (url, plan_text, lookups, vendor)
        self.slots = [Slot(i) for i in range(size)]

    def start(self) -> None:
        """Start every worker process (they report ready once Django and the plan are set up)."""
        for slot in self.slots:
            self._start(slot)

    def _start(self, slot: Slot) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=self._main, args=(child, *self._args),
                                 name=f"aquadsl-worker-{slot.index}", daemon=True)
        # A child inherits an ignored SIGINT across exec, and Python then leaves it ignored: so Ctrl-C
        # in the terminal never interrupts a worker still importing (no traceback); the parent decides.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            proc.start()
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)
        child.close()
        slot.process, slot.conn, slot.task, slot.ready = proc, parent, None, False

    def idle(self) -> list[Slot]:
        return [s for s in self.slots if s.ready and s.task is None]

    def busy(self) -> list[Slot]:
        return [s for s in self.slots if s.task is not None]

    def dispatch(self, slot: Slot, task: Task) -> None:
        slot.task, slot.started = task, time.monotonic()
        try:
            slot.conn.send(("task", task))
        except OSError:
            pass  # the worker just died: poll() reports it with this task, which is then retried

    def poll(self, timeout: float, limit: float | None) -> list[tuple]:
        """Events since the last call: (kind, slot, payload...). Kinds: result, died, timeout, fatal."""
        events = []
        objects = {s.conn: s for s in self.slots} | {s.process.sentinel: s for s in self.slots}
        touched = list(dict.fromkeys(objects[r] for r in wait(list(objects), timeout)))
        for slot in touched:
            events.extend(self._receive(slot))  # a last message may still be in the pipe
            if not slot.process.is_alive():
                task, code = slot.task, slot.process.exitcode
                slot.respawns = slot.respawns + 1 if not slot.ready else 0
                if slot.respawns > MAX_RESPAWNS:
                    events.append(("fatal", slot, f"worker process keeps dying at start (exit code {code})"))
                    continue
                self.replace(slot)
                events.append(("died", slot, task, code))
        now = time.monotonic()
        for slot in self.busy():
            if limit is not None and now - slot.started > limit:
                task = slot.task
                self.replace(slot)
                events.append(("timeout", slot, task, limit))
        return events

    def _receive(self, slot: Slot) -> list[tuple]:
        out = []
        try:
            while slot.conn.poll():
                msg = slot.conn.recv()
                if msg[0] == "ready":
                    slot.ready = True
                    slot.peak_rss_mb.append(msg[2])
                elif msg[0] == "fatal":
                    out.append(("fatal", slot, msg[1]))
                else:
                    slot.task = None
                    slot.peak_rss_mb.append(msg[-1])
                    out.append(("result", slot, msg))
        except (EOFError, OSError):
            pass
        return out

    def replace(self, slot: Slot) -> None:
        """Kill the slot's process (if alive) and start a fresh one in its place."""
        self._kill(slot)
        self._start(slot)

    @staticmethod
    def _kill(slot: Slot) -> None:
        if slot.process is None:
            return
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        slot.conn.close()

    def shutdown(self, graceful: bool) -> None:
        """Stop every worker: politely when idle and ``graceful``, else at once (SIGKILL)."""
        for slot in self.slots:
            if slot.process is None:
                continue
            if graceful and slot.task is None and slot.process.is_alive():
                try:
                    slot.conn.send(("stop",))
                    slot.process.join(5)
                except (OSError, BrokenPipeError):
                    pass
            self._kill(slot)
