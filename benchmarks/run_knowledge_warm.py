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

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from run_knowledge import _fill
from run_knowledge_ab import _wrk, arguments, paths, start
from run_portal import _stop


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], duration=10).parse_args()
    home = args.home.absolute()
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for item in args.src:  # one at a time: each migrates the database when it starts
            label, _, src = item.partition("=")
            servers[label] = start(label, Path(src).absolute(), home, args.database)
        queries, pages = paths(args.queries, args.pages)
        runs: list[dict[str, Any]] = []
        for label, (_proc, base) in servers.items():
            runs.append({"label": label, "fill": [_fill(base, queries), _fill(base, pages)]})
        labels = list(servers)
        for order in (labels, labels[::-1]):
            for label in order:
                for kind, asked in (("search", queries), ("page", pages)):
                    res = _wrk(servers[label][1], asked, args.duration, home)
                    res |= {"label": label, "kind": kind, "load_1min": round(os.getloadavg()[0], 2)}
                    print(json.dumps(res), flush=True)
                    runs.append(res)
    finally:
        for proc, _base in servers.values():
            _stop(proc)
    if args.out:
        args.out.write_text(json.dumps(runs, indent=1) + "\n")


if __name__ == "__main__":
    main()
