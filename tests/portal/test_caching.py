"""The workers' memory of rendered answers: a kept value computed while computing
another (a page and its gap table) never waits for itself."""

from __future__ import annotations

import threading

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
