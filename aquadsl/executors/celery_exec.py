"""The Celery executor (apply side): enqueue one task per batch, largest first, and follow their states.

Every pending batch gets a slot, so all tasks are enqueued at once in the order the scheduler deals
them (the compiler's partition with one batch per slot: largest first). Retries are new tasks with the
next attempt number, enqueued by the scheduler after its backoff. Time limits: soft at --timeout (the
batch's transaction rolls back), hard 10 s later (the pool kills the process).

Ctrl-C: no more tasks are enqueued, tasks not finished are revoked, and the run is closed in the
ledger, so a task that still reaches a worker does nothing. Tasks already running are abandoned, not
waited for: each commits or rolls back on its worker, and the ledger records whichever happened.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from aquadsl.executors import brokers, planstore
from aquadsl.executors.base import ExecutorConfig, broker_fault, no_workers_fault
from aquadsl.executors.celery_app import TASK_NAME, make_app

HARD_LIMIT_GRACE = 10.0   # seconds between the soft and the hard time limit
POLL_INTERVAL = 0.25      # seconds between two looks at the result backend
RPC_LOOKAHEAD = 8         # rpc:// backend: queued tasks looked at per poll, besides the running ones


@contextmanager
def _uninterrupted():
    """Hold Ctrl-C/SIGTERM back during a broker exchange: an AMQP read cut mid-frame can leave the
    connection waiting forever. The signal is delivered (KeyboardInterrupt) as soon as it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass(eq=False)
class CelerySlot:
    """One enqueued batch attempt."""

    index: int
    task: object | None = None
    result: object | None = None
    running: bool = False
    ready: bool = True


@dataclass
class _Activity:
    last: float = field(default_factory=time.monotonic)
    taken: bool = False     # has any worker taken a task of this run yet?


class CeleryExecutor:
    """Runs batch attempts as Celery tasks on whatever workers consume the queue."""

    def __init__(self, config: ExecutorConfig, *, url: str, plan_text: str, plan_hash: str, run_id: int,
                 timeout: float | None, batches: int, guard=None):
        self.config, self.url, self.plan_text, self.plan_hash = config, url, plan_text, plan_hash
        self.run_id, self.timeout = run_id, timeout
        self.lock_token = guard.token if guard is not None else ""
        self.backend = config.result_backend or brokers.default_backend(config.broker)
        self.slots = [CelerySlot(i) for i in range(max(1, batches))]
        self.app = None
        self.activity = _Activity()
        self._peaks: dict[str, float] = {}
        self._abandoned: list[str] = []

    def _where(self) -> str:
        return f"queue {self.config.queue!r} on {brokers.redact(self.config.broker)}"

    def start(self) -> None:
        self.app = make_app(self.config.broker, self.config.result_backend, self.config.queue)
        brokers.check(self.app, self.config.broker, self.backend)
        planstore.put(self.plan_hash, self.plan_text)
        self.activity = _Activity()

    def idle(self) -> list[CelerySlot]:
        return [s for s in self.slots if s.task is None]

    def busy(self) -> list[CelerySlot]:
        return [s for s in self.slots if s.task is not None]

    def dispatch(self, slot: CelerySlot, task) -> None:
        args = [self.url, self.plan_hash, self.run_id, task.batch_id, task.attempt, task.log_path,
                task.replace_from, self.lock_token]
        limits = {}
        if self.timeout is not None:
            limits = {"soft_time_limit": self.timeout, "time_limit": self.timeout + HARD_LIMIT_GRACE}
        try:
            with _uninterrupted():
                result = self.app.send_task(
                    TASK_NAME, args=args, queue=self.config.queue,
                    argsrepr=repr([brokers.redact(self.url), *args[1:]]), retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5,
                                  "interval_max": 2.0}, **limits)
        except Exception as exc:  # noqa: BLE001 - the broker went away mid-run
            raise broker_fault(f"cannot enqueue on {self._where()}: {self._scrub(brokers.describe(exc))}",
                               "committed batches are kept; re-run the same command to resume") from None
        slot.task, slot.result, slot.running = task, result, False

    def _scrub(self, text: str) -> str:
        return brokers.scrub(text, self.config.broker, self.backend, self.url)

    # ------------------------------------------------------------------ following
    def poll(self, timeout: float, limit: float | None) -> list[tuple]:
        time.sleep(max(timeout, POLL_INTERVAL))
        events = []
        busy = self.busy()
        try:
            with _uninterrupted():
                metas = self._states(busy)
        except Exception as exc:  # noqa: BLE001
            raise broker_fault(f"lost the result backend {brokers.redact(self.backend)}: "
                               f"{self._scrub(brokers.describe(exc))}",
                               "committed batches are kept; re-run the same command to resume") from None
        now = time.monotonic()
        for slot, (state, value) in zip(busy, metas):
            if state == "STARTED" and not slot.running:
                slot.running, self.activity.last, self.activity.taken = True, now, True
            elif state in ("SUCCESS", "FAILURE", "REVOKED"):
                self.activity.last, self.activity.taken = now, True
                events.append(self._finished(slot, state, value, limit))
        self._watch(now)
        return events

    def _states(self, slots: list[CelerySlot]) -> list[tuple[str, object]]:
        """(state, result) per slot: one MGET on a Redis backend, else one look per task."""
        backend = self.app.backend
        if not slots:
            return []
        if hasattr(backend, "mget") and hasattr(backend, "get_key_for_task"):
            raw = backend.mget([backend.get_key_for_task(s.result.id) for s in slots])
            out = []
            for value in raw:
                meta = backend.decode_result(value) if value else {"status": "PENDING", "result": None}
                result = meta.get("result")
                if meta["status"] == "FAILURE":
                    result = backend.exception_to_python(result)
                out.append((meta["status"], result))
            return out
        # rpc:// (AMQP replies) answers one task per round trip: look at the running tasks and the next
        # few queued ones (workers take them in enqueuing order); the others are still queued.
        running = [s for s in slots if s.running]
        watched = set(running + [s for s in slots if not s.running][:RPC_LOOKAHEAD])
        return [(s.result.state, s.result.result if s.result.ready() else None) if s in watched
                else ("PENDING", None) for s in slots]

    def _finished(self, slot: CelerySlot, state: str, value, limit: float | None) -> tuple:
        task = slot.task
        slot.task, slot.running = None, False
        try:
            slot.result.forget()
        except Exception:  # noqa: BLE001 - only a cleanup of the backend
            pass
        if state == "SUCCESS" and isinstance(value, list) and value:
            self._peaks[value[-1]] = max(self._peaks.get(value[-1], 0.0), *(
                [value[-2]] if value[0] in ("done", "failed") else [0.0]))
            if value[0] == "done":
                return ("result", slot, ("done", task, *value[1:4], value[4]))
            if value[0] == "failed" and value[1].startswith("SoftTimeLimitExceeded") and limit:
                return ("timeout", slot, task, limit)
            if value[0] == "failed":
                return ("result", slot, ("failed", task, *value[1:4], value[4]))
            if value[0] == "lock_lost":
                return ("result", slot, ("lock_lost", task, value[1], value[2]))
            return ("result", slot, ("failed", task, "the run was closed before the task started", "", 0.0, 0.0))
        if state == "FAILURE" and type(value).__name__ == "TimeLimitExceeded" and limit:
            return ("timeout", slot, task, limit)
        message = self._scrub(f"task {state.lower()}: {brokers.describe(value) if value else state}")
        return ("result", slot, ("failed", task, message, "", 0.0, 0.0))

    def _watch(self, now: float) -> None:
        """Give up (exit 79) when nothing happened for --worker-wait seconds and no worker listens."""
        if not self.busy() or now - self.activity.last < self.config.worker_wait:
            return
        with _uninterrupted():
            listening = self._listening()
        if listening:
            self.activity.last = time.monotonic()
            return
        wait = f"{self.config.worker_wait:g} s"
        if not self.activity.taken:
            raise no_workers_fault(f"no worker took a task from {self._where()} within {wait}",
                                   "start one: aquadsl worker --broker URL (same broker and --queue)")
        raise no_workers_fault(f"no worker started or finished a task from {self._where()} in {wait}, "
                               "and none is listening", "committed batches are kept; start a worker and "
                               "re-run the same command to resume")

    def _listening(self) -> bool:
        """Whether any worker consumes our queue: asked twice, since a loaded worker may answer late."""
        for _ in range(2):
            try:
                replies = self.app.control.inspect(timeout=2.0).active_queues() or {}
            except Exception:  # noqa: BLE001 - an unreachable broker means nobody listens
                replies = {}
            if any(q.get("name") == self.config.queue for queues in replies.values() for q in queues or ()):
                return True
        return False

    # ------------------------------------------------------------------ stopping
    def shutdown(self, graceful: bool) -> None:
        """Revoke every task not finished (Ctrl-C or a fault); running ones are abandoned, not awaited."""
        if self.app is None:
            return
        pending = [s.result.id for s in self.busy()]
        self._abandoned = [s.task.batch_id for s in self.busy()]
        if pending and not graceful:
            try:
                self.app.control.revoke(pending)
            except Exception:  # noqa: BLE001 - the run is closed in the ledger: late tasks do nothing
                pass
        try:
            self.app.close()
        except Exception:  # noqa: BLE001
            pass

    def worker_peaks(self) -> list[float]:
        return [self._peaks[k] for k in sorted(self._peaks)]

    def abandoned(self) -> list[str]:
        return list(self._abandoned)
