"""Benchmark extending a load by a later `until` against a fresh apply of the later plan.

Usage: .venv/bin/python benchmarks/bench_extend.py [SCENARIO] [--today 2024-06-30] [--days 1,30]
       [--workers 2] [--backends sqlite,postgresql] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

The scenario's `until` is replaced by `until today`; the plan for ``--today`` is applied first, then
for each of ``--days`` the plan for today + N days is applied on top of it (an extension) and, on a
new database, fresh. Both are timed, the written rows counted, and the two databases' digests
compared (they must be equal). Figures are measured, never assumed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_apply import _pg_create, _pg_drop  # noqa: E402

from aquadsl.plan.model import Plan  # noqa: E402
from aquadsl.runtime import digest  # noqa: E402
from aquadsl.runtime.apply import ApplyOptions, apply_plan  # noqa: E402


def plan_for(scenario: Path, today: dt.date, scratch: Path) -> Plan:
    """The scenario compiled with `until today` resolved to ``today``."""
    from aquadsl.compiler import compile_path

    text = re.sub(r"\buntil\s+\d{4}-\d{2}-\d{2}", "until today", scenario.read_text(encoding="utf-8"))
    copy = scenario.parent / f".bench_extend_{scratch.name}.aqs"   # beside it, so imports resolve
    copy.write_text(text, encoding="utf-8")
    try:
        result = compile_path(copy, today)
    finally:
        copy.unlink()
    if not result.ok:
        raise SystemExit(f"{scenario} does not compile with until {today}")
    return result.plan


def timed_apply(plan: Plan, url: str, workers: int, logs: Path) -> tuple[float, int]:
    options = ApplyOptions(workers=workers, log_dir=str(logs), progress="none")
    started = time.perf_counter()
    summary = apply_plan(plan, url, options, echo=lambda m: None)
    return time.perf_counter() - started, summary.rows_total


def _database(backend: str, admin: str, scratch: Path, tag: str) -> tuple[str, str]:
    name = f"aqs_bench_ext_{tag}_{int(time.time())}"
    if backend == "postgresql":
        return _pg_create(admin, name), name
    return f"sqlite:///{scratch / (tag + '.sqlite3')}", name


def measure(base: Plan, later: Plan, backend: str, workers: int, admin: str) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-ext-"))
    made = []
    try:
        ext_url, ext_name = _database(backend, admin, scratch, "ext")
        made.append(ext_name)
        timed_apply(base, ext_url, workers, scratch / "logs")
        ext_s, ext_rows = timed_apply(later, ext_url, workers, scratch / "logs")
        ext_digests = digest.digests()
        fresh_url, fresh_name = _database(backend, admin, scratch, "fresh")
        made.append(fresh_name)
        fresh_s, fresh_rows = timed_apply(later, fresh_url, workers, scratch / "logs")
        equal = digest.digests() == ext_digests
    finally:
        if backend == "postgresql":
            for name in made:
                _pg_drop(admin, name)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"ext_s": ext_s, "ext_rows": ext_rows, "fresh_s": fresh_s, "fresh_rows": fresh_rows, "equal": equal}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "demo.aqs"))
    parser.add_argument("--today", default="2024-06-30")
    parser.add_argument("--days", default="1,30")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    scenario, today = Path(args.scenario).resolve(), dt.date.fromisoformat(args.today)
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-plan-"))
    base = plan_for(scenario, today, scratch)
    print(f"{scenario.name}: base until {today}, {len(base.batches)} batches, workers {args.workers}")
    print(f"{'backend':<11} {'+days':>5} {'extend s':>9} {'rows written':>13} {'fresh s':>8} "
          f"{'rows':>12} {'speed-up':>8}  digests")
    for days in (int(d) for d in args.days.split(",")):
        later = plan_for(scenario, today + dt.timedelta(days=days), scratch)
        for backend in args.backends.split(","):
            r = measure(base, later, backend, args.workers, args.pg_admin)
            print(f"{backend:<11} {days:>5} {r['ext_s']:>9.2f} {r['ext_rows']:>13,} {r['fresh_s']:>8.2f} "
                  f"{r['fresh_rows']:>12,} {r['fresh_s'] / r['ext_s']:>7.1f}x  "
                  f"{'equal' if r['equal'] else 'DIFFERENT'}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
