"""Review workflow files, run for real: pre-commit hooks, the CI diff script, and the git textconv driver."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SCENARIOS

BIN = Path(sys.executable).parent
BAD_LAYOUT = 'scenario   "x" {\n  lifecycle atlantic_salmon\n}\n'


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = os.environ | {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository holding the demo scenario and its library."""
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copytree(SCENARIOS / "lib", work / "lib")
    shutil.copy(SCENARIOS / "demo.aqs", work / "demo.aqs")
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "demo")
    return work


def _local_config(repo: Path) -> None:
    """The manifest's hooks as a local config: same entries and file patterns, run with this venv's aquadsl
    (``language: system``) instead of pre-commit building a fresh environment (about 90 s)."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["aquadsl-fmt", "aquadsl-check"]
    local = [dict(h, language="system", entry=str(BIN / h["entry"])) for h in hooks]
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))


def test_pre_commit_runs_the_hooks_and_blocks_bad_scenarios(repo, tmp_path):
    _local_config(repo)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    pre_commit = [str(BIN / "pre-commit"), "run", "--all-files"]
    ok = subprocess.run(pre_commit, cwd=repo, env=os.environ | env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "aquadsl fmt --check" in ok.stdout and "aquadsl check" in ok.stdout and "Passed" in ok.stdout
    (repo / "bad.aqs").write_text(BAD_LAYOUT.replace("atlantic_salmon", "atlantic_salmn"), encoding="utf-8")
    git(repo, "add", "bad.aqs")
    bad = subprocess.run(pre_commit, cwd=repo, env=os.environ | env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert bad.stdout.count("Failed") == 2                         # both hooks fail on it
    assert "would reformat bad.aqs" in bad.stdout and "bad.aqs:2:13: error[AQS201]: unknown lifecycle" in bad.stdout
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=repo, env=os.environ | env, check=True,
                   capture_output=True)
    refused = git(repo, "commit", "-qm", "bad", check=False)
    assert refused.returncode != 0 and "bad" not in git(repo, "log", "--format=%s").stdout.split()


def _stagger_commit(repo: Path) -> None:
    text = (repo / "demo.aqs").read_text(encoding="utf-8")
    text = text.replace("stagger 45 days", "stagger 50 days")
    text = text.replace('id "{prefix}-{start_year}-', 'id "{prefix}-{start_year}{start_month:02}-')
    (repo / "demo.aqs").write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "stagger")


def test_the_ci_script_writes_the_markdown_diff_of_two_revisions(repo):
    before = (repo / "demo.aqs").read_text(encoding="utf-8")
    (repo / "demo.aqs").write_text(before.replace('id "{prefix}-{start_year}-',
                                                  'id "{prefix}-{start_year}{start_month:02}-'))
    git(repo, "commit", "-qam", "ids with the month")
    _stagger_commit(repo)
    script = ROOT / "examples" / "ci" / "plan-diff.sh"
    result = subprocess.run([str(script), "HEAD~1", "HEAD", "diff.md", "demo.aqs"], cwd=repo, capture_output=True,
                            text=True, timeout=300, env=os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    md = (repo / "diff.md").read_text(encoding="utf-8")
    assert md.startswith("<!-- aquadsl plan diff: demo.aqs -->") and "### Plan diff demo" in md
    assert "| batches.stagger\\_days | 45 | 50 |" in md and "0 added, 0 removed" in md
    (repo / "demo.aqs").write_text("scenario {", encoding="utf-8")
    git(repo, "commit", "-qam", "broken")
    broken = subprocess.run([str(script), "HEAD~1", "HEAD", "diff.md", "demo.aqs"], cwd=repo, capture_output=True,
                            text=True, timeout=300, env=os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert broken.returncode == 1 and "error[" in (repo / "diff.md").read_text(encoding="utf-8")


def test_the_example_workflow_compiles_base_and_head_and_comments():
    flow = yaml.safe_load((ROOT / "examples" / "ci" / "plan-diff.yml").read_text(encoding="utf-8"))
    steps = flow["jobs"]["plan-diff"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert flow[True]["pull_request"]["paths"] == ["**.aqs"]        # YAML reads the key `on` as True
    assert "pull_request.base.sha" in runs and "pull_request.head.sha" in runs
    assert "gh pr comment" in runs and "--body-file plan-diff.md" in runs
    assert flow["jobs"]["plan-diff"]["env"]["PLAN_DIFF"] == "examples/ci/plan-diff.sh"
    assert (ROOT / "examples" / "ci" / "plan-diff.sh").stat().st_mode & 0o111


def test_git_diff_shows_plan_json_through_the_textconv_driver(repo):
    run = [str(BIN / "aquadsl"), "compile", "demo.aqs", "--out", "demo.plan.json"]
    subprocess.run(run, cwd=repo, check=True, capture_output=True)
    (repo / ".gitattributes").write_text("*.plan.json diff=aquadsl-plan\n", encoding="utf-8")
    git(repo, "config", "diff.aquadsl-plan.textconv", "aquadsl plan-textconv")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "plan")
    text = (repo / "demo.aqs").read_text(encoding="utf-8")
    (repo / "demo.aqs").write_text(text.replace("count 5 per geography", "count 4 per geography"))
    subprocess.run(run, cwd=repo, check=True, capture_output=True)
    diff = git(repo, "diff", "demo.plan.json").stdout
    assert "-  SCO-2023-005  scotland #5" in diff and "-  FAR-2023-005  faroe #5" in diff
    assert '"format_version"' not in diff and "Batches per geography" in diff
    assert "\n-  eggs " in diff and "\n+  eggs " in diff                 # the summary's totals changed
    raw = git(repo, "diff", "--no-textconv", "demo.plan.json").stdout
    assert '"eggs"' in raw


def test_textconv_shows_a_file_that_is_not_a_plan_as_it_is(tmp_path):
    other = tmp_path / "x.plan.json"
    other.write_text('{"a": 1}\n', encoding="utf-8")
    result = subprocess.run([str(BIN / "aquadsl"), "plan-textconv", str(other)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.endswith('{"a": 1}\n') and "shown as is" in result.stdout
