"""Knowledge base: how long a practice page takes to make, before and after, in one run.

Each version (``--src LABEL=PATH``, the ``src`` folder of a checkout; the baseline
first) runs in a fresh process on the database of ``--home`` (the SQLite portal beside
its warehouse that ``run_knowledge.py`` fills with 50,000 synthetic practices). The
process warms its per-process caches on 20 pages (facet index, gap table), then makes
``--pages`` other practice pages through the view itself, past the page cache: the
time of a first rendering, without HTTP. Versions alternate for ``--rounds`` rounds, so
that a change of the machine's load touches both; each round takes other pages.

    uv run python benchmarks/run_practice_pages.py --home DIR
        --src main=../main/src --src change=src [--pages 300] [--rounds 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

# Runs inside each version's process: prints milliseconds per page.
_CHILD = r"""
import json, os, random, sys, time
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation
from zaragoza.portal.knowledge import views

pages, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
slugs = [f"synthetic-{rng.randint(1, 50000):06d}" for _ in range(pages + 20)]
factory, view = RequestFactory(), views.practice.__wrapped__  # past the page cache

def page(slug):
    request = factory.get(f"/en/practices/{slug}/")
    request.user, request.session = AnonymousUser(), {}
    request._messages = FallbackStorage(request)
    response = view(request, slug=slug)
    assert response.status_code == 200, (slug, response.status_code)

translation.activate("en")
for slug in slugs[:20]:
    page(slug)
t0 = time.perf_counter()
for slug in slugs[20:]:
    page(slug)
print(json.dumps({"ms_per_page": (time.perf_counter() - t0) / pages * 1000}))
"""


def one(src: Path, home: Path, pages: int, seed: int) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "DJANGO_SETTINGS_MODULE": "zaragoza.portal.settings",
        "ZARAGOZA_WAREHOUSE": str(home / "zaragoza.duckdb"),
        "DJANGO_SECRET_KEY": "benchmark-only",
        "ZARAGOZA_PAGE_CACHE": "off",  # the view is called past the cache anyway
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(pages), str(seed)],
        cwd=home, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"the version in {src} failed:\n{done.stderr[-3000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["ms_per_page"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--home", type=Path, required=True, help="folder of the warehouse")
    p.add_argument("--src", action="append", required=True, help="LABEL=PATH, baseline first")
    p.add_argument("--pages", type=int, default=300)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    versions = [(label, Path(path).absolute()) for label, _, path in
                (item.partition("=") for item in args.src)]  # fmt: skip
    times: dict[str, list[float]] = {label: [] for label, _ in versions}
    for r in range(args.rounds):
        for label, src in versions:
            times[label].append(round(one(src, args.home.absolute(), args.pages, seed=r), 2))
            print(f"round {r + 1}: {label} {times[label][-1]} ms per page", flush=True)
    medians = {label: statistics.median(t) for label, t in times.items()}
    base = versions[0][0]
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "pages_per_round": args.pages,
        "synthetic": True,
        "ms_per_page": times,
        "median_ms": medians,
        "baseline_over_version": {k: round(medians[base] / v, 2) for k, v in medians.items()},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
