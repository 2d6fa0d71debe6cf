"""D2: output paths never overwrite an input, the database or a device; writes are atomic and keep modes."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from click.testing import CliRunner

from aquadsl.cli import exits, main
from aquadsl.plan.model import dumps
from aquadsl.runtime import errors
from tests.conftest import SCENARIOS
from tests.runtime.conftest import run_cli
from tests.runtime.planfactory import small_plan

CANT_CREATE = 73


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "s.aqs"
    path.write_text((SCENARIOS / "demo.aqs").read_text(encoding="utf-8").replace(
        'import "lib/farm.aqs"', f'import "{SCENARIOS / "lib" / "farm.aqs"}"'), encoding="utf-8")
    return path


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(dumps(small_plan(batches=2)), encoding="utf-8")
    return path


def test_the_report_cannot_be_the_sqlite_database(plan_file, tmp_path):
    url = f"sqlite:///{tmp_path / 'rep.sqlite3'}"
    done = run_cli("apply", str(plan_file), "--database", url, "--progress", "none", cwd=tmp_path)
    assert done.returncode == exits.OK, done.stderr
    again = run_cli("apply", str(plan_file), "--database", url, "--report", "rep.sqlite3", cwd=tmp_path)
    assert again.returncode == CANT_CREATE, again.stderr
    assert "it is the database" in again.stderr
    with sqlite3.connect(tmp_path / "rep.sqlite3") as conn:   # still a database
        assert conn.execute("SELECT count(*) FROM farm_batches").fetchone()[0] == 2


def test_the_report_cannot_be_the_plan_it_applies(plan_file, tmp_path):
    before = plan_file.read_bytes()
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}",
                     "--report", "plan.json", cwd=tmp_path)
    assert result.returncode == CANT_CREATE and "an input of this command" in result.stderr
    assert plan_file.read_bytes() == before


def test_an_unusable_report_leaves_no_empty_file_behind(plan_file, tmp_path):
    result = run_cli("apply", str(plan_file), "--database", "postgresql://u@127.0.0.1:1/x",
                     "--report", "r.json", cwd=tmp_path)
    assert result.returncode == errors.DATABASE
    assert not (tmp_path / "r.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.json")] == []


def test_the_report_keeps_the_mode_of_the_file_it_replaces(plan_file, tmp_path):
    report = tmp_path / "r.json"
    report.write_text("{}", encoding="utf-8")
    report.chmod(0o640)
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}",
                     "--report", "r.json", "--progress", "none", cwd=tmp_path)
    assert result.returncode == exits.OK, result.stderr
    assert stat.S_IMODE(report.stat().st_mode) == 0o640 and '"outcome"' in report.read_text()


def test_compile_out_cannot_overwrite_its_own_input(scenario):
    before = scenario.read_bytes()
    result = run("compile", scenario, "--out", scenario)
    assert result.exit_code == CANT_CREATE, result.output
    assert "an input of this command" in result.output and scenario.read_bytes() == before


def test_compile_out_refuses_a_fifo_and_keeps_it(scenario, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("compile", scenario, "--out", fifo)
    assert result.exit_code == CANT_CREATE and "not a regular file" in result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_compile_out_writes_through_a_symlink_and_uses_the_umask_mode(scenario, tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = run("compile", scenario, "--out", link)
    assert result.exit_code == exits.OK, result.output
    assert link.is_symlink() and real.read_text().startswith("{")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(real.stat().st_mode) == 0o666 & ~umask


def test_fmt_refuses_read_only_files_and_fifos(tmp_path):
    ro = tmp_path / "ro.aqs"
    ro.write_text('container_kind   tray "T" volume 10 m3 max_biomass 500 kg\n', encoding="utf-8")
    ro.chmod(0o444)
    fifo = tmp_path / "pipe.aqs"
    os.mkfifo(fifo)
    result = run("fmt", ro, fifo)
    assert result.exit_code == exits.ERROR, result.output
    assert "read-only" in result.output and "not a regular file" in result.output
    assert ro.read_text() == 'container_kind   tray "T" volume 10 m3 max_biomass 500 kg\n' and stat.S_IMODE(ro.stat().st_mode) == 0o444
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_fmt_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.aqs"
    real.write_text('container_kind   tray "T" volume 10 m3 max_biomass 500 kg\n', encoding="utf-8")
    link = tmp_path / "link.aqs"
    link.symlink_to(real)
    result = run("fmt", link)
    assert result.exit_code == exits.OK, result.output
    assert link.is_symlink() and "reformatted" in result.output
