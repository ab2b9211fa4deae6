"""Per-worker memory of rendered answers, computed once per key even under concurrency.

Pages and API answers depend only on their URL and the warehouse's version, so a worker
keeps them in Django's cache (local memory). When many requests for a key that is not
there yet arrive together (a fresh worker under load), one thread computes it and the
others wait for it instead of all computing it at once.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

__all__ = ["STAMPS", "content_stamp", "remember"]

T = TypeVar("T")

# A fixed set of locks, chosen by the key's checksum: bounded memory, and two keys rarely
# share one.
_LOCKS = [threading.Lock() for _ in range(64)]


#: Functions returning a stamp of other content a cached page shows (the knowledge base
#: registers the version of its published practices): part of every page's cache key.
STAMPS: list[Callable[[], str]] = []


def content_stamp() -> str:
    """Return the stamps of :data:`STAMPS`, joined."""
    return "|".join(stamp() for stamp in STAMPS)


def remember(key: str, make: Callable[[], T]) -> T:
    """Return the cached value of ``key``, computing it with ``make()`` only once."""
    value: T | None = cache.get(key)
    if value is not None:
        return value
    with _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]:
        value = cache.get(key)
        if value is None:
            value = make()
            cache.set(key, value)
    return value
