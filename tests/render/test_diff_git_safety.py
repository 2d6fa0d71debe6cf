"""D6, D7: a `REV:path` revision never becomes a git option, and symlinks committed in a revision
(absolute, or pointing outside the tree) do not break `diff` of unrelated paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from aquadsl.cli import exits
from tests.conftest import SCENARIOS


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SCENARIOS, repo / "scenarios")
    (repo / "abs-link").symlink_to("/etc/hostname")
    (repo / "scenarios" / "out-link").symlink_to("../../outside.txt")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    return repo


def _diff(repo, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "aquadsl", "diff", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)


def test_committed_symlinks_do_not_break_unrelated_paths(repo):
    result = _diff(repo, "HEAD:scenarios/demo.aqs", "scenarios/demo.aqs")
    assert result.returncode == exits.OK, result.stderr


@pytest.mark.parametrize("rev", ["--output={victim}", "--list", "-h"])
def test_a_revision_is_never_a_git_option(repo, rev):
    victim = repo.parent / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    result = _diff(repo, "--", f"{rev.format(victim=victim)}:scenarios/demo.aqs", "scenarios/demo.aqs")
    assert result.returncode == exits.ERROR, result.stdout + result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert "not a revision" in result.stderr and len(result.stderr.strip().splitlines()) == 1
