"""Read access to the warehouse for the portal and the API: filtered observation cells.

The portal never writes. Each process keeps one read-only DuckDB connection per
warehouse file and hands every query a cursor of its own, so threads of a server worker
can read at the same time. When the file is replaced (``zaragoza init --force`` builds
under another name and renames), the next query notices the new modification time and
reopens it.

Suppression is enforced here, not in templates: a cell whose flag holds ``c`` (below the
publication limit) is returned with its value, standard error, interval and coefficient
of variation empty, whatever the warehouse holds.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from zaragoza.errors import UsageError

__all__ = [
    "FILTER_DIMENSIONS",
    "PUBLIC_COLUMNS",
    "ObservationFilter",
    "WarehouseReader",
    "WarehouseVersion",
    "parse_list",
    "reader_for",
]

#: The columns a public client sees (``run_id`` is provenance, kept for ``runs``).
PUBLIC_COLUMNS = [
    "indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "compare_to",
    "value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing", "flag", "source",
]  # fmt: skip
#: Dimensions a query may filter on, each with a list of codes.
FILTER_DIMENSIONS = ("indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "source")
_SUPPRESSED = ("value", "se", "ci_lo", "ci_hi", "cv")
_ORDER = "indicator, source, geo, time, compare_to, citizen, c_birth, sex, age"


@dataclass(frozen=True)
class ObservationFilter:
    """A selection of cells: each dimension a list of codes (empty: every code).

    ``compare_to`` selects level rows (``""``, the default ``("",)``), gap rows (``"NAT"``)
    or both (``()``).
    """

    indicator: tuple[str, ...] = ()
    geo: tuple[str, ...] = ()
    time: tuple[int, ...] = ()
    citizen: tuple[str, ...] = ()
    c_birth: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    age: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    compare_to: tuple[str, ...] = field(default=("",))

    def where(self) -> tuple[str, list[Any]]:
        """Return the SQL ``WHERE`` clause (or ``""``) and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        for f in fields(self):
            values = getattr(self, f.name)
            if values:
                parts.append(f"{f.name} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return (" WHERE " + " AND ".join(parts) if parts else ""), params


@dataclass(frozen=True)
class WarehouseVersion:
    """What identifies the warehouse's content: for ETag and Last-Modified headers."""

    tag: str
    modified: datetime


class WarehouseReader:
    """Read-only, thread-safe access to one warehouse file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._version: WarehouseVersion | None = None
        self._cache: dict[str, Any] = {}

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise UsageError(
                "warehouse not found",
                file=str(self.path),
                hint="Build it with `zaragoza init` (or let `zaragoza serve` build it)",
            ) from None
        stamp = (st.st_mtime_ns, st.st_ino)
        with self._lock:
            if self._con is None or stamp != self._stamp:
                if self._con is not None:
                    self._con.close()
                self._con = duckdb.connect(str(self.path), read_only=True)
                self._stamp = stamp
                self._version = None
                self._cache = {}
            return self._con.cursor()

    def _memo(self, key: str, sql: str) -> Any:
        cur = self._cursor()
        try:
            if key not in self._cache:
                self._cache[key] = cur.execute(sql).df()
            return self._cache[key]
        finally:
            cur.close()

    def version(self) -> WarehouseVersion:
        """Return the content version: the latest load's id and time."""
        cur = self._cursor()
        try:
            if self._version is None:
                row = cur.execute(
                    "SELECT max(loaded_at), string_agg(run_id, ',' ORDER BY run_id), count(*) "
                    "FROM runs"
                ).fetchone()
                assert row is not None
                loaded, runs, count = row
                modified = (loaded or datetime(1970, 1, 1)).replace(tzinfo=UTC, microsecond=0)
                digest = hashlib.sha256(f"{runs}|{count}|{self._stamp}".encode()).hexdigest()
                self._version = WarehouseVersion(digest[:20], modified)
            return self._version
        finally:
            cur.close()

    def observations(
        self,
        selection: ObservationFilter = ObservationFilter(),
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Return the selected cells (:data:`PUBLIC_COLUMNS`), suppressed cells blanked."""
        where, params = selection.where()
        sql = f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM observations{where} ORDER BY {_ORDER}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cur = self._cursor()
        try:
            df = cur.execute(sql, params).df()
        finally:
            cur.close()
        suppressed = df["flag"].str.contains("c", regex=False)
        if suppressed.any():
            df.loc[suppressed, list(_SUPPRESSED)] = float("nan")
        return df

    def count(self, selection: ObservationFilter = ObservationFilter()) -> int:
        """Return how many cells the selection holds."""
        where, params = selection.where()
        cur = self._cursor()
        try:
            row = cur.execute(f"SELECT count(*) FROM observations{where}", params).fetchone()
        finally:
            cur.close()
        return int(row[0]) if row else 0

    def codes(self) -> dict[str, list[Any]]:
        """Return the codes present in each filter dimension (``time`` as integers)."""
        out: dict[str, list[Any]] = {}
        for dim in (*FILTER_DIMENSIONS, "compare_to"):
            df = self._memo(
                f"codes:{dim}", f"SELECT DISTINCT {dim} AS code FROM observations ORDER BY 1"
            )
            out[dim] = df["code"].tolist()
        return out

    def runs(self) -> pd.DataFrame:
        """Return the loads (``run_id, kind, source, loaded_at, inputs``), oldest first."""
        return self._memo(  # type: ignore[no-any-return]
            "runs",
            "SELECT run_id, kind, source, loaded_at, CAST(inputs AS VARCHAR) AS inputs "
            "FROM runs ORDER BY loaded_at, run_id",
        )

    def coverage(self) -> pd.DataFrame:
        """Return per indicator and source: rows, countries, first and last year."""
        return self._memo(  # type: ignore[no-any-return]
            "coverage",
            "SELECT indicator, source, count(*) AS rows, count(DISTINCT geo) AS geos, "
            "min(time) AS first_year, max(time) AS last_year FROM observations "
            "GROUP BY ALL ORDER BY indicator, source",
        )


_readers: dict[Path, WarehouseReader] = {}
_readers_lock = threading.Lock()


def reader_for(path: str | Path) -> WarehouseReader:
    """Return this process's reader of ``path`` (one per file)."""
    key = Path(path).absolute()
    with _readers_lock:
        if key not in _readers:
            _readers[key] = WarehouseReader(key)
        return _readers[key]


def parse_list(values: str | Sequence[str] | None) -> tuple[str, ...]:
    """Split comma-separated query values (``"AT,DE"`` or ``["AT", "DE,FR"]``) into codes."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    return tuple(p.strip() for item in items for p in item.split(",") if p.strip())
