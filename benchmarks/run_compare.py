"""Benchmarking speed: the full comparison set, and a composite index's uncertainty analysis.

1. Builds the embedded default warehouse (``zaragoza init``: the bundled Eurostat tables
   plus the example's estimates) in a temporary folder, outside the timing, then times
   the full comparison set on all its observations (every indicator, country, year and
   group): reading them, distance to every target with the trend year, all gaps,
   rank intervals (1,000 simulation draws per set with SEs), the trend of every series,
   the change 2015-2024, beta-convergence (2015-2024 and 2021-2024) and sigma-convergence.
2. Times a 1,000-draw uncertainty and sensitivity analysis of a 20-indicator,
   30-country index (4 dimensions of 5 indicators; synthetic data, seed 1), every
   choice varying: 3 imputations x 3 normalisations x 3 weightings x 2 aggregations,
   weights perturbed by +-25%.

    uv run python benchmarks/run_compare.py [--repeat 5] [--out benchmarks/results/compare.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zaragoza.cli import example_file
from zaragoza.compare._frame import load_observations
from zaragoza.compare.framework import load_framework
from zaragoza.compare.gaps import gaps
from zaragoza.compare.ranks import rank_intervals
from zaragoza.compare.targets import distance_to_target
from zaragoza.compare.trends import beta_convergence, change, sigma_convergence, trend
from zaragoza.compare.uncertainty import uncertainty_analysis
from zaragoza.pipeline import build_default_warehouse


def full_set(path: Path) -> dict[str, Any]:
    phases: dict[str, float] = {}
    rows: dict[str, int] = {}

    def step(name: str, fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        t = time.perf_counter()
        df = fn()
        phases[name] = time.perf_counter() - t
        rows[name] = len(df)
        return df

    cpu0 = time.process_time()
    obs = step("read observations", lambda: load_observations(path))
    step("distance to targets", lambda: distance_to_target(obs))
    step("gaps", lambda: gaps(obs))
    step("rank intervals", lambda: rank_intervals(obs))
    step("trends", lambda: trend(obs))
    step("change 2015-2024", lambda: change(obs, 2015, 2024))
    step("beta 2015-2024", lambda: beta_convergence(obs, 2015, 2024))
    step("beta 2021-2024", lambda: beta_convergence(obs, 2021, 2024))
    step("sigma", lambda: sigma_convergence(obs))
    cpu = time.process_time() - cpu0
    return {"total_s": sum(phases.values()), "cpu_s": cpu, "phases_s": phases, "rows": rows}


def uncertainty_case(tmp: Path, draws: int) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    n_units, n_dims, per_dim = 30, 4, 5
    factors = rng.normal(size=(n_units, n_dims))
    cols = {}
    indicators = []
    for d in range(n_dims):
        for i in range(per_dim):
            name = f"d{d}_i{i}"
            cols[name] = 50 + 10 * factors[:, d] + rng.normal(0, 6, n_units)
            indicators.append(
                {
                    "id": name,
                    "parent": f"d{d}",
                    "weight": 0.2,
                    "direction": "negative" if i == 4 else "positive",
                }
            )
    data = pd.DataFrame(cols, index=[f"U{u:02d}" for u in range(n_units)])
    data.iloc[3, 2] = np.nan  # one missing value, so that imputation matters
    fw_file = tmp / "fw.json.yaml"
    fw_file.write_text(
        json.dumps(
            {
                "id": "bench",
                "title": "benchmark index",
                "index": "index",
                "weights_sum": 1,
                "dimensions": [
                    {"id": f"d{d}", "parent": "index", "weight": 0.25} for d in range(n_dims)
                ],
                "indicators": indicators,
            }
        )
    )
    fw = load_framework(fw_file)
    t, c = time.perf_counter(), time.process_time()
    res = uncertainty_analysis(data, fw, draws=draws, seed=1)
    return {
        "seconds": time.perf_counter() - t,
        "cpu_s": time.process_time() - c,
        "draws": draws,
        "units": n_units,
        "indicators": n_dims * per_dim,
        "widest_rank_interval": float((res.ranks["rank_q95"] - res.ranks["rank_q05"]).max()),
        "sensitivity": dict(
            zip(res.sensitivity["factor"], res.sensitivity["first_order"], strict=True)
        ),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/compare.json"))
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        path = tmp / "w.duckdb"
        build_default_warehouse(path, example_file())
        full = [full_set(path) for _ in range(args.repeat)]
        unc = [uncertainty_case(tmp, args.draws) for _ in range(args.repeat)]
    totals = [r["total_s"] for r in full]
    cpus = [r["cpu_s"] for r in full]
    load = os.getloadavg()[0]
    best = min(full, key=lambda r: r["total_s"])
    secs = [r["seconds"] for r in unc]
    print(
        f"full comparison set: median {statistics.median(totals):.2f} s "
        f"(min {min(totals):.2f}, max {max(totals):.2f}) over {args.repeat} runs"
    )
    print("| phase (fastest run) | s | rows |\n|---|---:|---:|")
    for k, v in best["phases_s"].items():
        print(f"| {k} | {v:.3f} | {best['rows'][k]:,} |")
    print(
        f"\nuncertainty analysis, {args.draws} draws, 20 indicators x 30 countries: "
        f"median {statistics.median(secs):.2f} s (min {min(secs):.2f}, max {max(secs):.2f})"
    )
    print(f"sensitivity (first order): {unc[0]['sensitivity']}")
    print(
        f"CPU time: full set median {statistics.median(cpus):.2f} s, uncertainty median "
        f"{statistics.median(r['cpu_s'] for r in unc):.2f} s; load average at the end {load:.1f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "full_set": {"median_s": statistics.median(totals), "runs": full},
                "uncertainty": {"median_s": statistics.median(secs), "runs": unc},
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
