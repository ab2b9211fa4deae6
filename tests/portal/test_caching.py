"""The workers' memory of rendered answers: a kept value computed while computing
another (a page and its gap table) never waits for itself; the cache the workers share
keeps to its bound."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from zaragoza.portal.monitoring import caching


def test_nested_computations_of_many_keys_finish() -> None:
    """70 keys computed one inside the other in one thread: with locks shared by
    checksum (64 of them) two would share a lock and the thread would wait forever."""
    done: list[int] = []

    def nested(depth: int) -> int:
        if depth == 70:
            return depth
        return caching.remember(f"nested-test:{depth}", lambda: nested(depth + 1))

    worker = threading.Thread(target=lambda: done.append(nested(0)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert done == [70]
    assert not caching._PENDING  # no lock left behind


def test_one_thread_computes_a_key_the_others_wait_for() -> None:
    calls: list[int] = []
    start = threading.Barrier(8)

    def make() -> str:
        calls.append(1)
        return "answer"

    def ask() -> None:
        start.wait()
        assert caching.remember("shared-test", make) == "answer"

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert calls == [1]


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the portal's settings in a fresh interpreter with ``env`` set."""
    return subprocess.run(
        [sys.executable, "-c", "import zaragoza.portal.settings"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_the_former_entry_bound_of_the_shared_cache_is_refused_not_ignored() -> None:
    done = _settings_with(ZARAGOZA_PAGE_CACHE_ENTRIES="5000")
    assert done.returncode != 0
    assert "ZARAGOZA_PAGE_CACHE_MB" in done.stderr
    bad = _settings_with(ZARAGOZA_PAGE_CACHE_MB="lots")
    assert bad.returncode != 0
    assert "ZARAGOZA_PAGE_CACHE_MB must be a whole number" in bad.stderr


def test_the_shared_cache_holds_its_megabytes_and_evicts_the_oldest(
    settings: Any, tmp_path: Path
) -> None:
    settings.ZARAGOZA_PAGE_CACHE = tmp_path / "pages"
    settings.ZARAGOZA_PAGE_CACHE_MB = 1
    caching.clear()
    shared = caching.shared_cache()
    assert shared is not None
    assert (tmp_path / "pages").stat().st_mode & 0o777 == 0o700
    # Pages of 10 kB, three megabytes of them: past its bound a shard removes the ten
    # entries stored longest ago at each write, so the newest pages stay.
    page = b"x" * 10_000
    for i in range(300):
        caching.keep_shared(f"page-{i}", page)
    assert shared.volume() <= 1.2 * 2**20
    assert all(shared.get(f"page-{i}") == page for i in range(280, 300))
    assert shared.get("page-0") is None
    caching.clear()
