"""D1: an apply that loses its PostgreSQL lock stops with a clear error; two plans never mix."""

from __future__ import annotations

import os
import signal
import time

import psycopg2

from aquadsl.cli import exits
from aquadsl.plan.model import dumps
from aquadsl.runtime import errors
from aquadsl.runtime.lock import ADVISORY_KEY
from tests.runtime.conftest import PG_ADMIN, done_count, run_cli, start_cli
from tests.runtime.planfactory import small_plan


def _admin(dbname: str):
    conn = psycopg2.connect(**(PG_ADMIN | {"dbname": dbname}))
    conn.autocommit = True
    return conn


def _lock_pids(url: str) -> list[int]:
    name = url.rsplit("/", 1)[1]
    with _admin("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s AND l.objid = %s",
                    [name, ADVISORY_KEY & 0xFFFFFFFF])
        return [r[0] for r in cur.fetchall()]


def _held_plan(url: str) -> tuple[str, int, int]:
    name = url.rsplit("/", 1)[1]
    conn = _admin(name)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT plan_hash FROM farm_ledger_plan")
            (phash,) = cur.fetchone()
            cur.execute("SELECT count(*) FROM farm_batches")
            (batches,) = cur.fetchone()
            cur.execute("SELECT count(*) FROM farm_ledger_batches WHERE status = 'done'")
            (done,) = cur.fetchone()
    finally:
        conn.close()
    return phash, batches, done


def _start_paused(tmp_path, url: str, plan):
    """Apply ``plan`` with one worker that pauses before its third batch until the test releases it."""
    (tmp_path / "a.json").write_text(dumps(plan), encoding="utf-8")
    env = {"AQUADSL_FAULT_INJECTION": f"simulate:pause:{plan.batches[2].id}:1",
           "AQUADSL_FAULT_RELEASE": str(tmp_path / "go")}
    proc = start_cli("apply", str(tmp_path / "a.json"), "--database", url, "--workers", "1", "--progress",
                     "none", "--log-dir", str(tmp_path / "logs-a"), cwd=tmp_path, env=env)
    deadline = time.monotonic() + 120
    while done_count(url) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    return proc


def _second(tmp_path, url: str):
    plan_b = small_plan(batches=5, seed=99)
    (tmp_path / "b.json").write_text(dumps(plan_b), encoding="utf-8")
    return plan_b, run_cli("apply", str(tmp_path / "b.json"), "--database", url, "--fresh", "--progress",
                           "none", "--log-dir", str(tmp_path / "logs-b"), cwd=tmp_path, timeout=120)


def _finish(proc, tmp_path) -> str:
    (tmp_path / "go").touch()
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return out + err


def test_terminating_the_lock_connection_stops_the_run_and_plans_never_mix(pg_url, tmp_path):
    from aquadsl.runtime.ledger import plan_hash

    plan_a = small_plan(batches=5)
    first = _start_paused(tmp_path, pg_url, plan_a)
    pids = _lock_pids(pg_url)
    assert len(pids) == 1
    with _admin("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", pids)
    plan_b, second = _second(tmp_path, pg_url)
    out = _finish(first, tmp_path)
    assert "Traceback" not in out + second.stderr
    # Either the first run re-took its lock before the second apply asked (nobody had used the
    # database meanwhile): the second is refused and the first completes; or the second won the lock:
    # the first stops with LOCK_LOST. Both runs succeeding, or a mix of plans, is the defect.
    if second.returncode == errors.LOCKED:
        assert first.returncode == exits.OK, out
        assert _held_plan(pg_url) == (plan_hash(plan_a), 5, 5)
    else:
        assert second.returncode == exits.OK, second.stdout + second.stderr
        assert first.returncode == errors.LOCKED, out
        assert f"error[{errors.AQS_LOCK_LOST}]: lost the apply lock" in out
        assert _held_plan(pg_url) == (plan_hash(plan_b), 5, 5)


def test_idle_session_timeout_does_not_release_the_lock(pg_url, tmp_path):
    from aquadsl.runtime.ledger import plan_hash

    name = pg_url.rsplit("/", 1)[1]
    with _admin("postgres") as conn, conn.cursor() as cur:
        cur.execute(f'ALTER DATABASE "{name}" SET idle_session_timeout = \'1s\'')
    plan_a = small_plan(batches=5)
    first = _start_paused(tmp_path, pg_url, plan_a)
    time.sleep(2.5)   # the reproduction: the lock connection idles past the server's timeout
    _, second = _second(tmp_path, pg_url)
    assert second.returncode == errors.LOCKED, second.stdout + second.stderr
    out = _finish(first, tmp_path)
    assert first.returncode == exits.OK, out
    assert _held_plan(pg_url) == (plan_hash(plan_a), 5, 5)


def test_a_removed_sqlite_lock_file_is_a_lost_lock(sqlite_url, tmp_path):
    import pytest

    from aquadsl.runtime.errors import RuntimeFault
    from aquadsl.runtime.lock import apply_lock

    with apply_lock(sqlite_url) as held:
        held.check()
        (tmp_path / "farm.sqlite3.lock").unlink()
        with pytest.raises(RuntimeFault) as err:
            held.check()
    assert err.value.code == errors.AQS_LOCK_LOST and err.value.exit_code == errors.LOCKED


def test_a_lock_taken_by_someone_else_after_a_drop_stops_the_run(pg_url, tmp_path):
    plan_a = small_plan(batches=5)
    first = _start_paused(tmp_path, pg_url, plan_a)
    (pid,) = _lock_pids(pg_url)
    thief = _admin(pg_url.rsplit("/", 1)[1])
    try:
        with thief.cursor() as cur:   # terminate the lock's backend and queue for its lock in one go
            cur.execute("SELECT pg_terminate_backend(%s), pg_advisory_lock(%s)", [pid, ADVISORY_KEY])
        out = _finish(first, tmp_path)
    finally:
        thief.close()
    assert first.returncode == errors.LOCKED, out
    assert f"error[{errors.AQS_LOCK_LOST}]: lost the apply lock" in out and "Traceback" not in out
