"""D14: `--database ""` is an error, not the default database; a plan named *.JSON is read as a plan."""

from __future__ import annotations

from aquadsl.plan.model import dumps
from aquadsl.runtime import errors
from aquadsl.cli import exits
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan


def test_an_empty_database_url_is_refused(tmp_path):
    (tmp_path / "p.json").write_text(dumps(small_plan(batches=1)), encoding="utf-8")
    result = run_cli("apply", "p.json", "--database", "", cwd=tmp_path)
    assert result.returncode == errors.DATABASE, result.stdout + result.stderr
    assert "empty" in result.stderr and not (tmp_path / "aquadsl.sqlite3").exists()


def test_an_upper_case_json_suffix_is_a_plan(tmp_path):
    (tmp_path / "P.JSON").write_text(dumps(small_plan(batches=1)), encoding="utf-8")
    result = run_cli("apply", "P.JSON", "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}", "--progress",
                     "none", cwd=tmp_path)
    assert result.returncode == exits.OK, result.stderr
