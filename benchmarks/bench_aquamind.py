"""Benchmark the AquaMind target: a scenario into AquaMind's own schema, side by side with the native apply.

Usage: .venv/bin/python benchmarks/bench_aquamind.py [SCENARIO] [--workers 2] [--history none,initial]
       [--template aquamind_target] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Needs AQUADSL_AQUAMIND_DIR and AQUADSL_AQUAMIND_PYTHON (see docs/targets.md) and a migrated AquaMind
database to clone (``--template``, made by ../shared/aquamind/setup.sh). Every run is a whole
`aquadsl apply` process on a fresh database (native: empty; AquaMind: a clone of the template),
timed end to end: compile, infrastructure and master data, simulation, load (and the replay steps only
with ``--replay all``: they call AquaMind's services and cost more than the load, so the default
``none`` times the load that the issue's rows/s goal is about). Rows are the
rows written, as the run's --report counts them. Figures are measured, never assumed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "targets" / "aquamind.aqt"
AQUADSL = [sys.executable, "-m", "aquadsl"]
OLD_GENERATOR_ROWS_S = 1_200      # AquaMind's own generator through its ORM on this machine (issue 7)


def _admin(admin: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def fresh_db(admin: str, name: str, template: str | None) -> str:
    _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def run_apply(args: list[str], report: Path) -> tuple[float, int, str, str]:
    """(seconds, rows written, outcome, what it said about deferred indexes) of one whole `aquadsl apply`."""
    started = time.perf_counter()
    proc = subprocess.run([*AQUADSL, "apply", *args, "--report", str(report), "--progress", "none"],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or not report.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise SystemExit(f"apply failed (exit {proc.returncode}): {' | '.join(tail)}")
    data = json.loads(report.read_text(encoding="utf-8"))
    said = "; ".join(ln.removeprefix("indexes deferred: ") for ln in proc.stderr.splitlines()
                     if ln.startswith("indexes deferred: rebuilt"))
    return elapsed, sum(data["rows"].values()), data["outcome"], said


def mapping_with_history(policy: str, folder: Path, indexes: str = "deferred") -> Path:
    """A copy of targets/aquamind.aqt with the given history policy and index mode (its paths are ${VAR}s,
    so any folder)."""
    text = MAPPING.read_text(encoding="utf-8").replace("  history none\n", f"  history {policy}\n", 1)
    text = text.replace("  indexes deferred\n", f"  indexes {indexes}\n", 1)
    path = folder / f"aquamind-{policy}.aqt"
    path.write_text(text, encoding="utf-8")
    return path


def probe(mapping: Path, url: str, folder: Path) -> Path:
    out = folder / "aquamind.manifest.json"
    proc = subprocess.run([*AQUADSL, "target", "probe", str(mapping), "--database", url, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"probe failed: {proc.stderr.strip()}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="scenarios/full_170.aqs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--history", default="none,initial")
    ap.add_argument("--indexes", choices=("deferred", "kept"), default="deferred",
                    help="the mapping's index mode (kept: every index maintained row by row, as before)")
    ap.add_argument("--skip-native", action="store_true", help="only the AquaMind runs")
    ap.add_argument("--replay", default="none", help="replay steps to run after the load (none: time the load)")
    ap.add_argument("--template", default=os.environ.get("AQUADSL_AQUAMIND_TEMPLATE", "aquamind_target"))
    ap.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    opts = ap.parse_args()
    if not os.environ.get("AQUADSL_AQUAMIND_DIR") or not os.environ.get("AQUADSL_AQUAMIND_PYTHON"):
        raise SystemExit("set AQUADSL_AQUAMIND_DIR and AQUADSL_AQUAMIND_PYTHON (see docs/targets.md)")
    results = Results(opts)
    with tempfile.TemporaryDirectory(prefix="bench_am_") as tmp:
        folder = Path(tmp)
        if not opts.skip_native:
            native(opts, folder, results)
        for policy in opts.history.split(","):
            mapping = mapping_with_history(policy, folder, opts.indexes)
            name = f"aqs_bench_am_{policy}_{os.getpid()}"
            url = fresh_db(opts.pg_admin, name, opts.template)
            try:
                manifest = probe(mapping, url, folder)
                results.append((f"AquaMind, history {policy}", *run_apply(
                    [opts.scenario, "--target", str(mapping), "--manifest", str(manifest), "--database", url,
                     "--workers", str(opts.workers), "--replay", opts.replay], folder / f"am-{policy}.json")))
            finally:
                _admin(opts.pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def native(opts, folder: Path, results) -> None:
    name = f"aqs_bench_native_{os.getpid()}"
    url = fresh_db(opts.pg_admin, name, None)
    try:
        results.append(("native farm_*", *run_apply([opts.scenario, "--database", url, "--workers",
                                                     str(opts.workers)], folder / "native.json")))
    finally:
        _admin(opts.pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Results:
    """Prints the table head once, then each run's line as soon as it is measured (flushed)."""

    def __init__(self, opts) -> None:
        print(f"{opts.scenario}, {opts.workers} worker(s), indexes {opts.indexes}, whole `aquadsl apply` processes "
              "on fresh databases")
        print(f"{'run':28s} {'rows':>12s} {'seconds':>9s} {'rows/s':>10s} {'x old generator':>16s} {'load avg':>9s}",
              flush=True)

    def append(self, result: tuple) -> None:
        label, seconds, rows, outcome, said = result
        rate = rows / seconds
        print(f"{label:28s} {rows:12,d} {seconds:9.1f} {rate:10,.0f} {rate / OLD_GENERATOR_ROWS_S:15.0f}x "
              f"{os.getloadavg()[0]:9.1f}" + ("" if outcome == "completed" else f"  ({outcome})")
              + (f"  ({said})" if said else ""), flush=True)


if __name__ == "__main__":
    main()
