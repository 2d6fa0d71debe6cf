"""Compiled scenarios with another `until` (the text of their `until` line replaced), memoized per process."""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
import tempfile
from pathlib import Path

from aquadsl.compiler import compile_path
from aquadsl.plan.model import Plan

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {"demo": ROOT / "scenarios" / "demo.aqs", "uat_ladder": ROOT / "scenarios" / "uat_ladder.aqs",
             "full_170": ROOT / "scenarios" / "full_170.aqs",
             "responses": ROOT / "tests" / "fixtures" / "valid" / "responses.aqs"}
SCENARIOS["responses_lice"] = SCENARIOS["responses"]
# The responses fixture with sea lice: delousings one ring a day, and lice pressure between areas.
LICE = """    fallow 30 days
    lice_counts every 7 days fish 10
    lice_growth 2.5 % per day settle 0.002 per day
    lice_pressure 30 % neighbours 2
    lice_limit 0.5
    delousing cut 85 % mortality 0.5 % rest 14 days 1 rings per day
"""


def _text(name: str) -> str:
    text = SCENARIOS[name].read_text()
    return text.replace("    fallow 30 days\n", LICE, 1) if name == "responses_lice" else text


@functools.cache
def _copy(name: str) -> Path:
    """The scenario's folder copied once (its imports come along); the file is rewritten per `until`."""
    src = SCENARIOS[name]
    folder = Path(tempfile.mkdtemp(prefix=f"until-{name}-")) / "s"
    shutil.copytree(src.parent, folder, ignore=shutil.ignore_patterns("*.json", "__pycache__"))
    return folder / src.name


def shipped_until(name: str) -> dt.date:
    return dt.date.fromisoformat(re.search(r"^\s*until (\d{4}-\d\d-\d\d)", _text(name), re.M)[1])


@functools.cache
def plan_at(name: str, until: dt.date) -> Plan:
    """Scenario ``name`` compiled with ``until``."""
    path = _copy(name)
    text = _text(name)
    path.write_text(re.sub(r"^(\s*)until \S+", rf"\g<1>until {until.isoformat()}", text, count=1, flags=re.M))
    result = compile_path(path)
    assert result.plan is not None, [d.message for d in result.diagnostics if d.severity == "error"][:3]
    return result.plan


def stages_of(plan: Plan) -> dict:
    return {s.name: s for s in plan.parameters.lifecycle.stages}


def far_plan(name: str) -> Plan:
    """The scenario compiled 400 days after its own `until`: the lives the tests cut."""
    return plan_at(name, shipped_until(name) + dt.timedelta(days=400))


def harvest_under_way(name: str, delousing: bool = False) -> tuple[dt.date, str]:
    """(until, batch) for the first day on which a batch has emptied a ring but not yet its last one
    (with ``delousing``: and some batch is between the first and last ring day of a delousing), so that
    tests do not depend on the farm's figures of the day."""
    far = far_plan(name)
    treating = [(r[0].date, r[-1].date) for b in far.batches for t in b.lice_treatments
                for r in [t.rings] if len(r) > 1]
    found = []
    for b in far.batches:
        last = max((h.date for h in b.harvest_days), default=None)
        for h in b.harvest_days:
            if h.share >= 1.0 and h.date < last and (
                    not delousing or any(a <= h.date < z for a, z in treating)):
                found.append((h.date, b.id))
    assert found, name
    return min(found)
