"""Worker processes that simulate whole batches, and the parent's pool that runs and replaces them.

Each worker sets up Django itself, then loads its batches (PostgreSQL) or returns them staged in a
serialized in-memory SQLite database (SQLite). Only plain data crosses the pipe: plan JSON, names,
numpy arrays, bytes.
"""

from __future__ import annotations

import contextlib
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
from aquadsl.runtime.errors import LockLost
from aquadsl.runtime.faults import inject

MAX_RESPAWNS = 3  # consecutive deaths before a worker became ready: give up


@dataclass(frozen=True)
class Task:
    """One attempt at one batch."""

    batch_id: str
    attempt: int
    log_path: str
    replace_from: int | None = None   # an extension: replace the loaded rows from this assignment on


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker if the parent dies, so no orphan keeps writing."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _vm_hwm_mb(pid: int | str = "self") -> float | None:
    """A live process's peak resident memory (VmHWM) from /proc; None if unreadable (gone, or a zombie)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    kb = int(line.split()[1])
                    # 0 kB: the process is still being exec'd and has no memory of its own yet
                    return round(kb / 1024.0, 1) if kb > 0 else None
    except (OSError, ValueError, IndexError):
        pass
    return None


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, because Linux carries ru_maxrss across exec, so
    a spawned worker's getrusage would include the parent's memory at fork time."""
    own = _vm_hwm_mb()
    return own if own is not None else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _error_text(exc: BaseException, url: str) -> tuple[str, str]:
    from aquadsl.runtime.db import scrub

    message = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(f"{type(exc).__name__}: {message}", url), scrub(traceback.format_exc(), url)


def worker_main(conn: Connection, url: str, plan_text: str, lookups: Lookups, vendor: str,
                guard=None) -> None:
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
    serve(conn, lambda task: _run_task(task, plan, specs, lookups, vendor, url, guard))


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


def _run_task(task: Task, plan, specs, lookups: Lookups, vendor: str, url: str, guard=None) -> tuple:
    from aquadsl.runtime import db, loader
    from aquadsl.runtime.faults import inject
    from aquadsl.sim.simulate import simulate_batch

    started = time.perf_counter()
    try:
        inject("simulate", task.batch_id, task.attempt)
        batch = plan.batch(task.batch_id)
        rows = simulate_batch(plan, task.batch_id)
        encoded = loader.encode_batch(batch, rows, specs, lookups, vendor, task.replace_from)
        del rows
        if vendor != "postgresql":
            staged = loader.stage_sqlite(encoded, specs)
            del encoded
            inject("load", task.batch_id, task.attempt)
            return ("rows", task, staged, time.perf_counter() - started, _peak_rss_mb())
        db.reconnect_if_dropped()
        counts, already = loader.write_postgresql(encoded, specs, task.attempt, started, task.log_path, guard)
        return ("done", task, counts, already, time.perf_counter() - started, _peak_rss_mb())
    except LockLost as exc:
        return ("lock_lost", task, str(exc), _peak_rss_mb())
    except Exception as exc:  # noqa: BLE001 - any failure of a batch is reported, then retried
        from django.db import connection

        message, trace = _error_text(exc, url)
        connection.close()  # a broken connection must not poison the next batch
        return ("failed", task, message, trace, time.perf_counter() - started, _peak_rss_mb())


# Signals that stop a run (apply turns SIGTERM and SIGHUP into KeyboardInterrupt too): held back while
# the parent starts a worker, so that none interrupts multiprocessing half-way through a start.
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _bootstrap(conn: Connection, main) -> None:
    """A worker's first code: receive its arguments over the pipe, then run ``main(conn, *args)``.

    It starts with the stop signals blocked (see ``_ctrl_c_held_back``). It ignores SIGINT for good (the
    parent decides what Ctrl-C stops, and a worker still importing never prints a KeyboardInterrupt),
    then unblocks them: a SIGTERM or SIGHUP sent to it meanwhile ends it now, as it would have.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # also discards a Ctrl-C held back since the spawn
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    try:
        args = conn.recv()
    except BaseException:  # noqa: BLE001 - the parent stopped before sending them whole: nothing to do
        return
    main(conn, *args)


@contextlib.contextmanager
def _ctrl_c_held_back():
    """Start a worker process immune to Ctrl-C, without losing a Ctrl-C (or SIGTERM, SIGHUP) meant for
    the parent.

    The spawning thread blocks the stop signals, so the child starts with them blocked (the signal mask
    survives fork and exec) and the terminal's Ctrl-C never interrupts a worker's start-up. The parent
    must not ignore SIGINT meanwhile: another of its threads would take the signal and drop it (the run
    used to finish with exit 0). A stop signal arriving meanwhile is recorded, and raised as
    KeyboardInterrupt once the worker is started, never half-way through multiprocessing's start.
    """
    if threading.current_thread() is not threading.main_thread():
        yield   # only the main thread handles signals and may change their handlers
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()   # starting it unblocks SIGINT and SIGTERM: do it before blocking
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _HELD}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)   # a signal pending in this thread is recorded
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
    if caught:
        raise KeyboardInterrupt


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
    generation: int = 0       # how many processes this slot has started (fault point ``spawn``)
    respawns: int = 0
    peak_rss_mb: list[float] = field(default_factory=list)

    def peak(self) -> float | None:
        """The highest peak memory seen for this slot's processes; None if none could be measured."""
        return max(self.peak_rss_mb, default=None)

    def sample(self) -> None:
        """Record the live process's peak memory from /proc, so a worker that never got a batch (a
        small plan, a slow start) still has a true figure rather than none."""
        if self.process is not None and self.process.pid is not None:
            found = _vm_hwm_mb(self.process.pid)
            if found is not None:
                self.peak_rss_mb.append(found)


class Pool:
    """N worker slots; dispatch tasks, collect results, kill hung workers and replace dead ones."""

    def __init__(self, size: int, url: str, plan_text: str, lookups: Lookups, vendor: str, guard=None,
                 main=None):
        self._ctx = mp.get_context("spawn")
        self._main = main or worker_main   # a target load passes its own entry point
        self._args = (url, plan_text, lookups, vendor, guard)
        self.slots = [Slot(i) for i in range(size)]

    def start(self) -> None:
        """Start every worker process (they report ready once Django and the plan are set up)."""
        for slot in self.slots:
            self._start(slot)

    def _start(self, slot: Slot) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        # Only the pipe and the entry point travel in the spawn itself; the arguments (the whole plan)
        # follow over the pipe, so the window in which Ctrl-C is held back lasts a fork and an exec.
        proc = self._ctx.Process(target=_bootstrap, args=(child, self._main),
                                 name=f"aquadsl-worker-{slot.index}", daemon=True)
        slot.generation += 1
        with _ctrl_c_held_back():
            inject("spawn", f"worker-{slot.index}", slot.generation)
            proc.start()
            slot.process, slot.conn, slot.task, slot.ready = proc, parent, None, False
        child.close()
        try:
            parent.send(self._args)   # a Ctrl-C now interrupts this send at once
        except OSError:
            pass   # the worker died at once: poll() reports it

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
        """Events since the last call: (kind, slot, payload...). Kinds: result, died, timeout, fatal.
        A death carries the seconds the worker spent on its batch before it died."""
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
                ran = time.monotonic() - slot.started if task is not None else 0.0   # since dispatch
                self.replace(slot)
                events.append(("died", slot, task, code, ran))
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
        slot.sample()
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
            slot.sample()   # before it exits: a stopped process's /proc entry no longer has VmHWM
            if graceful and slot.task is None and slot.process.is_alive():
                try:
                    slot.conn.send(("stop",))
                    slot.process.join(5)
                except (OSError, BrokenPipeError):
                    pass
            self._kill(slot)


# Shared with the Celery executor (aquadsl.executors.celery_app), which runs the same batch code.
run_task = _run_task
error_text = _error_text
peak_rss_mb = _peak_rss_mb
