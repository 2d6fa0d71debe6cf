"""Progress lines and the run summary: what a user reads while and after applying."""

from __future__ import annotations

import io

from aquadsl.runtime.progress import PlainProgress, make_progress
from aquadsl.runtime.report import FailedBatch, Summary, peak_utilisation, render


def test_plain_progress_prints_batches_rows_rate_and_eta():
    out = io.StringIO()
    progress = PlainProgress(total_batches=4, total_rows=400, stream=out, interval=0.0)
    progress.batch_done(100)
    progress.batch_failed()
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[apply] 1/4 batches, 100 rows, ") and "rows/s, ETA " in lines[0]
    assert "1/4 batches, 1 failed, 100 rows" in lines[-1]


def test_a_non_terminal_gets_plain_lines():
    assert isinstance(make_progress("auto", 1, 1, io.StringIO()), PlainProgress)


def test_peak_utilisation_counts_containers_occupied_on_one_day(plan):
    util = peak_utilisation(plan, {b.id for b in plan.batches})
    assert util["fresh"]["containers"] == 8 and util["sea"]["containers"] == 6
    assert util["sea"]["peak"] == 4 and util["sea"]["ratio"] == round(4 / 6, 4)
    assert peak_utilisation(plan, set())["sea"]["peak"] == 0


def test_the_summary_names_failed_batches_and_their_logs():
    summary = Summary(outcome="failed", plan_hash="ab" * 32, scenario="demo", database="sqlite:///x",
                      workers=2, batches_total=3, succeeded=2, failed=1, elapsed_s=2.0,
                      failures=[FailedBatch("FAR-2023-002", "InjectedFault: boom", "logs/FAR-2023-002.log", 3)])
    summary.rows["environmental_readings"] = 1000
    text = render(summary)
    assert "batches: 2 succeeded, 1 failed, 0 skipped (of 3)" in text
    assert "rows: 1,000 in 2.0 s = 500 rows/s" in text
    assert "FAILED FAR-2023-002 after 3 attempt(s): InjectedFault: boom  (log: logs/FAR-2023-002.log)" in text
