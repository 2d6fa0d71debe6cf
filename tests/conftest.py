"""Shared test helpers: paths to the repository, scenarios and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

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
