"""D9, D11: `check` enforces the database's column sizes and clean Unicode at the source line, so
SQLite and PostgreSQL never diverge on a scenario that passed `check`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aquadsl.cli import exits, main
from tests.conftest import SCENARIOS

LIB = (SCENARIOS / "lib" / "farm.aqs").read_text(encoding="utf-8")
DEMO = (SCENARIOS / "demo.aqs").read_text(encoding="utf-8")

EDITS = {
    "geography label 101": ("lib", '"Faroe Islands"', '"' + "F" * 101 + '"', "label"),
    "code 17": ("lib", "code FI\n", "code " + "F" * 17 + "\n", "code"),
    "prefix 17": ("lib", "prefix FAR\n", "prefix " + "P" * 17 + "\n", "prefix"),
    "NUL in a label": ("lib", '"Faroe Islands"', '"Faroe\x00Islands"', "NUL byte"),   # AQS100, already
    "scenario 201": ("demo", 'scenario "demo"', 'scenario "' + "s" * 201 + '"', "name"),
    "container names 101": ("lib", "prefix FAR\n", "prefix FAR\n  names { container \"" + "c" * 100
                            + "{station}-{hall}{n:02}\" }\n", "name"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_check_reports_text_that_does_not_fit_at_its_line(tmp_path, name):
    where, old, new, word = EDITS[name]
    (tmp_path / "lib").mkdir()
    lib, demo = LIB, DEMO
    if where == "lib":
        assert old in lib
        lib = lib.replace(old, new, 1)
    else:
        assert old in demo
        demo = demo.replace(old, new, 1)
    (tmp_path / "lib" / "farm.aqs").write_text(lib, encoding="utf-8")
    (tmp_path / "demo.aqs").write_text(demo, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "demo.aqs")])
    assert result.exit_code == exits.ERROR, result.output
    assert ("error[AQS302]" in result.output or "error[AQS100]" in result.output) and word in result.output and "Traceback" not in result.output
