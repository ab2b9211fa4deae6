"""Knowledge-base benchmark: 50,000 synthetic practices, import, then search and practice
pages under 20 concurrent clients, on SQLite (the embedded default) and PostgreSQL.

The practices come from :mod:`zaragoza.knowledge.synthetic`: labelled ``[Synthetic]``,
ids ``synthetic-NNNNNN``, for this benchmark only, never shown as real. In a temporary
folder (outside any timing) the script builds the embedded default warehouse (practice
pages show their countries' gaps from it) and writes the records as JSON Lines, then

1. **import**: ``zaragoza practices import FILE --state published`` in a fresh process;
   the wall time of the whole command and the command's own figure (reading,
   validating every record, writing, indexing) are recorded;
2. **load**: ``zaragoza serve`` (gunicorn, one worker per core) on that database; after
   one request per worker to build its facet index, ``wrk`` runs ``--clients``
   connections for ``--duration`` seconds over a list of faceted full-text searches
   (``--queries`` distinct ones: one to three words from the vocabulary, zero to three
   facet filters, some sorts and second pages) and, separately, over ``--pages``
   distinct practice pages. Anonymous readers' pages are kept in each worker's cache
   (as the monitoring pages are), so before the load ``--cold`` searches and pages not
   asked before are timed one at a time: their first rendering.

    uv run python benchmarks/run_knowledge.py [--n 50000] [--duration 30]
        [--postgres postgres://user:pass@127.0.0.1:5432/db]

Needs ``wrk`` (``apt-get install wrk``). The PostgreSQL database must exist and be empty
of Zaragoza tables (the script migrates it). Client and server share the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from run_portal import LUA, _free_port, _stop, _wait

from zaragoza.cli import example_file
from zaragoza.knowledge.synthetic import _WORDS, INDICATORS, synthetic_practices
from zaragoza.knowledge.taxonomy import COUNTRIES, load_taxonomy
from zaragoza.pipeline import build_default_warehouse


def _queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    tax = load_taxonomy()
    facets = {
        "country": list(COUNTRIES[:27]),
        "theme": list(tax.codes("themes")),
        "target_group": list(tax.codes("target_groups")),
        "level": list(tax.codes("level")),
        "evidence": list(tax.codes("evidence")),
        "funding": list(tax.codes("funding")),
        "indicator": list(INDICATORS),
        "year": [str(y) for y in range(2008, 2026)],
    }
    out = []
    for _ in range(n):
        params: list[tuple[str, str]] = [("q", " ".join(rng.sample(_WORDS, rng.randint(1, 2))))]
        for facet in rng.sample(list(facets), rng.randint(0, 3)):
            params.append((facet, rng.choice(facets[facet])))
        if rng.random() < 0.2:
            params.append(("sort", rng.choice(["newest", "title", "start"])))
        if rng.random() < 0.2:
            params.append(("page", "2"))
        out.append("/en/practices/?" + urlencode(params))
    return out


def _wrk(
    base: str, paths: list[str], args: argparse.Namespace, tmp: Path, name: str
) -> dict[str, Any]:
    script = tmp / f"{name}.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.clients),
            "-d",
            f"{args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
            "--",
            str(args.threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    res: dict[str, Any] = json.loads(match.group(1))
    res["requests_per_s"] = round(res["requests"] / res["duration_s"], 1)
    return res


def _first_renderings(base: str, paths: list[str]) -> dict[str, float]:
    """Time each path's first request, one at a time (nothing cached yet)."""
    times = []
    for path in paths:
        t0 = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=120) as r:
            r.read()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(times[len(times) // 2], 1),
        "p95_ms": round(times[int(len(times) * 0.95)], 1),
        "max_ms": round(times[-1], 1),
    }


def _fill(base: str, paths: list[str], clients: int = 4) -> dict[str, float]:
    """Ask every path once, ``clients`` at a time: what fills the page cache."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        with urllib.request.urlopen(base + path, timeout=120) as r:
            r.read()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(get, paths))
    return {"requests": len(paths), "clients": clients, "s": round(time.perf_counter() - t0, 1)}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"zaragoza {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0, done.stdout + done.stderr


def run(
    database: str, args: argparse.Namespace, tmp: Path, warehouse: Path, records: Path
) -> dict[str, Any]:
    env = {
        **os.environ,
        "ZARAGOZA_WAREHOUSE": str(warehouse),
        "DJANGO_SECRET_KEY": "benchmark-only",
    }
    home = tmp / ("sqlite" if database == "sqlite" else "postgres")
    env["ZARAGOZA_PAGE_CACHE"] = str(home / "pages")  # each database its own shared cache
    if database != "sqlite":
        env["DATABASE_URL"] = database
    else:
        env.pop("DATABASE_URL", None)
    home.mkdir()
    _cli(["practices", "seed"], env, home)  # migrate and the bundled content, untimed
    wall, said = _cli(["practices", "import", str(records), "--state", "published"], env, home)
    own = float(re.search(r"in ([0-9.]+) s", said).group(1))  # type: ignore[union-attr]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-c",
        "from zaragoza.cli import app; app()",
        "serve",
        "--port",
        str(port),
        "--warehouse",
        str(warehouse),
    ]
    proc = subprocess.Popen(
        cmd, cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(base, proc, timeout=600)
        queries = _queries(args.queries)
        rng = random.Random(11)
        pages = [
            f"/en/practices/synthetic-{rng.randint(1, args.n):06d}/" for _ in range(args.pages)
        ]
        t0 = time.perf_counter()
        for _ in range(4):  # every worker builds its facet index and its gap table
            for path in ["/en/practices/", "/en/practices/synthetic-000001/"]:
                with urllib.request.urlopen(base + path, timeout=600) as r:
                    r.read()
        warm = time.perf_counter() - t0
        # First renderings, one client: what no page cache can hide.
        cold_search = _first_renderings(base, queries[-args.cold :])
        cold_page = _first_renderings(base, pages[-args.cold :])
        # Under load, cold: the caches hold only the renderings above.
        load_before = _load()
        search = _wrk(base, queries, args, tmp, "search")
        page = _wrk(base, pages, args, tmp, "pages")
        # Under load, warm: every distinct path asked once before.
        fill_search = _fill(base, queries)
        fill_page = _fill(base, pages)
        search_warm = _wrk(base, queries, args, tmp, "search")
        page_warm = _wrk(base, pages, args, tmp, "pages")
        load_after = _load()
    finally:
        _stop(proc)
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "import_wall_s": round(wall, 1),
        "import_s": own,
        "index_warm_up_s": round(warm, 2),
        "load_average_before_after": [load_before, load_after],
        "search": {
            "distinct_paths": len(queries),
            "examples": queries[:5],
            **search,
            "first_rendering": cold_search,
            "warm": {**search_warm, "fill": fill_search},
        },
        "practice_page": {
            "distinct_paths": len(pages),
            **page,
            "first_rendering": cold_page,
            "warm": {**page_warm, "fill": fill_page},
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=50_000, help="synthetic practices")
    p.add_argument("--duration", type=int, default=30, help="seconds per load run")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--queries", type=int, default=2000, help="distinct searches")
    p.add_argument("--pages", type=int, default=5000, help="distinct practice pages")
    p.add_argument("--cold", type=int, default=200, help="first renderings timed alone")
    p.add_argument("--postgres", default=None, help="a PostgreSQL URL to run on as well")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/knowledge.json"))
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "zaragoza.duckdb"
        build_default_warehouse(warehouse, example_file())
        records = tmp / "synthetic.jsonl"
        with records.open("w", encoding="utf-8") as fh:
            for rec in synthetic_practices(args.n):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        runs = [run("sqlite", args, tmp, warehouse, records)]
        if args.postgres:
            runs.append(run(args.postgres, args, tmp, warehouse, records))
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        "python": platform.python_version(),
        "practices": args.n,
        "clients": args.clients,
        "duration_s": args.duration,
        "wrk_threads": args.threads,
        "runs": runs,
        "load_average_at_end": _load(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        "| database | import (command) | search p50/p95/p99 ms | req/s "
        "| page p50/p95/p99 ms | req/s | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        for cache in ("cold", "warm"):
            s, g = r["search"], r["practice_page"]
            if cache == "warm":
                s, g = s["warm"], g["warm"]
            errors = s["non_2xx_3xx"] + s["socket_errors"] + g["non_2xx_3xx"] + g["socket_errors"]
            print(
                f"| {r['database']} ({cache}) | {r['import_s']} s ({r['import_wall_s']} s) | "
                f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f} | "
                f"{s['requests_per_s']} | "
                f"{g['p50_ms']:.1f} / {g['p95_ms']:.1f} / {g['p99_ms']:.1f} | "
                f"{g['requests_per_s']} | {errors} |"
            )
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
