"""Benchmark `apply`: rows, time, rows/s and peak memory per worker, on SQLite and PostgreSQL.

Usage: .venv/bin/python benchmarks/bench_apply.py [SCENARIO_OR_PLAN ...] [--workers 2]
       [--backends sqlite,postgresql] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Defaults to scenarios/demo.aqs and scenarios/full_170.aqs. Each run uses a fresh SQLite file or a
freshly created PostgreSQL database (dropped afterwards). Figures are measured, never assumed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aquadsl.plan.model import Plan, loads  # noqa: E402
from aquadsl.runtime.apply import ApplyOptions, apply_plan  # noqa: E402


def load(source: str) -> tuple[Plan, float]:
    """The plan of a scenario (compiled) or a plan file (read), and the seconds that took."""
    started = time.perf_counter()
    if source.endswith(".json"):
        plan = loads(Path(source).read_text(encoding="utf-8"))
    else:
        from aquadsl.compiler import compile_path

        result = compile_path(source)
        if not result.ok:
            raise SystemExit(f"{source} does not compile")
        plan = result.plan
    return plan, time.perf_counter() - started


def _pg_create(admin: str, name: str) -> str:
    import psycopg2

    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _pg_drop(admin: str, name: str) -> None:
    import psycopg2
    from django.db import connections

    connections.close_all()
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def run(plan: Plan, backend: str, workers: int, admin: str) -> dict:
    """Apply ``plan`` to a fresh database of ``backend``; the measured figures."""
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-"))
    name = f"aqs_bench_{int(time.time())}"
    url = _pg_create(admin, name) if backend == "postgresql" else f"sqlite:///{scratch / 'bench.sqlite3'}"
    options = ApplyOptions(workers=workers, log_dir=str(scratch / "logs"), progress="none")
    try:
        started = time.perf_counter()
        summary = apply_plan(plan, url, options, echo=lambda m: None)
        wall = time.perf_counter() - started
    finally:
        if backend == "postgresql":
            _pg_drop(admin, name)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"rows": summary.rows_total, "load_s": summary.elapsed_s, "wall_s": wall,
            "rows_per_s": summary.rows_total / summary.elapsed_s, "wall_rows_per_s": summary.rows_total / wall,
            "rss": summary.worker_peak_rss_mb, "failed": summary.failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*",
                        default=[str(ROOT / "scenarios" / "demo.aqs"), str(ROOT / "scenarios" / "full_170.aqs")])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(f"{'scenario':<14} {'backend':<11} {'rows':>12} {'load s':>8} {'rows/s':>10} "
          f"{'wall s':>8} {'wall rows/s':>12}  peak MB per worker")
    for source in args.sources:
        plan, compile_s = load(source)
        label = Path(source).stem
        for backend in args.backends.split(","):
            r = run(plan, backend, args.workers, args.pg_admin)
            rss = ", ".join("?" if m is None else f"{m:.0f}" for m in r["rss"])
            print(f"{label:<14} {backend:<11} {r['rows']:>12,} {r['load_s']:>8.1f} {r['rows_per_s']:>10,.0f} "
                  f"{r['wall_s']:>8.1f} {r['wall_rows_per_s']:>12,.0f}  {rss}"
                  + (f"  FAILED {r['failed']}" if r["failed"] else ""), flush=True)
        print(f"{'':<14} (compile {compile_s:.2f} s, {len(plan.batches)} batches, {args.workers} workers)")


if __name__ == "__main__":
    main()
