"""Invalid fixtures: each file marks every diagnostic it must produce with `# ERROR: AQSnnn` on its line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from aquadsl.compiler import check_path
from aquadsl.diagnostics import Diagnostic, render_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "invalid"
ALL_FIXTURES = sorted(FIXTURES.glob("*.aqs"))
MARKER = re.compile(r"#\s*(ERROR|WARNING|ERROR-NOSPAN):((?:\s+AQS\d{3})+)")

# Fixtures whose expectation is right but the compiler is not (yet); strict, so a fix makes them fail
# loudly and the entry must then be removed.
KNOWN_DEFECTS: dict[str, str] = {}

Key = tuple[str | None, int | None, str, str]   # (resolved path, line, code, severity)


def _resolved(path: str) -> str:
    return str(Path(path).resolve())


def expected_markers(files: list[Path]) -> Counter[Key]:
    """Every marker in ``files``: (path, line, code, severity); NOSPAN markers carry no path or line."""
    out: Counter[Key] = Counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for m in MARKER.finditer(line):
                kind, codes = m.group(1), m.group(2).split()
                for code in codes:
                    if kind == "ERROR-NOSPAN":
                        out[(None, None, code, "error")] += 1
                    else:
                        out[(str(path.resolve()), number, code, kind.lower())] += 1
    return out


def actual_keys(diagnostics: list[Diagnostic]) -> Counter[Key]:
    return Counter((_resolved(d.span.path) if d.span else None, d.span.line if d.span else None,
                    d.code, d.severity) for d in diagnostics)


def loaded_files(fixture: Path, sources: dict[str, str]) -> list[Path]:
    """The fixture and every file it pulled in (markers may sit in an imported library)."""
    files = {fixture.resolve()} | {Path(p).resolve() for p in sources}
    return sorted(f for f in files if f.is_file())


def _params():
    for path in ALL_FIXTURES:
        marks = ()
        if path.name in KNOWN_DEFECTS:
            marks = pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[path.name])
        yield pytest.param(path, id=path.stem, marks=marks)


FIXTURE_PARAMS = list(_params())


def test_there_are_enough_fixtures():
    assert len(ALL_FIXTURES) >= 30
    assert set(KNOWN_DEFECTS) <= {p.name for p in ALL_FIXTURES}


@pytest.mark.parametrize("fixture", FIXTURE_PARAMS)
def test_fixture_diagnostics_match_markers(fixture: Path):
    result = check_path(fixture)
    expected = expected_markers(loaded_files(fixture, result.sources))
    assert expected, f"{fixture.name} has no markers"
    got = actual_keys(result.diagnostics)
    rendered = render_text(result.diagnostics, result.sources)
    assert got == expected, (f"missing: {sorted(expected - got, key=str)}\n"
                             f"unexpected: {sorted(got - expected, key=str)}\n{rendered}")
    assert result.plan is None or not any(k[3] == "error" for k in expected)


def test_every_code_that_a_file_can_produce_is_covered():
    codes = {k[2] for f in ALL_FIXTURES for k in expected_markers([f])}
    codes |= {k[2] for f in (FIXTURES / "lib").glob("*.aqs") for k in expected_markers([f])}
    wanted = {"AQS101", "AQS102", "AQS103", "AQS104", "AQS105", "AQS106", "AQS107", "AQS201", "AQS202",
              "AQS203", "AQS204", "AQS205", "AQS206", "AQS301", "AQS302", "AQS303", "AQS304", "AQS306",
              "AQS310", "AQS311", "AQS320"}
    assert wanted <= codes, sorted(wanted - codes)


@pytest.mark.parametrize("fixture", [p for p in ALL_FIXTURES if p.name not in KNOWN_DEFECTS], ids=lambda p: p.stem)
def test_messages_use_human_token_names(fixture: Path):
    for d in check_path(fixture).diagnostics:
        text = " ".join([d.message, *d.hints, *(n.message for n in d.notes)])
        assert "__ANON" not in text and not re.search(r"\b(KW_[A-Z_]+|RBRACE|LBRACE|\$END)\b", text), text
        assert "Traceback" not in text


# --------------------------------------------------------------------------- hints
HINTS = [
    ("misspelt_keyword.aqs", "AQS102", "did you mean 'stagger'?"),
    ("misspelt_toplevel_keyword.aqs", "AQS102", "did you mean 'geography'?"),
    ("unknown_geography.aqs", "AQS201", "did you mean 'north'?"),
    ("unknown_lifecycle.aqs", "AQS201", "did you mean 'salmon'?"),
    ("unknown_kind.aqs", "AQS201", "did you mean 'tank'?"),
    ("unknown_variable.aqs", "AQS201", "did you mean 'batch_index'?"),
    ("unknown_variable.aqs", "AQS201", "did you mean 'prefix'?"),
    ("unknown_function.aqs", "AQS203", "did you mean 'max'?"),
    ("several_name_errors.aqs", "AQS201", "did you mean 'batch_index'?"),
    ("duplicate_batch_ids.aqs", "AQS306", "{global_index}"),
]


@pytest.mark.parametrize(("name", "code", "hint"), HINTS, ids=[f"{n[:-4]}-{h[-12:]}" for n, _, h in HINTS])
def test_did_you_mean_hints(name: str, code: str, hint: str):
    diags = check_path(FIXTURES / name).diagnostics
    assert any(d.code == code and any(hint in h for h in d.hints) for d in diags), [(d.code, d.hints) for d in diags]


# ------------------------------------------------------------------------ capacity
def _line_of(path: Path, prefix: str) -> int:
    """The 1-based number of the first line whose stripped text starts with ``prefix``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip().startswith(prefix):
            return number
    raise AssertionError(f"no line starting with {prefix!r} in {path}")


def _capacity(name: str) -> Diagnostic:
    diags = [d for d in check_path(FIXTURES / name).diagnostics if d.severity == "error"]
    assert [d.code for d in diags] == ["AQS310"]
    return diags[0]


def test_sea_capacity_names_batch_stage_and_lines_to_change():
    path = FIXTURES / "capacity_sea.aqs"
    d = _capacity(path.name)
    assert "batch NOR-02" in d.message and "stage 'adult'" in d.message
    noted = {(Path(n.span.path).resolve(), n.span.line) for n in d.notes if n.span}
    for prefix in ("stagger", "count", "rings", "sea_areas"):
        assert (path.resolve(), _line_of(path, prefix)) in noted, prefix
    assert any("NOR-01" in n.message and n.span is None for n in d.notes), "the colliding batch is named"


def test_fresh_capacity_names_batch_stage_collisions_and_lines_to_change():
    path = FIXTURES / "capacity_fresh.aqs"
    d = _capacity(path.name)
    assert "batch NOR-05" in d.message and "stage 'fry'" in d.message
    holders = [n.message for n in d.notes if n.span is None]
    # halls rotate (the one free longest first), so holders are listed by container, not by batch
    assert sorted(h.split(" held by ")[1].split()[0] for h in holders) == ["NOR-01", "NOR-02", "NOR-03", "NOR-04"]
    noted = {(Path(n.span.path).resolve(), n.span.line) for n in d.notes if n.span}
    assert (path.resolve(), _line_of(path, "stagger")) in noted
    assert (path.resolve(), _line_of(path, "count")) in noted
    lib = FIXTURES / "lib" / "base.aqs"
    assert (lib.resolve(), _line_of(lib, "stations")) in noted


@pytest.mark.parametrize("name, expected", [
    ("capacity_fish_sea.aqs", "its expected fish count (up to 9,899) needs 11 rings of at most 1,000 fish, "
                              "more than a sea area's 4 rings"),
    ("capacity_fish_fresh.aqs", "its expected fish count of 9,995 (from 2024-01-01) needs 22 containers of at "
                                "most 500 fish in one hall A, more than a hall's 10"),
])
def test_capacity_names_the_fish_count_when_max_fish_is_what_does_not_fit(name, expected):
    d = _capacity(name)
    assert "batch NOR-01" in d.message and expected in d.message, d.message


# ----------------------------------------------------------------- rendered output
def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aquadsl", *args], capture_output=True, text=True,
                          cwd=cwd or Path.cwd(), timeout=120)


REPO = Path(__file__).resolve().parents[2]
RENDERED = {
    "misspelt_keyword.aqs": """\
tests/fixtures/invalid/misspelt_keyword.aqs:10:5: error[AQS102]: unexpected 'stager'; expected one of 'count', \
'eggs', 'geographies', 'harvest_target', 'id', 'let', 'stagger', '}'
      stager 20 days interleaved  # ERROR: AQS102
      ^^^^^^
  help: did you mean 'stagger'?
1 file(s) checked: 1 error(s)
""",
    "unknown_variable.aqs": """\
tests/fixtures/invalid/unknown_variable.aqs:12:17: error[AQS201]: unknown variable 'batch_indx'
      eggs base + batch_indx * 100  # ERROR: AQS201
                  ^^^^^^^^^^
  help: did you mean 'batch_index'?
tests/fixtures/invalid/unknown_variable.aqs:14:10: error[AQS201]: unknown variable 'prefx'
      id "{prefx}-{geo_index+1:02}"  # ERROR: AQS201
           ^^^^^
  help: did you mean 'prefix'?
1 file(s) checked: 2 error(s)
""",
    "duplicate_kind.aqs": """\
tests/fixtures/invalid/duplicate_kind.aqs:3:16: error[AQS202]: container kind 'tank' is defined twice
  container_kind tank "Big tank" volume 200 m3 max_biomass 9 t  # ERROR: AQS202
                 ^^^^
  tests/fixtures/invalid/duplicate_kind.aqs:2:16: note: first defined here
1 file(s) checked: 1 error(s)
""",
    "eggs_division_by_zero.aqs": """\
tests/fixtures/invalid/eggs_division_by_zero.aqs:12:10: error[AQS304]: division by zero \
(batch 0 of the schedule, north #0)
           5 // (batch_index - batch_index)  # ERROR: AQS304
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
1 file(s) checked: 1 error(s)
""",
    "unterminated_string.aqs": """\
tests/fixtures/invalid/unterminated_string.aqs:2:21: error[AQS101]: unterminated string \
(strings end on the same line with '"')
  container_kind tank "Tank volume 100 m3 max_biomass 5 t  # ERROR: AQS101
                      ^
1 file(s) checked: 1 error(s)
""",
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_text_is_exact(name: str):
    proc = run_cli("check", f"tests/fixtures/invalid/{name}", cwd=REPO)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == RENDERED[name]


@pytest.mark.parametrize("name", ["misspelt_keyword.aqs", "capacity_sea.aqs", "import_cycle.aqs",
                                  "several_name_errors.aqs"])
def test_json_format_matches_in_process_diagnostics(name: str):
    path = FIXTURES / name
    proc = run_cli("check", "--format", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data == [d.model_dump(mode="json") for d in check_path(path).diagnostics]
    for item in data:
        assert {"code", "message", "severity", "span", "hints", "notes"} <= set(item)
        assert set(item["span"]) == {"path", "line", "col", "end_line", "end_col"}


def test_warning_alone_exits_zero():
    proc = run_cli("check", str(FIXTURES / "batches_after_until.aqs"))
    assert proc.returncode == 0, proc.stderr
    assert "warning[AQS320]" in proc.stderr


def test_check_of_several_files_reports_every_file():
    names = ["unknown_geography.aqs", "bad_date.aqs", "duplicate_kind.aqs"]
    proc = run_cli("check", *(str(FIXTURES / n) for n in names))
    assert proc.returncode == 1
    for name, code in zip(names, ("AQS201", "AQS105", "AQS202")):
        assert re.search(rf"{name}:\d+:\d+: error\[{code}\]", proc.stderr), proc.stderr
    assert "3 file(s) checked: 3 error(s)" in proc.stderr


def test_check_of_several_files_reports_a_shared_library_once(tmp_path: Path):
    (tmp_path / "lib.aqs").write_text('container_kind x "X" volume 0 m3 max_biomass 1 t\n')
    for name in ("a.aqs", "b.aqs"):
        (tmp_path / name).write_text('import "lib.aqs"\n')
    proc = run_cli("check", "a.aqs", "b.aqs", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.count("error[AQS302]") == 1, proc.stderr
