"""Benchmark of PISA achievement estimates: the whole command against R survey + mitools.

A synthetic PISA-shaped file (``zaragoza.sources.synthetic_pisa``: students in schools,
80 Fay replicate weights, 10 plausible values in each of reading, mathematics and science,
so 30 plausible values) is written once as CSV under ``benchmarks/data/``. Then, in one
run on the same file and the same cells (the 9 PISA indicators by country x migrant
background x sex, margins included, and the gaps to native students):

* ``zaragoza estimate FILE --by mig_bg,sex --gap mig_bg=NATIVE --out OUT.csv``, the
  whole command as a user runs it (interpreter start, imports, reading, validating,
  estimating, writing), its wall time and peak resident memory (``os.wait4``);
* ``Rscript tests/reference/pisa_survey.R FILE OUT.csv``, the R script that made the
  reference test's golden numbers (``svrepdesign`` over an ``imputationList``, ``svyby``
  + ``svycontrast`` per plausible value, ``MIcombine``), likewise as a whole;

and the two outputs are joined cell by cell (largest value and relative SE difference).

Usage::

    uv run python benchmarks/run_pisa.py                      # 600,000 students
    uv run python benchmarks/run_pisa.py --students 60000     # a smaller file
    uv run python benchmarks/run_pisa.py --skip-r

Results: ``benchmarks/results/pisa.json`` for the full size, ``pisa_<N>.json`` for a
smaller file of N students (and the JSON on standard output).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run_engine import Limits, machine, run_measured  # noqa: E402

COUNTRIES = ("AUT", "DEU", "SWE", "GRC")
STUDENTS_PER_SCHOOL = 25
KEY = ["indicator", "geo", "mig_bg", "sex", "compare_to"]
TARGET_RATIO = 20.0


def ensure_input(students: int) -> Path:
    from zaragoza.sources.synthetic_pisa import write_pisa

    path = HERE / "data" / f"pisa_{students}.csv"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        schools = max(4, students // (len(COUNTRIES) * STUDENTS_PER_SCHOOL))
        print(f"writing about {students:,} students to {path}", flush=True)
        tmp = path.with_suffix(".tmp.csv")
        write_pisa(
            tmp,
            countries=COUNTRIES,
            schools=schools,
            students_per_school=STUDENTS_PER_SCHOOL,
            plausible_values=10,
            seed=1,
        )
        tmp.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=600_000)
    p.add_argument("--skip-r", action="store_true")
    p.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per run")
    args = p.parse_args(argv)
    path = ensure_input(args.students)
    work = Path(tempfile.mkdtemp(prefix="zaragoza-pisa-bench-"))
    limits = Limits(timeout=args.timeout, max_rss_mb=20_000)
    results: dict[str, Any] = {"machine": machine(), "file": path.name,
                               "file_mb": round(path.stat().st_size / 2**20, 1)}  # fmt: skip
    zout = work / "zaragoza.csv"
    exe = shutil.which("zaragoza", path=str(Path(sys.executable).parent)) or "zaragoza"
    cmd = [exe, "estimate", str(path), "--by", "mig_bg,sex", "--gap", "mig_bg=NATIVE",
           "--out", str(zout)]  # fmt: skip
    z = run_measured(cmd, work / "zaragoza.log", ROOT, limits)
    results["zaragoza"] = {"seconds": round(z.wall, 2), "peak_mb": round(z.peak_mb),
                           "exit": z.code, "load": [z.load_before, z.load_after]}  # fmt: skip
    students = None
    if z.code == 0:
        obs = pd.read_csv(zout, keep_default_na=False)
        results["zaragoza"]["cells"] = len(obs)
        total = obs[(obs["mig_bg"] == "TOTAL") & (obs["sex"] == "T") & (obs["compare_to"] == "")]
        students = int(total.groupby("geo")["n"].first().sum())
    results["students"] = students
    if not args.skip_r:
        rout = work / "r.csv"
        rcmd = [
            "Rscript",
            str(ROOT / "tests" / "reference" / "pisa_survey.R"),
            str(path),
            str(rout),
        ]
        r = run_measured(rcmd, work / "r.log", ROOT, limits)
        results["r"] = {"seconds": round(r.wall, 2), "peak_mb": round(r.peak_mb),
                        "exit": r.code, "killed": r.killed}  # fmt: skip
        if r.code == 0 and z.code == 0:
            g = pd.read_csv(rout, keep_default_na=False)
            m = g.merge(obs, on=KEY, suffixes=("_r", ""))
            results["same_cells"] = len(m) == len(g) == len(obs)
            results["max_value_diff"] = float((m["value"] - m["value_r"].astype(float)).abs().max())
            se_r = m["se_r"].astype(float)
            results["max_se_rel_diff"] = float(((m["se"] - se_r).abs() / se_r).max())
            results["ratio"] = round(r.wall / z.wall, 1)
            results["target_ratio_met"] = results["ratio"] >= TARGET_RATIO
    (HERE / "results").mkdir(exist_ok=True)
    name = "pisa.json" if args.students == 600_000 else f"pisa_{args.students}.json"
    (HERE / "results" / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if z.code == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
