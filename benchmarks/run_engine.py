"""Performance benchmark of the zaragoza estimation engine, with R ``survey`` as reference.

For each size and design, ``zaragoza.pipeline.estimate_files`` computes every EU-LFS
indicator of the catalogue by citizenship and sex (margins and gaps to nationals included)
from a synthetic EU-LFS Parquet file (3 countries, one year), in a fresh Python process
per run, so the peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``)
belongs to that run alone. Recorded: seconds of the ``estimate_files`` call (file in,
observations out), the child's wall time (interpreter start and imports included), peak
RSS, output rows, and the call's phases (open / validate / estimate). The libraries the
call uses (Ibis and its DuckDB backend) are loaded before the clock, as ``r_survey.R``
loads ``survey`` before its ``system.time``; ``--libraries-in-call`` times their first
import inside the call, as the figures before December 2026 did.

At 1M rows, for the designs ``none`` and ``clustered`` (one R process each), R ``survey``
computes five representative indicators (``benchmarks/r_survey.R``) on the same records
in the same design, by default every cell zaragoza outputs for them (``--r-cells all``:
the fine cells country x citizenship group x sex, the margins FOR / TOTAL and sex T, and
the gaps to nationals, 360 cells), or only the 90 fine cells (``--r-cells fine``).
zaragoza is timed again on exactly those five indicators in that design, so the speed
ratio compares the same work, and the estimates, standard errors and counts are joined
cell by cell.

Usage::

    uv run python benchmarks/run_engine.py                       # 1M and 10M, all designs
    uv run python benchmarks/run_engine.py --repeat 5            # median of 5 runs per case
    uv run python benchmarks/run_engine.py --sizes 1000000 --skip-r --design none

Input files are made once under ``benchmarks/data/`` (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
R_SCRIPT = HERE / "r_survey.R"

COUNTRIES = ("AT", "EL", "SE")
YEAR = 2023
SEED = 1
BY = ["citizen", "sex"]
GAP = "citizen=NAT"
DESIGNS: dict[str, dict[str, str]] = {
    "none": {},
    "clustered": {"strata": "STRATUM", "psu": "PSU"},
    # the same, with DuckDB's memory capped (it spills to disk beyond it)
    "clustered-2GB": {"strata": "STRATUM", "psu": "PSU", "memory_limit": "2GB"},
}
R_SIZE = 1_000_000
R_DESIGNS = ("none", "clustered")  # designs compared with R survey (r_survey.R's DESIGN)
R_INDICATORS = (
    "employment_rate",
    "unemployment_rate",
    "overqualification_rate",
    "early_leavers",
    "temporary_employment_share",
)
FINE_GROUPS = ("NAT", "EU27_2020_FOR", "NEU27_2020_FOR")
TARGET_SECONDS = 15.0
TARGET_PEAK_MB = 3 * 1024
TARGET_SIZE = 10_000_000
TARGET_R_RATIO = 100.0
#: Load the libraries the call uses before timing it (``--libraries-in-call`` clears it).
LIBRARIES_FIRST = True


# --------------------------------------------------------------------------- child


def child_main(spec_path: str) -> None:
    """Run one ``estimate_files`` call as described by a JSON spec; write its result."""
    spec = json.loads(Path(spec_path).read_text())
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()

    from zaragoza.catalog.loader import load_catalog
    from zaragoza.pipeline import estimate_files

    if spec.get("libraries_first", True):
        # the libraries the call imports on first use (Ibis and its DuckDB backend,
        # through the survey's reader), loaded before the clock as r_survey.R loads
        # survey and data.table before its system.time
        import ibis.backends.duckdb  # noqa: F401

        import zaragoza.sources.pisa  # noqa: F401

    imported = time.perf_counter()
    ids = spec["indicators"] or [i.id for i in load_catalog().values() if i.survey == "EU-LFS"]
    t0 = time.perf_counter()
    run = estimate_files(
        [spec["path"]],
        ids,
        by=spec["by"],
        gap=spec["gap"],
        progress=lambda msg: marks.append((msg.split()[0], time.perf_counter())),
        **spec["design"],
    )
    t1 = time.perf_counter()
    at = dict(marks)
    phases = {}
    if {"reading", "validating", "estimating"} <= at.keys():
        phases = {
            "open": at["validating"] - at["reading"],
            "validate": at["estimating"] - at["validating"],
            "estimate": t1 - at["estimating"],
        }
    if spec.get("observations"):
        run.observations.to_parquet(spec["observations"], index=False)
    result = {
        "seconds": t1 - t0,
        "import_seconds": imported - started,
        "libraries_first": spec.get("libraries_first", True),
        "engine_seconds": run.seconds,
        "rows": len(run.observations),
        "records": run.n_rows,
        "n_indicators": len(ids),
        "phases": phases,
    }
    Path(spec["result"]).write_text(json.dumps(result))


# --------------------------------------------------------------------------- parent


@dataclass(frozen=True)
class Limits:
    """Guards for the machine: a child over these is killed and reported as such."""

    max_rss_mb: float = 16 * 1024
    timeout: float = 1800.0


@dataclass
class Measured:
    """What the operating system says about one child process."""

    code: int
    wall: float
    peak_mb: float
    killed: str | None
    load_before: float
    load_after: float


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(cmd: list[str], log: Path, cwd: Path, limits: Limits) -> Measured:
    """Run ``cmd``; return its exit code, wall seconds and its own peak RSS (MB).

    The peak is ``ru_maxrss`` from ``os.wait4`` for this child alone. The child is
    killed if its resident memory or run time passes ``limits``.
    """
    load_before = os.getloadavg()[0]
    killed = None
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss, elapsed = _rss_mb(proc.pid), time.perf_counter() - started
            if killed is None and rss > limits.max_rss_mb:
                killed = f"killed: resident memory passed {limits.max_rss_mb:.0f} MB"
            elif killed is None and elapsed > limits.timeout:
                killed = f"killed: still running after {limits.timeout:.0f} s"
            if killed is not None:
                proc.kill()
            time.sleep(0.1)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # Linux reports KiB
    return Measured(proc.returncode, wall, peak, killed, load_before, os.getloadavg()[0])


def ensure_input(n: int) -> Path:
    """Return the Parquet file of ``n`` synthetic records, writing it if needed."""
    import pyarrow.parquet as pq

    from zaragoza.sources.synthetic import write_lfs

    path = DATA / f"lfs_{n}.parquet"
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == n:
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.part")
    print(f"writing {n:,} records to {path.relative_to(ROOT)}", flush=True)
    write_lfs(tmp, n, countries=COUNTRIES, years=(YEAR,), seed=SEED)
    tmp.replace(path)
    return path


def ensure_csv(parquet: Path) -> Path:
    """Return a CSV copy of ``parquet`` (for R without the arrow package)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = parquet.with_suffix(".csv")
    if path.exists() and path.stat().st_mtime >= parquet.stat().st_mtime:
        return path
    print(f"writing CSV copy {path.relative_to(ROOT)} for R", flush=True)
    tmp = path.with_suffix(".csv.part")
    pacsv.write_csv(pq.read_table(parquet), tmp)
    tmp.replace(path)
    return path


def run_engine(
    path: Path,
    design: str,
    indicators: list[str] | None,
    workdir: Path,
    limits: Limits,
    repeat: int = 1,
    observations: Path | None = None,
) -> dict[str, Any]:
    """Time ``estimate_files`` in a fresh interpreter ``repeat`` times.

    Returns the fastest run's figures (the least disturbed by other load on the
    machine), the median and every run's seconds, and the largest peak RSS.
    """
    tag = f"{path.stem}_{design}_{'all' if indicators is None else len(indicators)}"
    result = workdir / f"{tag}.json"
    spec: dict[str, Any] = {
        "path": str(path),
        "indicators": indicators or [],
        "by": BY,
        "gap": GAP,
        "design": DESIGNS[design],
        "result": str(result),
        "observations": str(observations) if observations else None,
        "libraries_first": LIBRARIES_FIRST,
    }
    spec_path = workdir / f"{tag}.spec.json"
    spec_path.write_text(json.dumps(spec))
    log = workdir / f"{tag}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path)]
    samples: list[dict[str, Any]] = []
    for _ in range(repeat):
        result.unlink(missing_ok=True)
        m = run_measured(cmd, log, workdir, limits)
        sample: dict[str, Any] = {
            "wall_seconds": m.wall,
            "peak_rss_mb": m.peak_mb,
            "load_before": m.load_before,
            "load_after": m.load_after,
        }
        if m.code != 0 or m.killed:
            tail = log.read_text(errors="replace").strip().splitlines()[-15:]
            sample |= {"error": m.killed or f"exit code {m.code}", "log_tail": tail}
            print(f"  FAILED ({sample['error']}):\n    " + "\n    ".join(tail), flush=True)
            return {"design": design, **sample}
        samples.append(sample | json.loads(result.read_text()))
    best = min(samples, key=lambda r: float(r["seconds"]))
    times = [float(r["seconds"]) for r in samples]
    return {
        "design": design,
        **best,
        "seconds_median": statistics.median(times),
        "peak_rss_mb": max(float(r["peak_rss_mb"]) for r in samples),
        "seconds_samples": times,
    }


def r_available() -> bool:
    return shutil.which("Rscript") is not None


def r_has_arrow() -> bool:
    res = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(arrow))"], capture_output=True, check=False
    )
    return res.returncode == 0


def run_r(path: Path, design: str, cells: str, workdir: Path, limits: Limits) -> dict[str, Any]:
    """Run ``r_survey.R`` on ``path`` in ``design`` for ``cells`` (``all`` or ``fine``).

    Returns its timings and the path of its estimates file.
    """
    from zaragoza.catalog.codes import EU27_2020, GROUPED_EU

    arrow = r_has_arrow()
    source = path if arrow else ensure_csv(path)
    est = workdir / f"r_estimates_{design}.csv"
    tim = workdir / f"r_timings_{design}.csv"
    log = workdir / f"r_{design}.log"
    cmd = [
        "Rscript",
        str(R_SCRIPT),
        str(source),
        str(est),
        str(tim),
        ",".join(sorted(EU27_2020 | GROUPED_EU)),
        ",".join(R_INDICATORS),
        design,
        cells,
    ]
    m = run_measured(cmd, log, workdir, limits)
    print("    " + log.read_text(errors="replace").strip().replace("\n", "\n    "), flush=True)
    if m.code != 0 or m.killed:
        raise RuntimeError(f"R failed ({m.killed or m.code}); see the log above")
    steps: dict[str, float] = {}
    for line in tim.read_text().splitlines()[1:]:
        step, secs = line.split(",")
        steps[step] = float(secs)
    estimation = sum(v for k, v in steps.items() if k != "read")
    versions = subprocess.run(
        [
            "Rscript",
            "-e",
            'cat(R.version$major, ".", R.version$minor, " ", '
            'as.character(packageVersion("survey")), sep = "")',
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "design": design,
        "cells": cells,
        "input": str(source.relative_to(ROOT)),
        "r_version": versions[0] if versions else None,
        "survey_version": versions[1] if len(versions) > 1 else None,
        "indicators": list(R_INDICATORS),
        "estimation_seconds": estimation,
        "per_indicator_seconds": {k: steps[k] for k in R_INDICATORS},
        "prep_seconds": steps.get("prep"),
        "design_seconds": steps.get("design"),
        "read_seconds": steps.get("read"),
        "process_wall_seconds": m.wall,
        "process_peak_rss_mb": m.peak_mb,
        "load_before": m.load_before,
        "estimates_file": est,
    }


def compare(zaragoza_obs: Path, r_estimates: Path, cells: str) -> dict[str, Any]:
    """Join R's cells to zaragoza's; return the largest differences.

    The key is (indicator, geo, citizen, sex, compare_to), on zaragoza's rows with
    ``c_birth == "TOTAL"``: all of them for ``cells="all"``, the fine cells (no margin,
    no gap) for ``cells="fine"``. Counts are compared where R gives one (not for gaps).
    """
    import pandas as pd

    key = ["indicator", "geo", "citizen", "sex", "compare_to"]
    z = pd.read_parquet(zaragoza_obs)
    z = z[(z["c_birth"] == "TOTAL") & z["indicator"].isin(R_INDICATORS)]
    if cells == "fine":
        z = z[(z["compare_to"] == "") & z["citizen"].isin(FINE_GROUPS) & z["sex"].isin(["M", "F"])]
    r = pd.read_csv(r_estimates, keep_default_na=False, na_values=[""])
    r["compare_to"] = r["compare_to"].fillna("")
    r = r.rename(columns={"value": "r_value", "se": "r_se", "n": "r_n"})
    m = z.merge(r[[*key, "r_value", "r_se", "r_n"]], on=key, how="outer", indicator=True)
    both = m[m["_merge"] == "both"]
    dv = (both["value"] / 100 - both["r_value"]).abs()
    ds = (both["se"] / 100 - both["r_se"]).abs() / both["r_se"]
    has_n = both["compare_to"] == ""  # R gives no count for a gap
    dn = (both["n"] - both["r_n"]).abs()[has_n]
    return {
        "cells": cells,
        "cells_zaragoza": len(z),
        "cells_r": len(r),
        "cells_matched": len(both),
        "cells_by_kind": {
            "fine": int(
                (has_n & both["citizen"].isin(FINE_GROUPS) & both["sex"].isin(["M", "F"])).sum()
            ),
            "margins": int(
                (has_n & ~(both["citizen"].isin(FINE_GROUPS) & both["sex"].isin(["M", "F"]))).sum()
            ),
            "gaps": int((~has_n).sum()),
        },
        "counts_compared": len(dn),
        "max_abs_diff_value": float(dv.max()),
        "max_rel_diff_se": float(ds.max()),
        "max_abs_diff_n": int(dn.max()),
        "max_abs_diff_value_gaps": float(dv[~has_n].max()) if (~has_n).any() else None,
        "max_rel_diff_se_gaps": float(ds[~has_n].max()) if (~has_n).any() else None,
        # a missing value, SE or count on either side would hide from the maxima
        "cells_not_comparable": int((dv.isna() | ds.isna()).sum() + dn.isna().sum()),
        "note": "values as proportions (zaragoza value/100), SE relative to R's; "
        "counts on the non-gap cells",
    }


def same_numbers(c: dict[str, Any]) -> bool:
    """Every cell on both sides, values to 1e-9, SEs to 1e-6 relative, equal counts."""
    return bool(
        c["cells_matched"] == c["cells_r"] == c["cells_zaragoza"] > 0
        and c.get("cells_not_comparable", 0) == 0
        and c["max_abs_diff_value"] < 1e-9
        and c["max_rel_diff_se"] < 1e-6
        and c["max_abs_diff_n"] == 0
    )


def machine() -> dict[str, Any]:
    """Describe the machine and software the figures come from."""
    import duckdb
    import ibis

    model = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ibis": ibis.__version__,
        "git_commit": git,
        "src_modified": [ln[3:] for ln in dirty if ln.strip()],
    }


def samples_text(run: dict[str, Any]) -> str:
    """``median 2.31 s (2.25, 2.31, 2.90)``."""
    times = ", ".join(f"{t:.2f}" for t in run["seconds_samples"])
    return f"median {run['seconds_median']:.2f} s ({times})"


def fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def markdown(results: dict[str, Any]) -> str:
    """Results as Markdown tables."""
    lines = [
        "| rows | design | indicators | estimate_files s (median) | best | process wall s "
        "| peak RSS MB | output rows | open s | validate s | estimate s | load avg |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["runs"]:
        ph = r.get("phases", {})
        lines.append(
            f"| {r['size']:,} | {r['design']} | {r.get('n_indicators', '-')} "
            f"| {fmt(r.get('seconds_median'))} | {fmt(r.get('seconds'))} "
            f"| {fmt(r['wall_seconds'])} | {fmt(r['peak_rss_mb'], 0)} "
            f"| {r.get('rows', r.get('error', '-'))} | {fmt(ph.get('open'))} "
            f"| {fmt(ph.get('validate'))} | {fmt(ph.get('estimate'))} "
            f"| {fmt(r.get('load_before'), 1)} |"
        )
    for design, rr in results.get("r", {}).items():
        c = rr["comparison"]
        n_ind = len(rr["indicators"])
        lines += [
            "",
            f"R survey {rr['survey_version']} (R {rr['r_version']}) at {R_SIZE:,} rows, "
            f"{n_ind} indicators, {c['cells']} cells, design {design}:",
            "",
            "| | seconds |",
            "|---|---:|",
            f"| R estimation (prep + svydesign + subset/svyby) | {fmt(rr['estimation_seconds'])} |",
            f"| zaragoza estimate_files, same {n_ind} indicators (median) "
            f"| {fmt(rr['zaragoza_seconds'])} |",
            f"| **ratio R / zaragoza (same work)** | **{fmt(rr['ratio'], 1)}x** |",
            f"| zaragoza estimate phase only (no file open/validation; fastest run) "
            f"| {fmt(rr['zaragoza_estimate_phase_seconds'])} |",
            f"| ratio R / zaragoza estimate phase | {fmt(rr['ratio_estimate_phase'], 1)}x |",
            f"| R extrapolated to all {rr['all_indicators']} indicators "
            f"| {fmt(rr['r_all_extrapolated_seconds'])} |",
            f"| zaragoza, all {rr['all_indicators']} indicators (median) "
            f"| {fmt(rr['zaragoza_all_seconds'])} |",
            f"| ratio, all indicators (R extrapolated) | {fmt(rr['ratio_all_extrapolated'], 1)}x |",
            "",
            f"Cells compared: {c['cells_matched']} (zaragoza {c['cells_zaragoza']}, "
            f"R {c['cells_r']}, not comparable {c['cells_not_comparable']}; "
            f"fine {c['cells_by_kind']['fine']}, margins {c['cells_by_kind']['margins']}, "
            f"gaps {c['cells_by_kind']['gaps']}; counts compared {c['counts_compared']}); "
            f"max |value diff| {c['max_abs_diff_value']:.3g}, "
            f"max relative SE diff {c['max_rel_diff_se']:.3g}, "
            f"max |n diff| {c['max_abs_diff_n']}: "
            f"{'same numbers' if same_numbers(c) else 'NOT the same numbers'}.",
        ]
    t = results.get("targets")
    if t:
        lines += ["", "Targets:", ""]
        lines += [
            f"- {k}: {'met' if v['met'] else 'MISSED'} ({v['measured']})" for k, v in t.items()
        ]
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Check the project's targets against what was measured."""
    out: dict[str, Any] = {}
    for r in results["runs"]:
        if r["size"] != TARGET_SIZE or r["indicators"] != "all":
            continue
        if "error" in r:
            out[f"10M rows ({r['design']})"] = {"met": False, "measured": r["error"]}
            continue
        out[f"10M rows in < {TARGET_SECONDS:g} s ({r['design']})"] = {
            "met": r["seconds_median"] < TARGET_SECONDS,
            "measured": f"median {r['seconds_median']:.2f} s, best {r['seconds']:.2f} s",
        }
        out[f"10M rows peak memory < 3 GB ({r['design']})"] = {
            "met": r["peak_rss_mb"] < TARGET_PEAK_MB,
            "measured": f"{r['peak_rss_mb']:.0f} MB",
        }
    for design, rr in results.get("r", {}).items():
        out[
            f"1M rows >= {TARGET_R_RATIO:g}x faster than R survey ({design}, {rr['cells']} cells)"
        ] = {
            "met": rr["ratio"] >= TARGET_R_RATIO,
            "measured": f"{rr['ratio']:.1f}x",
        }
        c = rr["comparison"]
        out[f"same numbers as R ({design}; |dvalue| < 1e-9, rel dSE < 1e-6, equal n)"] = {
            "met": same_numbers(c),
            "measured": f"{c['cells_matched']} cells, {c['max_abs_diff_value']:.2g}, "
            f"{c['max_rel_diff_se']:.2g}, max |dn| {c['max_abs_diff_n']}",
        }
    return out


def r_comparison(
    results: dict[str, Any],
    design: str,
    all_ids: list[str],
    work: Path,
    limits: Limits,
    repeat: int,
    cells: str = "all",
) -> dict[str, Any]:
    """Time zaragoza on the R indicators in ``design``, run R on the same records, compare.

    ``cells``: R computes every cell zaragoza outputs (``all``) or the fine cells only.
    """
    path = ensure_input(R_SIZE)
    obs = work / f"zaragoza_r_subset_{design}.parquet"
    print(
        f"zaragoza: {R_SIZE:,} rows, design {design}, {len(R_INDICATORS)} indicators "
        "(the R subset)",
        flush=True,
    )
    sub = run_engine(path, design, list(R_INDICATORS), work, limits, repeat, observations=obs)
    if "error" in sub:
        raise RuntimeError(f"zaragoza failed on the R indicator subset (design {design})")
    results["runs"].append({"size": R_SIZE, "indicators": "r_subset", **sub})
    print(f"  {samples_text(sub)}, peak {sub['peak_rss_mb']:.0f} MB", flush=True)
    print(
        f"R survey: {R_SIZE:,} rows, design {design}, {len(R_INDICATORS)} indicators, "
        f"{cells} cells",
        flush=True,
    )
    rr = run_r(path, design, cells, work, limits)
    rr["comparison"] = compare(obs, rr.pop("estimates_file"), cells)
    c = rr["comparison"]
    print(
        f"  ratio R / zaragoza {rr['estimation_seconds'] / sub['seconds_median']:.1f}x; "
        f"{c['cells_matched']} cells, max |dvalue| {c['max_abs_diff_value']:.2g}, "
        f"max rel dSE {c['max_rel_diff_se']:.2g}, max |dn| {c['max_abs_diff_n']}: "
        f"{'same numbers' if same_numbers(c) else 'NOT the same numbers'}",
        flush=True,
    )
    full = next(
        (
            r
            for r in results["runs"]
            if r["size"] == R_SIZE
            and r["design"] == design
            and r["indicators"] == "all"
            and "error" not in r
        ),
        None,
    )
    # svydesign is built once; prep and subset/svyby grow with the number of indicators
    once = rr["design_seconds"] or 0.0
    r_all = once + (rr["estimation_seconds"] - once) / len(R_INDICATORS) * len(all_ids)
    estimate_phase = sub.get("phases", {}).get("estimate")
    return rr | {
        "zaragoza_seconds": sub["seconds_median"],
        "zaragoza_best_seconds": sub["seconds"],
        "ratio": rr["estimation_seconds"] / sub["seconds_median"],
        "zaragoza_estimate_phase_seconds": estimate_phase,
        "ratio_estimate_phase": (
            rr["estimation_seconds"] / estimate_phase if estimate_phase else None
        ),
        "all_indicators": len(all_ids),
        "r_all_extrapolated_seconds": r_all,
        "zaragoza_all_seconds": full["seconds_median"] if full else None,
        "ratio_all_extrapolated": r_all / full["seconds_median"] if full else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--sizes",
        default="1000000,10000000",
        help="comma-separated record counts (default: %(default)s)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=HERE / "results" / "engine.json",
        help="JSON results file (default: benchmarks/results/engine.json)",
    )
    p.add_argument("--skip-r", action="store_true", help="do not run the R comparison")
    p.add_argument(
        "--r-cells",
        choices=["all", "fine"],
        default="all",
        help="cells R computes: all (every cell zaragoza outputs: fine cells, margins and "
        "gaps; default) or fine (country x citizenship group x sex only)",
    )
    p.add_argument(
        "--design",
        choices=[*DESIGNS, "both"],
        default="both",
        help="none: no strata/PSU; clustered: STRATUM and PSU; clustered-2GB: the same "
        "with --memory-limit 2GB; both: all of them (default)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="zaragoza runs per case; the median is reported and judged, the fastest run's "
        "phases are shown, all are kept (default: 1)",
    )
    p.add_argument(
        "--max-rss-gb",
        type=float,
        default=16.0,
        help="kill a run whose resident memory passes this (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="kill a run still going after this many seconds (default: %(default)s)",
    )
    p.add_argument(
        "--libraries-in-call",
        action="store_true",
        help="time the first import of Ibis and its DuckDB backend as part of the call "
        "(the figures before December 2026); by default they are loaded before the "
        "clock, as R's library() is",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0
    global LIBRARIES_FIRST  # one setting for the whole run of this script
    LIBRARIES_FIRST = not args.libraries_in_call

    from zaragoza.catalog.loader import load_catalog

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    designs = list(DESIGNS) if args.design == "both" else [args.design]
    limits = Limits(args.max_rss_gb * 1024, args.timeout)
    all_ids = [i.id for i in load_catalog().values() if i.survey == "EU-LFS"]
    results: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "countries": list(COUNTRIES),
            "year": YEAR,
            "seed": SEED,
            "by": BY,
            "gap": GAP,
            "indicators": all_ids,
            "designs": DESIGNS,
            "repeat": args.repeat,
            "r_cells": args.r_cells,
            "libraries_first": LIBRARIES_FIRST,
        },
        "runs": [],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        results["targets"] = targets(results)
        args.out.write_text(json.dumps(results, indent=2) + "\n")

    with tempfile.TemporaryDirectory(prefix="zaragoza-bench-") as tmp:
        work = Path(tmp)
        for n in sizes:
            path = ensure_input(n)
            for design in designs:
                print(
                    f"zaragoza: {n:,} rows, design {design}, all {len(all_ids)} indicators",
                    flush=True,
                )
                run = run_engine(path, design, None, work, limits, args.repeat)
                results["runs"].append({"size": n, "indicators": "all", **run})
                save()
                if "error" not in run:
                    print(
                        f"  {samples_text(run)}, "
                        f"peak {run['peak_rss_mb']:.0f} MB, {run['rows']} rows",
                        flush=True,
                    )
        r_designs = [d for d in R_DESIGNS if d in designs]
        if not args.skip_r and R_SIZE in sizes and r_designs:
            if r_available():
                results["r"] = {}
                for design in r_designs:
                    results["r"][design] = r_comparison(
                        results, design, all_ids, work, limits, args.repeat, args.r_cells
                    )
                    save()
            else:
                print("Rscript not found: skipping the R comparison", flush=True)
    save()
    print()
    print(markdown(results))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
