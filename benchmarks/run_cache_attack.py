"""Portal memory under hostile requests: the answer cache must stay within its byte budget.

Builds the embedded default in a temporary folder, starts ``zaragoza serve`` (gunicorn,
``--workers`` workers, ``ZARAGOZA_CACHE_MB`` per worker) and measures the resident memory
of the whole process tree (master and workers, from ``/proc``) after each attack:

1. ``buster``: ``--requests`` SDMX-CSV answers of one selection, each with a new ignored
   parameter (``&_=N``), the attack that grew the workers by 209 MB in 30 requests when
   the cache key held the whole URL;
2. ``distinct``: ``--requests`` different valid selections (indicator x countries x
   format), which the cache must evict to stay within its budget;
3. ``excel``: 16 concurrent whole-selection Excel downloads of distinct selections, the
   most expensive answer (rendered one at a time per worker; the others wait, or are told
   to retry with 503 and ``Retry-After``).

    uv run python benchmarks/run_cache_attack.py [--requests 300] [--workers 2] [--cache-mb 128]

Prints and writes (``benchmarks/results/cache_attack.json``) the memory after each phase,
its growth over the warmed-up baseline, the bound (``--cache-mb`` x workers plus the
answer being rendered) and the status codes seen.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from run_portal import _free_port, _start, _stop, _wait

from zaragoza.cli import example_file
from zaragoza.pipeline import build_default_warehouse

GEOS = ["AT", "BE", "DE", "DK", "EL", "ES", "FI", "FR", "IT", "NL", "PL", "PT", "SE"]
INDICATORS = ["employment_rate", "unemployment_rate", "activity_rate", "naturalisation_rate"]
FORMATS = ["sdmx-csv", "csv", "jsonstat", "json"]


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().split(")")[-1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read()
            return int(r.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--cache-mb", type=float, default=128)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/cache_attack.json"))
    args = p.parse_args()
    os.environ["ZARAGOZA_CACHE_MB"] = str(args.cache_mb)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "zaragoza.duckdb"
        build_default_warehouse(warehouse, example_file())
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = _start(warehouse, tmp, port, args.workers)
        phases: dict[str, Any] = {}
        rss: dict[str, int] = {}  # memory held after each phase
        try:
            _wait(base, proc)
            one = f"{base}/api/v1/observations?indicator=employment_rate&format=sdmx-csv"
            for _ in range(4 * args.workers):  # every worker warmed up on the same answer
                _get(one)
            baseline = _tree_rss(proc.pid)
            t0 = time.perf_counter()
            codes = [_get(f"{one}&_={i}") for i in range(args.requests)]
            phases["buster"] = (time.perf_counter() - t0, codes)
            rss["buster"] = _tree_rss(proc.pid)
            combos = itertools.cycle(
                itertools.product(INDICATORS, itertools.combinations(GEOS, 3), FORMATS)
            )
            t0 = time.perf_counter()
            codes = []
            for _ in range(args.requests):
                ind, geos, fmt = next(combos)
                codes.append(
                    _get(f"{base}/api/v1/observations?indicator={ind}&geo={','.join(geos)}"
                         f"&format={fmt}")
                )  # fmt: skip
            phases["distinct"] = (time.perf_counter() - t0, codes)
            rss["distinct"] = _tree_rss(proc.pid)
            urls = [f"{base}/api/v1/observations?source=published&time={y}&format=xlsx"
                    for y in range(2009, 2025)]  # fmt: skip
            t0 = time.perf_counter()
            with ThreadPoolExecutor(len(urls)) as pool:
                codes = list(pool.map(_get, urls))
            phases["excel"] = (time.perf_counter() - t0, codes)
            rss["excel"] = _tree_rss(proc.pid)
        finally:
            _stop(proc)
    bound = args.cache_mb * args.workers
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "workers": args.workers,
        "cache_mb_per_worker": args.cache_mb,
        "requests_per_phase": args.requests,
        "baseline_mb": round(baseline / 2**20, 1),
        "bound_mb": bound,
        "phases": {},
    }
    print(f"baseline (warmed up, {args.workers} workers): {baseline / 2**20:.0f} MB; "
          f"cache bound {bound:.0f} MB")  # fmt: skip
    print("\n| phase | requests | s | statuses | memory MB | growth MB |")
    print("|---|---:|---:|---|---:|---:|")
    for name, (secs, codes) in phases.items():
        statuses = {str(c): codes.count(c) for c in sorted(set(codes))}
        growth = (rss[name] - baseline) / 2**20
        result["phases"][name] = {
            "requests": len(codes), "seconds": round(secs, 2), "statuses": statuses,
            "memory_mb": round(rss[name] / 2**20, 1), "growth_mb": round(growth, 1),
        }  # fmt: skip
        shown = ", ".join(f"{k}: {v}" for k, v in statuses.items())
        print(f"| {name} | {len(codes)} | {secs:.1f} | {shown} | {rss[name] / 2**20:.0f} | "
              f"{growth:+.0f} |")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
