"""User text never reaches a terminal or a Markdown comment raw (issue 11, D14): ESC and other
control characters are shown escaped (``\\x1b``), and Markdown specials (``|``, backticks) are escaped."""

from __future__ import annotations

import re

from aquadsl.render.preview import render_markdown, render_text
from aquadsl.runtime.ledger import LedgerStatus
from aquadsl.runtime.report import FailedBatch, Summary, render
from aquadsl.runtime.status import render_status
from tests.runtime.planfactory import small_plan

HOSTILE = "Faroe\x1b[31m|`x`\x07\x9b2J\u202e"
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")   # not "\n"


def _plan_with_label(label: str):
    plan = small_plan(batches=2)
    infra = plan.infrastructure
    geo = infra.geographies[0].model_copy(update={"label": label})
    return plan.model_copy(update={"infrastructure": infra.model_copy(update={"geographies": (geo,)}),
                                   "parameters": plan.parameters.model_copy(update={"scenario": "s\x1bc"})})


def test_markdown_preview_escapes_control_characters_pipes_and_backticks():
    out = render_markdown(_plan_with_label(HOSTILE))
    assert not RAW.search(out), repr(out)
    row = next(line for line in out.splitlines() if "Faroe" in line)
    assert r"Faroe\\x1b\[31m\|\`x\`\\x07\\x9b2J\\u202e" in row, row
    assert row.count(" | ") == 4   # the label's | did not add a column


def test_text_preview_shows_control_characters_escaped():
    out = render_text(_plan_with_label(HOSTILE))
    assert not RAW.search(out), repr(out)
    assert r"Faroe\x1b[31m|`x`\x07\x9b2J\u202e" in out
    assert r"Plan s\x1bc" in out


def test_status_and_the_apply_summary_show_control_characters_escaped():
    bad = "FAR\x1b[2J-001"
    st = LedgerStatus(plan_hash="0" * 64, scenario="s\x1bc", total=2, done=["FAR-002"], failed=[bad])
    summary = Summary(outcome="failed", plan_hash="0" * 64, scenario="s\x1bc", database="sqlite:///x",
                      workers=1, batches_total=2)
    summary.failures = [FailedBatch(bad, "boom \x1b[2J", "logs/x.log", 3)]
    for out in (render_status(st, "sqlite:///x"), render(summary)):
        assert not RAW.search(out), repr(out)
        assert r"FAR\x1b[2J-001" in out
