"""The figure a user meets: the whole ``zaragoza estimate`` command against the whole
R ``survey`` script, on the same CSV file and the same cells, in one run.

Employment and unemployment rates by country-year x citizenship x sex (with the margins
and the gaps to nationals), strata and PSUs, on 1M synthetic EU-LFS records written as
CSV (``benchmarks/data/lfs_1000000.csv``, made once and reused, outside any timing):

* zaragoza: ``zaragoza estimate FILE.csv --indicators employment_rate,unemployment_rate
  --by citizen,sex --gap citizen=NAT --strata STRATUM --psu PSU --out OUT.parquet``, a
  fresh process from start to exit (interpreter start, imports, reading and validating
  the CSV, estimation, writing);
* R: ``Rscript r_survey.R FILE.csv ...`` (the reference cells of ``run_engine.py``, the
  same design ``svydesign(ids = ~PSU, strata = ~STRATUM, weights = ~COEFF, nest = TRUE)``),
  also from start to exit: reading the CSV with ``data.table::fread`` included.

Both results are joined cell by cell (values to 1e-9, SEs to 1e-6 relative, counts
equal) before any time is reported. Run:

    uv run python benchmarks/run_command.py [--repeat 3] [--rows 1000000]

It prints a Markdown table and writes ``benchmarks/results/command.json``. The issue's
target is a ratio of at least 20 (R's seconds over zaragoza's) for the whole command.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run_engine as eng  # noqa: E402  (the shared helpers of the engine benchmark)

INDICATORS = ("employment_rate", "unemployment_rate")
TARGET_RATIO = 20.0


def zaragoza_command(csv: Path, out: Path) -> list[str]:
    exe = Path(sys.executable).with_name("zaragoza")
    return [
        str(exe), "estimate", str(csv), "--indicators", ",".join(INDICATORS),
        "--by", "citizen,sex", "--gap", "citizen=NAT", "--strata", "STRATUM",
        "--psu", "PSU", "--out", str(out),
    ]  # fmt: skip


def r_command(csv: Path, est: Path, tim: Path) -> list[str]:
    from zaragoza.catalog.codes import EU27_2020, GROUPED_EU

    return [
        "Rscript", str(eng.R_SCRIPT), str(csv), str(est), str(tim),
        ",".join(sorted(EU27_2020 | GROUPED_EU)), ",".join(INDICATORS), "clustered", "all",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="records (default 1,000,000)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each side (median reported)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "command.json")
    args = p.parse_args(argv)
    if not eng.r_available():
        print("Rscript not found: this benchmark compares with R survey", file=sys.stderr)
        return 2
    csv = eng.ensure_csv(eng.ensure_input(args.rows))
    limits = eng.Limits()
    runs: dict[str, list[dict[str, Any]]] = {"zaragoza": [], "r": []}
    with tempfile.TemporaryDirectory(prefix="zaragoza-command-") as tmp:
        work = Path(tmp)
        obs, est, tim = work / "zaragoza.parquet", work / "r.csv", work / "r_timings.csv"
        for k in range(args.repeat):
            for side, cmd in (
                ("zaragoza", zaragoza_command(csv, obs)),
                ("r", r_command(csv, est, tim)),
            ):
                print(f"run {k + 1}/{args.repeat}: {side}", flush=True)
                m = eng.run_measured(cmd, work / f"{side}.log", work, limits)
                if m.code != 0 or m.killed:
                    print((work / f"{side}.log").read_text(errors="replace")[-3000:])
                    raise SystemExit(f"{side} failed: {m.killed or m.code}")
                runs[side].append({"wall_seconds": m.wall, "peak_rss_mb": m.peak_mb,
                                   "load_before": m.load_before})  # fmt: skip
        checked = eng.compare(obs, est, "all")
    if not eng.same_numbers(checked):
        print(json.dumps(checked, indent=2))
        raise SystemExit("zaragoza and R disagree: no time is reported")
    med = {s: statistics.median(r["wall_seconds"] for r in runs[s]) for s in runs}
    ratio = med["r"] / med["zaragoza"]
    result = {
        "machine": eng.machine(),
        "rows": args.rows,
        "input": str(csv.relative_to(eng.ROOT)),
        "indicators": list(INDICATORS),
        "zaragoza_command": " ".join(
            zaragoza_command(csv.relative_to(eng.ROOT), Path("OUT.parquet"))[1:]
        ),
        "runs": runs,
        "median_wall_seconds": med,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "met": ratio >= TARGET_RATIO,
        "numbers": checked,
        "pythondontwritebytecode": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    z, r = runs["zaragoza"], runs["r"]
    print("\n| whole command, 1M-record CSV, strata + PSUs | wall s (median) | peak RSS MB |")
    print("|---|---|---|")
    print(f"| zaragoza estimate | {med['zaragoza']:.1f} | {max(x['peak_rss_mb'] for x in z):.0f} |")
    print(f"| R survey script | {med['r']:.1f} | {max(x['peak_rss_mb'] for x in r):.0f} |")
    verdict = "met" if result["met"] else "missed"
    print(f"\nratio {ratio:.1f}x (target {TARGET_RATIO:.0f}x: {verdict}); "
          f"{checked['cells_matched']} cells equal to R")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
