"""The executor interface the runtime's scheduler drives, its configuration, and executor faults.

The scheduler (``aquadsl.runtime.scheduler.Runner``) deals tasks to *slots*: positions that can hold
one batch attempt. An executor owns the slots and reports what happened to them as events:

    ("result", slot, ("done", task, counts, already, seconds, peak_rss_mb))
    ("result", slot, ("failed", task, message, trace, seconds, peak_rss_mb))
    ("timeout", slot, task, limit)       the batch exceeded --timeout
    ("died", slot, task, exit_code, s)   the process running it died after s seconds on it (local executor)
    ("fatal", slot, message)             the executor cannot go on

The ledger stays the single source of truth: an executor never decides that a batch is done; the
batch's own transaction does (rows and ledger row commit together).

Exit codes added by executors (see README): 68 the broker is unreachable or its URL is invalid,
79 no worker took a task (or answered) within --worker-wait seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aquadsl.runtime.errors import RuntimeFault

BROKER = 68          # EX_NOHOST: the broker cannot be reached, refuses us, or its URL is invalid
NO_WORKERS = 79      # no worker is consuming the queue
USAGE = 64
AQS_BROKER = "AQS520"
AQS_NO_WORKERS = "AQS521"
AQS_EXECUTOR = "AQS522"

EXECUTORS = ("local", "celery")


@dataclass(frozen=True)
class ExecutorConfig:
    """How to run batches: ``local`` (worker processes here) or ``celery`` (a broker and its workers)."""

    name: str = "local"
    broker: str | None = None
    result_backend: str | None = None
    queue: str = "aquadsl"
    worker_wait: float = 60.0        # celery: seconds without any worker activity before giving up

    def recorded(self) -> dict:
        """What the ledger's run row records: no credentials."""
        from aquadsl.executors.brokers import redact

        return {"name": self.name, "broker": redact(self.broker) if self.broker else None,
                "result_backend": redact(self.result_backend) if self.result_backend else None,
                "queue": self.queue}


class Executor(Protocol):
    """What the scheduler needs from an executor."""

    slots: list

    def start(self) -> None:
        """Get ready to run tasks (start processes, check the broker); raise RuntimeFault if impossible."""

    def idle(self) -> list:
        """Slots that can take a task now."""

    def busy(self) -> list:
        """Slots holding a task."""

    def dispatch(self, slot, task) -> None:
        """Start ``task`` (an ``aquadsl.runtime.workers.Task``) in ``slot``."""

    def poll(self, timeout: float, limit: float | None) -> list[tuple]:
        """Wait up to ``timeout`` seconds; the events since the last call (see the module docstring)."""

    def shutdown(self, graceful: bool) -> None:
        """Stop: wait for nothing more when ``graceful`` is false (batches in flight are not counted)."""

    def worker_peaks(self) -> list[float]:
        """Peak resident memory (MB) per worker process seen, for the summary."""

    def abandoned(self) -> list[str]:
        """Batches still queued or running elsewhere after ``shutdown``; their ledger rows are left alone."""


def broker_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_BROKER, message, BROKER, hints)


def no_workers_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_NO_WORKERS, message, NO_WORKERS, hints)


def usage_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_EXECUTOR, message, USAGE, hints)


def make_executor(config: ExecutorConfig, *, size: int, batches: int, url: str, plan_text: str,
                  plan_hash: str, run_id: int, vendor: str, timeout: float | None, guard=None) -> Executor:
    """The executor ``config`` names, not yet started: ``size`` local workers, ``batches`` to load.

    ``guard`` (``runtime.lock.LockGuard``) is checked inside every batch transaction, wherever it runs."""
    if config.name == "celery":
        from aquadsl.executors.celery_exec import CeleryExecutor

        if vendor != "postgresql":
            raise usage_fault("the celery executor needs a database every worker can reach: PostgreSQL",
                              "use --database postgresql://..., or --executor local for SQLite")
        return CeleryExecutor(config, url=url, plan_text=plan_text, plan_hash=plan_hash, run_id=run_id,
                              timeout=timeout, batches=batches, guard=guard)
    from aquadsl.executors.local import LocalExecutor
    from aquadsl.runtime import infra

    return LocalExecutor(size, url, plan_text, infra.lookups(), vendor, guard)
