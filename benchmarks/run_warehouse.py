"""Warehouse query latency: one indicator, all countries, years and groups.

Builds the embedded default warehouse (``zaragoza init``: the bundled Eurostat tables
plus the example's estimates) in a temporary folder, then times
``Warehouse.observations(indicator=[ID])`` for every indicator in it, ``--repeat`` times
each on one open read-only connection (as the portal will hold one), and prints the
median and 95th percentile per indicator and overall.

    uv run python benchmarks/run_warehouse.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from zaragoza.cli import example_file
from zaragoza.pipeline import build_default_warehouse
from zaragoza.warehouse.store import Warehouse


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=50)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.duckdb"
        t0 = time.perf_counter()
        build_default_warehouse(path, example_file())
        print(f"built the embedded default in {time.perf_counter() - t0:.1f} s")
        with Warehouse(path, read_only=True) as wh:
            summary = wh.summary()
            ids = sorted(set(summary["indicator"]))
            rows = summary.groupby("indicator")["rows"].sum().to_dict()
            print(f"{int(summary['rows'].sum()):,} observations, {len(ids)} indicators\n")
            print("| indicator | rows | median ms | p95 ms |")
            print("|---|---:|---:|---:|")
            everything: list[float] = []
            for ident in ids:
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    df = wh.observations(indicator=[ident])
                    times.append(1000 * (time.perf_counter() - t))
                assert len(df) == rows[ident]
                everything += times
                q = statistics.quantiles(times, n=20)
                print(
                    f"| {ident} | {rows[ident]:,} | {statistics.median(times):.1f} | {q[18]:.1f} |"
                )
            q = statistics.quantiles(everything, n=20)
            print(f"| all | | {statistics.median(everything):.1f} | {q[18]:.1f} |")


if __name__ == "__main__":
    main()
