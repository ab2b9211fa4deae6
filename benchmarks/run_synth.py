"""Synthetic-record generation speed: ``zaragoza synth lfs`` and ``zaragoza synth silc``.

Runs each command as its own process (the environment's ``zaragoza`` script, as
``uv run zaragoza synth ...`` does) into a temporary folder and reports the wall time of the
whole command, persons per second, its CPU time (user + system, all threads: on a shared
machine the steadier measure of the work per core) and the process's peak resident
memory (``ru_maxrss`` of that child, from ``os.wait4``). Also reports the time the command
spends before writing anything (interpreter start, imports, reading the bundled tables
for the targets), measured by running it with 1 person, so that the rate of generation
alone can be given.

    uv run python benchmarks/run_synth.py [--persons 10000000] [--repeat 1]

Writes ``benchmarks/results/synth.json``. The records are synthetic: not statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = "AT,EL,SE,DE,FR"
YEARS = "2022,2023"


def run(kind: str, persons: int, out: Path) -> tuple[float, float, float]:
    """Run ``zaragoza synth KIND``; return its wall and CPU seconds and peak RSS in GB."""
    cmd = [str(Path(sys.executable).parent / "zaragoza"), "synth", kind, "--out", str(out)]
    cmd += ["--persons", str(persons), "--countries", COUNTRIES, "--years", YEARS]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024**2  # KiB on Linux


def rows_in(folder: Path) -> int:
    """Persons written: rows of the person files (``part-K.parquet``, or the EU-SILC
    personal register ``part-K-R.parquet``; not the household or personal-data files)."""
    import re

    import pyarrow.parquet as pq

    persons = [p for p in folder.glob("*/*/*.parquet") if re.fullmatch(r"part-\d+(-R)?", p.stem)]
    return sum(pq.read_metadata(p).num_rows for p in persons)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--kinds", default="lfs,silc")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "synth.json")
    args = p.parse_args()
    results = []
    print(
        "| command | persons | wall s | persons per second | without start-up "
        "| CPU s | persons per CPU second | without start-up | peak memory |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.kinds.split(","):
        with tempfile.TemporaryDirectory(prefix="zaragoza-synth-") as tmp:
            start, start_cpu, _ = run(kind, 1, Path(tmp) / "one")
            walls, cpus, peaks = [], [], []
            for i in range(args.repeat):
                folder = Path(tmp) / f"run{i}"
                wall, cpu, peak = run(kind, args.persons, folder)
                assert rows_in(folder) == args.persons
                walls.append(wall)
                cpus.append(cpu)
                peaks.append(peak)
            wall = statistics.median(walls)
            cpu = statistics.median(cpus)
            rate = args.persons / wall
            rate_gen = args.persons / max(wall - start, 1e-9)
            cpu_gen = args.persons / max(cpu - start_cpu, 1e-9)
            peak = max(peaks)
            print(
                f"| synth {kind} | {args.persons:,} | {wall:.1f} | {rate / 1e6:.2f} M "
                f"| {rate_gen / 1e6:.2f} M | {cpu:.1f} | {args.persons / cpu / 1e6:.2f} M "
                f"| {cpu_gen / 1e6:.2f} M | {peak:.2f} GB |"
            )
            results.append(
                {
                    "command": f"zaragoza synth {kind}",
                    "countries": COUNTRIES,
                    "years": YEARS,
                    "persons": args.persons,
                    "wall_s": walls,
                    "startup_s": start,
                    "cpu_s": cpus,
                    "startup_cpu_s": start_cpu,
                    "persons_per_s": rate,
                    "persons_per_s_without_startup": rate_gen,
                    "persons_per_cpu_s": args.persons / cpu,
                    "persons_per_cpu_s_without_startup": cpu_gen,
                    "peak_rss_gb": peaks,
                }
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "processor": platform.processor(), "python": sys.version}
    args.out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
