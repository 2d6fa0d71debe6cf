"""The .aqt language: the sample mapping checks clean, fmt is canonical, every bad input has its diagnostic."""

from __future__ import annotations

import json

import pytest

from aquadsl.targets.fmt import format_text
from aquadsl.targets.loader import check_path
from tests.conftest import FIXTURES
from tests.runtime.conftest import run_cli
from tests.targets.conftest import MAPPING

MANIFEST = FIXTURES / "targets" / "sample.manifest.json"


def test_the_sample_mapping_is_complete():
    result = check_path(str(MAPPING), str(MANIFEST))
    assert result.ok, [d.message for d in result.diagnostics]
    assert len(result.mapping.maps) == 15 and len(result.mapping.decisions) == 3


def test_the_sample_mapping_is_canonical_and_fmt_is_idempotent():
    text = MAPPING.read_text()
    formatted, diags = format_text(str(MAPPING), text)
    assert formatted == text
    messy = text.replace("\n  ", "\n      ").replace("{\n", "{\n\n").replace("\n}", "  \n}")
    once, _ = format_text("m.aqt", messy)
    assert once == text and format_text("m.aqt", once)[0] == once


BAD = [
    # (text in the sample, replacement, expected code, description)
    ("map hatchery.GrowthSample from", "map hatchery.GrowthSampel from", "AQS601", "unknown model"),
    ("  sampled_on = date", "  sampled_onn = date", "AQS602", "unknown field"),
    ("  fish_count = population\n", "  fish_count = population\n  fish_count = population\n", "AQS603", "twice"),
    ("from growth_samples {", "from growth_sample {", "AQS604", "unknown family"),
    ("  egg_count = eggs", "  egg_count = egs", "AQS605", "unknown column"),
    ("  day = date\n", "", "AQS610", "missing NOT NULL column"),
    ("  created_at = load_time", "  created_at = 2026-01-01T00:00:00Z", "AQS611", "auto_now not load_time"),
    ("  origin = \"aquadsl\"\n  notes", "  notes", "AQS611", "python default unmapped"),
    ("completed: \"DONE\"", "completed: \"DON\"", "AQS621", "value outside a choice set"),
    ("  status = map status { active: \"RUN\", completed: \"DONE\", culled: \"DONE\" }", "  status = \"RUNNING\"", "AQS621",
     "constant outside choices"),
    ("    HANDLING: \"HAND\",\n", "", "AQS622", "value map misses a value"),
    ("  kind = \"MORT\"", "  kind = \"MORTALITY\"", "AQS630", "too long"),
    ("  value = round(value)", "  value = round(value * 1000)", "AQS631", "numeric overflow"),
    ("name = container.short_name)", "name = container.short_name, unit = lookup hatchery.Unit(name = container.unit))",
     "AQS603", "lookup key twice"),
    ("lookup hatchery.Tank(unit = lookup hatchery.Unit(site = lookup hatchery.Site(code = container.geography_code), "
     "name = container.unit), name = container.short_name)", "lookup hatchery.Tank(name = container.short_name)",
     "AQS640", "unscoped lookup of a non-unique name"),
    ("  placement = ref(assignments)\n  raised_on", "  placement = ref(batches)\n  raised_on", "AQS642",
     "ref to rows not loaded as the foreign key's model"),
    ("decide save hatchery.Placement emulate biomass_kg", "decide save hatchery.Placement emulate biomas_kg",
     "AQS652", "emulation of an unmapped field"),
]


@pytest.mark.parametrize("old,new,code,what", BAD, ids=[b[3] for b in BAD])
def test_each_bad_mapping_gets_its_diagnostic_at_its_line(tmp_path, old, new, code, what):
    text = MAPPING.read_text()
    assert old in text
    bad = tmp_path / "bad.aqt"
    bad.write_text(text.replace(old, new, 1))
    result = check_path(str(bad), str(MANIFEST))
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in result.diagnostics]
    if new.strip() and code != "AQS611":   # a missing field is reported at its map's model name
        line = text.replace(old, new, 1)[:text.index(old)].count("\n") + 1
        assert any(d.span and line <= d.span.line <= line + new.count("\n") for d in found), found


def test_a_missing_decision_is_an_error(tmp_path):
    bad = tmp_path / "bad.aqt"
    bad.write_text("\n".join(ln for ln in MAPPING.read_text().splitlines() if not ln.startswith("decide signal")))
    result = check_path(str(bad), str(MANIFEST))
    assert [d.message for d in result.diagnostics if d.code == "AQS650"] == [
        "signal receiver hatchery.signals.raise_mortality_alert listens to hatchery.MortalityRecord: "
        "decide ignore, emulate or replay"]


def test_syntax_errors_name_line_column_and_expectation(tmp_path):
    bad = tmp_path / "bad.aqt"
    bad.write_text("target t {\n  project \"x\"\n}\nmap a.B from {\n}\n")
    result = check_path(str(bad), str(MANIFEST))
    (d,) = result.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("AQS600", 4, 14)
    assert d.message == "unexpected '{'; expected a name"


def test_check_cli_json_output(tmp_path, root):
    bad = tmp_path / "bad.aqt"
    bad.write_text(MAPPING.read_text().replace("  egg_count = eggs", "  egg_count = egs"))
    proc = run_cli("check", str(bad), "--manifest", str(MANIFEST), "--format", "json", cwd=root)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert [(d["code"], d["hints"]) for d in data] == [("AQS605", ["did you mean 'eggs'?"])]
    assert "Traceback" not in proc.stderr
