"""`aquadsl fmt` on .aqt mappings: long value maps inside calls keep what follows them, every shipped mapping is canonical."""

from __future__ import annotations

import pytest

from aquadsl.targets.fmt import format_text
from aquadsl.targets.parser import parse_text
from tests.conftest import ROOT
from tests.runtime.conftest import run_cli

_LONG = """map m.Reading from environmental_readings {
  parameter = lookup m.Parameter(name = map parameter { temperature: "Temperature", oxygen: "Dissolved Oxygen", ph: "pH", co2: "CO2", no2: "NO2" })
  tag = coalesce(map parameter { temperature: "Temperature", oxygen: "Dissolved Oxygen", ph: "pH", co2: "CO2" }, "x") + "y"
}
"""


def test_a_long_value_map_inside_a_lookup_keeps_its_closing_parenthesis():
    once, diags = format_text("m.aqt", _LONG)
    assert once is not None, [d.message for d in diags]
    tree, errors = parse_text("m.aqt", once)
    assert tree is not None, [d.message for d in errors]
    assert "  })\n" in once and '  }, "x") + "y"\n' in once
    assert format_text("m.aqt", once)[0] == once


@pytest.mark.parametrize("mapping", sorted((ROOT / "targets").glob("*.aqt")), ids=lambda p: p.name)
def test_every_shipped_mapping_is_fmt_clean(mapping):
    formatted, diags = format_text(str(mapping), mapping.read_text())
    assert formatted == mapping.read_text(), f"run: aquadsl fmt {mapping.relative_to(ROOT)}"
    assert parse_text(str(mapping), formatted)[0] is not None


def test_fmt_check_passes_on_the_shipped_mappings(root):
    proc = run_cli("fmt", "--check", *sorted(str(p) for p in (ROOT / "targets").glob("*.aqt")), cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
