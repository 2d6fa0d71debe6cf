"""A user's repository stays clean: the one-time .gitignore hint, and click's shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.runtime.conftest import run_cli

HINT = "hint: git would pick up aquadsl's files"


def _git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)


def test_the_gitignore_hint_is_shown_once_with_the_lines(tmp_path):
    _git_init(tmp_path)
    first = run_cli("migrate", cwd=tmp_path)
    assert first.returncode == 0 and HINT in first.stderr and "(aquadsl.sqlite3)" in first.stderr
    assert "  .aquadsl/\n  aquadsl.sqlite3*\n" in first.stderr
    second = run_cli("migrate", cwd=tmp_path)
    assert second.returncode == 0 and HINT not in second.stderr
    (tmp_path / ".gitignore").write_text(".aquadsl/\naquadsl.sqlite3*\n", encoding="utf-8")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert status.split() == ["??", ".gitignore"]           # with the lines, git sees none of aquadsl's files


def test_no_hint_when_ignored_or_outside_git(tmp_path):
    inside = tmp_path / "repo"
    inside.mkdir()
    _git_init(inside)
    (inside / ".gitignore").write_text(".aquadsl/\naquadsl.sqlite3*\n", encoding="utf-8")
    assert HINT not in run_cli("migrate", cwd=inside).stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    result = run_cli("migrate", cwd=outside, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.returncode == 0 and HINT not in result.stderr


def _complete(words: str, cword: int) -> subprocess.CompletedProcess:
    env = os.environ | {"COMP_WORDS": words, "COMP_CWORD": str(cword), "_AQUADSL_COMPLETE": "bash_complete"}
    return subprocess.run([str(Path(sys.executable).parent / "aquadsl")], env=env, capture_output=True, text=True)


def test_click_shell_completion_completes_commands_and_options():
    source = subprocess.run([str(Path(sys.executable).parent / "aquadsl")], capture_output=True, text=True,
                            env=os.environ | {"_AQUADSL_COMPLETE": "bash_source"})
    assert source.returncode == 0 and "_aquadsl_completion()" in source.stdout
    assert "plain,verify" in _complete("aquadsl ver", 1).stdout.splitlines()
    assert "plain,--format" in _complete("aquadsl verify --for", 2).stdout.splitlines()
