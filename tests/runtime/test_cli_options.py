"""D10: non-finite --timeout values are usage errors (64); D13: migrate takes the apply lock (75)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aquadsl.cli import exits, main
from aquadsl.runtime import errors
from aquadsl.runtime.lock import apply_lock
from tests.runtime.conftest import run_cli


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e400"])
def test_a_non_finite_timeout_is_a_usage_error(tmp_path, value):
    result = CliRunner().invoke(main, ["apply", str(tmp_path / "p.json"), "--timeout", value])
    assert result.exit_code == exits.USAGE, result.output
    assert "finite" in result.output


def test_migrate_waits_its_turn_behind_the_lock(db_url, tmp_path):
    with apply_lock(db_url):
        held = run_cli("migrate", "--database", db_url, cwd=tmp_path)
    assert held.returncode == errors.LOCKED, held.stdout + held.stderr
    assert held.stderr.startswith(f"error[{errors.AQS_LOCKED}]: another apply is running")
    free = run_cli("migrate", "--database", db_url, cwd=tmp_path)
    assert free.returncode == exits.OK, free.stderr
