"""The Celery application: configuration shared by `apply` and `aquadsl worker`, and the batch task.

A task carries (database URL, plan hash, run id, batch id, attempt, log path). The worker process sets
Django up for the URL itself, fetches the plan by hash from the database (``planstore``) once, and
loads the batch in one transaction with its ledger row, exactly as a local worker does. So:

* a task redelivered after its worker died finds the batch ``done`` (and does nothing) or absent
  (and loads it): the ledger row is locked first inside the batch's transaction;
* a task whose run has ended (Ctrl-C, a fault) does nothing, so revoked-but-delivered tasks are harmless.

Reliability settings: late acknowledgement, requeue when the worker process is lost, prefetch of one
task per process, and for Redis a visibility timeout after which unacknowledged tasks are redelivered.
"""

from __future__ import annotations

import os
import socket
import time

from aquadsl.executors.brokers import default_backend, kind

TASK_NAME = "aquadsl.load_batch"
DEFAULT_QUEUE = "aquadsl"
DEFAULT_VISIBILITY = 3600.0   # Redis: seconds before an unacknowledged task is given to another worker

_contexts: dict[tuple[str, str], tuple] = {}   # (url, plan hash) -> (plan, specs, lookups), per process


def make_app(broker: str, result_backend: str | None = None, queue: str = DEFAULT_QUEUE,
             visibility_timeout: float = DEFAULT_VISIBILITY):
    """A configured Celery app with the batch task registered (not set as the process's current app)."""
    from celery import Celery

    backend = result_backend or default_backend(broker)
    app = Celery("aquadsl", broker=broker, backend=backend, set_as_current=False)
    transport = {}
    if kind(broker) == "redis":
        restore = max(1, min(10, int(visibility_timeout / 2)))
        transport = {"visibility_timeout": visibility_timeout, "unacked_restore_interval": restore,
                     "unacked_restore_throttle": 1}
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, task_track_started=True,
        worker_prefetch_multiplier=1, task_default_queue=queue, task_create_missing_queues=True,
        broker_transport_options=transport, result_expires=24 * 3600,
        broker_connection_retry_on_startup=False, worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, track_started=True)(load_batch)
    return app


def load_batch(url: str, plan_hash: str, run_id: int, batch_id: str, attempt: int, log_path: str,
               replace_from: int | None = None, lock_token: str = "") -> list:
    """The task: load one batch. Returns [kind, ...] as a local worker's message, plus the worker's name.

    ``replace_from`` is an until extension's first assignment to reload; ``lock_token`` names the apply
    lock that the batch transaction checks (runtime.lock.LockGuard), so a run that lost it writes nothing."""
    from aquadsl.runtime.lock import LockGuard
    from aquadsl.runtime.workers import Task, error_text, peak_rss_mb, run_task

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        context = _context(url, plan_hash)
        if _run_ended(run_id):
            return ["cancelled", worker]
    except Exception as exc:  # noqa: BLE001 - reported to apply like any failed attempt
        from django.db import connection

        connection.close()
        message, trace = error_text(exc, url)
        return ["failed", message, trace, time.perf_counter() - started, peak_rss_mb(), worker]
    plan, specs, lookups = context
    guard = LockGuard("postgresql", token=lock_token) if lock_token else None
    result = run_task(Task(batch_id, attempt, log_path, replace_from), plan, specs, lookups, "postgresql", url,
                      guard)
    return [result[0], *result[2:], worker]


def _context(url: str, plan_hash: str) -> tuple:
    """Set Django up for ``url`` and return the plan, table specs and name lookups (cached)."""
    from aquadsl.executors import planstore
    from aquadsl.plan.model import loads
    from aquadsl.runtime import db, infra
    from aquadsl.runtime.tables import table_specs

    db.setup(url)
    db.reconnect_if_dropped()
    key = (url, plan_hash)
    if key not in _contexts:
        text = planstore.get(plan_hash)
        if text is None:
            raise LookupError(f"plan {plan_hash[:12]} is not stored in the database; re-run apply")
        _contexts.clear()
        _contexts[key] = (loads(text), table_specs(), infra.lookups())
    return _contexts[key]


def _run_ended(run_id: int) -> bool:
    from aquadsl.farm.models import Run

    return Run.objects.filter(id=run_id, ended_at__isnull=False).exists()
