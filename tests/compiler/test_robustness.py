"""No input makes `aquadsl check` or `compile` crash: hostile files give diagnostics and exit code 1."""

from __future__ import annotations

import os
import random
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aquadsl.compiler import check_path, compile_path
from aquadsl.diagnostics import Diagnostic, render_json, render_text
from tests.compiler.strategies import hostile_numbers, mutated_scenarios, token_soup

SCENARIO = """\
container_kind tank "Tank" volume 100 m3 max_biomass 5 t
container_kind ring "Ring" volume 20000 m3 max_biomass 200 t
geography north "North" {{
  code N
  prefix NOR
  stations 1 halls A containers 4
  hall A kind tank
  sea_areas 2 rings 6 kind ring
  temperature fresh constant 11
  temperature sea constant 9
}}
lifecycle salmon {{
  start_weight 5 g
  stage fry {{ days 30 water fresh hall A containers 2 tgc 2 weight_cap 100 g mortality 0.05 % }}
  stage adult {{ days 100 water sea rings 3, 2 tgc 3 weight_cap 6 kg mortality 0.01 % }}
}}
scenario "robust" {{
  start 2024-01-01
  until 2024-12-31
  seed 1
  batches {{
    count 2 total
    stagger 20 days interleaved
    eggs {eggs}
    harvest_target 1..2 kg
    id "{{prefix}}-{{global_index+1:02}}"
  }}
}}
"""
DIAGNOSTIC = re.compile(r"(error|warning)\[(AQS\d{3})\]")
EXIT_ERROR, EXIT_INTERNAL = 1, 70


def scenario(eggs: str) -> bytes:
    return SCENARIO.format(eggs=eggs).encode()


def _write(name: str, data: bytes):
    def build(root: Path) -> Path:
        path = root / name
        path.write_bytes(data)
        return path
    return build


def _directory(root: Path) -> Path:
    path = root / "a_directory.aqs"
    path.mkdir()
    return path


def _unreadable(root: Path) -> Path:
    path = root / "unreadable.aqs"
    path.write_bytes(scenario("10_000"))
    path.chmod(0)
    return path


def _cycle(root: Path) -> Path:
    (root / "cycle_b.aqs").write_text('import "cycle_a.aqs"\n')
    (root / "cycle_a.aqs").write_text('import "cycle_b.aqs"\n' + scenario("10_000").decode())
    return root / "cycle_a.aqs"


def _imports_garbage(root: Path) -> Path:
    (root / "garbage.bin").write_bytes(_garbage())
    return _write("imports_garbage.aqs", b'import "garbage.bin"\n')(root)


def _ten_megabytes() -> bytes:
    line = b'container_kind k "K" volume 1 m3 max_biomass 1 t  # padding padding padding\n'
    return line * (10 * 1024 * 1024 // len(line) + 1)


def _garbage() -> bytes:
    rnd = random.Random(20240601)          # fixed seed: the same garbage on every run
    return bytes(rnd.randrange(256) for _ in range(8192)) + b"\x00\xff\x00"


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], Path]   # makes the input under a fresh folder; returns the path to pass
    code: str                  # the diagnostic code the case must produce


CASES = {
    "empty": Case(_write("empty.aqs", b""), "AQS206"),
    "whitespace_only": Case(_write("blank.aqs", b"  \n\t\n   \r\n\f \n"), "AQS206"),
    "binary_garbage": Case(_write("garbage.aqs", _garbage()), "AQS100"),
    "nul_byte": Case(_write("nul.aqs", b'container_kind k "K\x00" volume 1 m3 max_biomass 1 t\n'), "AQS100"),
    "invalid_utf8": Case(_write("latin1.aqs", 'geography n "Nør" {}\n'.encode("latin-1")), "AQS100"),
    "ten_megabytes": Case(_write("huge.aqs", _ten_megabytes()), "AQS100"),
    "nested_10000_parentheses": Case(_write("nested.aqs", scenario("(" * 10_000 + "1" + ")" * 10_000)), "AQS103"),
    "nested_10000_negations": Case(_write("negations.aqs", scenario("-" * 10_000 + "1")), "AQS103"),
    "chained_10000_additions": Case(_write("chain.aqs", scenario("1" + " + 1" * 10_000)), "AQS103"),
    "nested_10000_braces": Case(_write("braces.aqs", b'geography g "G" ' + b"{" * 10_000), "AQS102"),
    "integer_of_5000_digits": Case(_write("bigint.aqs", scenario("9" * 5_000)), "AQS107"),
    "power_tower": Case(_write("power.aqs", scenario("2 ** 10 ** 10")), "AQS304"),
    "float_overflow": Case(_write("float.aqs", scenario("1e999")), "AQS107"),
    "division_by_zero": Case(_write("div0.aqs", scenario("10_000 // (global_index - global_index)")), "AQS304"),
    "negative_eggs": Case(_write("negative.aqs", scenario("-5")), "AQS304"),
    "directory": Case(_directory, "AQS100"),
    "unreadable": Case(_unreadable, "AQS100"),
    "missing_file": Case(lambda root: root / "does_not_exist.aqs", "AQS100"),
    "import_cycle": Case(_cycle, "AQS205"),
    "imports_itself": Case(_write("self.aqs", b'import "self.aqs"\n' + scenario("10_000")), "AQS205"),
    "imports_a_directory": Case(_write("imports_dir.aqs", b'import "."\n'), "AQS204"),
    "imports_garbage": Case(_imports_garbage, "AQS100"),
}
COMMANDS = ("check", "compile")


def _limit_memory() -> None:
    """Cap the child's address space, so an unbounded read fails fast instead of eating the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))


def run_cli(args: list[str], cwd: Path, timeout: float = 120, limit_memory: bool = False):
    """The real command line in a fresh interpreter (no preexec hook unless asked: it forces a slow fork)."""
    return subprocess.run([sys.executable, "-m", "aquadsl", *args], capture_output=True, cwd=cwd, timeout=timeout,
                          preexec_fn=_limit_memory if limit_memory else None, env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """Every case through both commands, run a few at a time (each is a whole interpreter start)."""
    jobs = {}
    for name, case in CASES.items():
        if name == "unreadable" and os.geteuid() == 0:
            continue                      # skipped below; no need to run it
        root = tmp_path_factory.mktemp(name)
        path = case.build(root)
        for command in COMMANDS:
            args = [command, str(path)] + (["--today", "2024-06-01"] if command == "compile" else [])
            jobs[(command, name)] = (args, root)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(run_cli, args, root) for key, (args, root) in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def _assert_clean_failure(proc: subprocess.CompletedProcess, *codes: str) -> None:
    """Exit code 1, no traceback, and at least one of ``codes`` among the diagnostics on stderr."""
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    assert proc.returncode != EXIT_INTERNAL, f"internal error:\n{out[-2000:]}"
    assert "Traceback" not in out, out[-4000:]
    assert proc.returncode == EXIT_ERROR, out[-2000:]
    found = {m.group(2) for m in DIAGNOSTIC.finditer(proc.stderr.decode(errors="replace"))}
    assert found & set(codes), out[-2000:]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_gives_a_diagnostic(runs, case: str, command: str):
    if case == "unreadable" and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    _assert_clean_failure(runs[(command, case)], CASES[case].code)


def test_messages_name_the_problem(runs):
    stderr = {key: p.stderr.decode(errors="replace") for key, p in runs.items()}
    assert "is a directory" in stderr[("check", "directory")]
    assert "no such file" in stderr[("check", "missing_file")]
    assert "not UTF-8" in stderr[("check", "invalid_utf8")]
    assert "limit" in stderr[("check", "ten_megabytes")]
    assert "division by zero" in stderr[("check", "division_by_zero")]
    assert "import cycle" in stderr[("check", "import_cycle")]


@pytest.mark.parametrize("how", ["root", "import"])
def test_endless_file_is_refused(tmp_path: Path, how: str):
    (tmp_path / "endless.aqs").write_text('import "/dev/zero"\n')
    target = "/dev/zero" if how == "root" else "endless.aqs"
    proc = run_cli(["check", target], tmp_path, timeout=60, limit_memory=True)
    _assert_clean_failure(proc, "AQS100", "AQS204")


def test_fifo_is_refused(tmp_path: Path):
    fifo = tmp_path / "pipe.aqs"
    os.mkfifo(fifo)
    try:
        # A generous safety net, not a speed limit: a blocked read never ends, a loaded machine is slow.
        proc = run_cli(["check", str(fifo)], tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("check blocked on a FIFO")
    _assert_clean_failure(proc, "AQS100", "AQS204")


# ------------------------------------------------------------- hypothesis: in-process
@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_arbitrary_text_gives_only_diagnostics(scratch: Path, text: str):
    path = scratch / "arbitrary.aqs"
    path.write_text(text, encoding="utf-8")      # st.text() draws no lone surrogates
    _assert_well_formed(check_path(path))
    _assert_well_formed(compile_path(path), compiled=True)


@FUZZ
@given(token_soup())
def test_keyword_soup_gives_only_diagnostics(scratch: Path, text: str):
    path = scratch / "soup.aqs"
    path.write_text(text, encoding="utf-8")
    _assert_well_formed(check_path(path))
    _assert_well_formed(compile_path(path), compiled=True)


@FUZZ
@given(mutated_scenarios(SCENARIO.format(eggs="10_000 + global_index * 7")))
def test_mutated_scenarios_give_only_diagnostics(scratch: Path, text: str):
    path = scratch / "mutated.aqs"
    path.write_text(text, encoding="utf-8")
    _assert_well_formed(check_path(path))
    _assert_well_formed(compile_path(path), compiled=True)


@settings(max_examples=150, deadline=None)
@given(hostile_numbers())
def test_hostile_egg_formulas_give_only_diagnostics(scratch: Path, eggs: str):
    path = scratch / "eggs.aqs"
    path.write_bytes(scenario(eggs))
    result = compile_path(path)
    _assert_well_formed(result, compiled=True)
    if result.ok:
        assert all(0 < b.eggs <= 10 ** 9 for b in result.plan.batches)


def _assert_well_formed(result, compiled: bool = False) -> None:
    """Only diagnostics with sane spans, renderable as text and JSON; a plan exactly when there is no error."""
    assert all(isinstance(d, Diagnostic) for d in result.diagnostics)
    has_errors = any(d.severity == "error" for d in result.diagnostics)
    if has_errors:
        assert result.plan is None
    elif compiled:
        assert result.plan is not None
    for d in result.diagnostics:
        if d.span is not None:
            assert d.span.line >= 1 and d.span.col >= 1, d
        assert "__ANON" not in d.message, d.message
    render_text(result.diagnostics, result.sources)
    render_json(result.diagnostics)
