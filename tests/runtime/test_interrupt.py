"""Ctrl-C at any moment of `aquadsl apply` (issue 11, D8): exit 130, one line, no traceback, resumable.

Each test holds the run exactly at one moment with a fault point (``pause`` writes a marker file, then
waits for a release file), sends SIGINT to the whole process group as a terminal does, then releases
the pause. The interrupt must not be lost (the run used to finish with exit 0) and must not print a
traceback. A re-run then completes the plan with the digests of an uninterrupted apply.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from aquadsl.cli import exits
from aquadsl.plan.model import dumps
from aquadsl.runtime import digest
from tests.runtime.conftest import SAFETY_NET_S, run_cli, start_cli, use, wait_for


@pytest.fixture(scope="module")
def plan_file(plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("interrupt") / "plan.json"
    path.write_text(dumps(plan), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def expected(plan_file):
    """The digests of an uninterrupted apply of the plan."""
    url = f"sqlite:///{plan_file.parent / 'reference.sqlite3'}"
    assert run_cli("apply", str(plan_file), "--database", url, "--progress", "none",
                   "--log-dir", str(plan_file.parent / "logs"), cwd=plan_file.parent).returncode == exits.OK
    use(url)
    return digest.digests()


def interrupt_at(point: str, faults: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Run ``aquadsl ARGS`` with ``faults``; when the ``pause`` of ``point`` is reached, Ctrl-C."""
    markers, release = tmp_path / "markers", tmp_path / "release"
    markers.mkdir()
    env = {"AQUADSL_FAULT_INJECTION": faults, "AQUADSL_FAULT_MARKER_DIR": str(markers),
           "AQUADSL_FAULT_RELEASE": str(release)}
    proc = start_cli(*args, cwd=tmp_path, env=env)
    try:
        wait_for(lambda: (markers / point).exists() or proc.poll() is not None)
        assert proc.poll() is None, f"the run ended before reaching {point}: {proc.communicate()}"
        os.killpg(proc.pid, signal.SIGINT)   # the whole process group, as a terminal's Ctrl-C does
        release.touch()
        out, err = proc.communicate(timeout=SAFETY_NET_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _apply_args(plan_file, url, tmp_path, *extra: str) -> tuple[str, ...]:
    return ("apply", str(plan_file), "--database", url, "--progress", "none",
            "--log-dir", str(tmp_path / "logs"), "--retries", "3", *extra)


def _assert_interrupted(result) -> None:
    assert result.returncode == exits.INTERRUPTED, (result.returncode, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "interrupted" in line]
    assert len(lines) == 1, result.stderr


def _assert_resumes(plan_file, url, tmp_path, expected) -> None:
    resumed = run_cli(*_apply_args(plan_file, url, tmp_path), cwd=tmp_path)
    assert resumed.returncode == exits.OK, resumed.stderr
    use(url)
    assert digest.digests() == expected


def test_ctrl_c_during_start_up_exits_130_without_a_traceback(plan_file, tmp_path):
    """Held right after the interpreter reached aquadsl, before the heavy imports."""
    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    result = interrupt_at("startup-cli-1", "startup:pause:cli:1", tmp_path, *_apply_args(plan_file, url, tmp_path))
    _assert_interrupted(result)
    assert not (tmp_path / "farm.sqlite3").exists()   # nothing was touched


def test_ctrl_c_during_the_imports_exits_130_without_a_traceback(plan_file, tmp_path):
    """Sent as soon as aquadsl's first line ran: the imports (click, pydantic, Django) are under way."""
    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"AQUADSL_FAULT_INJECTION": "startup:mark:cli:1", "AQUADSL_FAULT_MARKER_DIR": str(markers)}
    proc = start_cli(*_apply_args(plan_file, url, tmp_path), cwd=tmp_path, env=env)
    try:
        wait_for(lambda: (markers / "startup-cli-1").exists() or proc.poll() is not None)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=SAFETY_NET_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    _assert_interrupted(subprocess.CompletedProcess((), proc.returncode, out, err))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ctrl_c_while_the_first_worker_starts_is_not_lost(plan, plan_file, expected, tmp_path, backend, request):
    url = (f"sqlite:///{tmp_path / 'farm.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    result = interrupt_at("spawn-worker-0-1", "spawn:pause:worker-0:1", tmp_path,
                          *_apply_args(plan_file, url, tmp_path, "--workers", "2"))
    _assert_interrupted(result)
    _assert_resumes(plan_file, url, tmp_path, expected)


@pytest.mark.parametrize("fault, extra", [
    ("simulate:kill:{batch}:1", ()),                   # the worker dies: replaced
    ("simulate:hang:{batch}:1", ("--timeout", "1")),   # the worker hangs: killed at the timeout, replaced
], ids=["killed", "timed-out"])
def test_ctrl_c_while_a_worker_is_replaced_is_not_lost(plan, plan_file, expected, tmp_path, fault, extra):
    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    faults = fault.format(batch=plan.batches[1].id) + ",spawn:pause:worker-0:2"
    result = interrupt_at("spawn-worker-0-2", faults, tmp_path,
                          *_apply_args(plan_file, url, tmp_path, "--workers", "1", *extra))
    _assert_interrupted(result)
    _assert_resumes(plan_file, url, tmp_path, expected)


def test_ctrl_c_during_the_migration_exits_130_and_the_next_apply_completes(plan_file, expected, tmp_path):
    url = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    result = interrupt_at("migrate-farm-1", "migrate:pause:farm:1", tmp_path, *_apply_args(plan_file, url, tmp_path))
    _assert_interrupted(result)
    _assert_resumes(plan_file, url, tmp_path, expected)
