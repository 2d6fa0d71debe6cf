"""Benchmark `apply --executor celery` against the local executor: rows/s into PostgreSQL.

Usage: .venv/bin/python benchmarks/bench_celery.py [SCENARIO_OR_PLAN] [--workers 2]
       [--brokers redis://127.0.0.1:6379/0,amqp://guest:guest@127.0.0.1:5672//] [--rounds 1]
       [--check-digests] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Defaults to scenarios/full_170.aqs. Each round applies the plan to a fresh PostgreSQL database with
the local executor (``--workers`` processes), then through each broker with one `aquadsl worker`
of ``--workers`` processes started for the round (and killed after). Goal: Celery >= 90 % of local.
With --check-digests, the table digests of every run are compared with the local run's (digests
stream, ~200 MB whatever the size). Every row also prints the load average at the end of the run and
the CPU seconds of apply and its workers (PostgreSQL's own backends are not counted).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_apply import _pg_create, _pg_drop, load  # noqa: E402

from aquadsl.executors import ExecutorConfig  # noqa: E402
from aquadsl.executors.brokers import redact  # noqa: E402
from aquadsl.runtime.apply import ApplyOptions, apply_plan  # noqa: E402


def start_worker(broker: str, queue: str, workers: int, log: Path) -> subprocess.Popen:
    """An `aquadsl worker` in its own process group; returns once it says it is ready."""
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "aquadsl", "worker", "--broker", broker, "--queue", queue,
                                 "--concurrency", str(workers), "--loglevel", "info"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_worker(proc)
            raise SystemExit(f"the worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes in process group ``pgid``."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:      # fields after the command: state, ppid, pgrp, ...
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def own_cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the local executor's workers)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def stop_worker(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def run(plan, executor: ExecutorConfig, workers: int, admin: str, check: bool) -> dict:
    """Apply ``plan`` to a fresh PostgreSQL database with ``executor``; the measured figures."""
    scratch = Path(tempfile.mkdtemp(prefix="aquadsl-bench-celery-"))
    name = f"aqs_bench_celery_{os.getpid()}_{int(time.time())}"
    url = _pg_create(admin, name)
    worker = None
    if executor.name == "celery":
        worker = start_worker(executor.broker, executor.queue, workers, scratch / "worker.log")
    options = ApplyOptions(workers=workers, log_dir=str(scratch / "logs"), progress="none", executor=executor)
    try:
        started, cpu = time.perf_counter(), own_cpu_s()
        summary = apply_plan(plan, url, options, echo=lambda m: None)
        wall = time.perf_counter() - started
        cpu = own_cpu_s() - cpu + (group_cpu_s(worker.pid) if worker is not None else 0.0)
        load = os.getloadavg()
        digests, digest_s = None, 0.0
        if check:
            from aquadsl.runtime import digest

            digest_s = time.perf_counter()
            digests = digest.digests()
            digest_s = time.perf_counter() - digest_s
    finally:
        if worker is not None:
            stop_worker(worker)
        _pg_drop(admin, name)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"rows": summary.rows_total, "load_s": summary.elapsed_s, "wall_s": wall,
            "rows_per_s": summary.rows_total / summary.elapsed_s, "failed": summary.failed,
            "rss": summary.worker_peak_rss_mb, "digests": digests, "digest_s": digest_s, "cpu_s": cpu,
            "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "scenarios" / "full_170.aqs"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--brokers", default="redis://127.0.0.1:6379/0,amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--check-digests", action="store_true")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    plan, _ = load(args.source)
    label = Path(args.source).stem
    executors = [("local", ExecutorConfig())] + [
        (redact(b).split(":", 1)[0], ExecutorConfig("celery", b, queue=f"aqs-bench-{os.getpid()}"))
        for b in args.brokers.split(",") if b]
    print(f"{label}: {len(plan.batches)} batches, {args.workers} worker processes, PostgreSQL")
    print(f"{'round':>5} {'executor':<9} {'rows':>12} {'load s':>8} {'rows/s':>10} {'of local':>9} "
          f"{'wall s':>8} {'CPU s':>7} {'load avg':>15}  peak MB per worker")
    for round_no in range(1, args.rounds + 1):
        local = None
        for name, executor in executors:
            r = run(plan, executor, args.workers, args.pg_admin, args.check_digests)
            local = local or r
            share = r["rows_per_s"] / local["rows_per_s"]
            same = "" if r["digests"] is None else (
                "  digests = local" if r["digests"] == local["digests"] else "  DIGESTS DIFFER")
            rss = ", ".join(f"{m:.0f}" for m in r["rss"])
            loadavg = " ".join(f"{x:.1f}" for x in r["load"])
            print(f"{round_no:>5} {name:<9} {r['rows']:>12,} {r['load_s']:>8.1f} {r['rows_per_s']:>10,.0f} "
                  f"{share:>8.0%} {r['wall_s']:>8.1f} {r['cpu_s']:>7.0f} {loadavg:>15}  {rss}{same}"
                  + (f"  FAILED {r['failed']}" if r["failed"] else ""), flush=True)
    if args.check_digests:
        print(f"digests: {r['digest_s']:.0f} s for the last run; this process's peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
