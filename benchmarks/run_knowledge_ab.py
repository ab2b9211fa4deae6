"""Knowledge base, before and after: the same database served by two versions of the
code, back to back (a shorter run than ``run_knowledge.py``, for a shared machine).

Each version (``--src LABEL=PATH``, the ``src`` folder of a checkout; put the baseline
first) serves the database of ``--home`` (an SQLite portal beside its warehouse, or
``--database`` for PostgreSQL) already holding the 50,000 synthetic practices that
``run_knowledge.py`` imports. For each: 4 warm-up rounds (facet index, gap table), the
first renderings of 50 searches and 50 practice pages one at a time, ``wrk`` (20
connections, 2 threads) over ``--queries`` distinct searches and ``--pages`` distinct
practice pages with the caches nearly empty (cold), then every distinct path asked once
(4 clients: the fill) and ``wrk`` again (warm). The load average is recorded before and
after.

    uv run python benchmarks/run_knowledge_ab.py --home DIR [--database URL]
        --src main=../main/src --src branch=src [--duration 15] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from run_knowledge import _fill, _first_renderings, _load, _queries
from run_portal import LUA, _free_port, _stop, _wait


def _wrk(base: str, paths: list[str], duration: int, tmp: Path) -> dict[str, Any]:
    script = tmp / "paths.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "20", "-d", f"{duration}s", "--timeout", "10s",
         "-s", str(script), base, "--", "2"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    res: dict[str, Any] = json.loads(match.group(1))
    res["requests_per_s"] = round(res["requests"] / res["duration_s"], 1)
    return res


def start(
    label: str, src: Path, home: Path, database: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    """``zaragoza serve`` with the code of ``src`` on the database of ``home`` (or
    ``database``), with a page cache of its own; its process and base URL, once up."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), str(Path(__file__).parent)]),
        "ZARAGOZA_WAREHOUSE": str(home / "zaragoza.duckdb"),
        "DJANGO_SECRET_KEY": "benchmark-only",
        "ZARAGOZA_PAGE_CACHE": str(home / f"pages-{label}-{int(time.time())}"),
    }
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", "serve",
         "--port", str(port), "--warehouse", str(home / "zaragoza.duckdb")],
        cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(base, proc, timeout=600)
    except BaseException:
        _stop(proc)
        raise
    return proc, base


def paths(queries: int, pages: int) -> tuple[list[str], list[str]]:
    """The first ``queries`` searches and ``pages`` practice pages of ``run_knowledge.py``."""
    rng = random.Random(11)
    page_paths = [f"/en/practices/synthetic-{rng.randint(1, 50000):06d}/" for _ in range(5000)]
    return _queries(2000)[:queries], page_paths[:pages]


def arguments(description: str, duration: int) -> argparse.ArgumentParser:
    """The options this script and ``run_knowledge_warm.py`` share."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--home", type=Path, required=True, help="folder of the warehouse")
    p.add_argument("--database", default=None, help="a PostgreSQL URL (default SQLite)")
    p.add_argument("--src", action="append", required=True, help="LABEL=PATH, baseline first")
    p.add_argument("--duration", type=int, default=duration)
    p.add_argument("--queries", type=int, default=400)
    p.add_argument("--pages", type=int, default=1000)
    p.add_argument("--out", type=Path, default=None)
    return p


def one(label: str, src: Path, args: argparse.Namespace) -> dict[str, Any]:
    proc, base = start(label, src, args.home, args.database)
    try:
        queries, pages = paths(args.queries, args.pages)
        t0 = time.perf_counter()
        for _ in range(4):
            for path in ["/en/practices/", "/en/practices/synthetic-000001/"]:
                with urllib.request.urlopen(base + path, timeout=600) as r:
                    r.read()
        res: dict[str, Any] = {
            "label": label,
            "warm_up_s": round(time.perf_counter() - t0, 1),
            "load_before": _load(),
        }
        res["first_search"] = _first_renderings(base, queries[-50:])
        res["first_page"] = _first_renderings(base, pages[-50:])
        res["cold_search"] = _wrk(base, queries, args.duration, args.home)
        res["cold_page"] = _wrk(base, pages, args.duration, args.home)
        res["fill_search"] = _fill(base, queries)
        res["fill_page"] = _fill(base, pages)
        res["warm_search"] = _wrk(base, queries, args.duration, args.home)
        res["warm_page"] = _wrk(base, pages, args.duration, args.home)
        res["load_after"] = _load()
    finally:
        _stop(proc)
    print(json.dumps(res), flush=True)
    return res


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], duration=15).parse_args()
    runs = []
    for item in args.src:
        label, _, path = item.partition("=")
        runs.append(one(label, Path(path).absolute(), args))
    if args.out:
        args.out.write_text(json.dumps(runs, indent=1) + "\n")


if __name__ == "__main__":
    main()
