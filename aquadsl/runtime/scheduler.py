"""The run loop: deal batches to worker slots by partition, retry with backoff, handle timeouts and deaths."""

from __future__ import annotations

import heapq
import signal
import time
from collections import deque
from dataclasses import dataclass, field

from aquadsl.plan.model import Plan
from aquadsl.runtime import ledger, logs
from aquadsl.runtime.errors import RuntimeFault, database_fault
from aquadsl.runtime.progress import Progress
from aquadsl.runtime.workers import Pool, Task


def partitions(plan: Plan, batch_ids: list[str], workers: int) -> list[deque]:
    """The compiler's balanced partition of the batches still to load, one queue per worker."""
    from aquadsl.plan.partition import partition

    todo = set(batch_ids)
    sub = plan.model_copy(update={"batches": tuple(b for b in plan.batches if b.id in todo)})
    return [deque(p.batch_ids) for p in partition(sub, workers)]


@dataclass
class Outcomes:
    succeeded: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)   # batch id -> last error
    attempts: dict[str, int] = field(default_factory=dict)


class Runner:
    """Drives one run. ``sink`` receives the parent's database writes (see writer.py)."""

    def __init__(self, plan: Plan, batch_ids: list[str], pool: Pool, sink, log: logs.LogDir,
                 progress: Progress, *, run_id: int, plan_hash: str, database: str, retries: int,
                 timeout: float | None, backoff: float, replace_from: dict[str, int] | None = None,
                 lock=None):
        self.plan, self.pool, self.sink, self.log, self.progress = plan, pool, sink, log, progress
        self.run_id, self.plan_hash, self.database = run_id, plan_hash, database
        self.retries, self.timeout, self.backoff = retries, timeout, backoff
        self.replace_from = replace_from or {}      # batches an extension reloads in part (extend.py)
        self.lock = lock   # lock.HeldLock: re-checked in the loop, so a lost lock stops the run
        self.queues = partitions(plan, batch_ids, len(pool.slots))
        self.retry: list[tuple[float, str]] = []     # heap of (ready at, batch id)
        self.out = Outcomes()

    # ------------------------------------------------------------------ loop
    def run(self) -> Outcomes:
        """Load every batch (or fail it after its retries); returns what happened to each."""
        while not self._finished():
            self._check_lock(every=1.0)
            self._dispatch()
            events = self.pool.poll(0.05 if self.sink.pending_writes else 0.2, self.timeout)
            for event in events + self.sink.results():
                self._handle(event)
            self.progress.tick()
        return self.out

    def _check_lock(self, every: float) -> None:
        if self.lock is not None:
            self.lock.check(every)

    def _finished(self) -> bool:
        return (not any(self.queues) and not self.retry and not self.pool.busy()
                and not self.sink.pending_writes)

    def _next(self, slot_index: int) -> str | None:
        if self.retry and self.retry[0][0] <= time.monotonic():
            return heapq.heappop(self.retry)[1]
        if self.queues[slot_index]:
            return self.queues[slot_index].popleft()
        longest = max(self.queues, key=len)
        return longest.pop() if longest else None   # steal from the tail of the longest queue

    def _dispatch(self) -> None:
        for slot in self.pool.idle():
            # SQLite: hold simulation back while the single writer has a full backlog.
            if self.sink.pending_writes > len(self.pool.slots):
                return
            batch_id = self._next(slot.index)
            if batch_id is None:
                return
            self._check_lock(every=0.0)
            attempt = self.out.attempts.get(batch_id, 0) + 1
            self.out.attempts[batch_id] = attempt
            if attempt == 1:
                self.log.append(batch_id, logs.header(self.plan.batch(batch_id), self.plan_hash, self.database))
            self.sink.call(ledger.mark_attempt, batch_id, self.run_id)
            self.pool.dispatch(slot, Task(batch_id, attempt, str(self.log.path_for(batch_id)),
                                          self.replace_from.get(batch_id)))

    # ---------------------------------------------------------------- events
    def _handle(self, event: tuple) -> None:
        kind = event[0]
        if kind == "fatal":
            raise database_fault(f"a worker could not start: {event[2]}")
        if kind == "lock_lost":
            self._lock_lost(event[1], event[2])
        if kind == "writer_error":
            raise database_fault(f"the SQLite writer failed: {event[2]}")
        if kind == "died":
            _, _, task, code, seconds = event
            if task is not None:
                self._failed(task, f"worker process died ({_signal_name(code)}); replaced", "", seconds)
        elif kind == "timeout":
            _, _, task, limit = event
            self._failed(task, f"timed out after {limit:g} s; worker killed and replaced", "", limit)
        elif kind == "result":
            self._result(event[2])
        elif kind == "written":
            _, task, counts, already, seconds = event
            self._succeeded(task, counts, already, seconds)
        elif kind == "write_failed":
            _, task, message, trace, seconds = event
            self._failed(task, message, trace, seconds)

    def _lock_lost(self, task: Task, message: str) -> None:
        """A batch found the lock gone: stop if it is lost for good, else (re-taken) retry the batch."""
        self._check_lock(every=0.0)
        # Not the batch's fault: run it again at once, without spending one of its retries.
        self.log.append(task.batch_id, logs.attempt_line(task.attempt, f"stopped: the apply lock was briefly "
                                                         f"lost ({message}); it was re-taken", 0.0))
        self.out.attempts[task.batch_id] = task.attempt - 1
        heapq.heappush(self.retry, (time.monotonic(), task.batch_id))

    def _result(self, msg: tuple) -> None:
        kind, task = msg[0], msg[1]
        if kind == "lock_lost":
            self._lock_lost(task, msg[2])
        if kind == "rows":
            self.sink.load(msg[2], msg[3], str(self.log.path_for(task.batch_id)), task)
        elif kind == "done":
            self._succeeded(task, msg[2], msg[3], msg[4])
        elif kind == "failed":
            self._failed(task, msg[2], msg[3], msg[4])

    def _succeeded(self, task: Task, counts: dict[str, int], already: bool, seconds: float) -> None:
        self.out.succeeded[task.batch_id] = counts
        self.progress.batch_done(sum(counts.values()))
        note = "already loaded by an earlier attempt" if already else "loaded"
        self.log.append(task.batch_id, logs.attempt_line(task.attempt, note, seconds) + "\n"
                        + logs.rows_block(counts))

    def _failed(self, task: Task, message: str, trace: str, seconds: float) -> None:
        final = task.attempt > self.retries
        self.log.append(task.batch_id, logs.attempt_line(task.attempt, f"FAILED: {message}", seconds)
                        + ("\n" + trace if trace else "")
                        + ("\ngiving up: no retries left" if final else ""))
        self.sink.call(ledger.mark_failed, task.batch_id, message, str(self.log.path_for(task.batch_id)), final)
        if final:
            self.out.failed[task.batch_id] = message
            self.progress.batch_failed()
        else:
            delay = self.backoff * 2 ** (task.attempt - 1)
            heapq.heappush(self.retry, (time.monotonic() + delay, task.batch_id))

    # -------------------------------------------------------------- shutdown
    def stop(self, interrupted: bool) -> None:
        """Stop workers and the writer; batches in flight return to pending (their work is rolled back)."""
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.pool.shutdown(graceful=not interrupted)
            self.sink.close(interrupt=interrupted)
            for event in self.sink.results():
                if event[0] == "written":
                    try:
                        self._handle(event)
                    except RuntimeFault:
                        pass  # the batch is committed; only its log line is lost (the run is failing)
        finally:
            signal.signal(signal.SIGINT, previous)


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
