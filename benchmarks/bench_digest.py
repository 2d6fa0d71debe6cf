"""Benchmark the table digests (runtime/digest.py): time, CPU time and peak memory of this process.

Usage: .venv/bin/python benchmarks/bench_digest.py [SCENARIO_OR_PLAN_OR_DATABASE_URL]
       [--backend sqlite|postgresql] [--workers 2] [--keep]
       [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Given a scenario or plan (default scenarios/demo.aqs), it is first applied to a fresh database of
``--backend`` by an `aquadsl apply` subprocess (so the apply's memory is not this process's); given a
database URL (sqlite:///… or postgresql://…), that database is digested as it is. Then this process
computes every table's digest and prints rows, seconds, CPU seconds and the peak RSS it reached
(ru_maxrss) before and after. ``--keep`` keeps the database it made and prints its URL.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_apply import _pg_create, _pg_drop  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def apply(source: str, url: str, workers: int, scratch: Path) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "aquadsl", "apply", source, "--database", url,
                             "--workers", str(workers), "--progress", "none",
                             "--log-dir", str(scratch / "logs")], cwd=scratch, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"apply failed ({result.returncode}):\n{result.stderr}")
    print(f"applied {Path(source).name} in {time.perf_counter() - started:.1f} s", flush=True)


def measure(url: str) -> None:
    from aquadsl.runtime import db, digest

    db.setup(url)
    before, cpu_before = peak_mb(), cpu_s()
    started = time.perf_counter()
    rows = 0
    from aquadsl.farm.models import INFRASTRUCTURE_MODELS, TABLE_MODELS

    for model in (*INFRASTRUCTURE_MODELS, *TABLE_MODELS.values()):
        rows += digest.table_digest(model)[1]
    wall = time.perf_counter() - started
    print(f"digests: {rows:,} rows in {wall:.1f} s (CPU {cpu_s() - cpu_before:.1f} s), "
          f"peak RSS {before:.0f} MB before, {peak_mb():.0f} MB after; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "scenarios" / "demo.aqs"))
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if "://" in args.source:
        measure(args.source)
        return
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-digest-"))
    name = f"aqs_bench_digest_{os.getpid()}"
    url = (_pg_create(args.pg_admin, name) if args.backend == "postgresql"
           else f"sqlite:///{scratch / 'bench.sqlite3'}")
    try:
        apply(args.source, url, args.workers, scratch)
        measure(url)
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            if args.backend == "postgresql":
                _pg_drop(args.pg_admin, name)
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
