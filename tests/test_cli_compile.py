"""The check, compile and diff commands: formats, exit codes and error handling."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from aquadsl.cli import main
from aquadsl.cli import exits
from tests.conftest import ROOT, SCENARIOS


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_check_valid_files_exit_zero():
    result = run("check", str(SCENARIOS / "demo.aqs"), str(SCENARIOS / "lib" / "farm.aqs"))
    assert result.exit_code == exits.OK
    assert "0 error(s)" in result.output


def test_check_reports_every_error_with_caret_and_hint(tmp_path):
    bad = tmp_path / "bad.aqs"
    bad.write_text('import "%s"\nscenario "x" {\n  start 2020-01-01\n  until 2019-01-01\n  seed 1\n'
                   '  lifecycle atlantic_salmn\n  batches { geographies faroe, scotlnd }\n}\n'
                   % (SCENARIOS / "lib" / "farm.aqs"))
    result = run("check", str(bad))
    assert result.exit_code == exits.ERROR
    assert f"{bad}:4:9: error[AQS303]: until (2019-01-01) is before the start date (2020-01-01)" in result.output
    assert "help: did you mean 'atlantic_salmon'?" in result.output
    assert "help: did you mean 'scotland'?" in result.output
    assert "            ^^^^^^^^^^^^^^" in result.output   # caret under the misspelt lifecycle


def test_check_json_format(tmp_path):
    bad = tmp_path / "bad.aqs"
    bad.write_text('scenario "x" { strat 2020-01-01 }\n')
    result = run("check", str(bad), "--format", "json")
    assert result.exit_code == exits.ERROR
    data = json.loads(result.stdout)
    assert data[0]["code"] == "AQS102"
    assert data[0]["span"]["line"] == 1 and data[0]["span"]["col"] == 16
    assert data[0]["hints"] == ["did you mean 'start'?"]


def test_compile_writes_plan_and_prints_preview(tmp_path):
    out = tmp_path / "plan.json"
    result = run("compile", str(SCENARIOS / "demo.aqs"), "--out", str(out), "--workers", "3")
    assert result.exit_code == 0
    assert json.loads(out.read_text())["format_version"] == 1
    assert "Batches per geography" in result.output and "Partitions (3 workers" in result.output


@pytest.mark.parametrize("fmt,marker", [("md", "|"), ("yaml", "format_version: 1"), ("json", '"format_version": 1')])
def test_compile_formats(fmt, marker):
    result = run("compile", str(SCENARIOS / "demo.aqs"), "--format", fmt)
    assert result.exit_code == 0 and marker in result.output


def test_internal_error_is_one_line_with_exit_70(monkeypatch):
    import aquadsl.cli.compile_cmds as cmds

    def boom(*a, **k):
        raise RuntimeError("simulated bug")
    monkeypatch.setattr(cmds, "compile_path", boom)
    result = run("compile", str(SCENARIOS / "demo.aqs"))
    assert result.exit_code == exits.INTERNAL
    assert "internal error (RuntimeError: simulated bug)" in result.output
    assert "please report" in result.output and "Traceback" not in result.output


def test_diff_same_changed_and_error(tmp_path):
    shutil.copytree(SCENARIOS, tmp_path / "s")
    new = tmp_path / "s" / "demo.aqs"
    same = run("diff", str(SCENARIOS / "demo.aqs"), str(new))
    assert same.exit_code == exits.OK and "No changes" in same.output
    new.write_text(new.read_text().replace("count 5 per geography", "count 6 per geography"))
    changed = run("diff", str(SCENARIOS / "demo.aqs"), str(new))
    assert changed.exit_code == exits.CHANGES
    assert "FAR-" in changed.output
    missing = run("diff", str(SCENARIOS / "demo.aqs"), str(tmp_path / "nope.aqs"))
    assert missing.exit_code == exits.ERROR


def test_diff_plan_json_against_scenario(tmp_path):
    out = tmp_path / "plan.json"
    run("compile", str(SCENARIOS / "demo.aqs"), "--out", str(out))
    assert run("diff", str(out), str(SCENARIOS / "demo.aqs")).exit_code == exits.OK
    out.write_text('{"format_version": 99}')
    bad = run("diff", str(out), str(SCENARIOS / "demo.aqs"))
    assert bad.exit_code == exits.BAD_PLAN and "format_version 99" in bad.output   # as apply: 65


def test_diff_git_revisions(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(SCENARIOS, repo / "scenarios")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    demo = repo / "scenarios" / "demo.aqs"
    demo.write_text(demo.read_text().replace("seed 7", "seed 8"))
    subprocess.run(git + ["commit", "-qam", "two"], check=True)
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD~1:scenarios/demo.aqs", "HEAD:scenarios/demo.aqs")
    assert result.exit_code == exits.CHANGES, result.output
    assert "seed" in result.output
    assert run("diff", "HEAD:scenarios/demo.aqs", "scenarios/demo.aqs").exit_code == exits.OK
    assert run("diff", "nosuchrev:scenarios/demo.aqs", "scenarios/demo.aqs").exit_code == exits.ERROR


def test_diff_git_revision_outside_a_repository_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("diff", "HEAD:scenarios/demo.aqs", str(SCENARIOS / "demo.aqs"))
    assert result.exit_code == exits.ERROR
    assert "not a git repository" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("path", [str(SCENARIOS / "demo.aqs"), "../../../etc/passwd"])
def test_diff_git_revision_path_must_stay_in_the_repository(path, monkeypatch):
    # An absolute path would silently read the working tree instead of the revision.
    monkeypatch.chdir(ROOT)
    result = run("diff", f"HEAD:{path}", str(SCENARIOS / "demo.aqs"))
    assert result.exit_code == exits.ERROR
    assert "stays inside the repository" in result.output
