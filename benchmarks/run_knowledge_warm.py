"""Knowledge base, kept pages only: two versions of the code serving the same database at
once, each asked alternately under 20 concurrent clients (a short A/B of the warm case).

Both versions (``--src LABEL=PATH``, the ``src`` folder of a checkout, baseline first)
serve the database of ``--home`` (an SQLite portal beside its warehouse, or
``--database`` for PostgreSQL) holding the 50,000 synthetic practices that
``run_knowledge.py`` imports, each with its own page cache. Every one of ``--queries``
distinct searches and ``--pages`` distinct practice pages is asked once (4 clients: the
fill); then ``wrk`` (20 connections, 2 threads, ``--duration`` seconds) runs over the
searches and over the pages, for each version in turn, in the order A B then B A, so
that a drift in the machine's load falls on both.

    uv run python benchmarks/run_knowledge_warm.py --home DIR [--database URL]
        --src main=../main/src --src branch=src [--duration 10] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from run_knowledge import _fill, _queries
from run_knowledge_ab import _wrk
from run_portal import _free_port, _stop, _wait


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--home", type=Path, required=True, help="folder of the warehouse")
    p.add_argument("--database", default=None, help="a PostgreSQL URL (default SQLite)")
    p.add_argument("--src", action="append", required=True, help="LABEL=PATH, baseline first")
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--queries", type=int, default=400)
    p.add_argument("--pages", type=int, default=1000)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    home = args.home.absolute()
    warehouse = home / "zaragoza.duckdb"
    procs: dict[str, subprocess.Popen[bytes]] = {}
    bases: dict[str, str] = {}
    try:
        for item in args.src:
            label, _, src = item.partition("=")
            env = {
                **os.environ,
                "PYTHONPATH": str(Path(src).absolute()),
                "ZARAGOZA_WAREHOUSE": str(warehouse),
                "DJANGO_SECRET_KEY": "benchmark-only",
                "ZARAGOZA_PAGE_CACHE": str(home / f"pages-{label}-{int(time.time())}"),
            }
            env.pop("DATABASE_URL", None)
            if args.database:
                env["DATABASE_URL"] = args.database
            port = _free_port()
            procs[label] = subprocess.Popen(
                [sys.executable, "-c", "from zaragoza.cli import app; app()", "serve",
                 "--port", str(port), "--warehouse", str(warehouse)],
                cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            bases[label] = f"http://127.0.0.1:{port}"
            _wait(bases[label], procs[label], timeout=600)  # one at a time: migrations
        queries = _queries(2000)[: args.queries]
        rng = random.Random(11)
        pages = [f"/en/practices/synthetic-{rng.randint(1, 50000):06d}/" for _ in range(5000)]
        pages = pages[: args.pages]
        runs = []
        for label, base in bases.items():
            runs.append({"label": label, "fill": [_fill(base, queries), _fill(base, pages)]})
        labels = list(bases)
        for order in (labels, labels[::-1]):
            for label in order:
                for kind, paths in (("search", queries), ("page", pages)):
                    res = _wrk(bases[label], paths, args.duration, home)
                    res |= {"label": label, "kind": kind, "load_1min": round(os.getloadavg()[0], 2)}
                    print(json.dumps(res), flush=True)
                    runs.append(res)
    finally:
        for proc in procs.values():
            _stop(proc)
    if args.out:
        args.out.write_text(json.dumps(runs, indent=1) + "\n")


if __name__ == "__main__":
    main()
