"""Shared test helpers: paths to the repository, scenarios and fixtures."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests must not depend on machine load: no per-example deadline and no "too slow" health
# check (both are wall-clock limits). Under CI=true the examples are also derandomized, so five runs
# in a row test the same inputs (a failure there is a bug to fix, never a flake to re-run).
settings.register_profile("aquadsl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("aquadsl-ci", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True)
settings.load_profile("aquadsl-ci" if os.environ.get("CI", "").lower() == "true" else "aquadsl")

pytest_plugins = ["tests.cputime"]

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory):
    """scenarios/demo.aqs applied once per test run to the embedded default SQLite file (read-only users:
    the runtime invariants, verify and the HTML report share it).

    Under pytest-xdist every worker process has its own session, so the database is built once in the
    run's shared temporary folder, under a file lock, and the other workers wait for it and reuse it.
    """
    from tests.runtime.conftest import run_cli

    cwd = shared_folder(tmp_path_factory) / "demo-sqlite"
    with shared_lock(tmp_path_factory, "demo-sqlite"):
        if not (cwd / "applied").exists():
            cwd.mkdir(exist_ok=True)
            result = run_cli("apply", str(SCENARIOS / "demo.aqs"), "--workers", "2", "--progress", "plain",
                             cwd=cwd)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            assert (cwd / "aquadsl.sqlite3").exists() and "applied: plan" in result.stdout
            (cwd / "applied").touch()
    return f"sqlite:///{cwd / 'aquadsl.sqlite3'}"


def shared_folder(tmp_path_factory) -> Path:
    """A temporary folder shared by every pytest-xdist worker of this run (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def shared_lock(tmp_path_factory, name: str):
    """An exclusive lock across the xdist workers of this run, for building a shared fixture once."""
    with open(shared_folder(tmp_path_factory) / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
