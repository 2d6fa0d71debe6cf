"""`aquadsl fmt`: canonical layout, comments, idempotence, semantics and the command's exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token

from aquadsl.cli import main
from aquadsl.fmt import format_text
from aquadsl.parser import parse_text
from aquadsl.transformer import to_ir

REPO = Path(__file__).resolve().parents[2]

MESSY = '''# aquadsl demo scenario
import   "lib/kinds.aqs"
import "lib/geo.aqs"   # shared geographies
container_kind tray "Incubation Trays" volume 10 m3 max_biomass 500   kg
container_kind   sea_ring volume 40_000 m3
   max_biomass 1_200 t # big


geography faroe "Faroe Islands" {

code   FO
   prefix FO
  stations 12 halls A .. E containers 10   # five halls per station
  hall A kind tray
  hall B kind tray containers 4



  # sea side
  sea_areas 22 rings 20 kind sea_ring
  temperature fresh constant 8.5
  temperature sea sine mean 9 amplitude 2.5 peak_day 230
  names { station "{prefix}-S{index:02}" ring "{area}-R{index}" }

}
geography scotland "Scotland" { temperature sea monthly 7 6.5 6 -0.5 8 9 10 11 12 11 10 8 }
lifecycle salmon "Atlantic salmon" { start_weight 0.2 g
  stage egg "Egg & alevin" {   # first stage
    days 90 water fresh hall A containers 2
    mortality 0.15 % per day
    feed none
    # no feeding yet
  }  # end egg
  stage smolt {
    days 120
    tgc 2.8
    weight_cap 150 g
    rings 8, 10 ,12
    feed rate 1.2% "Smolt 3mm"
    feedings 2 per day
    sensors 24 per day temperature , oxygen
    growth_samples every 7 days fish 30
    vaccinations at days 90,120
  }
  stage grow_out { rings 8..20 feed fcr 1.15 "Grower" lice_counts every 7 days }
  stage empty { }
}
scenario "demo" {
  lifecycle salmon start 2024-01-15 until today seed 42
  let base = 1_000_000
  batches {  # one block per site
    geographies faroe , scotland
    count 3 per geography
    stagger 30 days interleaved
    let bump = -3
    let growth = (base
      # inner own-line comment
      + 5)   # trailing mid-expression
      * 2
    eggs base * (1 + (bump+2) / 10) - max( base//4, 2 ** -1 ) % 7 # eggs per batch
    harvest_target 4.5 .. 6.5 kg
    id "{geo}-{year}-{index:03}"
  }
}
scenario "uat" { lifecycle salmon start 2023-06-01 until 2024-06-01
  batches { geographies faroe, scotland count faroe 2, scotland 3 stagger 10 days offsets faroe 0, scotland 5
    eggs +base }
}
# end of file
'''

CANONICAL = '''# aquadsl demo scenario
import "lib/kinds.aqs"
import "lib/geo.aqs"  # shared geographies

container_kind tray "Incubation Trays" volume 10 m3 max_biomass 500 kg
container_kind sea_ring volume 40_000 m3 max_biomass 1_200 t  # big

geography faroe "Faroe Islands" {
  code FO
  prefix FO
  stations 12 halls A..E containers 10  # five halls per station
  hall A kind tray
  hall B kind tray containers 4

  # sea side
  sea_areas 22 rings 20 kind sea_ring
  temperature fresh constant 8.5
  temperature sea sine mean 9 amplitude 2.5 peak_day 230
  names {
    station "{prefix}-S{index:02}"
    ring "{area}-R{index}"
  }
}

geography scotland "Scotland" {
  temperature sea monthly 7 6.5 6 -0.5 8 9 10 11 12 11 10 8
}

lifecycle salmon "Atlantic salmon" {
  start_weight 0.2 g
  stage egg "Egg & alevin" {  # first stage
    days 90
    water fresh
    hall A
    containers 2
    mortality 0.15 % per day
    feed none
    # no feeding yet
  }  # end egg
  stage smolt {
    days 120
    tgc 2.8
    weight_cap 150 g
    rings 8, 10, 12
    feed rate 1.2 % "Smolt 3mm"
    feedings 2 per day
    sensors 24 per day temperature, oxygen
    growth_samples every 7 days fish 30
    vaccinations at days 90, 120
  }
  stage grow_out {
    rings 8..20
    feed fcr 1.15 "Grower"
    lice_counts every 7 days
  }
  stage empty {
  }
}

scenario "demo" {
  lifecycle salmon
  start 2024-01-15
  until today
  seed 42
  let base = 1_000_000
  batches {  # one block per site
    geographies faroe, scotland
    count 3 per geography
    stagger 30 days interleaved
    let bump = -3
    # inner own-line comment
    # trailing mid-expression
    let growth = (base + 5) * 2
    eggs base * (1 + (bump + 2) / 10) - max(base // 4, 2 ** -1) % 7  # eggs per batch
    harvest_target 4.5..6.5 kg
    id "{geo}-{year}-{index:03}"
  }
}

scenario "uat" {
  lifecycle salmon
  start 2023-06-01
  until 2024-06-01
  batches {
    geographies faroe, scotland
    count faroe 2, scotland 3
    stagger 10 days offsets faroe 0, scotland 5
    eggs +base
  }
}
# end of file
'''

SMALL_SAMPLES = [
    "",
    "\n\n   \n",
    "# only a comment   \n",
    "# one\n\n\n# two",
    'import "a.aqs" import "b.aqs"\ncontainer_kind t volume 1 m3 max_biomass 2 kg',
    'scenario "s" { let x = ((((1)))) }',
    'scenario "s" {\n\n  # lonely\n\n}\n',
    'scenario "s" { let x = - - 3 ** + 2 let y = a % b // c - -d }',
    'lifecycle l { stage s { mortality -0.5 % per day } }  # after\n\n\n# tail\n',
    "geography g \"G\" # header\n # own line in header\n { code G }\n",
]


_SPAN_KEYS = {"path", "line", "col", "end_line", "end_col"}


def _strip_spans(value):
    """A model dump without source positions, so layout changes compare equal. Spans also sit
    unnamed inside (value, span) pairs, e.g. ``Scenario.start``; those become None."""
    if isinstance(value, dict):
        if set(value) == _SPAN_KEYS:
            return None
        return {k: _strip_spans(v) for k, v in value.items()
                if k != "span" and not k.endswith(("_span", "_spans"))}
    if isinstance(value, (list, tuple)):
        return [_strip_spans(v) for v in value]
    return value


def _ir(text: str):
    result = parse_text("t.aqs", text)
    assert result.tree is not None, result.diagnostics
    module, diags = to_ir("t.aqs", result.tree)
    assert module is not None, diags
    return _strip_spans(module.model_dump())


def _fmt(text: str) -> str:
    out, diags = format_text("t.aqs", text)
    assert out is not None, diags
    return out


def _comment_texts(text: str) -> list[str]:
    return [str(c).rstrip() for c in parse_text("t.aqs", text).comments]


# ------------------------------------------------------------------- library
def test_messy_input_becomes_the_canonical_layout():
    assert _fmt(MESSY) == CANONICAL


def test_canonical_layout_is_a_fixed_point():
    assert _fmt(CANONICAL) == CANONICAL


@pytest.mark.parametrize("text", [MESSY, *SMALL_SAMPLES])
def test_idempotent(text):
    once = _fmt(text)
    assert _fmt(once) == once


@pytest.mark.parametrize("text", [MESSY, *SMALL_SAMPLES])
def test_semantics_preserved(text):
    assert _ir(_fmt(text)) == _ir(text)


@pytest.mark.parametrize("text", [MESSY, *SMALL_SAMPLES])
def test_every_comment_kept_once_in_order(text):
    assert _comment_texts(_fmt(text)) == _comment_texts(text)


@pytest.mark.parametrize("text", [MESSY, *SMALL_SAMPLES])
def test_output_ends_in_one_newline_and_has_no_trailing_spaces(text):
    out = _fmt(text)
    assert out == "" or (out.endswith("\n") and not out.endswith("\n\n"))
    assert all(line == line.rstrip() for line in out.split("\n"))


def test_empty_and_comment_only_files():
    assert _fmt("") == ""
    assert _fmt("  \n\n") == ""
    assert _fmt("\n\n# a   \n\n\n\n# b") == "# a\n\n# b\n"


def test_blank_lines_inside_blocks():
    src = 'scenario "s" {\n\n\n  seed 1\n\n\n\n  # why\n  let a = 1\n  let b = 2\n\n}\n'
    assert _fmt(src) == 'scenario "s" {\n  seed 1\n\n  # why\n  let a = 1\n  let b = 2\n}\n'


def test_top_level_items_get_one_blank_line_and_imports_stay_together():
    src = ('import "a.aqs"\nimport "b.aqs"\n\n\n\nscenario "s" { seed 1 }\n'
           '# about k\ncontainer_kind k volume 1 m3 max_biomass 1 t')
    assert _fmt(src) == ('import "a.aqs"\nimport "b.aqs"\n\nscenario "s" {\n  seed 1\n}\n\n'
                         '# about k\ncontainer_kind k volume 1 m3 max_biomass 1 t\n')


def test_syntax_error_returns_diagnostics_not_text():
    out, diags = format_text("bad.aqs", "lifecycle {")
    assert out is None
    assert [d.code for d in diags] == ["AQS102"]


def test_deep_nesting_within_the_parser_limit():
    depth = 90
    src = 'scenario "s" { let x = ' + "(" * depth + "1" + ")" * depth + " }"
    out = _fmt(src)
    assert "(" * depth + "1" + ")" * depth in out
    assert _ir(out) == _ir(src)


# ------------------------------------------------------------------- property
def _lexemes(text: str) -> tuple[list[str], list[bool], list[str]]:
    """Tokens and comments of ``text`` in order, whether each is a comment, and the whitespace
    between neighbours (gaps[i] precedes lexeme i; the last gap follows the final lexeme)."""
    result = parse_text("t.aqs", text)
    pieces = sorted([*result.tree.scan_values(lambda v: isinstance(v, Token)), *result.comments],
                    key=lambda t: t.start_pos)
    gaps, pos = [], 0
    for piece in pieces:
        gaps.append(text[pos:piece.start_pos])
        pos = piece.start_pos + len(piece)
    gaps.append(text[pos:])
    assert all(not g.strip() for g in gaps)
    return [str(p) for p in pieces], [p.type == "COMMENT" for p in pieces], gaps


_SPACES = st.text(alphabet=" \t", max_size=3)


@st.composite
def _respaced(draw, text: str) -> str:
    """``text`` with every whitespace run between lexemes replaced at random. Runs keep what
    fmt reads from them: a comment's own line, a trailing comment staying trailing, and
    whether a blank line separates two statements."""
    words, is_comment, gaps = _lexemes(text)
    out = [draw(st.text(alphabet=" \t\n", max_size=4))]
    for i, word in enumerate(words):
        if i > 0:
            newlines = gaps[i].count("\n")
            if newlines >= 2:
                count = draw(st.integers(2, 4))
            elif is_comment[i - 1] or is_comment[i]:
                count = newlines
            else:
                count = draw(st.integers(0, 1))
            runs = [draw(_SPACES) for _ in range(count + 1)]
            sep = "\n".join(runs)
            out.append(sep if sep else " ")
        out.append(word)
    out.append(draw(st.text(alphabet=" \t\n", max_size=4)))
    return "".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_respacing_formats_the_same(data):
    respaced = data.draw(_respaced(CANONICAL))
    assert _fmt(respaced) == CANONICAL


@st.composite
def _with_comments(draw, text: str) -> str:
    """``text`` with comments dropped into random gaps between lexemes, each either trailing
    the code before it or on a line of its own: inside expressions, headers and blocks."""
    words, _, gaps = _lexemes(text)
    spots = draw(st.lists(st.tuples(st.integers(1, len(words)), st.booleans()), max_size=12))
    extra: dict[int, list[str]] = {}
    for n, (index, own_line) in enumerate(spots):
        extra.setdefault(index, []).append(("\n" if own_line else " ") + f"# c{n} \n")
    out = []
    for i, word in enumerate(words):
        out.extend([gaps[i], *extra.get(i, ()), word])
    out.extend([*extra.get(len(words), ()), gaps[-1]])
    return "".join(out)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_comments_anywhere_survive_in_order(data):
    text = data.draw(_with_comments(MESSY))
    once = _fmt(text)
    assert _fmt(once) == once
    assert _comment_texts(once) == _comment_texts(text)
    assert _ir(once) == _ir(text)


# ------------------------------------------------------------------ scenarios
def test_repository_scenarios_are_stable_and_preserved():
    paths = sorted((REPO / "scenarios").glob("**/*.aqs"))
    if not paths:
        pytest.skip("no scenarios/**/*.aqs files yet")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        once = _fmt(text)
        assert _fmt(once) == once, path
        assert _ir(once) == _ir(text), path
        assert _comment_texts(once) == _comment_texts(text), path


# ------------------------------------------------------------------------ CLI
def _run(*args: str):
    return CliRunner().invoke(main, ["fmt", *args])


def test_check_passes_on_canonical_files(tmp_path):
    path = tmp_path / "ok.aqs"
    path.write_text(CANONICAL, encoding="utf-8")
    result = _run("--check", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_check_reports_files_that_would_change_and_leaves_them(tmp_path):
    messy, ok = tmp_path / "messy.aqs", tmp_path / "ok.aqs"
    messy.write_text(MESSY, encoding="utf-8")
    ok.write_text(CANONICAL, encoding="utf-8")
    result = _run("--check", str(messy), str(ok))
    assert result.exit_code == 2
    assert result.stdout == f"would reformat {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY


def test_rewrite_then_check(tmp_path):
    path = tmp_path / "messy.aqs"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    result = _run(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"reformatted {path}\n"
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messy.aqs"]
    again = _run("--check", str(path))
    assert again.exit_code == 0 and again.output == ""


def test_syntax_error_exits_1_with_located_diagnostic(tmp_path):
    path = tmp_path / "bad.aqs"
    path.write_text('scenario "s" {\n  seed\n}\n', encoding="utf-8")
    result = _run(str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:3:1: error[AQS102]: ")
    assert "Traceback" not in result.output
    assert path.read_text(encoding="utf-8") == 'scenario "s" {\n  seed\n}\n'


def test_unreadable_and_binary_files_exit_1(tmp_path):
    missing, binary = tmp_path / "missing.aqs", tmp_path / "bin.aqs"
    binary.write_bytes(b"scenario \xff\xfe")
    result = _run("--check", str(missing), str(binary), str(tmp_path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{missing}: error[AQS100]: cannot read file: No such file or directory"
    assert lines[1] == f"{binary}:1:10: error[AQS100]: file is not UTF-8 text"
    assert lines[2].startswith(f"{tmp_path}: error[AQS100]: cannot read file: ")
    assert "Traceback" not in result.output


def test_errors_win_over_changes(tmp_path):
    messy = tmp_path / "messy.aqs"
    messy.write_text(MESSY, encoding="utf-8")
    result = _run("--check", str(messy), str(tmp_path / "missing.aqs"))
    assert result.exit_code == 1
    assert f"would reformat {messy}" in result.stdout


def test_files_are_required():
    result = _run()
    assert result.exit_code == 64  # a usage error (exits.USAGE)
    assert "Missing argument" in result.output
