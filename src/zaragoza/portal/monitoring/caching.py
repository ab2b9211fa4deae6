"""Per-worker memory of rendered answers: bounded in bytes, computed once per key.

Pages and API answers depend only on their canonical URL (the parameters a view reads,
see :func:`canonical_query`) and the warehouse's version, so a worker keeps them in an
LRU cache (``cachetools``) whose budget is counted in bytes of the answers
(``ZARAGOZA_CACHE_MB``, default 128 MB per worker): a client varying a parameter the
view ignores gets the same entry, and a stream of distinct selections evicts old
answers instead of growing the worker. An answer larger than an eighth of the budget is
served but not kept.

When many requests for a key that is not there yet arrive together (a fresh worker under
load), one thread computes it and the others wait for it instead of all computing it at
once. Large downloads (:func:`heavy`) are rendered one at a time per worker: a client
asking for many large, distinct Excel files waits its turn instead of taking every core.

Pages that every worker would otherwise render for itself (the knowledge base's search
and practice pages for anonymous readers) are also kept in a cache the workers share
(:func:`remember_shared`): a ``diskcache`` fan-out cache (SQLite shards beside files for
large values) in ``ZARAGOZA_PAGE_CACHE`` (a folder only the server's user may read and
write, since entries are pickled), bounded to ``ZARAGOZA_PAGE_CACHE_MB`` megabytes. Its
keys carry the versions the caller puts in them, so an entry of an older version is
never read again; the cache evicts the entries stored longest ago as it fills. Django's
file-based cache was used before: it lists its whole folder at every write to decide
whether to cull, some 10 ms at 14,000 entries, twice for each page nobody asked before.
A shard locked for longer than half a second makes a read miss and a write drop (the
page is computed or served, not kept) rather than make the reader wait.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlencode

from cachetools import LRUCache
from diskcache import FanoutCache
from django.conf import settings

__all__ = [
    "SHARDS",
    "STAMPS",
    "BusyError",
    "canonical_query",
    "clear",
    "content_stamp",
    "heavy",
    "keep_shared",
    "recall_shared",
    "remember",
    "remember_shared",
    "shared_cache",
    "size_of",
]

T = TypeVar("T")

# One lock per key being computed, dropped when no thread waits for it: a page computing
# another kept value (a search page and its gap table) takes two different locks, where
# locks shared by checksum could be the same one and the thread would wait for itself.
_PENDING: dict[str, list[Any]] = {}
_GUARD = threading.Lock()
_cache: LRUCache[str, Any] | None = None
_shared: FanoutCache | None = None
_shared_at: tuple[str, int, int] | None = None
_HEAVY = threading.BoundedSemaphore(1)
#: SQLite files of the shared cache: writers to different shards never wait for each other
#: (each SQLite file takes some milliseconds to open, so a few: one per core of a small host).
SHARDS = 2
#: How long a large download waits for the one before it, in seconds.
HEAVY_WAIT = 20.0


class BusyError(Exception):
    """A large download could not start within :data:`HEAVY_WAIT` seconds."""


def size_of(value: Any) -> int:
    """Bytes an answer holds: its body (and a little for status and headers)."""
    if isinstance(value, tuple):
        return sum(size_of(v) for v in value)
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, dict):
        return 64 + sum(len(str(k)) + len(str(v)) for k, v in value.items())
    return 64


def _store() -> LRUCache[str, Any]:
    global _cache
    with _GUARD:
        if _cache is None:
            budget = int(float(getattr(settings, "ZARAGOZA_CACHE_MB", 128)) * 2**20)
            _cache = LRUCache(maxsize=max(budget, 1), getsizeof=size_of)
        return _cache


def shared_cache() -> FanoutCache | None:
    """Return the cache the workers share (``None`` when ``ZARAGOZA_PAGE_CACHE`` is
    ``off``); its folder is made readable and writable by the server's user alone.

    Each process opens its own (a cache opened before a fork would share its SQLite
    connections with the children).
    """
    global _shared, _shared_at
    location = getattr(settings, "ZARAGOZA_PAGE_CACHE", None)
    if location is None:
        return None
    megabytes = int(getattr(settings, "ZARAGOZA_PAGE_CACHE_MB", 1024))
    wanted = (os.path.abspath(location), megabytes, os.getpid())
    with _GUARD:
        if _shared is None or _shared_at != wanted:
            if _shared is not None and _shared_at is not None and _shared_at[2] == wanted[2]:
                _shared.close()
            _shared_at = wanted
            os.makedirs(location, mode=0o700, exist_ok=True)
            os.chmod(location, 0o700)
            _shared = FanoutCache(
                str(location),
                shards=SHARDS,
                timeout=0.5,
                size_limit=megabytes * 2**20,
                eviction_policy="least-recently-stored",
            )
        return _shared


def clear() -> None:
    """Forget every kept answer, the shared ones too (tests; a new budget)."""
    global _cache, _shared
    shared = shared_cache()
    if shared is not None:
        shared.clear()
    with _GUARD:
        _cache = None
        _shared = None


#: Functions returning a stamp of other content a cached page shows (the knowledge base
#: registers the version of its published practices): part of every page's cache key.
STAMPS: list[Callable[[], str]] = []


def content_stamp() -> str:
    """Return the stamps of :data:`STAMPS`, joined."""
    return "|".join(stamp() for stamp in STAMPS)


@contextmanager
def _computing(key: str) -> Iterator[None]:
    """Hold the lock of ``key``: one thread computes it, the others wait for it."""
    with _GUARD:
        entry = _PENDING.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _GUARD:
            entry[1] -= 1
            if entry[1] == 0:
                _PENDING.pop(key, None)


def remember(key: str, make: Callable[[], T]) -> T:
    """Return the kept answer of ``key``, computing it with ``make()`` only once."""
    store = _store()
    with _GUARD:
        value: T | None = store.get(key)
    if value is not None:
        return value
    with _computing(key):
        with _GUARD:
            value = store.get(key)
        if value is None:
            value = make()
            _keep_in_memory(store, key, value)
    return value


def _keep_in_memory(store: LRUCache[str, Any], key: str, value: Any) -> None:
    """Keep ``value`` in this worker's memory unless it would take more than an eighth
    of the budget (served, not kept)."""
    if size_of(value) <= store.maxsize // 8:
        with _GUARD:
            store[key] = value


def remember_shared(key: str, make: Callable[[], T]) -> T:
    """Return the answer of ``key`` from this worker's memory, else from the cache the
    workers share, else computed with ``make()`` once (and kept in both).

    ``key`` must hold everything the answer depends on (versions, language, URL): an
    entry is never invalidated, only never asked for again.
    """
    shared = shared_cache()
    if shared is None:
        return remember(key, make)

    def from_shared() -> T:
        value: T | None = shared.get(key)
        if value is None:
            value = make()
            shared.set(key, value)
        return value

    return remember(key, from_shared)


def recall_shared(key: str) -> Any | None:
    """Return the answer kept under ``key`` in this worker's memory or in the cache the
    workers share (copied into memory when found there), or ``None``: nothing computed."""
    store = _store()
    with _GUARD:
        value = store.get(key)
    if value is not None:
        return value
    shared = shared_cache()
    value = shared.get(key) if shared is not None else None
    if value is not None:
        _keep_in_memory(store, key, value)
    return value


def keep_shared(key: str, value: Any) -> None:
    """Keep ``value`` under ``key`` in this worker's memory and in the shared cache."""
    _keep_in_memory(_store(), key, value)
    shared = shared_cache()
    if shared is not None:
        shared.set(key, value)


@contextmanager
def heavy() -> Iterator[None]:
    """Hold this worker's one slot for rendering a large download.

    Raises
    ------
    BusyError
        The slot did not come free within :data:`HEAVY_WAIT` seconds.
    """
    if not _HEAVY.acquire(timeout=HEAVY_WAIT):
        raise BusyError
    try:
        yield
    finally:
        _HEAVY.release()


def canonical_query(params: Any, allowed: Iterable[str]) -> str:
    """Return the query string of the parameters a view reads, in one canonical form.

    Parameters the view does not read are left out, parameters are sorted, and each
    one's comma-separated or repeated values become one comma-separated list in their
    order (``geo=AT&geo=SE`` and ``geo=AT,SE`` are one key).
    """
    keep = set(allowed)
    pairs: Iterable[tuple[str, Any]] = (
        params.lists() if hasattr(params, "lists") else params.items()
    )
    items = []
    for name, given in sorted(pairs):
        if name not in keep:
            continue
        given = [given] if isinstance(given, str) else list(given)
        values = [p.strip() for v in given for p in str(v).split(",")]
        items.append((name, ",".join(values)))
    return urlencode(items, safe=",")
