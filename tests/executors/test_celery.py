"""`apply --executor celery` against real brokers: same digests as local, dead workers, Ctrl-C, faults."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from aquadsl.plan.model import dumps
from aquadsl.plan.partition import partition
from aquadsl.runtime import digest, ledger
from tests.conftest import SCENARIOS
from tests.executors.conftest import BROKERS, empty, require, wait_for_file
from tests.runtime.conftest import pg_database, run_cli, start_cli, use
from tests.runtime.planfactory import small_plan

DEMO = str(SCENARIOS / "demo.aqs")


def _local(source: str, url: str, tmp_path_factory, timeout: float = 300) -> dict:
    """Digests of ``source`` applied by the local executor (2 workers) to the emptied database ``url``."""
    empty(url)
    result = run_cli("apply", source, "--workers", "2", "--database", url, "--progress", "none",
                     cwd=tmp_path_factory.mktemp("local"), timeout=timeout)
    assert result.returncode == 0, result.stderr
    use(url)
    return digest.digests()


@pytest.fixture(scope="module")
def small(tmp_path_factory, migrated_url):
    """A five-batch plan file, its largest batch (enqueued first) and its local digests. Module-scoped,
    so pytest sets it up before a test's ``pg_url`` empties the same database for the Celery run."""
    plan = small_plan(batches=5)
    path = tmp_path_factory.mktemp("small") / "plan.json"
    path.write_text(dumps(plan), encoding="utf-8")
    largest = partition(plan, len(plan.batches))[0].batch_ids[0]
    return plan, str(path), largest, _local(str(path), migrated_url, tmp_path_factory)


def _celery_args(source: str, url: str, broker_url: str, queue: str, *extra: str) -> list[str]:
    return ["apply", source, "--executor", "celery", "--broker", broker_url, "--queue", queue,
            "--database", url, "--progress", "plain", "--worker-wait", "120", *extra]


def _check_complete(url: str, estimated: dict, expected_digests: dict) -> None:
    """Every batch done, rows equal to the estimates (no duplicates), digests equal to local's."""
    use(url)
    st = ledger.status()
    assert not st.pending and not st.failed and st.last_run["outcome"] == "completed"
    assert digest.row_counts() == estimated
    assert digest.digests() == expected_digests


def test_a_worker_killed_mid_batch_is_replaced_with_the_local_digests(broker, queue, pg_url, start_worker,
                                                                    tmp_path, small):
    """Worker A hangs inside the largest batch's transaction; the test SIGKILLs A (main and pool
    processes), then starts B, which gets the rest and the redelivered task. Same digests as local."""
    kind, url = broker
    plan, source, largest, local = small
    markers = tmp_path / "markers"
    markers.mkdir()
    fault = {"AQUADSL_FAULT_INJECTION": f"load:hang:{largest}:*", "AQUADSL_FAULT_MARKER_DIR": str(markers)}
    first = start_worker(url, queue, concurrency=1, env=fault)
    apply = start_cli(*_celery_args(source, pg_url, url, queue, "--report", str(tmp_path / "r.json")), cwd=tmp_path)
    try:
        wait_for_file(markers / f"load-{largest}-1", apply)
        first.kill()
        second = start_worker(url, queue, concurrency=2, visibility=5)   # Redis: redelivered after 5 s
        out, err = apply.communicate(timeout=600)
    finally:
        _end(apply)
    assert apply.returncode == 0, err
    assert "batches: 5 succeeded, 0 failed" in out and (tmp_path / "r.json").exists()
    assert first.proc.returncode == -signal.SIGKILL   # so B loaded the largest batch, redelivered
    _check_complete(pg_url, plan.estimated_rows, local)
    shown = out + err + first.text() + second.text()
    assert "guest:guest" not in shown      # the AMQP URL's password is never printed


def _end(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_ctrl_c_revokes_and_leaves_a_resumable_ledger(broker, queue, pg_url, start_worker, tmp_path, small):
    kind, url = broker
    plan, source, largest, local = small
    markers = tmp_path / "markers"
    markers.mkdir()
    fault = {"AQUADSL_FAULT_INJECTION": f"load:hang:{largest}:*", "AQUADSL_FAULT_MARKER_DIR": str(markers)}
    hung = start_worker(url, queue, concurrency=1, env=fault)
    apply = start_cli(*_celery_args(source, pg_url, url, queue), cwd=tmp_path)
    try:
        wait_for_file(markers / f"load-{largest}-1", apply)
        apply.send_signal(signal.SIGINT)
        out, err = apply.communicate(timeout=120)
    finally:
        _end(apply)
    assert apply.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    use(pg_url)
    st = ledger.status()
    assert st.last_run["outcome"] == "interrupted" and largest not in st.done
    hung.kill()      # the abandoned batch's transaction rolls back with its process
    start_worker(url, queue, concurrency=2, visibility=3)
    again = run_cli(*_celery_args(source, pg_url, url, queue), cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    _check_complete(pg_url, plan.estimated_rows, local)


def test_a_batch_over_the_timeout_is_retried(queue, pg_url, start_worker, tmp_path, small):
    url = require("redis")
    plan, source, largest, local = small
    start_worker(url, queue, concurrency=2, env={"AQUADSL_FAULT_INJECTION": f"load:hang:{largest}:1"})
    result = run_cli(*_celery_args(source, pg_url, url, queue, "--timeout", "5", "--retries", "2",
                                   "--log-dir", str(tmp_path / "logs")), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    log = next((tmp_path / "logs").rglob(f"{largest}.log")).read_text()
    assert "attempt 1" in log and "timed out after 5 s" in log and "attempt 2" in log
    _check_complete(pg_url, plan.estimated_rows, local)


# ------------------------------------------------------------------ faults without a working broker
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def blank_url():
    """A database with no tables at all (the runtime's fresh one): nothing may create any."""
    yield from pg_database()


@pytest.mark.parametrize("scheme", ["redis://:hunter2@127.0.0.1:{port}/0", "amqp://guest:hunter2@127.0.0.1:{port}//"])
def test_an_unreachable_broker_is_a_clear_error_before_the_database_is_touched(scheme, blank_url, tmp_path):
    bad = scheme.format(port=_closed_port())
    result = run_cli(*_celery_args(DEMO, blank_url, bad, "q", "--fresh"), cwd=tmp_path, timeout=120)
    assert result.returncode == 68, result.stderr
    assert "error[AQS520]: cannot reach the broker" in result.stderr and "Connection refused" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr and ":***@" in result.stderr
    assert "Traceback" not in result.stderr
    use(blank_url)
    from django.db import connection

    assert connection.introspection.table_names() == []   # nothing was written


def test_a_worker_with_an_unreachable_broker_exits_68(tmp_path):
    result = run_cli("worker", "--broker", f"redis://:hunter2@127.0.0.1:{_closed_port()}/0", cwd=tmp_path,
                     timeout=120)
    assert result.returncode == 68 and "cannot reach the broker" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


@pytest.mark.parametrize("url", ["foo://x:hunter2@127.0.0.1/0", "redis://:hunter2@127.0.0.1:99999/0"])
def test_an_invalid_broker_url_exits_68(url, tmp_path):
    result = run_cli(*_celery_args(DEMO, "postgresql://postgres@127.0.0.1/x", url, "q"), cwd=tmp_path)
    assert result.returncode == 68 and "invalid broker URL" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_no_worker_listening_is_reported_and_the_ledger_stays_resumable(queue, pg_url, tmp_path, small):
    url = require("redis")
    result = run_cli(*_celery_args(small[1], pg_url, url, queue, "--worker-wait", "1"), cwd=tmp_path, timeout=300)
    assert result.returncode == 79, result.stderr
    assert f"no worker took a task from queue '{queue}'" in result.stderr
    use(pg_url)
    st = ledger.status()
    assert st.last_run["outcome"] == "failed" and not st.done and not st.failed


def test_celery_needs_postgresql(tmp_path):
    url = BROKERS["redis"]
    result = run_cli(*_celery_args(DEMO, f"sqlite:///{tmp_path / 'x.sqlite3'}", url, "q"), cwd=tmp_path)
    assert result.returncode == 64 and "needs a database every worker can reach" in result.stderr


# ------------------------------------------------------------------ the shipped scenarios, opt-in
SLOW = "AQUADSL_SLOW_TESTS"


@pytest.fixture(scope="module")
def local_digests(tmp_path_factory, migrated_url):
    """local_digests(scenario) -> the local executor's digests, computed once for both brokers."""
    cache: dict[str, dict] = {}

    def get(scenario: str) -> dict:
        if scenario not in cache:
            cache[scenario] = _local(str(SCENARIOS / f"{scenario}.aqs"), migrated_url, tmp_path_factory,
                                     timeout=3600)
        return cache[scenario]
    return get


@pytest.mark.skipif(not os.environ.get(SLOW), reason=f"demo and uat_ladder (27 M rows) through both brokers "
                                                     f"take minutes; set {SLOW}=1")
@pytest.mark.parametrize("scenario", ["demo", "uat_ladder"])
def test_a_scenario_through_celery_gives_the_local_digests(scenario, broker, queue, pg_url, start_worker,
                                                           tmp_path, local_digests):
    from aquadsl.compiler import compile_path

    kind, url = broker
    source = str(SCENARIOS / f"{scenario}.aqs")
    local = local_digests(scenario)
    empty(pg_url)
    worker = start_worker(url, queue, concurrency=2)
    result = run_cli(*_celery_args(source, pg_url, url, queue), cwd=tmp_path, timeout=3600)
    assert result.returncode == 0, result.stderr
    _check_complete(pg_url, compile_path(SCENARIOS / f"{scenario}.aqs").plan.estimated_rows, local)
    assert "guest:guest" not in result.stdout + result.stderr + worker.text()
