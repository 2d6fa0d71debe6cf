"""Shared test helpers: paths to the repository, scenarios and fixtures."""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory):
    """scenarios/demo.aqs applied once per session to the embedded default SQLite file (read-only users:
    the runtime invariants, verify and the HTML report share it)."""
    from tests.runtime.conftest import run_cli

    cwd = tmp_path_factory.mktemp("demo-sqlite")
    result = run_cli("apply", str(SCENARIOS / "demo.aqs"), "--workers", "2", "--progress", "plain", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (cwd / "aquadsl.sqlite3").exists() and "applied: plan" in result.stdout
    return f"sqlite:///{cwd / 'aquadsl.sqlite3'}"
