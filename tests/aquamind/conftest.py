"""A real AquaMind for the target tests: gated on AQUADSL_AQUAMIND_DIR and AQUADSL_AQUAMIND_PYTHON.

CI cannot fetch AquaMind, so without both variables every test here is skipped with that reason.
Each test module gets a fresh database cloned from a migrated template (AQUADSL_AQUAMIND_TEMPLATE,
default ``aquamind_target``, made by ../shared/aquamind/setup.sh), so migrations run once, not per test.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import PG_PORT, _pg_admin, _pg_unavailable

TEMPLATE = os.environ.get("AQUADSL_AQUAMIND_TEMPLATE", "aquamind_target")
SETTINGS = "aquamind.settings_aquadsl_target"
ROOT = Path(__file__).resolve().parents[2]
CHECK_SCRIPT = ROOT / "aquadsl" / "aquamind" / "scripts" / "am_check.py"


def aquamind_paths() -> tuple[str, str]:
    """(checkout, python) from the environment, or skip with the reason."""
    project, python = os.environ.get("AQUADSL_AQUAMIND_DIR"), os.environ.get("AQUADSL_AQUAMIND_PYTHON")
    if not project or not python:
        pytest.skip("AQUADSL_AQUAMIND_DIR and AQUADSL_AQUAMIND_PYTHON are not set (CI cannot fetch AquaMind)")
    if not (Path(project) / "aquamind" / "settings_aquadsl_target.py").is_file():
        pytest.skip(f"{project} has no aquamind/settings_aquadsl_target.py (run ../shared/aquamind/setup.sh)")
    return project, python


def clone_database(name: str) -> str:
    """A fresh database copied from the migrated template; returns its URL."""
    reason = _pg_unavailable()
    if reason:
        pytest.skip(reason)
    conn = _pg_admin()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,))
            if cur.fetchone() is None:
                pytest.skip(f"no migrated AquaMind template database '{TEMPLATE}' (run setup.sh)")
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    finally:
        conn.close()
    return f"postgresql://postgres@127.0.0.1:{PG_PORT}/{name}"


def drop_database(name: str) -> None:
    conn = _pg_admin()
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def am_env(url: str) -> dict[str, str]:
    """The environment AquaMind's interpreter needs for the database at ``url``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS, AM_TARGET_DB=parts.path.lstrip("/"), PGHOST=parts.hostname or "",
               PGPORT=str(parts.port or 5432), PGUSER=parts.username or "postgres", SKIP_CELERY_SIGNALS="1")
    return env


def am_check(url: str, payload: dict) -> dict:
    """Run aquadsl/aquamind/scripts/am_check.py in AquaMind's interpreter; its JSON answer."""
    project, python = aquamind_paths()
    proc = subprocess.run([python, str(CHECK_SCRIPT)], input=json.dumps(payload), capture_output=True, text=True,
                          cwd=project, env=am_env(url), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def am_url():
    aquamind_paths()
    name = f"aqs_am_test_{os.getpid()}"
    url = clone_database(name)
    try:
        yield url
    finally:
        drop_database(name)
