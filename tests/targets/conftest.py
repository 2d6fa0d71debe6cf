"""Fixtures for target tests: the sample target's venv, a migrated template database, its manifest.

Like the runtime tests, PostgreSQL tests fail when CI=true and the server (or the sample venv) is
missing, and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.runtime.conftest import PG_PORT, _pg_unavailable, created_database

SAMPLE = ROOT / "targets" / "sample"
PYTHON = SAMPLE / ".venv" / "bin" / "python"
MAPPING = ROOT / "targets" / "sample.aqt"
_names = itertools.count()


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_sample() -> None:
    if not PYTHON.exists():
        _missing(f"the sample target's venv is missing ({PYTHON}); run `make sample-target`")


def pg_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{PG_PORT}/{name}"


def migrate(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env["SEAFARM_DATABASE_URL"] = url
    subprocess.run([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=SAMPLE, env=env, check=True, timeout=300)


@pytest.fixture(scope="session")
def sample_template():
    """A migrated sample-target database, used as the template of each test's database."""
    require_sample()
    reason = _pg_unavailable()
    if reason:
        _missing(reason)
    with created_database(f"aqs_sample_tmpl_{os.getpid()}") as name:
        migrate(pg_url(name))
        yield name


@pytest.fixture(scope="session")
def pg_manifest(sample_template, tmp_path_factory) -> Path:
    """The sample target's manifest, probed against PostgreSQL."""
    from aquadsl.targets.interp import run_script
    from aquadsl.targets.loader import load_mapping
    from aquadsl.targets.manifest import dumps_manifest

    path = tmp_path_factory.mktemp("manifest") / "sample.manifest.json"
    mapping = load_mapping(str(MAPPING)).mapping
    path.write_text(dumps_manifest(run_script(mapping, "probe.py", None, pg_url(sample_template))))
    return path


def new_target_db(template: str):
    with created_database(f"aqs_target_{os.getpid()}_{next(_names)}", template) as name:
        yield pg_url(name)


@pytest.fixture
def target_url(sample_template):
    yield from new_target_db(sample_template)


@pytest.fixture
def other_target_url(sample_template):
    yield from new_target_db(sample_template)


def query(url: str, sql: str, args=None) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []
    finally:
        conn.commit()
        conn.close()


SAMPLE_TABLES = ("hatchery_fishobservation", "hatchery_transfer", "hatchery_transferaction", "hatchery_site", "hatchery_unit", "hatchery_tank", "hatchery_stage", "hatchery_cohort",
                 "hatchery_historicalcohort", "hatchery_placement", "hatchery_historicalplacement",
                 "hatchery_dailystate", "hatchery_reading", "hatchery_mortalityrecord", "hatchery_alert",
                 "hatchery_licecount", "hatchery_growthsample")


def digests(url: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of every row in key order) of each sample table."""
    out = {}
    for table in SAMPLE_TABLES:
        key = "history_id" if "historical" in table else "id"
        rows = query(url, f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.{key}), '')) "
                          f"FROM public.{table} t")
        out[table] = rows[0]
    return out
