"""Fixtures for executor tests: real brokers (Redis, RabbitMQ), Celery workers started and always torn down.

Brokers live on the machine (Redis 127.0.0.1:6379, RabbitMQ 127.0.0.1:5672 guest/guest). Absent, the
tests skip with the reason; with CI=true they fail. Each test uses its own queue, deleted afterwards,
and every worker runs in its own process group, SIGKILLed at teardown.

``pg_url`` here is one migrated PostgreSQL database per module, emptied before each test (its other
sessions ended, every table truncated): creating, migrating and dropping a database per test cost
~10 s each under load (DROP DATABASE waits for a checkpoint).
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import _close_django, pg_database, wait_for

BROKERS = {
    "redis": "redis://127.0.0.1:6379/0",
    "amqp": "amqp://guest:guest@127.0.0.1:5672//",
}
_queues = itertools.count()


def unreachable(kind: str) -> str | None:
    """Why the broker ``kind`` cannot be used here, or None."""
    port = 6379 if kind == "redis" else 5672
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
    except OSError as exc:
        return f"{kind} broker on 127.0.0.1:{port} unreachable: {exc}"
    return None


def require(kind: str) -> str:
    """The broker URL; skip (or fail with CI=true) when it is unreachable."""
    reason = unreachable(kind)
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return BROKERS[kind]


@pytest.fixture(scope="module")
def migrated_url():
    """A PostgreSQL database with the farm schema, for the whole module."""
    from aquadsl.runtime import db

    databases = pg_database()
    url = next(databases)
    db.setup(url)
    db.migrate(url)
    yield url
    databases.close()


@pytest.fixture
def pg_url(migrated_url):
    """The module's migrated database, emptied: as a fresh one to apply, without creating one."""
    empty(migrated_url)
    return migrated_url


def empty(url: str) -> None:
    """End every other session on ``url`` (workers a test left hanging) and truncate its tables."""
    import psycopg2

    _close_django()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            cur.execute("SELECT quote_ident(tablename) FROM pg_tables "
                        "WHERE schemaname = 'public' AND tablename <> 'django_migrations'")
            tables = [row[0] for row in cur.fetchall()]
            cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    finally:
        conn.close()


@pytest.fixture(params=["redis", "amqp"])
def broker(request):
    """(kind, URL) of each broker in turn."""
    return request.param, require(request.param)


@pytest.fixture
def queue(request):
    """A queue name of this test's own; deleted from both brokers afterwards."""
    name = f"aqs-test-{os.getpid()}-{next(_queues)}"
    yield name
    _delete_queue(name)


def _delete_queue(name: str) -> None:
    if not unreachable("redis"):
        import redis

        if redis.Redis.from_url(BROKERS["redis"]).delete(name):
            return
    if not unreachable("amqp"):
        from kombu import Connection

        try:
            with Connection(BROKERS["amqp"], connect_timeout=3) as conn:
                conn.default_channel.queue_delete(name)
        except Exception:  # noqa: BLE001 - the queue may never have been declared
            pass


class Worker:
    """One `aquadsl worker` process group, its log file and a way to kill it."""

    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 120.0) -> None:
        def ready() -> bool:
            assert self.proc.poll() is None, f"worker exited early:\n{self.text()}"
            return " ready." in self.text()
        wait_for(ready, timeout)

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool processes)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)

    def stop(self) -> None:
        """Teardown: nothing a test worker does needs a warm shutdown, so SIGKILL at once."""
        self.kill()


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(broker_url, queue, concurrency=1, env=None, visibility=None) -> a ready Worker."""
    started: list[Worker] = []

    def start(url: str, queue: str, concurrency: int = 1, env: dict | None = None,
              visibility: float | None = None, ready: bool = True) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        args = [sys.executable, "-m", "aquadsl", "worker", "--broker", url, "--queue", queue,
                "--concurrency", str(concurrency), "--name", f"w{len(started)}-{queue}@%h"]
        if visibility is not None:
            args += ["--visibility-timeout", str(visibility)]
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AQUADSL_FAULT")} | (env or {})
        with open(log, "wb") as out:
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=full_env,
                                    start_new_session=True)
        worker = Worker(proc, log)
        started.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for_file(path: Path, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> None:
    """Wait until ``path`` exists (an event written by the process under test)."""
    def there() -> bool:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process ended (code {proc.returncode}) before {path.name} appeared")
        return path.exists()
    wait_for(there, timeout)

