"""`aquadsl report` for every shipped scenario and a loaded demo database, checked in headless Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS
from tests.report.browser import probe, screenshot
from tests.runtime.conftest import run_cli

PLAN_TITLES = ("Batch timeline: stages of every batch", "Occupancy ", "Utilisation ", "Projected growth ",
               "Incidents that change the plan")
AXES = ("date", "batch", "hall / sea area (capacity)", "occupied (% of the stage's containers)",
        "average weight (kg)", "days since the batch started", "harvest target")
DB_TITLES = ("Harvest weight (per harvest event)", "Days at sea (harvested batches)",
             "Survival from egg to harvest (harvested batches)", "Realised FCR per stage (feed / biomass gain)",
             "Mortality by month and cause", "Sea lice: adult females per fish",
             "Water temperature by month per geography", "Dissolved oxygen by month per geography",
             "Feed use by month per geography", "deaths (thousand fish)", "adult female lice per fish",
             "limit 0.5 (treatment required)", "monthly mean (°C)", "feed (tonnes)", "NATURAL")


def _report(tmp_path, *args) -> tuple:
    out = tmp_path / "report.html"
    result = run_cli("report", *args, "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out, out.read_text(encoding="utf-8")


def _check_page(data: dict, expected_charts: int, labels) -> None:
    assert data["errors"] == [] and data["console"] == []
    assert data["resources"] == []                                   # nothing fetched: self-contained
    assert len(data["charts"]) == expected_charts
    for chart in data["charts"]:
        assert chart["width"] > 100 and chart["height"] > 100, chart
        assert chart["shapes"] > 3, chart                            # axes at least, and some marks
    for label in labels:
        assert label in data["text"], label


@pytest.mark.parametrize("scenario", sorted(p.name for p in SCENARIOS.glob("*.aqs")))
def test_the_plan_report_renders_in_chromium(scenario, tmp_path):
    from aquadsl.compiler import compile_path

    plan = compile_path(SCENARIOS / scenario).plan
    out, page = _report(tmp_path, str(SCENARIOS / scenario))
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    geos = len(plan.infrastructure.geographies)
    data = probe(out, tmp_path)
    _check_page(data, 1 + 3 * geos, PLAN_TITLES + AXES + (plan.parameters.scenario,) +
                tuple(g.label for g in plan.infrastructure.geographies) +
                tuple(s.name for s in plan.parameters.lifecycle.stages))
    assert plan.sources.sha256 in data["text"]
    screenshot(out, tmp_path, f"plan-{scenario.removesuffix('.aqs')}", data["height"])


def test_the_database_report_renders_in_chromium(demo_sqlite, tmp_path):
    from aquadsl.compiler import compile_path
    from aquadsl.runtime.ledger import plan_hash

    plan = compile_path(SCENARIOS / "demo.aqs").plan
    out, page = _report(tmp_path, str(SCENARIOS / "demo.aqs"), "--database", demo_sqlite)
    data = probe(out, tmp_path)
    _check_page(data, 7 + 9, PLAN_TITLES + DB_TITLES)
    assert plan_hash(plan) in data["text"] and "NOT the plan" not in data["text"]
    assert f"{plan.estimated_rows['mortality_events']:,}" in data["text"]
    screenshot(out, tmp_path, "database-demo", data["height"])


def test_the_report_is_deterministic(tmp_path):
    first = _report(tmp_path, str(SCENARIOS / "demo.aqs"))[1]
    assert _report(tmp_path, str(SCENARIOS / "demo.aqs"))[1] == first


def test_report_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = run_cli("report", str(bad), "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert result.returncode == 65 and "Traceback" not in result.stderr
    result = run_cli("report", str(SCENARIOS / "demo.aqs"), "--out", str(tmp_path / "no" / "r.html"), cwd=tmp_path)
    assert result.returncode == 73 and "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_the_probe_sees_a_page_that_tries_the_network(tmp_path):
    """The browser check can fail: a report that loads something is caught (CSP refusal or load error)."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                    "'none'; style-src 'unsafe-inline'; img-src data:\"></head><body><img src=\"http://127.0.0.1:9/x.png\">"
                    "<svg class=\"chart\" width=\"0\" height=\"0\"></svg></body></html>", encoding="utf-8")
    data = probe(page, tmp_path)
    assert data["errors"] or data["console"]
    assert data["charts"] and data["charts"][0]["width"] == 0
