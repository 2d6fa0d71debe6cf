"""`replay NAME per MODEL call "module.function"`: parsed, checked (AQS654-657), formatted, selected."""

from __future__ import annotations

import json

import pytest

from aquadsl.targets.fmt import format_text
from aquadsl.targets.loader import check_path
from aquadsl.targets.replay import probe_payload, selected
from tests.conftest import FIXTURES, ROOT
from tests.targets.conftest import MAPPING

MANIFEST = FIXTURES / "targets" / "sample.manifest.json"
STEP = 'replay tally per hatchery.Placement call "tally.count" undo "tally.forget" "counts placements"\n'


def _mapping(tmp_path, extra: str, manifest_extra: dict | None = None):
    path = tmp_path / "m.aqt"
    path.write_text(MAPPING.read_text() + "\n" + extra)
    manifest = MANIFEST
    if manifest_extra is not None:
        manifest = tmp_path / "m.json"
        manifest.write_text(json.dumps(json.loads(MANIFEST.read_text()) | manifest_extra))
    return path, check_path(str(path), str(manifest))


def test_a_replay_step_parses_checks_and_formats(tmp_path):
    path, result = _mapping(tmp_path, STEP)
    assert result.ok, [d.message for d in result.diagnostics]
    (step,) = result.mapping.replays
    assert (step.name, step.model, step.callable, step.undo, step.reason) == (
        "tally", "hatchery.Placement", "tally.count", "tally.forget", "counts placements")
    assert probe_payload(result.mapping) == {"callables": ["tally.count", "tally.forget"],
                                             "paths": [str(tmp_path), str(ROOT / "targets")]}
    once = format_text(str(path), path.read_text().replace("replay tally per", "replay   tally\n  per"))[0]
    assert once == path.read_text()


@pytest.mark.parametrize("step, manifest, code, col", [
    ('replay s per hatchery.Tank call "m.f"\n', None, "AQS654", 14),          # infra, not loaded per batch
    ('replay s per hatchery.Placment call "m.f"\n', None, "AQS654", 14),
    ('replay s per hatchery.Cohort call "nodots"\n', None, "AQS655", 35),
    ('replay s per hatchery.Cohort call "m.f" undo "no dots"\n', None, "AQS655", 46),
    ('replay s per hatchery.Cohort call "m.f"\nreplay s per hatchery.Cohort call "m.g"\n', None, "AQS657", 1),
    ('replay s per hatchery.Cohort call "m.f"\n', {"callables": {"m.f": {"ok": False, "error": "ModuleNotFoundError"}}},
     "AQS656", 35),
])
def test_a_bad_replay_step_is_reported_at_its_place(tmp_path, step, manifest, code, col):
    path, result = _mapping(tmp_path, step, manifest)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == [code], [d.message for d in errors]
    line = len(MAPPING.read_text().splitlines()) + 1 + (1 if code == "AQS657" else 0) + 1
    assert (errors[0].span.path, errors[0].span.line, errors[0].span.col) == (str(path), line, col)


def test_a_callable_the_probe_did_not_see_is_a_warning(tmp_path):
    _, result = _mapping(tmp_path, STEP, {"callables": {}})
    assert result.ok and [d.code for d in result.diagnostics] == ["AQS656", "AQS656"]


def test_replay_selection(tmp_path):
    _, result = _mapping(tmp_path, STEP + 'replay other per hatchery.Cohort call "m.f"\n')
    m = result.mapping
    assert [s.name for s in selected(m, "all")] == ["tally", "other"]
    assert selected(m, "none") == [] and [s.name for s in selected(m, "other")] == ["other"]
    with pytest.raises(ValueError, match="no replay step named nope"):
        selected(m, "tally,nope")
