"""Read access to the warehouse for the portal and the API: filtered observation cells.

The portal never writes. Each process keeps one read-only DuckDB connection per
warehouse file and hands every query a cursor of its own, so threads of a server worker
can read at the same time. When the file is replaced (``zaragoza init --force`` builds
under another name and renames), the next query notices the new modification time and
reopens it.

Disclosure control is enforced here, not in templates: a cell whose flag holds ``c`` (in
any case), and every cell the warehouse's ``suppressed`` table lists (secondary
suppression, :mod:`zaragoza.disclosure`; flagged ``c`` here), is returned with its
value, standard error, interval, coefficient of variation and counts empty
(:func:`zaragoza.observations.blank_confidential`), whatever the warehouse holds. A
value that is not a finite number (a file written before loads checked them) is
returned as missing. A file of schema version 1 (before the migrant background
``mig_bg`` was a dimension) is read as it is, ``TOTAL`` on every row.
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

from zaragoza.disclosure import secondary_cells
from zaragoza.errors import UsageError
from zaragoza.observations import CELL_KEY, PUBLIC_COLUMNS, blank_confidential, normalise_flag
from zaragoza.sources.readers import SYNTHETIC_NAMES
from zaragoza.warehouse.store import sandboxed

__all__ = [
    "FILTER_DIMENSIONS",
    "PUBLIC_COLUMNS",
    "ObservationFilter",
    "WarehouseReader",
    "WarehouseVersion",
    "parse_list",
    "reader_for",
]

_NUMBERS = ("value", "se", "ci_lo", "ci_hi", "cv")
#: Dimensions a query may filter on, each with a list of codes.
FILTER_DIMENSIONS = (
    "indicator", "geo", "time", "citizen", "c_birth", "mig_bg", "sex", "age", "source",
)  # fmt: skip
_ORDER = "indicator, source, geo, time, compare_to, citizen, c_birth, mig_bg, sex, age"


@dataclass(frozen=True)
class ObservationFilter:
    """A selection of cells: each dimension a list of codes (empty: every code).

    ``compare_to`` selects level rows (``""``, the default ``("",)``), gap rows (``"NAT"``,
    ``"NATIVE"``) or both (``()``).
    """

    indicator: tuple[str, ...] = ()
    geo: tuple[str, ...] = ()
    time: tuple[int, ...] = ()
    citizen: tuple[str, ...] = ()
    c_birth: tuple[str, ...] = ()
    mig_bg: tuple[str, ...] = ()
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
        self._has_suppressed_table: bool | None = None
        self._tables: dict[str, str] | None = None

    def _table(self, cur: duckdb.DuckDBPyConnection, name: str) -> str:
        """What to read for table ``name`` (``observations``, ``suppressed``): the table,
        or, in a file of schema version 1, the table with ``mig_bg = TOTAL`` added."""
        if self._tables is None:
            rows = cur.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'mig_bg'"
            ).fetchall()
            have = {str(r[0]) for r in rows}
            self._tables = {
                t: t if t in have else f"(SELECT *, 'TOTAL' AS mig_bg FROM {t})"
                for t in ("observations", "suppressed")
            }
        return self._tables[name]

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
                self._con = sandboxed(self.path)
                self._stamp = stamp
                self._version = None
                self._cache = {}
                self._has_suppressed_table = None
                self._tables = None
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
        """Return the selected cells (:data:`PUBLIC_COLUMNS` and ``synthetic``, true where a
        figure comes from synthetic records), confidential cells blanked."""
        where, params = selection.where()
        cols = ", ".join(
            f"CASE WHEN isfinite(o.{c}) THEN o.{c} END AS {c}" if c in _NUMBERS else f"o.{c}"
            for c in PUBLIC_COLUMNS
        )
        where = where.replace(" WHERE ", " WHERE o.", 1).replace(" AND ", " AND o.")
        cur = self._cursor()
        try:
            obs = self._table(cur, "observations")
            if self._has_suppressed(cur):
                on = " AND ".join(f"s.{k} = o.{k}" for k in CELL_KEY)
                secondary = f"s.indicator IS NOT NULL AS _secondary FROM {obs} o " + (
                    f"LEFT JOIN {self._table(cur, 'suppressed')} s ON {on}"
                )
            else:
                secondary = f"false AS _secondary FROM {obs} o"
            sql = f"SELECT {cols}, o.run_id AS _run, {secondary}{where} ORDER BY {_ORDER}"
            if limit is not None:
                sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
            df = cur.execute(sql, params).df()
        finally:
            cur.close()
        extra = df.pop("_secondary").astype(bool)
        synthetic = self.synthetic_runs()
        df.insert(
            list(df.columns).index("source") + 1,
            "synthetic",
            df.pop("_run").isin(synthetic).to_numpy() if synthetic else False,
        )
        if not self._has_suppressed_table:
            extra |= self._computed_secondary(df)
        if extra.any():
            df.loc[extra, "flag"] = [normalise_flag(f"{f}c") for f in df.loc[extra, "flag"]]
        return blank_confidential(df)

    def synthetic_runs(self) -> frozenset[str]:
        """The loads whose figures come from synthetic records or count a synthetic
        profile: their provenance says so (of any source: a file of estimates that says
        it is synthetic stays so, whatever source it is loaded as), or, computed and
        profiles loads, their inputs are named as synthetic files are (loads made
        before the provenance said it, unless the load declared it either way)."""
        if "synthetic_runs" not in self._cache:
            runs = self._memo(
                "runs_options",
                "SELECT run_id, source, CAST(inputs AS VARCHAR) AS inputs, "
                "CAST(options AS VARCHAR) AS options FROM runs",
            )
            marked = runs["options"].str.contains('"synthetic": true', regex=False)
            made = runs["source"].str.contains("computed|profiles", regex=True)
            declared = runs["options"].str.contains('"declared_synthetic"', regex=False)
            named = (
                made & ~declared & runs["inputs"].str.contains(SYNTHETIC_NAMES.pattern, regex=True)
            )
            self._cache["synthetic_runs"] = frozenset(runs.loc[marked | named, "run_id"])
        found: frozenset[str] = self._cache["synthetic_runs"]
        return found

    def synthetic_sources(self) -> frozenset[str]:
        """The sources some of whose loads are synthetic (``computed``, ``profiles``)."""
        synthetic = self.synthetic_runs()
        runs = self._memo("runs_options", "")
        held = runs.loc[runs["run_id"].isin(synthetic), "source"]
        return frozenset(s for text in held for s in str(text).split(","))

    def _has_suppressed(self, cur: duckdb.DuckDBPyConnection) -> bool:
        if self._has_suppressed_table is None:
            found = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'suppressed'"
            ).fetchall()
            self._has_suppressed_table = bool(found[0][0])
        return self._has_suppressed_table

    def _computed_secondary(self, df: pd.DataFrame) -> pd.Series:
        """Secondary cells of a file made before loads stored them, worked out once here."""
        if "secondary" not in self._cache:
            cur = self._cursor()
            try:
                cells = cur.execute(
                    f"SELECT {', '.join(CELL_KEY)}, flag, n FROM "
                    f"{self._table(cur, 'observations')} WHERE source = 'computed'"
                ).df()
            finally:
                cur.close()
            hidden = cells[secondary_cells(cells)][CELL_KEY]
            self._cache["secondary"] = set(hidden.itertuples(index=False, name=None))
        keys = df[CELL_KEY].itertuples(index=False, name=None)
        found = self._cache["secondary"]
        return pd.Series([k in found for k in keys], index=df.index, dtype=bool)

    def count(self, selection: ObservationFilter = ObservationFilter()) -> int:
        """Return how many cells the selection holds."""
        where, params = selection.where()
        cur = self._cursor()
        try:
            obs = self._table(cur, "observations")
            row = cur.execute(f"SELECT count(*) FROM {obs}{where}", params).fetchone()
        finally:
            cur.close()
        return int(row[0]) if row else 0

    def codes(self) -> dict[str, list[Any]]:
        """Return the codes present in each filter dimension (``time`` as integers)."""
        out: dict[str, list[Any]] = {}
        cur = self._cursor()
        try:
            obs = self._table(cur, "observations")
        finally:
            cur.close()
        for dim in (*FILTER_DIMENSIONS, "compare_to"):
            df = self._memo(f"codes:{dim}", f"SELECT DISTINCT {dim} AS code FROM {obs} ORDER BY 1")
            out[dim] = df["code"].tolist()
        return out

    def flags(self) -> list[str]:
        """Return the flags present (``""`` for none), sorted."""
        df = self._memo("codes:flag", "SELECT DISTINCT flag FROM observations ORDER BY 1")
        return sorted({"" if pd.isna(f) else str(f) for f in df["flag"]})

    def runs(self) -> pd.DataFrame:
        """Return the loads (``run_id, kind, source, loaded_at, inputs``), oldest first."""
        return self._memo(  # type: ignore[no-any-return]
            "runs",
            "SELECT run_id, kind, source, loaded_at, CAST(inputs AS VARCHAR) AS inputs "
            "FROM runs ORDER BY loaded_at, run_id",
        )

    def updates(self) -> pd.DataFrame:
        """Return per indicator and source when its figures were last loaded
        (``indicator, source, loaded_at``: the latest load that holds some of them)."""
        return self._memo(  # type: ignore[no-any-return]
            "updates",
            "SELECT o.indicator, o.source, max(r.loaded_at) AS loaded_at "
            "FROM observations o JOIN runs r USING (run_id) GROUP BY ALL ORDER BY 1, 2",
        )

    def loads_of(self, indicator: str) -> pd.DataFrame:
        """Return the loads that hold figures of ``indicator``: ``run_id, kind, source,
        loaded_at, inputs, options`` (text, as JSON) and ``rows``, oldest first."""
        cur = self._cursor()
        try:
            df: pd.DataFrame = cur.execute(
                "SELECT r.run_id, r.kind, r.source, r.loaded_at, CAST(r.inputs AS VARCHAR) AS "
                "inputs, CAST(r.options AS VARCHAR) AS options, count(*) AS rows "
                "FROM observations o JOIN runs r USING (run_id) WHERE o.indicator = ? "
                "GROUP BY ALL ORDER BY r.loaded_at, r.run_id",
                [indicator],
            ).df()
        finally:
            cur.close()
        return df

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


def parse_list(values: str | Sequence[str] | None, *, strict: bool = False) -> tuple[str, ...]:
    """Split comma-separated query values (``"AT,DE"`` or ``["AT", "DE,FR"]``) into codes.

    ``strict``: a value given but empty, or an empty item (``"AT,,DE"``, ``",,,"``, a
    blank line), raises ``ValueError`` instead of being dropped, so that a malformed
    list never silently means "every code".
    """
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    parts = [p.strip() for item in items for p in item.split(",")]
    if strict and any(not p for p in parts):
        raise ValueError("an empty code in a comma-separated list")
    return tuple(p for p in parts if p)
