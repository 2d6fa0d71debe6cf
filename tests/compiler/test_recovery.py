"""Syntax errors: whole-word keywords with hints, several errors per block, imports of broken files."""

from __future__ import annotations

from aquadsl.compiler import check_path
from tests.conftest import SCENARIOS

LIB = SCENARIOS / "lib" / "farm.aqs"


def errors(path):
    return [(d.span.path, d.span.line, d.span.col, d.code, d.hints) for d in check_path(path).diagnostics
            if d.severity == "error"]


def test_misspelt_keywords_that_start_with_a_keyword_get_a_hint(tmp_path):
    f = tmp_path / "kw.aqs"
    f.write_text(f'import "{LIB}"\nscenario "x" {{\n  startt 2020-01-01\n  seeds 7\n'
                 '  batches {\n    count 5 per geographys\n  }\n}\n')
    found = errors(f)
    assert [(line, col) for _, line, col, _, _ in found] == [(3, 3), (4, 3), (6, 17)]
    assert [hints for *_, hints in found] == [("did you mean 'start'?",), ("did you mean 'seed'?",),
                                              ("did you mean 'geography'?",)]


def test_keywords_are_whole_words_so_names_may_start_with_them(tmp_path):
    f = tmp_path / "names.aqs"
    text = LIB.read_text().replace("lifecycle atlantic_salmon", "lifecycle seedstock")
    f.write_text(text)
    assert errors(f) == []


def test_errors_in_an_import_are_reported_when_the_importer_has_a_syntax_error(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "farm.aqs").write_text(LIB.read_text().replace("  code FI", "  cod FI"))
    main = tmp_path / "main.aqs"
    main.write_text((SCENARIOS / "demo.aqs").read_text().replace("seed 7", "seed x7"))
    codes = {(p.rsplit("/", 1)[-1], line, code) for p, line, _, code, _ in errors(main)}
    assert ("main.aqs", 8, "AQS102") in codes
    assert any(p == "farm.aqs" and code == "AQS102" for p, _, code in codes)
