"""Only one apply runs on a database at a time; a second fails fast with exit 75 and resumes later."""

from __future__ import annotations

import os
import signal

import pytest

from aquadsl.cli import exits
from aquadsl.plan.model import dumps
from aquadsl.runtime import errors
from aquadsl.runtime.apply import ApplyOptions, apply_plan
from aquadsl.runtime.errors import RuntimeFault
from aquadsl.runtime.lock import apply_lock
from tests.runtime.conftest import SAFETY_NET_S, done_count, run_cli, start_cli, use, wait_for


def _apply(plan, url, tmp_path):
    options = ApplyOptions(log_dir=str(tmp_path / "logs"), progress="none", backoff=0.05)
    return apply_plan(plan, url, options, echo=lambda m: None)


def test_apply_is_refused_while_the_lock_is_held_and_works_after(plan, db_url, tmp_path):
    with apply_lock(db_url):
        with pytest.raises(RuntimeFault) as err:
            _apply(plan, db_url, tmp_path)
    assert err.value.exit_code == errors.LOCKED == 75 and err.value.code == errors.AQS_LOCKED
    assert err.value.message.startswith("another apply is running on ")
    assert done_count(db_url) == 0
    assert _apply(plan, db_url, tmp_path).succeeded == len(plan.batches)


def test_the_sqlite_lock_file_sits_beside_the_database(plan, sqlite_url, tmp_path):
    _apply(plan, sqlite_url, tmp_path)
    assert (tmp_path / "farm.sqlite3.lock").exists()


def test_a_second_apply_fails_fast_while_the_first_runs(plan, db_url, tmp_path):
    (tmp_path / "plan.json").write_text(dumps(plan), encoding="utf-8")
    stuck = plan.batches[-1].id
    first = start_cli("apply", str(tmp_path / "plan.json"), "--database", db_url, "--progress", "none",
                      "--log-dir", str(tmp_path / "logs"), cwd=tmp_path,
                      env={"AQUADSL_FAULT_INJECTION": f"simulate:hang:{stuck}:*"})
    try:
        wait_for(lambda: done_count(db_url) == len(plan.batches) - 1)
        second = run_cli("apply", str(tmp_path / "plan.json"), "--database", db_url, cwd=tmp_path,
                         timeout=SAFETY_NET_S)
        out = second.stdout + second.stderr
        assert second.returncode == errors.LOCKED, out
        assert out.startswith(f"error[{errors.AQS_LOCKED}]: another apply is running on ") and "Traceback" not in out
        if db_url.startswith("sqlite"):
            assert f"(process {first.pid})" in out
        assert first.poll() is None   # the first run is untouched
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=SAFETY_NET_S)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == exits.INTERRUPTED
    third = run_cli("apply", str(tmp_path / "plan.json"), "--database", db_url, cwd=tmp_path)
    assert third.returncode == exits.OK, third.stderr
    assert f"1 succeeded, 0 failed, {len(plan.batches) - 1} skipped" in third.stdout
