"""Every bad input of the targets issue: a clear message naming file/line/column or model/column,
no traceback, and nothing written to the target's tables."""

from __future__ import annotations

import pytest

from tests.runtime.conftest import run_cli
from tests.targets.conftest import MAPPING, PYTHON, query, require_sample
from tests.targets.test_pipeline import apply, plan_file  # noqa: F401 - the module-scoped plan fixture


def _mapping(tmp_path, *replacements, name="m.aqt"):
    text = MAPPING.read_text().replace('project "sample"', f'project "{MAPPING.parent / "sample"}"')
    text = text.replace('python "sample/.venv/bin/python"', f'python "{PYTHON}"')
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text)
    return path


def _clean(proc):
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.stderr


def test_a_wrong_python_path(tmp_path, root):
    bad = _mapping(tmp_path, (f'python "{PYTHON}"', 'python "/nonexistent/bin/python"'))
    proc = run_cli("target", "probe", str(bad), cwd=root)
    assert proc.returncode == 69
    assert "python '/nonexistent/bin/python' is not an executable file" in _clean(proc)


def test_a_wrong_settings_module(tmp_path, root):
    require_sample()
    bad = _mapping(tmp_path, ('settings "seafarm.settings"', 'settings "seafarm.setings"'))
    proc = run_cli("target", "probe", str(bad), cwd=root)
    assert proc.returncode == 69
    assert "settings module 'seafarm.setings' cannot be imported" in _clean(proc)


def test_a_target_whose_django_setup_fails(tmp_path, root):
    require_sample()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "broken_settings.py").write_text('SECRET_KEY = "x"\nINSTALLED_APPS = ["no_such_app"]\n')
    bad = _mapping(tmp_path, (f'project "{MAPPING.parent / "sample"}"', f'project "{project}"'),
                   ('settings "seafarm.settings"', 'settings "broken_settings"'))
    proc = run_cli("target", "probe", str(bad), cwd=root)
    assert proc.returncode == 69
    assert "django.setup() failed with settings 'broken_settings' (ModuleNotFoundError" in _clean(proc)


def test_mapping_errors_stop_apply_before_anything_is_written(tmp_path, plan_file, target_url,  # noqa: F811
                                                              pg_manifest):
    bad = _mapping(tmp_path, ("map hatchery.GrowthSample from", "map hatchery.GrowthSampel from"),
                   ("  sampled_on = date", "  sampled_onn = date"),
                   ('completed: "DONE"', 'completed: "DON"'),
                   ("  value = round(value)", "  value = round(value * 1000)"),
                   ('  kind = "MORT"', '  kind = "MORTALITY"'),
                   ("  day = date\n", ""))
    proc = run_cli("apply", str(plan_file), "--target", str(bad), "--manifest", str(pg_manifest),
                   "--database", target_url, "--progress", "none", cwd=tmp_path)
    err = _clean(proc)
    assert proc.returncode == 1
    line = bad.read_text()[:bad.read_text().index("map hatchery.GrowthSampel")].count("\n") + 1
    for expected in (f"{bad}:{line}:5: error[AQS601]: the target has no model 'hatchery.GrowthSampel'",
                     "error[AQS621]: 'DON' is not a choice of hatchery.Cohort.status",
                     "error[AQS631]: hatchery.Reading.value is numeric(9, 3)",
                     "error[AQS630]: 'MORTALITY' is 9 characters; hatchery.Alert.kind holds at most 4",
                     "error[AQS610]: missing NOT NULL column hatchery.DailyState.day (column day)"):
        assert expected in err, err
    assert "nothing was written" in err
    assert query(target_url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'aquadsl'") == [(0,)]


@pytest.mark.parametrize("damage,message,code", [
    ("ALTER TABLE public.hatchery_placement ALTER COLUMN biomass_kg TYPE numeric(14, 2)",
     "schema drift: hatchery.Placement.biomass_kg (column biomass_kg): the manifest says numeric(12, 2), "
     "the database has numeric(14,2)", "AQS662"),
    ("INSERT INTO public.hatchery_site (id, code, name) VALUES (1, 'X', 'X'); "
     "INSERT INTO public.hatchery_cohort (id, number, site_id, status, egg_count, started_on, target_kg, origin, "
     "notes, created_at) VALUES (2000000007, 'APP', 1, 'RUN', 1, '2024-01-01', 1, 'app', '', now())",
     "hatchery.Cohort (\"public\".\"hatchery_cohort\") already holds rows with ids in 2000000000..2999999999", "AQS663"),
])
def test_drift_and_id_collisions_are_refused_before_the_first_write(tmp_path, plan_file, target_url,  # noqa: F811
                                                                    pg_manifest, damage, message, code):
    query(target_url, damage)
    proc = apply(plan_file, target_url, pg_manifest)
    err = _clean(proc)
    assert proc.returncode == 1, err
    assert f"error[{code}]: {message}" in err
    assert query(target_url, "SELECT count(*) FROM public.hatchery_placement") == [(0,)]
    assert query(target_url, "SELECT count(*) FROM public.hatchery_tank") == [(0,)]
