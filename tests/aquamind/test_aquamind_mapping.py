"""aquamind.aqt against AquaMind's committed manifest (probed from cb410300fbd8): runs everywhere, CI included."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "targets" / "aquamind.aqt"
MANIFEST = Path(__file__).with_name("aquamind.manifest.json")


def check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aquadsl", "check", str(path), "--manifest", str(MANIFEST)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_mapping_is_complete_against_aquamind_manifest():
    result = check(MAPPING)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout + result.stderr
    assert "AQS656" not in result.stdout + result.stderr   # the probe saw every replay callable work


def test_every_replay_step_has_an_undo_and_a_reason():
    from aquadsl.targets.loader import load_mapping

    steps = load_mapping(str(MAPPING)).mapping.replays
    assert [s.name for s in steps] == ["fcr_containers", "fcr_batches"]
    assert all(s.undo and len(s.reason) > 20 for s in steps)


def test_every_override_and_receiver_has_a_decision_with_a_reason():
    from aquadsl.targets.decisions import required
    from aquadsl.targets.loader import load_mapping
    from aquadsl.targets.manifest import load_manifest

    mapping = load_mapping(str(MAPPING)).mapping
    needed = required(load_manifest(str(MANIFEST)), {m.model for m in mapping.maps})
    given = {(d.subject, d.target): d for d in mapping.decisions}
    assert set(needed) <= set(given)
    assert all(len(given[k].reason) > 20 for k in needed), [k for k in needed if len(given[k].reason) <= 20]


def test_removing_a_decision_is_caught_at_its_model(tmp_path):
    text = MAPPING.read_text(encoding="utf-8")
    cut = re.sub(r"^decide save inventory\.FeedingEvent .*$", "", text, flags=re.M)
    assert cut != text
    (tmp_path / "cut.aqt").write_text(cut, encoding="utf-8")
    result = check(tmp_path / "cut.aqt")
    assert result.returncode != 0
    assert "AQS650" in result.stdout + result.stderr and "inventory.FeedingEvent.save()" in result.stdout + result.stderr
