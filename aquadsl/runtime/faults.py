"""Fault injection for tests: make a worker raise, hang or die at a chosen point of a chosen batch.

Set ``AQUADSL_FAULT_INJECTION`` to comma-separated ``point:action:batch_id[:attempts]`` entries,
e.g. ``load:kill:FAR-2023-002:1`` (SIGKILL the worker mid-load on the first attempt) or
``simulate:raise:FAR-2023-003:*``. Points in a worker: ``simulate`` (before simulating), ``load``
(after the first table is written, inside the batch's transaction). Points in the parent:
``migrate`` (batch id ``farm``, attempt 1: before pending migrations run), ``spawn`` (batch id
``worker-N``, attempt = how many times slot N has been started: 1 its first start, 2 its first
replacement...: inside the window where the parent starts a worker process) and ``startup`` (batch id
``cli``, attempt 1: the first thing ``python -m aquadsl`` does after installing its Ctrl-C handler).

Actions: ``raise``, ``hang``, ``kill`` (SIGKILL), ``mark`` (only write the marker below) and ``pause``
(wait until the file named by ``AQUADSL_FAULT_RELEASE`` exists: a test's event, not a timer). Unset,
this module does nothing.

With ``AQUADSL_FAULT_MARKER_DIR`` set, ``hang``, ``pause`` and ``mark`` write the file
``POINT-BATCH-ATTEMPT`` there (holding the process id), so a test can wait for that event and then
signal or kill the process deterministically.
"""

from __future__ import annotations

import os
import signal
import time

ENV = "AQUADSL_FAULT_INJECTION"
RELEASE_ENV = "AQUADSL_FAULT_RELEASE"
MARKER_DIR_ENV = "AQUADSL_FAULT_MARKER_DIR"


class InjectedFault(RuntimeError):
    """The failure a test asked for."""


def _matches(spec: str, point: str, batch_id: str, attempt: int) -> str | None:
    parts = spec.strip().split(":")
    if len(parts) not in (3, 4) or parts[0] != point or parts[2] != batch_id:
        return None
    attempts = parts[3] if len(parts) == 4 else "*"
    if attempts != "*" and str(attempt) not in attempts.split("/"):
        return None
    return parts[1]


def inject(point: str, batch_id: str, attempt: int) -> None:
    """Trigger the configured fault for (point, batch, attempt), if any."""
    specs = os.environ.get(ENV)
    if not specs:
        return
    for spec in specs.split(","):
        action = _matches(spec, point, batch_id, attempt)
        if action == "raise":
            raise InjectedFault(f"injected failure at {point} of {batch_id} (attempt {attempt})")
        if action == "hang":
            _mark(point, batch_id, attempt)
            time.sleep(3600)
        if action == "mark":
            _mark(point, batch_id, attempt)
        if action == "pause":
            _mark(point, batch_id, attempt)
            _wait_for_release()
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)


def _wait_for_release() -> None:
    release = os.environ.get(RELEASE_ENV, "")
    deadline = time.monotonic() + 3600
    while release and not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.05)


def _mark(point: str, batch_id: str, attempt: int) -> None:
    folder = os.environ.get(MARKER_DIR_ENV)
    if folder:
        path = os.path.join(folder, f"{point}-{batch_id}-{attempt}")
        with open(path + ".tmp", "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
        os.replace(path + ".tmp", path)
