"""Throw-away PostgreSQL databases of a test process that was killed are dropped by the next one.

`pg_database()` (and the other `created_database()` users) drop their database in a ``finally``, which
never runs when pytest is SIGKILLed or times out: `aqs_test_<pid>_<n>` databases piled up. The first
`created_database()` of a process now drops every `aqs_…_<pid>[_<n>]` database whose process is gone.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.runtime import conftest
from tests.runtime.conftest import _pg_admin, created_database


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid   # reaped: no process has this id now (reuse within this test is not plausible)


def _exists(name: str) -> bool:
    conn = _pg_admin()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cur.fetchone() is not None
    finally:
        conn.close()


def test_leftovers_of_dead_processes_are_dropped_and_live_ones_kept(monkeypatch):
    reason = conftest._pg_unavailable()
    if reason:
        (pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip)(reason)
    gone = _dead_pid()
    dead, live, other = f"aqs_test_{gone}_13", f"aqs_test_{os.getppid()}_7", f"aqs_bench_x_{gone}_1"
    conn = _pg_admin()
    with conn.cursor() as cur:
        for name in (dead, live, other):
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    try:
        monkeypatch.setattr(conftest, "_leftovers_checked", False, raising=False)   # as in a new process
        with created_database(f"defects2_probe_{os.getpid()}"):
            pass
        assert not _exists(dead)
        assert _exists(live)   # its process (our parent) is alive: maybe another test run's
        assert _exists(other)   # not a test fixture's name: its owner decides
    finally:
        conn = _pg_admin()
        with conn.cursor() as cur:
            for name in (dead, live, other):
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
