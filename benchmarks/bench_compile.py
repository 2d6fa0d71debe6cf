"""Print compile and check timings: full_170 as a whole process and in-process, and check on a 1 MB file.

Run: .venv/bin/python benchmarks/bench_compile.py [--runs N]
Targets (issue 2): whole-process compile of full_170 < 1.5 s, the compile itself < 0.3 s,
check on a 1 MB scenario < 2 s, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "scenarios" / "full_170.aqs"
LIB = (ROOT / "scenarios" / "lib" / "farm.aqs").read_text()


def timed_process(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aquadsl", *args], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def timed_in_process(runs: int) -> tuple[float, list[float]]:
    """First compile in a fresh process (imports done), then warm repeats."""
    code = ("import time, statistics\n"
            "from aquadsl.compiler import compile_path\n"
            f"p = {str(FULL)!r}\n"
            "ts = []\n"
            f"for _ in range({runs} + 1):\n"
            "    t = time.perf_counter(); r = compile_path(p); ts.append(time.perf_counter() - t)\n"
            "    assert r.ok\n"
            "print(' '.join(f'{x:.6f}' for x in ts))\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    values = [float(x) for x in out.stdout.split()]
    return values[0], values[1:]


def one_megabyte_scenario(folder: Path) -> Path:
    """A valid 1 MB scenario: many geographies and container kinds, plus the shipped lifecycle."""
    parts = [LIB]
    i = 0
    while sum(len(p) for p in parts) < 1_000_000:
        i += 1
        parts.append(f"""
container_kind kind_{i} "Kind {i}" volume {10 + i % 90} m3 max_biomass {500 + i} kg
geography geo_{i} "Geography {i}" {{
  code G{i}
  prefix P{i}
  stations {1 + i % 12} halls A..E containers 10   # generated
  hall A kind tray
  hall B kind fry_tank
  hall C kind parr_tank
  hall D kind smolt_tank
  hall E kind post_smolt_tank
  sea_areas {1 + i % 20} rings 20 kind sea_ring
  temperature fresh constant {8 + i % 6}
  temperature sea sine mean {7 + i % 5} amplitude 2.5 peak_day {150 + i % 100}
}}
""")
    parts.append("""
scenario "big" {
  lifecycle atlantic_salmon
  start 2020-01-01
  until 2023-01-01
  seed 1
  batches {
    geographies geo_1, geo_2
    count 4 per geography
    stagger 60 days interleaved
    eggs 3_000_000 + ((batch_index * 123_456) % 800_000)
    harvest_target 4.5..6.5 kg
    id "{prefix}-{start_year}-{geo_index+1:03}"
  }
}
""")
    path = folder / "big.aqs"
    path.write_text("".join(parts))
    return path


def report(name: str, values: list[float], target: float) -> None:
    med = statistics.median(values)
    verdict = "ok" if med < target else "OVER TARGET"
    print(f"{name:<44} median {med:7.3f} s  min {min(values):7.3f} s  (target < {target} s: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    report("aquadsl compile full_170.aqs (whole process)", timed_process(["compile", str(FULL)], runs), 1.5)
    first, warm = timed_in_process(runs)
    report("compile_path(full_170) first call in process", [first], 0.3)
    report("compile_path(full_170) warm", warm, 0.3)
    with tempfile.TemporaryDirectory() as tmp:
        big = one_megabyte_scenario(Path(tmp))
        print(f"generated scenario: {big.stat().st_size:,} bytes")
        report("aquadsl check <1 MB scenario> (whole process)", timed_process(["check", str(big)], runs), 2.0)


if __name__ == "__main__":
    main()
