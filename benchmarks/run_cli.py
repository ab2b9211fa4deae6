"""The command line: start-up of light commands and the time of ``zaragoza init``.

Runs, each in a fresh process as a user would:

* ``zaragoza --help`` and ``zaragoza catalog list`` ``--repeat`` times each (target: under
  0.5 s wall each, issue 16);
* ``zaragoza init --warehouse <tmp> --force`` ``--init-repeat`` times (target: under
  10 s on the 2-core machine), its standard error piped, so its progress lines are
  timed too (each line starts with the seconds since the command began).

For every run: wall seconds, CPU seconds of the child (user + system, from
``os.wait4``) and the 1-minute load average when it started (other work on a shared
machine slows a run; the CPU seconds are less affected). Prints a Markdown table and
writes ``benchmarks/results/cli.json``.

    uv run python benchmarks/run_cli.py [--repeat 5] [--init-repeat 3]
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
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TARGETS = {"--help": 0.5, "catalog list": 0.5, "init": 10.0}


def _zaragoza() -> str:
    found = shutil.which("zaragoza", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("the zaragoza command is not installed beside this Python")
    return found


def run(argv: list[str]) -> dict[str, Any]:
    """Run one command; return its wall and CPU seconds, load, exit code and stderr."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "load_1min": round(load, 2),
        "stderr": err,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="runs of each light command")
    p.add_argument("--init-repeat", type=int, default=3, help="runs of zaragoza init")
    p.add_argument("--out", type=Path, default=HERE / "results" / "cli.json")
    args = p.parse_args()
    exe = _zaragoza()
    cases: dict[str, list[dict[str, Any]]] = {}
    for name, argv in (("--help", [exe, "--help"]), ("catalog list", [exe, "catalog", "list"])):
        cases[name] = [run(argv) for _ in range(args.repeat)]
        for r in cases[name]:
            r.pop("stderr")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "w.duckdb"
        cases["init"] = []
        for _ in range(args.init_repeat):
            cases["init"].append(run([exe, "init", "--warehouse", str(target), "--force"]))
    # the temporary folder's name is of this run only: the records keep the file's name
    steps = [
        ln.replace(str(target), target.name)
        for ln in cases["init"][-1]["stderr"].splitlines()
        if ln.startswith("[")
    ]
    for r in cases["init"]:
        r.pop("stderr")

    print("| command | runs | wall s, median (min-max) | CPU s, median | load at start | target |")
    print("|---|---:|---:|---:|---:|---|")
    summary = {}
    for name, runs in cases.items():
        walls = [r["wall_s"] for r in runs]
        cpus = [r["cpu_s"] for r in runs]
        loads = [r["load_1min"] for r in runs]
        med = statistics.median(walls)
        verdict = "met" if med < TARGETS[name] else "missed"
        summary[name] = {"median_wall_s": med, "median_cpu_s": statistics.median(cpus)}
        print(
            f"| `zaragoza {name}` | {len(runs)} | {med:.2f} ({min(walls):.2f}-{max(walls):.2f}) "
            f"| {statistics.median(cpus):.2f} | {min(loads):.1f}-{max(loads):.1f} "
            f"| {TARGETS[name]} s: {verdict} |"
        )
    print("\nprogress lines of the last `zaragoza init`:")
    print("\n".join(f"    {s}" for s in steps))
    result = {
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "cases": cases,
        "summary": summary,
        "init_steps": steps,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
