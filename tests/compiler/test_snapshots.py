"""Every shipped scenario and valid fixture compiles to a plan whose bytes match the reviewed snapshot."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aquadsl.cli import main
from tests.compiler.snapshot_ext import PlanSnapshot
from tests.conftest import FIXTURES, ROOT, SCENARIOS

TODAY = "2025-03-15"   # pins `until today` in fixtures that use it
CASES = sorted(SCENARIOS.glob("*.aqs")) + sorted((FIXTURES / "valid").glob("*.aqs"))


def compile_bytes(path, tmp_path) -> bytes:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["compile", str(path), "--out", str(out), "--today", TODAY])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plan_snapshot(path, tmp_path, snapshot):
    assert compile_bytes(path, tmp_path) == snapshot(extension_class=PlanSnapshot)


def test_json_format_equals_out_file(tmp_path):
    path = SCENARIOS / "demo.aqs"
    printed = CliRunner().invoke(main, ["compile", str(path), "--format", "json"])
    assert printed.exit_code == 0
    assert printed.output.encode() == compile_bytes(path, tmp_path)
