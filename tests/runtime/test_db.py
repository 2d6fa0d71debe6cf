"""Database URLs, credential redaction, the model <-> SCHEMA mirror, migrations and log-dir faults."""

from __future__ import annotations

import errno
import io

import pytest

from aquadsl.farm.settings import DatabaseURLError, database_config
from aquadsl.runtime import db
from aquadsl.runtime.errors import LOG_DIR, RuntimeFault
from aquadsl.runtime.logs import LogDir
from aquadsl.sim.schema import SCHEMA


def test_sqlite_urls_resolve_relative_and_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_config("sqlite:///farm.sqlite3")["NAME"] == str(tmp_path / "farm.sqlite3")
    assert database_config("sqlite:////abs/farm.db")["NAME"] == "/abs/farm.db"
    assert "journal_mode=WAL" in database_config("sqlite:///x.db")["OPTIONS"]["init_command"]


def test_postgresql_urls_carry_credentials_options_and_a_connect_timeout():
    config = database_config("postgresql://u%40x:p%3Aw@db.example:6543/farm?sslmode=require")
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == \
        ("u@x", "p:w", "db.example", "6543", "farm")
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


@pytest.mark.parametrize("url, message", [
    ("mysql://x/y", "unsupported database URL scheme 'mysql'"),
    ("sqlite:///:memory:", "in-memory"),
    ("postgresql://host:5432/", "names no database"),
    ("postgresql://host:99999/x", "invalid port"),
    ("postgresql://host/x?colour=blue", "unknown PostgreSQL URL option 'colour'"),
])
def test_bad_urls_are_rejected_with_a_reason(url, message):
    with pytest.raises(DatabaseURLError, match=message):
        database_config(url)


def test_redaction_hides_passwords_everywhere():
    url = "postgresql://farm:hunter2@db:5432/x"
    assert db.redact(url) == "postgresql://farm:***@db:5432/x"
    assert db.redact("sqlite:///a.db") == "sqlite:///a.db"
    # libpq echoes keyword=value pairs; redaction is structural (D12), so mask that shape
    assert "hunter2" not in db.scrub(f"failed for {url} (password=hunter2)", url)


def test_a_password_may_be_given_as_a_query_option_and_is_redacted():
    url = "postgresql://farm@db:5432/x?sslmode=require&password=hunter2&sslpassword=k%2Bey&application_name=a"
    config = database_config(url)
    assert config["PASSWORD"] == "hunter2" and "password" not in config["OPTIONS"]
    assert config["OPTIONS"]["sslpassword"] == "k+ey"
    shown = db.redact(url)
    assert shown == "postgresql://farm@db:5432/x?sslmode=require&password=***&sslpassword=***&application_name=a"
    scrubbed = db.scrub(f"failed for {url}: password=hunter2 sslpassword='k+ey' sslpassword=k%2Bey", url)
    assert not any(s in scrubbed for s in ("hunter2", "k+ey", "k%2Bey"))


def test_every_schema_table_maps_onto_its_model(tmp_path):
    from aquadsl.runtime.tables import table_specs

    db.setup(f"sqlite:///{tmp_path / 'farm.sqlite3'}")
    specs = table_specs()
    assert list(specs) == list(SCHEMA)
    readings = {c.name: c.kind for c in specs["environmental_readings"].columns}
    assert readings["sensor_id"] == "sensor" and readings["parameter_id"] == "ref:parameter"
    assert readings["assignment_id"] == "assignment" and readings["id"] == "id"


def test_migrations_match_the_models(tmp_path):
    from django.core.management import call_command

    db.setup(f"sqlite:///{tmp_path / 'farm.sqlite3'}")
    out = io.StringIO()
    try:
        call_command("makemigrations", "farm", "--check", "--dry-run", stdout=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exc})")


def test_a_full_disk_while_logging_is_a_log_dir_fault(tmp_path, monkeypatch):
    log = LogDir.prepare(tmp_path / "logs")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("builtins.open", full)
    with pytest.raises(RuntimeFault) as err:
        log.append("FAR-2023-001", "attempt 1")
    assert err.value.exit_code == LOG_DIR and "no space left" in err.value.message
