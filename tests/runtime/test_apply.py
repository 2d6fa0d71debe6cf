"""apply on both backends: exact row counts, identical digests for any worker count, resume, stale, fresh."""

from __future__ import annotations

import json
import re
import os
import signal

import pytest

from aquadsl.runtime import digest, ledger
from aquadsl.runtime.apply import ApplyOptions, apply_plan
from aquadsl.runtime.errors import STALE_PLAN, RuntimeFault
from tests.runtime.conftest import use
from tests.runtime.planfactory import small_plan


def _apply(plan, url, tmp_path, **kw):
    options = ApplyOptions(log_dir=str(tmp_path / "logs"), progress="none", backoff=0.05, **kw)
    return apply_plan(plan, url, options, echo=lambda m: None)


def test_row_counts_equal_the_plan_estimates(plan, db_url, tmp_path):
    summary = _apply(plan, db_url, tmp_path, workers=2)
    assert summary.outcome == "completed" and summary.succeeded == len(plan.batches)
    use(db_url)
    assert digest.row_counts() == plan.estimated_rows
    assert summary.rows == plan.estimated_rows


def test_digests_do_not_depend_on_worker_count_or_backend(tmp_path):
    from tests.runtime.conftest import pg_database

    plan = small_plan(batches=6)
    urls = {"sqlite-1": f"sqlite:///{tmp_path / 'one.sqlite3'}", "sqlite-3": f"sqlite:///{tmp_path / 'three.sqlite3'}"}
    found = {}
    for name, url in urls.items():
        _apply(plan, url, tmp_path, workers=int(name[-1]))
        use(url)
        found[name] = digest.digests()
    pg = pg_database()
    url = next(pg)
    try:
        _apply(plan, url, tmp_path, workers=3)
        use(url)
        found["postgresql-3"] = digest.digests()
    finally:
        pg.close()
    reference = found["sqlite-1"]
    assert len(reference) == 23
    for name, digests in found.items():
        assert digests == reference, name


def test_reapplying_a_completed_plan_is_a_noop(plan, db_url, tmp_path):
    _apply(plan, db_url, tmp_path)
    use(db_url)
    before = digest.digests()
    again = _apply(plan, db_url, tmp_path)
    assert again.outcome == "noop" and again.skipped == len(plan.batches) and again.rows_total == 0
    use(db_url)
    assert digest.digests() == before


def test_a_different_plan_is_refused_then_replaced_with_fresh(plan, db_url, tmp_path):
    _apply(plan, db_url, tmp_path)
    other = small_plan(batches=4, seed=99)
    with pytest.raises(RuntimeFault) as err:
        _apply(other, db_url, tmp_path)
    assert err.value.exit_code == STALE_PLAN and "--fresh" in err.value.render()
    use(db_url)
    infra_before = {t: d for t, d in digest.digests().items() if t not in _operational_tables()}
    summary = _apply(other, db_url, tmp_path, fresh=True)
    assert summary.ledger == "fresh" and summary.succeeded == 4
    use(db_url)
    assert digest.row_counts() == other.estimated_rows
    assert ledger.status().plan_hash == ledger.plan_hash(other)
    assert {t: d for t, d in digest.digests().items() if t not in _operational_tables()} == infra_before


def _operational_tables() -> set[str]:
    from aquadsl.farm.models import TABLE_MODELS

    return {m._meta.db_table for m in TABLE_MODELS.values()}


def test_a_failed_batch_is_retried_then_reported_and_resumable(plan, db_url, tmp_path, monkeypatch):
    bad = plan.batches[2].id
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:raise:{bad}:*")
    summary = _apply(plan, db_url, tmp_path, workers=2, retries=2)
    assert summary.outcome == "failed" and summary.failed == 1
    assert summary.succeeded == len(plan.batches) - 1
    failure = summary.failures[0]
    assert failure.batch_id == bad and failure.attempts == 3 and "InjectedFault" in failure.error
    log = (tmp_path / "logs" / f"{bad}.log").read_text()
    assert log.count("FAILED") == 3 and "Traceback" in log and "giving up" in log
    use(db_url)
    st = ledger.status()
    assert st.failed == [bad] and len(st.done) == len(plan.batches) - 1
    monkeypatch.delenv("AQUADSL_FAULT_INJECTION")
    resumed = _apply(plan, db_url, tmp_path, workers=2)
    assert resumed.succeeded == 1 and resumed.skipped == len(plan.batches) - 1
    use(db_url)
    assert digest.row_counts() == plan.estimated_rows


def test_a_transient_failure_succeeds_on_retry(plan, sqlite_url, tmp_path, monkeypatch):
    flaky = plan.batches[0].id
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:raise:{flaky}:1")
    summary = _apply(plan, sqlite_url, tmp_path, retries=1)
    assert summary.outcome == "completed" and summary.failed == 0
    log = (tmp_path / "logs" / f"{flaky}.log").read_text()
    assert "attempt 1: FAILED: InjectedFault" in log and "attempt 2: loaded" in log


def test_a_hung_worker_is_killed_and_the_batch_retried(plan, db_url, tmp_path, monkeypatch):
    slow = plan.batches[1].id
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:hang:{slow}:1")
    # Only the first attempt hangs. A spare retry keeps a loaded machine (a tiny batch taking over
    # 3 s) from failing the run; the hang itself is always caught by the timeout.
    summary = _apply(plan, db_url, tmp_path, workers=2, timeout=3, retries=2)
    assert summary.outcome == "completed"
    log = (tmp_path / "logs" / f"{slow}.log").read_text()
    assert "attempt 1: FAILED: timed out after 3 s" in log and re.search(r"attempt [23]: loaded", log)
    use(db_url)
    assert digest.row_counts() == plan.estimated_rows


def test_a_worker_killed_mid_batch_leaves_nothing_half_written(plan, plan_digests, db_url, tmp_path, monkeypatch):
    victim = plan.batches[3].id
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"load:kill:{victim}:1")
    summary = _apply(plan, db_url, tmp_path, workers=2, retries=1)
    assert summary.outcome == "completed"
    log = (tmp_path / "logs" / f"{victim}.log").read_text()
    assert "worker process died (killed by SIGKILL)" in log
    # The time the worker spent on the batch before it died (it had simulated it): never "0.00 s".
    seconds = re.search(r"attempt 1: FAILED: worker process died .*? after ([0-9.]+) s", log)
    assert seconds and float(seconds.group(1)) > 0, log
    use(db_url)
    assert digest.digests() == plan_digests


def _drop_connections_when_stuck(url: str, slow: str, total: int, stop) -> None:
    """Wait (on the ledger, not a timer) until ``slow`` is the only batch left and is running; then
    terminate every backend of the database except the apply lock's, and SIGKILL the workers."""
    import psycopg2

    from tests.runtime.conftest import PG_ADMIN

    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(**(PG_ADMIN | {"dbname": name}))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            while not stop.wait(0.1):
                try:
                    cur.execute("SELECT count(*) FILTER (WHERE status = 'done'), coalesce(bool_or("
                                "batch_id = %s AND status = 'running'), false) FROM farm_ledger_batches", [slow])
                except psycopg2.errors.UndefinedTable:
                    continue   # not migrated yet
                done, running = cur.fetchone()
                if done == total - 1 and running:
                    break
            else:
                return
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid() AND pid NOT IN "
                        "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)", [name])
    finally:
        conn.close()
    for pid in _child_pids():
        os.kill(pid, signal.SIGKILL)


def _child_pids() -> list[int]:
    """This process's worker children (spawned, not the resource tracker), read from /proc without
    reaping anything (the pool in the main thread owns them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    command = fh.read()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and b"spawn_main" in command:
                found.append(int(entry))
    return found


def test_report_json_and_ledger_runs(plan, sqlite_url, tmp_path):
    report = tmp_path / "run.json"
    _apply(plan, sqlite_url, tmp_path, workers=2, report=str(report))
    data = json.loads(report.read_text())
    assert data["outcome"] == "completed" and data["succeeded"] == len(plan.batches)
    assert data["rows_total"] == sum(plan.estimated_rows.values())
    assert data["peak_utilisation"]["sea"]["peak"] == 4 and data["peak_utilisation"]["sea"]["containers"] == 6
    # Every worker is measured (from /proc before it stops), even one that never received a batch.
    assert len(data["worker_peak_rss_mb"]) == 2 and all(m > 0 for m in data["worker_peak_rss_mb"])
    use(sqlite_url)
    st = ledger.status()
    assert st.last_run["outcome"] == "completed" and len(st.done) == len(plan.batches)


def test_a_worker_that_never_got_a_batch_still_reports_its_true_peak_memory(plan, sqlite_url):
    """The original flake: with a small plan one worker may finish everything before the other is
    ready; the pool samples each live worker's VmHWM before stopping it, so none reports 0.0."""
    from aquadsl.plan.model import dumps
    import numpy as np

    from aquadsl.runtime.encode import Lookups
    from aquadsl.runtime.workers import Pool

    lookups = Lookups({}, {}, {}, {}, {}, np.zeros((1, 1), dtype=np.int64))
    pool = Pool(2, sqlite_url, dumps(plan), lookups, "sqlite")
    pool.start()
    try:
        while len(pool.idle()) < 2:             # the event: both workers are up (no batch is sent)
            assert not [e for e in pool.poll(1.0, None) if e[0] in ("died", "fatal")]
        for slot in pool.slots:
            slot.peak_rss_mb.clear()            # forget what "ready" said: only the /proc sample counts
    finally:
        pool.shutdown(graceful=False)           # at once, as when the other worker did every batch
    peaks = [slot.peak() for slot in pool.slots]
    assert len(peaks) == 2 and all(p is not None and p > 0 for p in peaks), peaks


def test_a_process_still_being_execd_has_no_peak_rather_than_zero(monkeypatch, tmp_path):
    """The flake's second form, [9.4, 0.0]: /proc says VmHWM 0 kB while a new worker is still being
    exec'd. That is no measurement, so it is None (reported as unknown), never 0.0."""
    from aquadsl.runtime import workers

    status = tmp_path / "status"
    status.write_text("Name:\tpython3\nVmHWM:\t       0 kB\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: real_open(status if str(path).startswith("/proc/4242/")
                                                                        else path, *a, **k))
    assert workers._vm_hwm_mb(4242) is None
    status.write_text("Name:\tpython3\nVmHWM:\t   73728 kB\n")
    assert workers._vm_hwm_mb(4242) == 72.0


def test_a_log_dir_failing_mid_run_stops_cleanly_and_stays_resumable(plan, db_url, tmp_path, monkeypatch):
    from aquadsl.runtime.errors import LOG_DIR, log_dir_fault
    from aquadsl.runtime.logs import LogDir

    original, calls = LogDir.append, []

    def filling_up(self, batch_id, text):
        calls.append(batch_id)
        if len(calls) > 3:
            raise log_dir_fault("cannot write the log: no space left on the device")
        original(self, batch_id, text)

    monkeypatch.setattr(LogDir, "append", filling_up)
    with pytest.raises(RuntimeFault) as err:
        _apply(plan, db_url, tmp_path, workers=2)
    assert err.value.exit_code == LOG_DIR
    use(db_url)
    st = ledger.status()
    assert st.last_run["outcome"] == "failed" and not st.failed
    assert len(st.done) + len(st.pending) == len(plan.batches)
    monkeypatch.setattr(LogDir, "append", original)
    _apply(plan, db_url, tmp_path, workers=2)
    use(db_url)
    assert digest.row_counts() == plan.estimated_rows


def test_connections_dropped_by_the_server_are_recovered(plan, pg_url, tmp_path, monkeypatch):
    """Every connection but the apply lock's is terminated while one batch hangs (an event: the ledger
    shows all other batches done and the hung one running), then the workers are killed: the parent
    and the replacement workers reconnect, and the hung batch loads on its retry."""
    import threading

    slow = plan.batches[0].id
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:hang:{slow}:1")
    hit = threading.Event()
    watcher = threading.Thread(target=_drop_connections_when_stuck,
                               args=(pg_url, slow, len(plan.batches), hit), daemon=True)
    watcher.start()
    try:
        # The timeout is only a safety net: the watcher kills the hung worker long before.
        summary = _apply(plan, pg_url, tmp_path, workers=2, timeout=300, retries=1)
    finally:
        hit.set()
        watcher.join(30)
    assert summary.outcome == "completed", summary.failures
    log = (tmp_path / "logs" / f"{slow}.log").read_text()
    assert "attempt 1: FAILED: worker process died (killed by SIGKILL)" in log and "attempt 2: loaded" in log
    assert summary.outcome == "completed", summary.failures
    use(pg_url)
    assert digest.row_counts() == plan.estimated_rows
