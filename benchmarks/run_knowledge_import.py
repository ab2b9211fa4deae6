"""Knowledge base import, before and after: ``zaragoza practices import`` of the same
50,000 synthetic practices by two versions of the code, alternately, on one machine.

Each version (``--src LABEL=PATH``, the ``src`` folder of a checkout; put the baseline
first) imports into a database of its own, made empty for every run: a fresh SQLite
portal in a temporary folder, or, with ``--postgres URL`` (a role that may create
databases), a database created on that server for the run and dropped after it. Before
each import, ``zaragoza practices seed`` migrates it and adds the bundled content (not
timed). The runs alternate A B B A ... (``--rounds`` pairs), so that a change in the
machine's load falls on both; the whole command's wall time and the command's own
figure ("imported ... in N s") are recorded with the load average before each run.

The practices come from :mod:`zaragoza.knowledge.synthetic` (labelled ``[Synthetic]``,
for benchmarks only, never shown as real), written once as JSON Lines.

    uv run python benchmarks/run_knowledge_import.py --src main=../main/src --src change=src
        [--postgres postgres://user:pass@127.0.0.1:5432/postgres] [--n 50000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from run_knowledge import _load

from zaragoza.knowledge.synthetic import synthetic_practices


def _cli(src: Path, args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Run ``zaragoza ARGS`` with the code of ``src``; its wall time and output."""
    env = {**env, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", *args],
        env=env, cwd=cwd, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"zaragoza {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return wall, done.stdout + done.stderr


def _psql(admin_url: str, sql: str) -> None:
    """Run ``sql`` on the server of ``admin_url``; its password goes by the environment,
    never on the command line (where ``ps`` shows it)."""
    parts = urlsplit(admin_url)
    env = dict(os.environ)
    if parts.password is not None:
        # a URL carries its password percent-encoded; libpq takes it as it is
        env["PGPASSWORD"] = unquote(parts.password)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    subprocess.run(["psql", url, "-qc", sql], check=True, capture_output=True, env=env)


def one_import(
    label: str, src: Path, records: Path, tmp: Path, postgres: str | None, run: int
) -> dict[str, Any]:
    """One import by the code of ``src`` into an empty database; its figures."""
    home = tmp / f"{label}-{run}"
    home.mkdir()
    env = {
        **os.environ,
        "ZARAGOZA_WAREHOUSE": str(home / "zaragoza.duckdb"),
        "DJANGO_SECRET_KEY": "benchmark-only",
        "ZARAGOZA_PAGE_CACHE": str(home / "pages"),
    }
    env.pop("DATABASE_URL", None)
    name = f"zaragoza_import_{label}_{run}".lower()
    if postgres:
        _psql(postgres, f"DROP DATABASE IF EXISTS {name}")
        _psql(postgres, f"CREATE DATABASE {name}")
        parts = urlsplit(postgres)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    try:
        _cli(src, ["practices", "seed"], env, home)
        load = _load()
        wall, said = _cli(
            src, ["practices", "import", str(records), "--state", "published"], env, home
        )
    finally:
        if postgres:
            _psql(postgres, f"DROP DATABASE IF EXISTS {name}")
    own = float(re.search(r"in ([0-9.]+) s", said).group(1))  # type: ignore[union-attr]
    print(f"  {label}: {own:.1f} s ({wall:.1f} s whole command), load {load[0]}", flush=True)
    return {"version": label, "import_s": own, "wall_s": round(wall, 1), "load_before": load}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--src", action="append", required=True, help="LABEL=PATH, baseline first")
    p.add_argument("--postgres", default=None, help="a PostgreSQL URL (else SQLite)")
    p.add_argument("--n", type=int, default=50_000, help="synthetic practices")
    p.add_argument("--rounds", type=int, default=2, help="pairs of runs, A B then B A")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/knowledge_import.json"))
    args = p.parse_args()
    versions = [(s.split("=", 1)[0], Path(s.split("=", 1)[1]).resolve()) for s in args.src]
    if len(versions) != 2:
        raise SystemExit("give two versions: --src before=PATH --src after=PATH")
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        records = tmp / "synthetic.jsonl"
        with records.open("w", encoding="utf-8") as fh:
            for rec in synthetic_practices(args.n):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        order = []
        for r in range(args.rounds):
            order += versions if r % 2 == 0 else versions[::-1]
        for run, (label, src) in enumerate(order):
            runs.append(one_import(label, src, records, tmp, args.postgres, run))
    summary = {}
    for label, _src in versions:
        own = [r["import_s"] for r in runs if r["version"] == label]
        wall = [r["wall_s"] for r in runs if r["version"] == label]
        summary[label] = {
            "import_s_median": statistics.median(own),
            "wall_s_median": statistics.median(wall),
        }
    (a, _), (b, _) = versions
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        "python": platform.python_version(),
        "database": "postgresql" if args.postgres else "sqlite",
        "practices": args.n,
        "runs": runs,
        "median": summary,
        "ratio_wall": round(summary[a]["wall_s_median"] / summary[b]["wall_s_median"], 2),
        "target_s": 60,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for label, s in summary.items():
        print(
            f"{label}: median {s['import_s_median']:.1f} s "
            f"({s['wall_s_median']:.1f} s whole command)"
        )
    print(f"{a} / {b}, whole command: {result['ratio_wall']}x")


if __name__ == "__main__":
    main()
