"""Fixtures for runtime tests: a fresh SQLite file or PostgreSQL database per test, plans, CLI runner.

PostgreSQL tests use a uniquely named database on 127.0.0.1:5432 (user postgres), dropped after.
With CI=true they fail if the server is unreachable; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.runtime.planfactory import small_plan
PG_PORT = int(os.environ.get("AQUADSL_TEST_PG_PORT", "5432"))   # override only to test the skip/fail path
PG_ADMIN = dict(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres", connect_timeout=3)
_names = itertools.count()


def _pg_admin():
    import psycopg2

    conn = psycopg2.connect(**PG_ADMIN)
    conn.autocommit = True
    return conn


def _pg_unavailable() -> str | None:
    try:
        _pg_admin().close()
        return None
    except Exception as exc:  # noqa: BLE001 - any reason to skip is reported
        return f"PostgreSQL on 127.0.0.1:{PG_PORT} unreachable: {' '.join(str(exc).split())}"


def pg_database():
    """Create a unique database; yields its URL; drops it (forcibly) afterwards."""
    reason = _pg_unavailable()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with created_database(f"aqs_test_{os.getpid()}_{next(_names)}") as name:
        yield f"postgresql://postgres@127.0.0.1:{PG_PORT}/{name}"


# A throw-away database named after the test process: aqs_test_<pid>_<n>, aqs_target_<pid>_<n>,
# aqs_sample_tmpl_<pid>, aqs_am_test_<pid>.
# Only these test prefixes: other aqs_ databases (benchmarks') have owners of their own.
_PER_PROCESS = re.compile(r"^aqs_(?:test|target|sample_tmpl|am_test)_(\d+)(?:_\d+)?$")
_leftovers_checked = False


def drop_leftovers(conn) -> list[str]:
    """Drop the throw-away databases of test processes that are gone (killed before their ``finally``
    ran) and that nobody is connected to; a live process's databases are left alone (another test run
    on this machine may be using them). Returns the names dropped."""
    with conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database d WHERE datname LIKE 'aqs\\_%' AND NOT EXISTS "
                    "(SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)")
        names = [row[0] for row in cur.fetchall()]
        dropped = []
        for name in sorted(names):
            found = _PER_PROCESS.match(name)
            if found and not os.path.exists(f"/proc/{found.group(1)}"):
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
    return dropped


@contextlib.contextmanager
def created_database(name: str, template: str | None = None):
    """A database made afresh (from ``template`` if given); closes Django's connections and drops it after.
    The first call of a process also drops the leftovers of killed test processes."""
    global _leftovers_checked
    conn = _pg_admin()
    if not _leftovers_checked:
        _leftovers_checked = True
        drop_leftovers(conn)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield name
    finally:
        _close_django()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def _close_django() -> None:
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


@pytest.fixture
def pg_url():
    yield from pg_database()


@pytest.fixture
def sqlite_url(tmp_path):
    yield f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    _close_django()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each test using it runs once on a fresh SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'farm.sqlite3'}"
        _close_django()
    else:
        yield from pg_database()


@pytest.fixture(scope="session")
def plan():
    """Five small batches, the last still active at `until`."""
    return small_plan(batches=5)


@pytest.fixture(scope="session")
def plan_digests(plan, tmp_path_factory) -> dict[str, str]:
    """The table digests of ``plan`` loaded once, undisturbed, into SQLite: what every interrupted,
    killed or resumed load of it must end up equal to (digests do not depend on backend or workers)."""
    from aquadsl.runtime import digest
    from aquadsl.runtime.apply import ApplyOptions, apply_plan

    folder = tmp_path_factory.mktemp("plan-reference")
    url = f"sqlite:///{folder / 'reference.sqlite3'}"
    options = ApplyOptions(log_dir=str(folder / "logs"), progress="none", workers=2)
    assert apply_plan(plan, url, options, echo=lambda m: None).outcome == "completed"
    use(url)
    found = digest.digests()
    _close_django()
    return found


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 300):
    """Run ``python -m aquadsl ARGS``; returns the CompletedProcess (text output)."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
    return subprocess.run([sys.executable, "-m", "aquadsl", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def start_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    """Start ``python -m aquadsl ARGS`` in its own process group (to signal it like a terminal would)."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
    return subprocess.Popen([sys.executable, "-m", "aquadsl", *args], cwd=cwd, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def use(url: str) -> None:
    """Point this process's Django at ``url`` (for checks after a run)."""
    from aquadsl.runtime import db

    db.setup(url)


SAFETY_NET_S = 300.0   # only ends a test that is already broken; a loaded machine is slow, not wrong


def wait_for(predicate, timeout: float = SAFETY_NET_S) -> None:
    """Poll ``predicate`` (an event: a ledger row, a file) until it holds; fail the test after
    ``timeout`` seconds, a safety net for a broken run, never a speed limit."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def done_count(url: str) -> int:
    """Batches the ledger at ``url`` marks done (0 while the tables do not exist yet)."""
    from django.db import connections
    from django.db.utils import Error

    from aquadsl.runtime import ledger

    use(url)
    try:
        return len(ledger.done_ids())
    except Error:
        return 0
    finally:
        connections.close_all()
