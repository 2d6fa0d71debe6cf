"""`aquadsl apply/status/migrate` as a user runs them: exit codes, one-line messages, no tracebacks."""

from __future__ import annotations

import json
import os
import signal

import pytest

from aquadsl.plan.model import dumps
from aquadsl.cli import exits
from aquadsl.runtime import digest, errors, ledger
from tests.runtime.conftest import SAFETY_NET_S, done_count, run_cli, start_cli, use, wait_for

SECRET = "s3cr3t-pw"


@pytest.fixture
def plan_file(plan, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(dumps(plan), encoding="utf-8")
    return path


def _clean(result) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    return out


def test_apply_status_migrate_round_trip(plan_file, plan, tmp_path):
    db = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    assert "up to date" not in _clean(run_cli("migrate", "--database", db, cwd=tmp_path))
    assert "is up to date" in _clean(run_cli("migrate", "--database", db, cwd=tmp_path))
    result = run_cli("apply", str(plan_file), "--database", db, "--workers", "2", "--progress", "plain",
                     cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == exits.OK, out
    assert f"batches: {len(plan.batches)} succeeded, 0 failed, 0 skipped" in out
    assert "environmental_readings" in out and "rows/s" in out and "peak utilisation" in out
    assert list((tmp_path / ".aquadsl" / "logs").glob("*-run1/*.log"))
    status = run_cli("status", "--database", db, "--format", "json", cwd=tmp_path)
    data = json.loads(status.stdout)
    assert data["plan_hash"] == ledger.plan_hash(plan) and len(data["done"]) == len(plan.batches)
    again = run_cli("apply", str(plan_file), "--database", db, cwd=tmp_path)
    assert again.returncode == exits.OK and "already loaded" in _clean(again)


def test_default_database_is_sqlite_in_the_working_directory(plan_file, tmp_path):
    result = run_cli("apply", str(plan_file), "--progress", "none", cwd=tmp_path)
    assert result.returncode == exits.OK, _clean(result)
    assert (tmp_path / "aquadsl.sqlite3").exists()
    env_db = tmp_path / "env.sqlite3"
    status = run_cli("status", cwd=tmp_path, env={"DATABASE_URL": f"sqlite:///{env_db}"})
    assert status.returncode == errors.DATABASE and "no database" in _clean(status)
    assert not env_db.exists()


@pytest.mark.parametrize("url, reason", [
    (f"postgresql://postgres:{SECRET}@127.0.0.1:1/farm", "cannot connect"),
    (f"mysql://root:{SECRET}@localhost/farm", "unsupported database URL scheme"),
    ("sqlite:///:memory:", "in-memory SQLite"),
    ("sqlite:////nonexistent-dir/x/farm.sqlite3", "cannot connect|there is no database at"),
])
def test_an_unusable_database_gives_one_line_and_exit_69(plan_file, tmp_path, url, reason):
    for args in (("apply", str(plan_file)), ("status",), ("migrate",)):
        result = run_cli(*args, "--database", url, cwd=tmp_path)
        out = _clean(result)
        assert result.returncode == errors.DATABASE, out
        assert any(r in out for r in reason.split("|")) and SECRET not in out
        assert out.startswith("error[AQS50")


def test_bad_credentials_are_reported_without_the_password(plan_file, tmp_path, pg_url):
    url = pg_url.replace("postgresql://postgres@", f"postgresql://no_such_role:{SECRET}@")
    result = run_cli("apply", str(plan_file), "--database", url, cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.DATABASE and "no_such_role" in out and SECRET not in out


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not JSON"),
    ('{"format_version": 99}', "unknown plan format_version 99"),
    ('{"format_version": 1, "sources": {}}', "invalid plan"),
    ("[1, 2]", "not a plan"),
])
def test_a_corrupt_plan_file_exits_65(tmp_path, text, reason):
    path = tmp_path / "plan.json"
    path.write_text(text)
    result = run_cli("apply", str(path), "--database", f"sqlite:///{tmp_path / 'x.sqlite3'}", cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.BAD_PLAN and reason in out
    assert not (tmp_path / "x.sqlite3").exists()


def test_a_missing_plan_file_exits_65(tmp_path):
    result = run_cli("apply", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert result.returncode == errors.BAD_PLAN and "cannot read" in _clean(result)


def test_a_scenario_with_errors_exits_1(tmp_path):
    bad = tmp_path / "bad.aqs"
    bad.write_text('scenario "x" { lifecycle nowhere }\n')
    result = run_cli("apply", str(bad), cwd=tmp_path)
    assert result.returncode == exits.ERROR and "error[AQS" in _clean(result)


def test_an_unwritable_log_dir_exits_73_before_touching_the_database(plan_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    db = tmp_path / "farm.sqlite3"
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{db}", "--log-dir", str(blocker / "logs"),
                     cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.LOG_DIR and "cannot write logs" in out and not db.exists()


def test_a_stale_plan_exits_4_and_fresh_replaces_it(plan_file, tmp_path):
    from tests.runtime.planfactory import small_plan

    db = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    assert run_cli("apply", str(plan_file), "--database", db, cwd=tmp_path).returncode == exits.OK
    other = tmp_path / "other.json"
    other.write_text(dumps(small_plan(batches=2, seed=3)))
    stale = run_cli("apply", str(other), "--database", db, cwd=tmp_path)
    assert stale.returncode == errors.STALE_PLAN and "--fresh" in _clean(stale)
    fresh = run_cli("apply", str(other), "--database", db, "--fresh", cwd=tmp_path)
    assert fresh.returncode == exits.OK and "2 succeeded" in _clean(fresh)


def test_a_batch_that_keeps_failing_exits_3_naming_it_and_its_log(plan_file, plan, tmp_path):
    bad = plan.batches[1].id
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{tmp_path / 'f.sqlite3'}",
                     "--retries", "1", "--log-dir", str(tmp_path / "logs"), cwd=tmp_path,
                     env={"AQUADSL_FAULT_INJECTION": f"simulate:raise:{bad}:*"})
    out = _clean(result)
    assert result.returncode == errors.BATCHES_FAILED
    assert f"{bad} (log: {tmp_path / 'logs' / bad}.log)" in out


def _interrupted_run(plan, url, tmp_path, sig):
    """Start apply with one batch hanging, wait until every other batch is in, then send ``sig``."""
    stuck = plan.batches[-1].id
    proc = start_cli("apply", str(tmp_path / "plan.json"), "--database", url, "--workers", "2",
                     "--progress", "none", "--log-dir", str(tmp_path / "logs"), cwd=tmp_path,
                     env={"AQUADSL_FAULT_INJECTION": f"simulate:hang:{stuck}:*"})
    try:
        wait_for(lambda: done_count(url) == len(plan.batches) - 1)
        os.killpg(proc.pid, sig)   # the whole process group, as a terminal's Ctrl-C does
        out, err = proc.communicate(timeout=SAFETY_NET_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out + err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_an_interrupted_run_keeps_committed_batches_and_resumes(plan_file, plan, plan_digests, db_url, tmp_path,
                                                                sig):
    code, out = _interrupted_run(plan, db_url, tmp_path, sig)
    if sig == signal.SIGINT:
        assert code == exits.INTERRUPTED and "Traceback" not in out
        assert "committed and kept; run the same command again to resume" in out
    else:
        assert code == -signal.SIGKILL
    assert done_count(db_url) == len(plan.batches) - 1
    resumed = run_cli("apply", str(plan_file), "--database", db_url, cwd=tmp_path)
    assert resumed.returncode == exits.OK
    assert f"1 succeeded, 0 failed, {len(plan.batches) - 1} skipped" in _clean(resumed)
    use(db_url)
    assert digest.digests() == plan_digests


@pytest.mark.parametrize("report, reason", [
    ("missing/run.json", "the folder 'DIR/missing' does not exist"),
    ("file/run.json", "'DIR/file' is not a folder"),
    (".", "it is a folder"),
])
def test_an_unusable_report_path_exits_73_before_loading_anything(plan_file, tmp_path, report, reason):
    (tmp_path / "file").write_text("")
    db = tmp_path / "farm.sqlite3"
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{db}", "--report", str(tmp_path / report),
                     cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.LOG_DIR, out
    assert out.startswith(f"error[{errors.AQS_LOG_DIR}]: cannot write the report")
    assert reason.replace("DIR", str(tmp_path)) in out and not db.exists()


def test_a_report_that_fails_at_the_end_comes_after_the_summary(plan_file, plan, tmp_path, monkeypatch):
    import errno

    from click.testing import CliRunner

    from aquadsl.cli.runtime_cmds import apply
    from aquadsl.runtime import apply as apply_module

    def disk_full(summary, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(apply_module, "write_report", disk_full)
    db = f"sqlite:///{tmp_path / 'farm.sqlite3'}"
    result = CliRunner().invoke(apply, [str(plan_file), "--database", db, "--progress", "none",
                                       "--log-dir", str(tmp_path / "logs"), "--report", str(tmp_path / "r.json")])
    assert result.exit_code == errors.LOG_DIR, result.output
    assert f"batches: {len(plan.batches)} succeeded" in result.stdout
    message = f"error[{errors.AQS_LOG_DIR}]: cannot write the report '{tmp_path / 'r.json'}': No space left on device"
    assert message in result.stderr
    assert result.output.index("batches:") < result.output.index(message)
    assert done_count(db) == len(plan.batches)


def test_a_password_in_the_query_string_is_used_and_never_shown(plan_file, tmp_path, pg_url):
    logs = tmp_path / "logs"
    result = run_cli("apply", str(plan_file), "--database", f"{pg_url}?password={SECRET}", "--log-dir", str(logs),
                     "--report", str(tmp_path / "run.json"), cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == exits.OK, out
    assert "?password=***" in out and SECRET not in out
    for path in [*logs.iterdir(), tmp_path / "run.json"]:
        assert SECRET not in path.read_text()
    status = run_cli("status", "--database", f"{pg_url}?password={SECRET}", cwd=tmp_path)
    assert status.returncode == exits.OK and SECRET not in _clean(status)


@pytest.mark.parametrize("command", ["apply", "status", "migrate"])
def test_a_query_string_password_is_redacted_in_errors(plan_file, tmp_path, command):
    url = f"postgresql://postgres@127.0.0.1:1/x?password={SECRET}&sslpassword={SECRET}2"
    args = (command, str(plan_file)) if command == "apply" else (command,)
    result = run_cli(*args, "--database", url, cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.DATABASE, out
    assert SECRET not in out and "password=***&sslpassword=***" in out


def test_a_log_dir_that_is_a_file_exits_73(plan_file, tmp_path):
    blocker = tmp_path / "logs"
    blocker.write_text("")
    db = tmp_path / "farm.sqlite3"
    result = run_cli("apply", str(plan_file), "--database", f"sqlite:///{db}", "--log-dir", str(blocker),
                     cwd=tmp_path)
    out = _clean(result)
    assert result.returncode == errors.LOG_DIR, out
    assert out.startswith(f"error[{errors.AQS_LOG_DIR}]: cannot write logs in '{blocker}': it is a file")
    assert not db.exists()


def test_apply_help_documents_mortality_rows_and_the_lock_exit_code(tmp_path):
    result = run_cli("apply", "--help", cwd=tmp_path)
    text = " ".join(result.stdout.split())
    assert "one row per container and day, including days with zero deaths" in text
    assert "75 another apply is running" in text
