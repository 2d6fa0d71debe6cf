"""Benchmark: rows per second of the pure simulation (no database), one core, for every batch of a plan.

Usage: .venv/bin/python benchmarks/bench_sim.py [scenarios/demo.aqs | plan.json] [--repeat N] [--limit N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aquadsl.plan.model import Plan, loads  # noqa: E402
from aquadsl.sim.simulate import row_counts, simulate_batch  # noqa: E402


def load_plan(path: Path) -> Plan:
    """A plan from a plan.json file or by compiling a scenario."""
    if path.suffix == ".json":
        return loads(path.read_text())
    from aquadsl.compiler import compile_path
    result = compile_path(path)
    if result.plan is None:
        sys.exit(f"{path}: does not compile: " + "; ".join(str(d) for d in result.diagnostics[:3]))
    return result.plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", nargs="?", default=str(ROOT / "scenarios" / "demo.aqs"))
    parser.add_argument("--repeat", type=int, default=3, help="passes over the batches (best is reported)")
    parser.add_argument("--limit", type=int, default=0, help="simulate only the first N batches")
    args = parser.parse_args()
    plan = load_plan(Path(args.plan))
    batches = plan.batches[: args.limit] if args.limit else plan.batches
    best, per_table = float("inf"), {}
    for _ in range(max(1, args.repeat)):
        start, tables = time.perf_counter(), {}
        for batch in batches:
            for table, n in row_counts(simulate_batch(plan, batch.id)).items():
                tables[table] = tables.get(table, 0) + n
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, per_table = elapsed, tables
    rows = sum(per_table.values())
    width = max(map(len, per_table))
    for table, n in per_table.items():
        print(f"  {table:<{width}}  {n:>12,}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{Path(args.plan).name}: {len(batches)} batches, {rows:,} rows in {best:.3f} s "
          f"= {rows / best:,.0f} rows/s (one core, best of {max(1, args.repeat)}), peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
