"""Benchmark `apply --target`: the sample target (history none and initial) beside the native farm schema.

Usage: .venv/bin/python benchmarks/bench_target.py [SCENARIO_OR_PLAN ...] [--workers 2]
       [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Defaults to scenarios/full_170.aqs. Every run gets a fresh PostgreSQL database (the sample target's is
migrated by the target's own manage.py first), dropped afterwards. Rows/s count every row written
(history rows included) over the run's load time, and over its wall time (probe-free: the manifest is
probed once up front; wall includes migrations, checks and infrastructure).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_apply import _pg_create, _pg_drop, load, run as run_native  # noqa: E402

from aquadsl.runtime.apply import ApplyOptions  # noqa: E402

MAPPING = ROOT / "targets" / "sample.aqt"
SAMPLE = ROOT / "targets" / "sample"


def _migrated(admin: str, name: str) -> str:
    url = _pg_create(admin, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env["SEAFARM_DATABASE_URL"] = url
    subprocess.run([str(SAMPLE / ".venv" / "bin" / "python"), "manage.py", "migrate", "-v0"], cwd=SAMPLE,
                   env=env, check=True)
    return url


def run_target(plan, history: str, workers: int, admin: str, manifest, fks: str = "checked") -> dict:
    from aquadsl.targets.apply import apply_target
    from aquadsl.targets.loader import load_mapping

    mapping = load_mapping(str(MAPPING)).mapping
    mapping = mapping.model_copy(update={"target": mapping.target.model_copy(
        update={"history": history, "foreign_keys": fks})})
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-target-"))
    name = f"aqs_bench_target_{int(time.time())}"
    url = _migrated(admin, name)
    try:
        started = time.perf_counter()
        summary = apply_target(plan, mapping, manifest, url,
                               ApplyOptions(workers=workers, log_dir=str(scratch / "logs"), progress="none"),
                               echo=lambda m: None)
        wall = time.perf_counter() - started
    finally:
        _pg_drop(admin, name)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"rows": summary.rows_total, "load_s": summary.elapsed_s, "wall_s": wall,
            "rows_per_s": summary.rows_total / summary.elapsed_s, "wall_rows_per_s": summary.rows_total / wall,
            "rss": summary.worker_peak_rss_mb, "failed": summary.failed}


def _manifest(admin: str):
    from aquadsl.targets.interp import run_script
    from aquadsl.targets.loader import load_mapping
    from aquadsl.targets.manifest import Manifest

    name = f"aqs_bench_probe_{int(time.time())}"
    url = _migrated(admin, name)
    try:
        return Manifest(run_script(load_mapping(str(MAPPING)).mapping, "probe.py", None, url))
    finally:
        _pg_drop(admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", default=[str(ROOT / "scenarios" / "full_170.aqs")])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from aquadsl.runtime import db

    db.setup(args.pg_admin)   # Django must be configured before the helpers close its connections
    manifest = _manifest(args.pg_admin)
    print(f"{'scenario':<10} {'into':<32} {'rows':>12} {'load s':>8} {'rows/s':>10} {'wall s':>8} "
          f"{'wall rows/s':>12}  peak MB per worker", flush=True)
    for source in args.sources:
        plan, _ = load(source)
        label = Path(source).stem
        runs = [("native farm_* (COPY)", lambda: run_native(plan, "postgresql", args.workers, args.pg_admin))]
        runs += [(f"sample, history {h}, fk {k}", lambda h=h, k=k: run_target(plan, h, args.workers,
                                                                             args.pg_admin, manifest, k))
                 for h, k in (("none", "checked"), ("none", "trusted"), ("initial", "trusted"))]
        for what, fn in runs:
            r = fn()
            rss = ", ".join(f"{m:.0f}" for m in r["rss"])
            print(f"{label:<10} {what:<32} {r['rows']:>12,} {r['load_s']:>8.1f} {r['rows_per_s']:>10,.0f} "
                  f"{r['wall_s']:>8.1f} {r['wall_rows_per_s']:>12,.0f}  {rss}"
                  + (f"  FAILED {r['failed']}" if r["failed"] else ""), flush=True)
        print(f"{'':<10} ({len(plan.batches)} batches, {args.workers} workers, load average "
              f"{os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
