"""Scale benchmark (issue 11, D5): compile, diff and the start of apply for 10k and 100k batches.

Generates a scenario with many geographies (each like the reference Faroe farm, but 12 containers a
hall and 2.6-3.2 million eggs: with 10 containers and 3.0-3.8 million eggs, some of the 200 geographies
of 100k batches overflow a hall; 500 batches 60 days apart, offsets spread over the stagger), then
prints, with the load average: `compile --out` as a
process (wall, CPU = user + sys, peak RSS), the plan size, `diff plan plan` as a process (the same),
and the seconds until `apply` prints its first line (and the CPU it used by then) and its first
finished batch (the run is then stopped; a throwaway SQLite database is used).

Usage: python benchmarks/bench_scale.py [--batches 10000 100000] [--skip-apply] [--skip-diff]
                                        [--first-line-only]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_GEO = 500
STAGGER = 60

GEO = """geography g{i:04d} "Farm {i}" {{
  code G{i:04d}
  prefix P{i:04d}
  stations 12 halls A..E containers 12
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
    eggs 2_600_000 + ((batch_index * 123_456) % 600_000)
    harvest_target 4.5..6.5 kg
    id "{{prefix}}-{{start_year}}-{{geo_index+1:03}}"
  }}
}}
""")


def _cli(*args: str, cwd: Path, stderr=subprocess.PIPE) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.Popen([sys.executable, "-m", "aquadsl", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)


@dataclass
class Measured:
    wall_s: float
    cpu_s: float          # user + sys of the process (less sensitive to the machine's load than wall)
    peak_mb: float
    returncode: int


def timed(*args: str, cwd: Path) -> Measured:
    """Run ``python -m aquadsl ARGS`` to the end; its wall time, CPU time and peak RSS (wait4).
    Its stderr goes to ``cwd/<command>.err``, whose first error line is printed if it fails."""
    started = time.perf_counter()
    with open(cwd / f"{args[0]}.err", "w", encoding="utf-8") as err:
        proc = _cli(*args, cwd=cwd, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                    proc.returncode)


def first_progress(plan: Path, tmp: Path, first_line_only: bool) -> tuple[float, float, float]:
    """Seconds until apply prints its first line, until it reports its first finished batch, and the
    CPU seconds of the apply process (not its workers) by its first line."""
    started = time.perf_counter()
    proc = _cli("apply", str(plan), "--workers", "2", "--progress", "plain", "--database",
                f"sqlite:///{tmp / 'scale.sqlite3'}", "--log-dir", str(tmp / "logs"), cwd=tmp)
    first_line = first_batch = cpu = float("nan")
    try:
        for line in proc.stderr:
            now = time.perf_counter() - started
            if first_line != first_line:
                first_line, cpu = now, _cpu_of(proc.pid)
                if first_line_only:
                    break
            if "batches" in line and " 0/" not in line and "applying plan" not in line:
                first_batch = now
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return first_line, first_batch, cpu


def _cpu_of(pid: int) -> float:
    """user + sys seconds of a running process, from /proc (Linux); NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def run(batches: int, skip_apply: bool, skip_diff: bool, first_line_only: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="aqs-scale-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "scale.aqs"
        source.write_text(scenario(batches), encoding="utf-8")
        plan = tmp / "plan.json"
        load = os.getloadavg()[0]
        made = timed("compile", str(source), "--out", str(plan), cwd=tmp)
        if made.returncode != 0:
            errors = [x for x in (tmp / "compile.err").read_text(encoding="utf-8").splitlines() if "error" in x]
            print(f"{batches:>7} batches: compile failed (exit {made.returncode}): {errors[:1]}")
            return
        line = (f"{batches:>7} batches (load {load:.1f}): compile {made.wall_s:6.1f} s ({made.cpu_s:.1f} s CPU, "
                f"peak {made.peak_mb:,.0f} MB), plan {plan.stat().st_size / 1e6:5.1f} MB")
        if not skip_diff:
            diffed = timed("diff", str(plan), str(plan), cwd=tmp)
            line += (f"; diff plan plan {diffed.wall_s:5.1f} s ({diffed.cpu_s:.1f} s CPU, peak "
                     f"{diffed.peak_mb:,.0f} MB, exit {diffed.returncode})")
        if not skip_apply:
            first_line, first_batch, cpu = first_progress(plan, tmp, first_line_only)
            line += f"; apply: first line {first_line:4.1f} s ({cpu:.1f} s CPU)"
            if not first_line_only:
                line += f", first batch done {first_batch:4.1f} s"
        print(line + f"; load after {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-apply", action="store_true")
    parser.add_argument("--skip-diff", action="store_true")
    parser.add_argument("--first-line-only", action="store_true",
                        help="stop apply at its first line (its workers each load the whole plan: memory)")
    args = parser.parse_args()
    for n in args.batches:
        run(n, args.skip_apply, args.skip_diff, args.first_line_only)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
