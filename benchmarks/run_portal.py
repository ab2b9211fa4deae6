"""Portal load test: cold start, then 20 concurrent clients on pages and on the API.

Builds the embedded default warehouse in a temporary folder (outside any timing), then

1. **cold start**: starts ``zaragoza serve`` on that existing warehouse, ``--repeat``
   times, and measures the time from launching the process to the first successful
   response of the home page (the Django database is migrated on the first start only,
   as for a user who starts the portal a second time);
2. **load**: with the server up, runs ``wrk`` (C, HTTP/1.1 keep-alive) with
   ``--clients`` connections on ``--threads`` threads for ``--duration`` seconds, once over
   a list of pages and once over a list of API queries; each connection cycles through
   the list. Prints requests, errors (non-2xx/3xx and socket errors), requests per second
   and the 50th/95th/99th latency percentiles, and writes them as JSON.

    uv run python benchmarks/run_portal.py [--duration 60] [--clients 20] [--repeat 5]

Needs ``wrk`` (``apt-get install wrk``). Client and server share the machine: wrk's
threads take CPU from the server's workers, as on any single-host load test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from zaragoza.cli import example_file
from zaragoza.pipeline import build_default_warehouse

PAGES = [
    "/en/",
    "/en/indicators/employment_rate/?geo=AT",
    "/fr/indicators/unemployment_rate/?geo=DE&sex=F",
    "/en/countries/AT/",
    "/de/countries/SE/",
    "/en/compare/?geo=AT,DE,FR&indicator=employment_rate",
    "/en/data/?indicator=employment_rate&geo=AT",
]
API = [
    "/api/v1/indicators",
    "/api/v1/observations?indicator=employment_rate",
    "/api/v1/observations?indicator=employment_rate&geo=AT,DE,FR&format=csv",
    "/api/v1/observations?indicator=unemployment_rate&citizen=NAT,NEU27_2020_FOR&sex=F",
    "/api/v1/observations?indicator=employment_rate&geo=SE&format=jsonstat",
    "/api/v1/observations?indicator=naturalisation_rate&format=sdmx-csv",
]

# wrk: cycle through the paths; at the end print the figures as one JSON line.
# Each wrk thread runs its own copy of the script: thread k of T asks paths k, k+T, ...
# (T is the script's argument, k set by setup), so that no two threads ask the same path
# at once and a cold run's paths are really asked once each before any is asked again.
LUA = """
local paths = {%s}
local created = 0
setup = function(thread)
  thread:set("offset", created)
  created = created + 1
end
local step, i = 1, nil
init = function(args)
  step = tonumber(args[1] or "1")
end
request = function()
  if i == nil then i = offset or 0 end
  local path = paths[i %% #paths + 1]
  i = i + step
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_s": %%.3f, "non_2xx_3xx": %%d, "socket_errors": %%d, '
    .. '"p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(warehouse: Path, home: Path, port: int, workers: int | None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from zaragoza.cli import app; app()", "serve",
           "--port", str(port), "--warehouse", str(warehouse)]  # fmt: skip
    if workers:
        cmd += ["--workers", str(workers)]
    return subprocess.Popen(
        cmd, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ
    )


def _wait(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> float:
    t0 = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(base + "/en/", timeout=5) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > timeout:
            raise SystemExit("the portal did not start")
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _check(base: str, paths: list[str]) -> None:
    """Every path must answer 200 before it is measured."""
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            if r.status != 200:
                raise SystemExit(f"{path}: HTTP {r.status}")


def _wrk(base: str, paths: list[str], args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    script = tmp / "paths.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.clients), "-d", f"{args.duration}s",
         "--timeout", "10s", "-s", str(script), base, "--", str(args.threads)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    res: dict[str, Any] = json.loads(match.group(1))
    res["requests_per_s"] = round(res["requests"] / res["duration_s"], 1)
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=int, default=60, help="seconds per load run")
    p.add_argument("--clients", type=int, default=20, help="concurrent connections")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: cores)")
    p.add_argument("--repeat", type=int, default=5, help="cold starts to time")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/portal.json"))
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "zaragoza.duckdb"
        build_default_warehouse(warehouse, example_file())
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        # The first start migrates Django's database; it is not a cold start with an
        # existing set-up, so it is made (and timed) apart.
        proc = _start(warehouse, tmp, port, args.workers)
        first = _wait(base, proc)
        _stop(proc)
        starts = []
        for _ in range(args.repeat):
            proc = _start(warehouse, tmp, port, args.workers)
            starts.append(_wait(base, proc))
            _stop(proc)
        proc = _start(warehouse, tmp, port, args.workers)
        try:
            _wait(base, proc)
            _check(base, PAGES + API)
            pages = _wrk(base, PAGES, args, tmp)
            api = _wrk(base, API, args, tmp)
        finally:
            _stop(proc)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        "python": platform.python_version(),
        "clients": args.clients,
        "duration_s": args.duration,
        "wrk_threads": args.threads,
        "first_start_s": round(first, 2),
        "cold_start_s": sorted(round(s, 2) for s in starts),
        "pages": {"paths": PAGES, **pages},
        "api": {"paths": API, **api},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"first start (migrates Django's database): {first:.2f} s")
    print(f"cold start, existing warehouse: median {sorted(starts)[len(starts) // 2]:.2f} s, "
          f"worst {max(starts):.2f} s")  # fmt: skip
    print("\n| load | requests | req/s | errors | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in (("pages", pages), ("API", api)):
        errors = r["non_2xx_3xx"] + r["socket_errors"]
        print(f"| {name} | {r['requests']:,} | {r['requests_per_s']:,} | {errors} | "
              f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} |")  # fmt: skip
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
