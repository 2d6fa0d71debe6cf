"""scenarios/demo.aqs applied to SQLite (the embedded default) and PostgreSQL: counts, digests, invariants."""

from __future__ import annotations

import pytest

from aquadsl.compiler import compile_path
from aquadsl.runtime import digest
from aquadsl.verify import native, placement
from aquadsl.verify.native import expectations_from_plan, verify_database
from aquadsl.verify.placement import EVENT_DAYS
from tests.conftest import SCENARIOS
from tests.runtime.conftest import pg_database, run_cli, use


@pytest.fixture(scope="module")
def demo():
    return compile_path(SCENARIOS / "demo.aqs").plan


def _apply_demo(cwd, *extra):
    result = run_cli("apply", str(SCENARIOS / "demo.aqs"), "--workers", "2", "--progress", "plain", *extra,
                     cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def demo_pg(tmp_path_factory):
    databases = pg_database()
    url = next(databases)
    _apply_demo(tmp_path_factory.mktemp("demo-pg"), "--database", url)
    yield url
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request):
    return request.getfixturevalue(f"demo_{'pg' if request.param == 'postgresql' else 'sqlite'}")


def test_row_counts_equal_the_estimates_exactly(demo, demo_url):
    use(demo_url)
    assert digest.row_counts() == demo.estimated_rows


def test_sqlite_and_postgresql_hold_identical_content(demo_sqlite, demo_pg):
    use(demo_sqlite)
    lite = digest.digests()
    use(demo_pg)
    assert digest.digests() == lite


# The invariants are the checks `aquadsl verify` runs (one code path for the suite and for users).

def _passes(check, demo) -> list:
    findings = check(expectations_from_plan(demo))
    assert findings and all(f.ok for f in findings), [f.message for f in findings if not f.ok]
    return findings


def test_population_is_conserved_and_moved_fish_are_counted_once(demo, demo_url):
    use(demo_url)
    _passes(native.check_conservation, demo)
    assert digest.row_counts()["transfers"] > 0


def test_no_container_holds_two_batches_at_once(demo, demo_url):
    use(demo_url)
    _passes(placement.check_double_booking, demo)
    assert native.rows("SELECT COUNT(DISTINCT container_id) FROM farm_assignments")[0][0] > 100


def test_no_event_falls_outside_its_assignment_or_after_until(demo, demo_url):
    use(demo_url)
    findings = _passes(placement.check_windows, demo)
    assert sorted(f.subject for f in findings) == sorted(EVENT_DAYS)


def test_every_harvest_weight_lies_within_the_target_range(demo, demo_url):
    use(demo_url)
    findings = _passes(placement.check_harvest_weight, demo)
    assert f"all {demo.estimated_rows['harvest_events']:,} harvests" in findings[0].message


def test_fcr_per_stage_lies_within_the_configured_band(demo, demo_url):
    use(demo_url)
    findings = _passes(placement.check_fcr, demo)
    checked = int(findings[0].message.split()[0].replace(",", ""))
    assert checked >= len(demo.batches) * 4
    for batch, stage, fcr in placement.realised_fcr():
        if stage == "adult":
            assert 1.05 <= fcr <= 1.40, (batch, fcr)   # sea eFCR band of issue 8 (domain.md section 10)


def test_verify_passes_every_check_on_the_demo(demo, demo_url):
    """Since allocation honours max_biomass (issue 8), a loaded demo passes every verify check, capacity too."""
    report = verify_database(demo_url, demo)
    assert not report.failures, report.render()
    assert "capacity" in {f.check for f in report.findings}
