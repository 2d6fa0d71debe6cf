"""Benchmark the realism table: capacity, variation, harvest, incidents, measured on simulated rows.

Usage: .venv/bin/python benchmarks/bench_realism.py [SCENARIO] [--json OUT] [--before BEFORE.json]

Defaults to scenarios/full_170.aqs. Simulates every batch (no database) and prints each figure with
its acceptance bound; with --before, the figures of an earlier run ("today") next to these.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aquadsl.compiler import compile_path  # noqa: E402
from aquadsl.sim.realism import measure  # noqa: E402
from aquadsl.sim.simulate import simulate_batch  # noqa: E402

BOUNDS = {
    "container-days over limit": "= 0",
    "container-days over max_fish": "= 0",
    "sea ring fish max": "<= max_fish",
    "sea days CV %": ">= 15",
    "smolt g p90-p10": ">= 40",
    "sea survival min %": ">= 80",
    "sea survival max %": "<= 95",
    "sea survival p90-p10 pts": ">= 5",
    "sea eFCR min": ">= 1.05",
    "sea eFCR max": "<= 1.40",
    "harvest working days min": ">= 7",
    "distinct grade shares / events": "> 0.5",
    "batches with incident day %": ">= 10",
    "weekend harvest events": "= 0",
    "vaccinated min g": ">= 25",
    "sea area-days with 2+ batches": "= 0",
    "August sea temp std between years min": ">= 0.3",
    "delousings per completed batch": "(lice limit)",
    "culled batches": "(a few)",
    "early-harvested batches": "(a few)",
}


def _simulator():
    """simulate_batch restricted to the tables the figures need, when this version supports it."""
    try:
        from aquadsl.sim.realism import NEEDED
        simulate_batch.__code__.co_varnames.index("only")
        return lambda plan, bid: simulate_batch(plan, bid, only=NEEDED)
    except ValueError:
        return simulate_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "full_170.aqs"))
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--before", help="figures of an earlier run (JSON) to print next to these")
    args = parser.parse_args()
    started = time.perf_counter()
    result = compile_path(args.scenario)
    if not result.ok:
        raise SystemExit(f"{args.scenario} does not compile")
    figs = measure(result.plan, _simulator())
    before = json.loads(Path(args.before).read_text()) if args.before else {}
    print(f"{'figure':<40} {'today':>10} {'after':>10}  acceptance")
    for name, value in figs.items():
        old = before.get(name)
        print(f"{name:<40} {'' if old is None else f'{old:10.2f}':>10} {value:>10.2f}  {BOUNDS.get(name, '')}")
    print(f"({Path(args.scenario).name}: {len(result.plan.batches)} batches, "
          f"{time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(figs, indent=2) + "\n")


if __name__ == "__main__":
    main()
