"""Scale benchmark (issue 11, D5): compile, diff and the start of apply for 10k and 100k batches.

Generates a scenario with many geographies (each like the reference Faroe farm, 500 batches 60 days
apart, offsets spread over the stagger), then prints: compile time in-process, plan size, `diff` of
the plan against itself as a process, and the seconds until `apply` prints its first line and its
first finished batch (the run is then stopped; a throwaway SQLite database is used).

Usage: python benchmarks/bench_scale.py [--batches 10000 100000] [--skip-apply]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_GEO = 500
STAGGER = 60

GEO = """geography g{i:04d} "Farm {i}" {{
  code G{i:04d}
  prefix P{i:04d}
  stations 12 halls A..E containers 10
  hall A kind tray
  hall B kind fry_tank
  hall C kind parr_tank
  hall D kind smolt_tank
  hall E kind post_smolt_tank
  sea_areas 22 rings 20 kind sea_ring
  temperature fresh constant 12
  temperature sea sine mean 8.6 amplitude 2.0 peak_day 240
}}
"""


def scenario(batches: int) -> str:
    geos = max(1, batches // PER_GEO)
    lib = (ROOT / "scenarios" / "lib" / "farm.aqs").read_text(encoding="utf-8")
    lib = lib[:lib.index("geography faroe")] + lib[lib.index("lifecycle "):]
    offsets = ", ".join(f"g{i:04d} {i % STAGGER}" for i in range(geos))
    return (lib + "".join(GEO.format(i=i) for i in range(geos)) + f"""
scenario "scale_{batches}" {{
  lifecycle atlantic_salmon
  start 1940-01-01
  until 2025-06-30
  seed 11
  batches {{
    geographies {", ".join(f"g{i:04d}" for i in range(geos))}
    count {PER_GEO} per geography
    stagger {STAGGER} days offsets {offsets}
    eggs 3_000_000 + ((batch_index * 123_456) % 800_000)
    harvest_target 4.5..6.5 kg
    id "{{prefix}}-{{start_year}}-{{geo_index+1:03}}"
  }}
}}
""")


def _cli(*args: str, cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.Popen([sys.executable, "-m", "aquadsl", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def first_progress(plan: Path, tmp: Path) -> tuple[float, float]:
    """Seconds until apply prints its first line, and until it reports its first finished batch."""
    started = time.perf_counter()
    proc = _cli("apply", str(plan), "--workers", "2", "--progress", "plain", "--database",
                f"sqlite:///{tmp / 'scale.sqlite3'}", "--log-dir", str(tmp / "logs"), cwd=tmp)
    first_line = first_batch = float("nan")
    try:
        for line in proc.stderr:
            now = time.perf_counter() - started
            if first_line != first_line:
                first_line = now
            if "batches" in line and " 0/" not in line and "applying plan" not in line:
                first_batch = now
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return first_line, first_batch


def run(batches: int, skip_apply: bool) -> None:
    from aquadsl.compiler import compile_path
    from aquadsl.plan.model import dumps

    with tempfile.TemporaryDirectory(prefix="aqs-scale-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "scale.aqs"
        source.write_text(scenario(batches), encoding="utf-8")
        started = time.perf_counter()
        result = compile_path(source)
        compile_s = time.perf_counter() - started
        if not result.ok:
            print(f"{batches:>7} batches: compile failed: {result.diagnostics[0].message}")
            return
        plan = tmp / "plan.json"
        plan.write_text(dumps(result.plan), encoding="utf-8")
        started = time.perf_counter()
        diffed = subprocess.run([sys.executable, "-m", "aquadsl", "diff", str(plan), str(plan)],
                                capture_output=True, text=True)
        diff_s = time.perf_counter() - started
        line = (f"{len(result.plan.batches):>7} batches: compile {compile_s:6.1f} s in-process, plan "
                f"{plan.stat().st_size / 1e6:5.1f} MB, diff (process) {diff_s:5.1f} s exit {diffed.returncode}")
        if not skip_apply:
            first_line, first_batch = first_progress(plan, tmp)
            line += f", apply: first line {first_line:4.1f} s, first batch done {first_batch:4.1f} s"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-apply", action="store_true")
    args = parser.parse_args()
    for n in args.batches:
        run(n, args.skip_apply)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
