"""The plan is a pure function of the sources: same bytes across processes, hash seeds and layouts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from aquadsl.compiler import compile_path
from aquadsl.plan.model import dumps
from tests.conftest import ROOT, SCENARIOS


def _compile_in_process(path, hashseed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-m", "aquadsl", "compile", str(path), "--format", "json"],
                         capture_output=True, env=env, cwd=ROOT, check=True)
    return out.stdout


def test_same_bytes_with_different_hash_seeds():
    path = SCENARIOS / "full_170.aqs"
    first, second = _compile_in_process(path, "0"), _compile_in_process(path, "4242")
    assert first == second
    assert b'"format_version": 1' in first


def test_plan_does_not_depend_on_working_directory(tmp_path, monkeypatch):
    expected = dumps(compile_path(SCENARIOS / "demo.aqs").plan)
    monkeypatch.chdir(tmp_path)
    assert dumps(compile_path(SCENARIOS / "demo.aqs").plan) == expected


def test_reformatting_and_comments_do_not_change_the_plan(tmp_path):
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    original = dumps(compile_path(SCENARIOS / "demo.aqs").plan)
    path = tmp_path / "scenarios" / "demo.aqs"
    text = path.read_text()
    # one statement per line becomes one long line; comments are added and removed
    squashed = re.sub(r"#[^\n]*", "", text)
    squashed = " ".join(squashed.split())
    path.write_text("# reformatted\n" + squashed.replace("{", "{ # opened\n", 1) + "\n")
    assert dumps(compile_path(path).plan) == original


def test_plan_has_no_absolute_paths_or_timestamps():
    text = dumps(compile_path(SCENARIOS / "demo.aqs").plan)
    assert str(ROOT) not in text
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text)
    assert text.endswith("}\n")


def test_until_today_is_resolved_once_and_recorded():
    plan = compile_path(ROOT / "tests/fixtures/valid/offsets_and_lets.aqs",
                        today=__import__("datetime").date(2025, 3, 15)).plan
    assert plan.parameters.until.isoformat() == "2025-03-15"
    assert plan.parameters.until_source == "today"
