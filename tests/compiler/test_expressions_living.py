"""Expressions added for a living farm: comparisons, if-then-else, abs and per-geography values."""

from __future__ import annotations

from pathlib import Path

import pytest

from aquadsl.compiler import compile_path

FARM = (Path(__file__).resolve().parents[2] / "scenarios" / "lib" / "farm.aqs").as_posix()


def _compile(tmp_path: Path, eggs: str, extra: str = ""):
    path = tmp_path / "expr.aqs"
    path.write_text(f'''import "{FARM}"
scenario "x" {{
  lifecycle atlantic_salmon
  start 2022-01-10
  until 2022-12-31
  seed 7
  {extra}
  batches {{
    geographies faroe, scotland
    count 2 per geography
    stagger 45 days interleaved
    eggs {eggs}
    harvest_target 4.5..6.5 kg
    id "{{prefix}}-{{geo_index+1:03}}"
  }}
}}
''', encoding="utf-8")
    return compile_path(path)


def test_comparisons_if_abs_and_per_geography_evaluate(tmp_path):
    result = _compile(tmp_path, "per_geography(faroe 3_000_000, scotland 2_000_000) + abs(-5) * big"
                      " + (if batch_index == 0 then 1 else 0) + (batch_index >= 1) * 10",
                      "let big = if 3 > 2 then 100 else 200")
    assert result.ok
    eggs = {b.id: b.eggs for b in result.plan.batches}
    assert eggs == {"FAR-001": 3_000_501, "SCO-001": 2_000_501, "FAR-002": 3_000_510, "SCO-002": 2_000_510}
    assert result.plan.parameters.batches.eggs.startswith("per_geography(faroe 3000000, scotland 2000000)")


@pytest.mark.parametrize(("eggs", "code", "text"), [
    ("per_geography(faroe 3_000_000)", "AQS304", "per_geography has no value for geography 'scotland'"),
    ("per_geography(faroe 1, faroe 2, scotland 3)", "AQS202", "geography 'faroe' is given twice"),
    ("abs(1, 2)", "AQS203", "abs() takes 1 arguments, got 2"),
    ("1 < 2 < 3", "AQS102", "unexpected"),
])
def test_expression_errors_are_diagnostics(tmp_path, eggs, code, text):
    result = _compile(tmp_path, eggs)
    assert not result.ok
    first = next(d for d in result.diagnostics if d.severity == "error")
    assert first.code == code, first
    assert text in first.message
    assert first.span is not None and first.span.line == 12
