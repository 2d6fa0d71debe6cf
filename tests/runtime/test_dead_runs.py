"""A run whose `apply` process is gone is not shown as running (issue 11, D14).

SIGHUP (a closed terminal) is handled like Ctrl-C and SIGTERM: the run is closed as interrupted.
SIGKILL cannot be caught: `status` sees that nobody holds the apply lock any more and shows the run as
interrupted, and the next `apply` records it so in the ledger.
"""

from __future__ import annotations

import os
import signal

import pytest

from aquadsl.cli import exits
from aquadsl.plan.model import dumps
from tests.runtime.conftest import SAFETY_NET_S, run_cli, start_cli, use, wait_for


def _runs(url: str) -> list[tuple[int, str]]:
    from django.db import connections

    use(url)
    from aquadsl.farm.models import Run

    try:
        return list(Run.objects.order_by("id").values_list("id", "outcome"))
    finally:
        connections.close_all()


def _status(url: str):
    from django.db import connections

    from aquadsl.runtime.status import database_status, render_status

    try:
        st = database_status(url)
        return st, render_status(st, url)
    finally:
        connections.close_all()


def _stopped_run(plan, url, tmp_path, sig) -> int:
    """Start apply with a batch hanging; once it hangs (an event: its marker file), send ``sig``."""
    (tmp_path / "plan.json").write_text(dumps(plan), encoding="utf-8")
    markers = tmp_path / "markers"
    markers.mkdir()
    stuck = plan.batches[0].id
    proc = start_cli("apply", str(tmp_path / "plan.json"), "--database", url, "--progress", "none",
                     "--log-dir", str(tmp_path / "logs"), cwd=tmp_path,
                     env={"AQUADSL_FAULT_INJECTION": f"simulate:hang:{stuck}:*",
                          "AQUADSL_FAULT_MARKER_DIR": str(markers)})
    try:
        wait_for(lambda: (markers / f"simulate-{stuck}-1").exists() or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, sig)   # the process group: a closed terminal hangs up every process in it
        out, err = proc.communicate(timeout=SAFETY_NET_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Traceback" not in out + err
    return proc.returncode


def test_sighup_closes_the_run_as_interrupted(plan, db_url, tmp_path):
    code = _stopped_run(plan, db_url, tmp_path, signal.SIGHUP)
    assert code == exits.INTERRUPTED
    assert _runs(db_url) == [(1, "interrupted")]
    st, text = _status(db_url)
    assert st.last_run["outcome"] == "interrupted" and "last run: #1 interrupted" in text


def test_a_sigkilled_run_is_shown_interrupted_and_recorded_so_by_the_next_apply(plan, db_url, tmp_path):
    code = _stopped_run(plan, db_url, tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert _runs(db_url) == [(1, "running")]   # nothing could close it
    # The server ends the dead client's session (and its lock) a moment after the process is gone.
    wait_for(lambda: _status(db_url)[0].last_run["outcome"] == "interrupted")
    st, text = _status(db_url)
    assert "last run: #1 interrupted (its apply process is gone" in text
    resumed = run_cli("apply", str(tmp_path / "plan.json"), "--database", db_url, "--progress", "none",
                      "--log-dir", str(tmp_path / "logs"), cwd=tmp_path)
    assert resumed.returncode == exits.OK, resumed.stderr
    assert _runs(db_url) == [(1, "interrupted"), (2, "completed")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_live_run_is_still_shown_running(plan, tmp_path, backend, request):
    """The other side: while an apply holds the lock, its run is running."""
    from aquadsl.runtime.lock import apply_lock

    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    assert run_cli("migrate", "--database", url, cwd=tmp_path).returncode == exits.OK
    use(url)
    from aquadsl.runtime import ledger

    ledger.prepare(plan, ledger.plan_hash(plan), fresh=False)
    ledger.start_run(ledger.plan_hash(plan), {})
    with apply_lock(url):
        st, text = _status(url)
        assert st.last_run["outcome"] == "running" and "last run: #1 running" in text
    wait_for(lambda: _status(url)[0].last_run["outcome"] == "interrupted")   # once the server ends the session
