"""Benchmark `verify`, `report` and the diff renderers: seconds per check, report size, Markdown length.

Usage: .venv/bin/python benchmarks/bench_verify.py [--database URL] [--scenario scenarios/demo.aqs]

Without --database the scenario is applied to a fresh SQLite file first (2 workers). Figures are
measured on this machine, never assumed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aquadsl.compiler import compile_path  # noqa: E402


def _timed(label: str, fn):
    started = time.perf_counter()
    value = fn()
    print(f"{label:<34} {time.perf_counter() - started:8.2f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "demo.aqs"))
    args = parser.parse_args()
    plan = compile_path(args.scenario).plan
    url = args.database
    if url is None:
        from aquadsl.runtime.apply import ApplyOptions, apply_plan

        folder = Path(tempfile.mkdtemp(prefix="bench-verify-"))
        url = f"sqlite:///{folder / 'farm.sqlite3'}"
        _timed("apply (setup, 2 workers)", lambda: apply_plan(
            plan, url, ApplyOptions(workers=2, log_dir=str(folder / "logs"), progress="none"), echo=lambda m: None))
    from aquadsl.runtime import db
    from aquadsl.verify import native, placement

    db.setup(url)
    exp = native.expectations_from_plan(plan)
    checks = (native.check_plan, native.check_row_counts, native.check_conservation,
              placement.check_double_booking, placement.check_windows, placement.check_capacity,
              placement.check_harvest_weight, placement.check_fcr)
    failures = 0
    for check in checks:
        failures += sum(not f.ok for f in _timed(f"verify {check.__name__}", lambda c=check: c(exp)))
    print(f"verify failures: {failures}")
    from aquadsl.report.build import render_report

    html = _timed("report (plan only)", lambda: render_report(plan))
    print(f"report size (plan only)             {len(html):,} bytes")
    html = _timed("report (plan and database)", lambda: render_report(plan, url))
    print(f"report size (plan and database)     {len(html):,} bytes")


if __name__ == "__main__":
    main()
