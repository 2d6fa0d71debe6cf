"""The declared maintenance share (issue 8): fish held at their weight cap get at least this share of the
ration they would get growing at the stage's TGC; 30 % when not declared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aquadsl.compiler import check_path, compile_path
from aquadsl.sim.simulate import simulate_batch

CAPPED = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "valid" / "capped.aqs"


def _rations(tmp_path: Path, statement: str):
    """Per fresh day of the batch: feed % of biomass, and whether the fish sit at the 40 g cap."""
    text = CAPPED.read_text().replace('feed fcr 1.0 "Grower"', f'feed fcr 1.0 "Grower"\n    {statement}')
    path = tmp_path / "capped.aqs"
    path.write_text(text)
    result = compile_path(path)
    assert result.ok, result.diagnostics
    ds = simulate_batch(result.plan, result.plan.batches[0].id, only=("daily_states",))["daily_states"]
    fresh = ds["stage"] == "tank_phase"
    return ds["feed_kg"][fresh] / ds["biomass_kg"][fresh] * 100, ds["avg_weight_g"][fresh] >= 40 - 1e-9


def test_the_declared_share_sets_the_ration_at_the_cap(tmp_path):
    default, capped = _rations(tmp_path, "")
    thirty, _ = _rations(tmp_path, "maintenance 30 %")
    sixty, again = _rations(tmp_path, "maintenance 60 %")
    none, _ = _rations(tmp_path, "maintenance 0 %")
    assert capped.sum() >= 60 and np.array_equal(capped, again)
    assert np.array_equal(default, thirty)                                     # 30 % is the default
    ratio = sixty[capped].mean() / thirty[capped].mean()
    assert 1.9 < ratio < 2.1                                                   # twice the share, twice the feed
    assert np.allclose(sixty[~capped], thirty[~capped])                       # growing fish: the full ration
    assert (none[capped] > 0).sum() <= 2          # 0 %: fed only the day each of the 2 tanks reaches the cap


@pytest.mark.parametrize("statement, message", [
    ("maintenance 150 %", "between 0 and 100 %"),
    ("maintenance 30 kg", "cannot be in 'kg'"),
])
def test_a_wrong_share_is_reported_at_its_line(tmp_path, statement, message):
    text = CAPPED.read_text().replace('feed fcr 1.0 "Grower"', f'feed fcr 1.0 "Grower"\n    {statement}')
    path = tmp_path / "bad.aqs"
    path.write_text(text)
    diags = [d for d in check_path(path).diagnostics if d.severity == "error"]
    line = text.splitlines().index(f"    {statement}") + 1
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("AQS302", line, 17)]     # at the value
    assert message in diags[0].message


def test_maintenance_without_rations_by_fcr_is_reported(tmp_path):
    text = CAPPED.read_text().replace('feed fcr 1.2 "Finisher"', 'feed rate 1.0 "Finisher"\n    maintenance 20 %')
    path = tmp_path / "rate.aqs"
    path.write_text(text)
    diags = [d for d in check_path(path).diagnostics if d.severity == "error"]
    line = text.splitlines().index("    maintenance 20 %") + 1
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("AQS302", line, 5)]
    assert "feed fcr" in diags[0].message
