"""D4, D9, D11, D14: every count, text and number a plan file carries is bounded (the language's
limits and the database's column sizes) before anything is expanded; a bad one is exit 65 naming it."""

from __future__ import annotations

import json

import pytest

from aquadsl.plan.model import PlanFormatError, loads, to_data
from aquadsl.runtime import errors
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan


def _stage(d, i=1):
    return d["parameters"]["lifecycle"]["stages"][i]


def _hall(d):
    return d["infrastructure"]["geographies"][0]["stations"][0]["halls"][0]


EDITS = {
    "huge container range": (lambda d: _hall(d).update(containers=["FI-FW-01-A-C01..C99999999"]), "containers"),
    "huge window range": (lambda d: d["batches"][0]["stages"][0].update(containers=["X-C1..C99999999"]),
                          "containers"),
    "sensors per day": (lambda d: _stage(d)["sensors"].update(per_day=100000), "per_day"),
    "feedings per day": (lambda d: _stage(d).update(feedings_per_day=10**9), "feedings_per_day"),
    "stage days 0": (lambda d: _stage(d).update(days=0), "days"),
    "mortality 5.0": (lambda d: _stage(d).update(mortality_per_day=5.0), "mortality_per_day"),
    "cadence every 0": (lambda d: _stage(d)["cadences"]["growth_samples"].update(every=0), "every"),
    "NUL in a label": (lambda d: _stage(d).update(label="Sm\x00olt"), "label"),
    "surrogate in a feed name": (lambda d: _stage(d)["feed"].update(feed_name="Feed \ud800"), "feed_name"),
    "long label": (lambda d: _stage(d).update(label="L" * 101), "label"),
    "long container name": (lambda d: _hall(d).update(name="H" * 101), "name"),
    "long batch id": (lambda d: d["batches"][0].update(id="B" * 65), "id"),
    "long scenario": (lambda d: d["parameters"].update(scenario="S" * 201), "scenario"),
    "long code": (lambda d: d["infrastructure"]["geographies"][0].update(code="C" * 17), "code"),
    "long hall letter": (lambda d: _hall(d).update(letter="ABCDEFGHI"), "letter"),
}


def _edited(name: str) -> str:
    data = to_data(small_plan(batches=2))
    EDITS[name][0](data)
    return json.dumps(data, ensure_ascii=True)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_out_of_bounds_plan_value_is_a_plan_format_error_naming_the_field(name):
    with pytest.raises(PlanFormatError) as err:
        loads(_edited(name))
    assert EDITS[name][1] in str(err.value)


@pytest.mark.parametrize("name", ["huge container range", "NUL in a label", "stage days 0"])
def test_apply_exits_65_for_an_out_of_bounds_plan(tmp_path, name):
    (tmp_path / "p.json").write_text(_edited(name), encoding="utf-8")
    result = run_cli("apply", str(tmp_path / "p.json"), "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}",
                     cwd=tmp_path, timeout=120)
    assert result.returncode == errors.BAD_PLAN, result.stderr[-2000:]
    assert EDITS[name][1] in result.stderr
