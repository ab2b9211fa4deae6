"""The warehouse: computed and published observations side by side, with provenance.

One DuckDB file holds

* ``observations``: the observation table of the architecture (the columns of
  ``zaragoza estimate`` plus ``source`` and ``run_id``), one row per indicator, geo,
  time, citizen, c_birth, mig_bg, sex, age, compare_to and source;
* ``runs``: one record per load: what kind, its inputs with their SHA-256, the options,
  the code and catalogue versions, when, and how many rows it added or replaced;
* ``suppressed``: the cells hidden to protect confidential ones (secondary suppression,
  :mod:`zaragoza.disclosure`), kept up to date by every load;
* ``meta``: the schema version, the catalogue version of the latest load and the
  version of the disclosure rules the ``suppressed`` table follows.

Loads are atomic (one transaction: an interrupted or failed load leaves the file as it
was) and idempotent (a load whose content key, made of its inputs' hashes and options,
was loaded before changes nothing). A newer load of the same cells replaces them.

Sources (:data:`zaragoza.observations.SOURCES`): ``computed``, ``published`` and
``profiles``, the disclosure-controlled counts of the portal's skills profiles
(:mod:`zaragoza.skills.aggregate`). A profiles load is a snapshot of every profile
counted: it replaces *all* earlier profiles rows (``whole_source``), since rows of two
snapshots side by side (other breakdowns, another threshold, other profiles) could
give away by subtraction what each one hides. Its cells arrive protected (flag ``c``,
value and counts blank) and the load refuses them unless the suppression holds
(:func:`zaragoza.disclosure.recoverable` finds no hidden cell); the secondary
suppression the warehouse keeps for ``computed`` rows never reads or writes them.
The ``source`` column is free text in every schema version, so the third source needs
no migration. ``profiles_published`` keeps the count ``n`` of every cell each profiles
snapshot published: a new snapshot is refused when a cell it publishes differs from an
earlier published count of that cell by 1 to threshold - 1 persons, since the two
downloads would give that handful of persons away by subtraction
(:func:`zaragoza.disclosure.differencing_risks`; :func:`zaragoza.skills.aggregate.aggregate`
hides such cells, with their secondary cells, before they get here).

Schema versions (``meta.schema_version``): 1, the first; 2 adds the migrant background
``mig_bg`` to the cell key of ``observations`` and ``suppressed``. A file of an older
version is migrated when it is opened for writing (one transaction: every existing row
gets ``mig_bg = TOTAL``); opened read-only, it is read as it is (the reader gives
``TOTAL`` to its rows).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from zaragoza import __version__
from zaragoza.disclosure import (
    DISCLOSURE_VERSION,
    differencing_risks,
    recoverable,
    secondary_cells,
    tables_of,
)
from zaragoza.errors import InputError, UsageError
from zaragoza.observations import (
    CELL_KEY,
    SOURCES,
    STORED_COLUMNS,
    check_observations,
    confidential,
)

__all__ = [
    "CELL_KEY",
    "OBSERVATION_COLUMNS",
    "SANDBOX",
    "LoadResult",
    "Warehouse",
    "file_sha256",
    "sandboxed",
]

SCHEMA_VERSION = "2"
PROFILES = "profiles"
_PROFILE_CELL = [k for k in CELL_KEY if k != "source"]
OBSERVATION_COLUMNS = STORED_COLUMNS

_OBSERVATIONS = """
CREATE TABLE IF NOT EXISTS observations (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, mig_bg VARCHAR NOT NULL,
    sex VARCHAR NOT NULL, age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL,
    value DOUBLE, se DOUBLE, ci_lo DOUBLE, ci_hi DOUBLE, cv DOUBLE,
    n BIGINT, n_missing BIGINT, flag VARCHAR NOT NULL,
    source VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    PRIMARY KEY (indicator, geo, time, citizen, c_birth, mig_bg, sex, age, compare_to, source)
);
"""
_SUPPRESSED = """
CREATE TABLE IF NOT EXISTS suppressed (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, mig_bg VARCHAR NOT NULL,
    sex VARCHAR NOT NULL, age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (indicator, geo, time, citizen, c_birth, mig_bg, sex, age, compare_to, source)
);
"""
# The counts of every profiles cell each snapshot published (the cell key without its
# source, and the load's run): kept after the snapshot itself is replaced, because a
# user who kept an earlier download can subtract it from a later one.
_PROFILES_PUBLISHED = """
CREATE TABLE IF NOT EXISTS profiles_published (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, mig_bg VARCHAR NOT NULL,
    sex VARCHAR NOT NULL, age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL,
    n BIGINT NOT NULL, run_id VARCHAR NOT NULL
);
"""
_DDL = (
    """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    content_key VARCHAR NOT NULL UNIQUE,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    code_version VARCHAR NOT NULL,
    catalog_version VARCHAR,
    inputs JSON NOT NULL,
    options JSON NOT NULL,
    rows_added BIGINT NOT NULL,
    rows_replaced BIGINT NOT NULL
);
"""
    + _OBSERVATIONS
    + _SUPPRESSED
    + _PROFILES_PUBLISHED
)


#: A connection for SQL written by a person: read-only, no file system, no extensions,
#: settings locked once opened (DuckDB's "Securing DuckDB" guide). Only the warehouse's own tables
#: and in-memory temporary ones can be reached.
SANDBOX = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
}


def sandboxed(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file read-only for SQL from a person (the CLI, the portal).

    ``COPY``, ``EXPORT``, ``ATTACH``, ``INSTALL``/``LOAD``, every file-reading function
    and every setting are refused. Every read-only connection of Zaragoza is opened so:
    DuckDB refuses two connections to one file with different configurations in one
    process.
    """
    con = duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
    # The lock holds for the whole database instance, which the process's connections to
    # one file share: only the first connection sets it (and its progress bar, first).
    locked = con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0]
    if not locked:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET lock_configuration = true")
    return con


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class LoadResult:
    """What a load did."""

    run_id: str
    added: int
    replaced: int
    already_loaded: bool
    #: rows of an earlier snapshot of the source that the new one no longer holds
    #: (``whole_source`` loads only)
    removed: int = 0


class Warehouse:
    """A DuckDB warehouse file; created with its tables when it does not exist."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise UsageError(
                "warehouse not found",
                file=str(self.path),
                hint="Create one with `zaragoza warehouse load` or "
                "`zaragoza estimate --warehouse FILE`",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if read_only:
                self.con = sandboxed(self.path)
            else:
                self.con = duckdb.connect(str(self.path))
                self.con.execute("SET enable_progress_bar = false")
        except duckdb.Error as exc:
            raise InputError(
                "cannot open the warehouse", file=str(self.path), hint=str(exc).splitlines()[0]
            ) from None
        self._depth = 0
        # computed rows loaded in the open transaction, whose tables' secondary
        # suppression is recomputed once before it commits
        self._touched: list[pd.DataFrame] = []
        if not read_only:
            self.con.execute(_DDL)
            self._migrate()
            self.con.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )
            if self._meta("disclosure") != DISCLOSURE_VERSION:  # a file of an older version
                with self.transaction():
                    self._refresh_suppression(None)
            # a load killed inside its transaction (kill -9) left its blocks behind
            self._give_back_space()

    def _migrate(self) -> None:
        """Bring a file of an older schema version to :data:`SCHEMA_VERSION`, in one
        transaction (an interrupted migration leaves the file as it was)."""
        if self._meta("schema_version") in (None, SCHEMA_VERSION):
            return
        with self.transaction():
            for table, ddl in (("observations", _OBSERVATIONS), ("suppressed", _SUPPRESSED)):
                if "mig_bg" in self._columns(table):
                    continue
                # version 1 -> 2: the migrant background joins the cell key (DuckDB
                # cannot change a primary key in place, so the table is copied)
                self.con.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
                self.con.execute(ddl)
                new = self._columns(table)
                picked = ", ".join("'TOTAL'" if c == "mig_bg" else c for c in new)
                self.con.execute(
                    f"INSERT INTO {table} ({', '.join(new)}) SELECT {picked} FROM {table}_v1"
                )
                self.con.execute(f"DROP TABLE {table}_v1")
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )

    def _columns(self, table: str) -> list[str]:
        return [
            str(r[0])
            for r in self._rows(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
                [table],
            )
        ]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the loads inside one transaction: all of them are kept, or none.

        Nested calls join the outer transaction, so a command loading several files
        commits once, after the last, and a failure in any leaves the file as it was.
        After a failed transaction the space its rows took is given back
        (:meth:`compact`), so a failed load leaves the file's size as it was too.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        self._touched = []
        try:
            yield
            if self._touched:
                # once per transaction: loads of the same tables (by citizenship, then by
                # country of birth) would otherwise each recompute them
                self._refresh_suppression(pd.concat(self._touched, ignore_index=True))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            self._depth = 0
            self._give_back_space()
            raise
        finally:
            self._depth = 0
            self._touched = []

    def _give_back_space(self) -> None:
        # the load's own error is what the user needs to see, not one of compacting
        with suppress(duckdb.Error, OSError):
            self.compact(only_if_worth_it=True)

    def load(
        self,
        observations: pd.DataFrame,
        *,
        source: str | None,
        kind: str,
        inputs: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any],
        catalog_version: str | None = None,
        origin: str = "(observations)",
        force: bool = False,
        whole_source: bool = False,
        before_commit: Callable[[], None] | None = None,
    ) -> LoadResult:
        """Load observations in one transaction (or the caller's); return what changed.

        ``inputs`` describe what the observations were made from (paths and SHA-256);
        with ``options`` they form the load's content key, so loading the same thing
        again changes nothing. When later loads have replaced some of that earlier load's
        cells, loading it again is refused unless ``force`` (which loads it anew, its
        cells replacing the later ones). ``source`` (``computed`` or ``published``) is
        given to every row; ``None`` keeps the table's own ``source`` column, so an
        export loads back as it was. ``before_commit`` runs inside the transaction,
        after every row is written (tests use it to interrupt a load).

        ``whole_source``: the observations are a snapshot of everything ``source`` holds
        (the ``profiles`` source is loaded so, and only so): every earlier row of that
        source goes, and loading a superseded snapshot again loads it anew.

        Raises
        ------
        InputError
            A row breaks the observation contract (:func:`check_observations`).
        UsageError
            The same content was loaded before and has since been superseded.
        """
        if source is not None and source not in SOURCES:
            raise UsageError("unknown source", value=source, hint=", ".join(SOURCES))
        if whole_source and source is None:
            raise UsageError("a snapshot load names its source", hint=", ".join(SOURCES))
        obs = check_observations(observations, origin, source)
        if (obs["source"] == PROFILES).any():
            self._check_profiles(obs, origin, whole_source, options.get("threshold"))
        content = json.dumps(
            {
                "kind": kind,
                "source": source,
                "inputs": list(inputs),
                "options": dict(options),
                "code": __version__,
            },
            sort_keys=True,
            default=str,
        )
        content_key = hashlib.sha256(content.encode()).hexdigest()
        stored_key = content_key
        earlier = self._earlier_run(content_key)
        if earlier is not None:
            run_id, total, current = earlier
            if whole_source and current == total == self._count_source(str(source)):
                return LoadResult(run_id, 0, 0, True)
            if whole_source:  # a snapshot replaces whatever the source holds
                force = True
            if not force and current == total:
                return LoadResult(run_id, 0, 0, True)
            if not force:
                raise UsageError(
                    f"already loaded as run {run_id}, but later loads have replaced "
                    f"{total - current:,} of its {total:,} cells",
                    file=origin,
                    hint="Pass --force to load it again (its cells then replace the later ones)",
                )
            # A forced reload is a new run of the same content: its key stays findable.
            stored_key = f"{content_key}#{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{content_key[:8]}"
        if self._run_exists(run_id):  # the same content forced twice within a second
            run_id = f"{run_id}-{hashlib.sha256(stored_key.encode()).hexdigest()[:6]}"
        obs["run_id"] = run_id
        with self.transaction():
            self.con.register("_incoming", obs[OBSERVATION_COLUMNS])
            try:
                keys = " AND ".join(f"o.{k} = i.{k}" for k in CELL_KEY)
                replaced = self.con.execute(
                    f"SELECT count(*) FROM observations o JOIN _incoming i ON {keys}"
                ).fetchall()[0][0]
                self.con.execute(f"DELETE FROM observations o USING _incoming i WHERE {keys}")
                removed = 0
                if whole_source:  # the rest of the earlier snapshot
                    removed = self._count_source(str(source))
                    self.con.execute("DELETE FROM observations WHERE source = ?", [source])
                cols = ", ".join(OBSERVATION_COLUMNS)
                self.con.execute(f"INSERT INTO observations SELECT {cols} FROM _incoming")
                self.con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        stored_key,
                        kind,
                        ",".join(sorted(set(obs["source"]))),  # the sources this run holds
                        datetime.now(UTC).replace(tzinfo=None),
                        __version__,
                        catalog_version,
                        json.dumps(list(inputs), default=str),
                        json.dumps(dict(options), default=str),
                        len(obs) - replaced,
                        replaced,
                    ],
                )
                if catalog_version:
                    self.con.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('catalog_version', ?)",
                        [catalog_version],
                    )
                if whole_source and source == PROFILES:
                    self._record_published_profiles(run_id)
                computed = obs[obs["source"] == "computed"]
                if len(computed):  # its tables' suppression is refreshed before the commit
                    self._touched.append(computed[CELL_KEY])
                if before_commit is not None:
                    before_commit()
            finally:
                self.con.unregister("_incoming")
        return LoadResult(run_id, len(obs) - replaced, replaced, False, removed)

    def _count_source(self, source: str) -> int:
        found = self._rows("SELECT count(*) FROM observations WHERE source = ?", [source])
        return int(found[0][0])

    def published_profiles(self) -> pd.DataFrame:
        """Every count ``n`` a profiles snapshot has published, one row per cell and
        distinct count (the cell key without ``source``, and ``n``).

        The rows of the snapshot in place count too, so a warehouse made before
        ``profiles_published`` existed still knows what its snapshot published.
        """
        key = ", ".join(_PROFILE_CELL)
        current = f"SELECT {key}, n FROM observations WHERE source = '{PROFILES}' AND n IS NOT NULL"
        if "n" in self._columns("profiles_published"):
            current += f" UNION SELECT {key}, n FROM profiles_published"
        return self.con.execute(f"SELECT DISTINCT * FROM ({current})").df()

    def _record_published_profiles(self, run_id: str) -> None:
        key = ", ".join(_PROFILE_CELL)
        self.con.execute(
            f"INSERT INTO profiles_published SELECT {key}, n, run_id FROM observations "
            f"WHERE source = '{PROFILES}' AND run_id = ? AND n IS NOT NULL",
            [run_id],
        )

    def _check_profiles(
        self, obs: pd.DataFrame, origin: str, whole_source: bool, threshold: object
    ) -> None:
        """Refuse profiles rows that did not come as one protected snapshot.

        Only :func:`zaragoza.warehouse.loads.load_profiles` (``zaragoza profiles
        aggregate``) loads them: a file claiming ``source = profiles`` could hold
        figures no disclosure control has seen, or mix with another snapshot.
        """
        if not whole_source or set(obs["source"]) != {PROFILES}:
            raise UsageError(
                "observations with source = profiles are loaded only as a snapshot of "
                "the skills profiles",
                file=origin,
                hint="Run `zaragoza profiles aggregate --warehouse FILE`",
            )
        hidden = confidential(obs["flag"])
        if obs.loc[hidden, ["value", "se", "ci_lo", "ci_hi", "cv", "n"]].notna().any(axis=None):
            raise UsageError("a confidential profiles cell holds a value", file=origin)
        # the attacker of zaragoza.disclosure, on these cells as if computed
        found = recoverable(obs.assign(source="computed"), hidden)
        if found:
            raise UsageError(
                f"{len(found)} confidential profiles cell(s) could be rebuilt from the "
                "published ones",
                file=origin,
                hint="Aggregate with zaragoza.skills.aggregate, which protects them",
            )
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 3:
            raise UsageError("a profiles snapshot names its disclosure threshold", value=threshold)
        risky = differencing_risks(obs, self.published_profiles(), threshold)
        if risky.any():
            raise UsageError(
                f"{int(risky.sum())} profiles cell(s) differ from a count published "
                f"before by fewer than {threshold} persons: the two would reveal them "
                "by subtraction",
                file=origin,
                hint="Aggregate with the warehouse's earlier counts "
                "(zaragoza profiles aggregate --warehouse does so)",
            )

    def _earlier_run(self, content_key: str) -> tuple[str, int, int] | None:
        """The latest run of this content: its id, its cells, and how many are still its."""
        found = self._rows(
            "SELECT run_id, rows_added + rows_replaced FROM runs "
            "WHERE content_key = ? OR starts_with(content_key, ? || '#') "
            "ORDER BY loaded_at DESC, run_id DESC LIMIT 1",
            [content_key, content_key],
        )
        if not found:
            return None
        run_id, total = found[0]
        current = self._rows("SELECT count(*) FROM observations WHERE run_id = ?", [run_id])
        return str(run_id), int(total), int(current[0][0])

    def _meta(self, key: str) -> str | None:
        found = self._rows("SELECT value FROM meta WHERE key = ?", [key])
        return str(found[0][0]) if found else None

    def _refresh_suppression(self, incoming: pd.DataFrame | None) -> None:
        """Recompute the secondary suppression of the tables ``incoming`` touches (None: all).

        Tables (indicator, year, age band and country, :func:`disclosure.tables_of`) are
        independent, so a load recomputes only its own.
        """
        where = "source = 'computed'"
        if incoming is not None:
            touched = tables_of(incoming).drop_duplicates()
            self.con.register("_touched", touched)
            where += (
                " AND (indicator, time, age, left(geo, 2)) IN "
                "(SELECT (indicator, time, age, country) FROM _touched)"
            )
        try:
            cells = self.con.execute(
                f"SELECT {', '.join(CELL_KEY)}, flag, n FROM observations WHERE {where}"
            ).df()
            self.con.execute(f"DELETE FROM suppressed WHERE {where}")
            hidden = cells[secondary_cells(cells)][CELL_KEY]
            if len(hidden):
                self.con.register("_hidden", hidden)
                try:
                    self.con.execute(
                        f"INSERT INTO suppressed SELECT {', '.join(CELL_KEY)} FROM _hidden"
                    )
                finally:
                    self.con.unregister("_hidden")
        finally:
            if incoming is not None:
                self.con.unregister("_touched")
        self.con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('disclosure', ?)", [DISCLOSURE_VERSION]
        )

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        # fetchall: DuckDB refuses other work on a connection with an unfinished result
        return self.con.execute(sql, list(params)).fetchall()

    def _run_exists(self, run_id: str) -> bool:
        return bool(self._rows("SELECT count(*) FROM runs WHERE run_id = ?", [run_id])[0][0])

    def free_bytes(self) -> int:
        """Return the bytes of the file that hold no data (left by failed or killed loads).

        Free blocks inside the file, plus whatever lies past its last block: a load killed
        before its commit wrote blocks that no checkpoint ever counted.
        """
        rows = self._rows(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        )
        if not rows:
            return 0
        block, total, free = (int(x) for x in rows[0])
        # DuckDB's file starts with a header of three 4 KiB pages before its blocks.
        past_end = self.path.stat().st_size - (3 * 4096 + total * block)
        return block * free + max(0, past_end)

    def compact(self, *, only_if_worth_it: bool = False) -> tuple[int, int]:
        """Rewrite the file without its free space; return its size before and after.

        DuckDB reuses free blocks but never shrinks its file: a load killed inside its
        transaction leaves the blocks its rows took. The tables are copied into a new file
        beside this one (``COPY FROM DATABASE``), which then replaces it by a rename, so
        an interruption leaves the old file whole. ``only_if_worth_it``: only when at
        least half the file, and 1 MB, is free.
        """
        before = self.path.stat().st_size
        if self._depth:
            raise UsageError("the warehouse cannot be compacted inside a transaction")
        self.con.execute("CHECKPOINT")
        free = self.free_bytes()
        if only_if_worth_it and (free < 2**20 or free * 2 < before):
            return before, before
        fresh = self.path.with_name(f".{self.path.name}.compact")
        fresh.unlink(missing_ok=True)
        name = self._rows("SELECT current_database()")[0][0]
        self.con.execute(f"ATTACH '{_sql_text(str(fresh))}' AS _compact")
        try:
            self.con.execute(f'COPY FROM DATABASE "{name}" TO _compact')
        finally:
            self.con.execute("DETACH _compact")
        self.con.close()
        fresh.replace(self.path)
        self.con = duckdb.connect(str(self.path))
        self.con.execute("SET enable_progress_bar = false")
        return before, self.path.stat().st_size

    def observations(
        self,
        *,
        indicator: Sequence[str] = (),
        source: Sequence[str] = (),
        geo: Sequence[str] = (),
        time: Sequence[int] = (),
    ) -> pd.DataFrame:
        """Return observation rows, filtered; every filter takes a list (empty: all)."""
        where: list[str] = []
        params: list[Any] = []
        for col, values in (
            ("indicator", indicator),
            ("source", source),
            ("geo", geo),
            ("time", time),
        ):
            if values:
                where.append(f"{col} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        sql = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY indicator, source, geo, time, compare_to, citizen, c_birth, mig_bg, sex"
        return self.con.execute(sql, params).df()

    def runs(self) -> pd.DataFrame:
        """Return the load records, oldest first."""
        return self.con.execute(
            "SELECT run_id, kind, source, loaded_at, code_version, catalog_version, "
            "rows_added, rows_replaced, inputs, options FROM runs ORDER BY loaded_at, run_id"
        ).df()

    def summary(self) -> pd.DataFrame:
        """Return per indicator and source: rows, countries, first and last year."""
        return self.con.execute(
            "SELECT indicator, source, count(*) AS rows, count(DISTINCT geo) AS geos, "
            "min(time) AS first_year, max(time) AS last_year FROM observations "
            "GROUP BY ALL ORDER BY indicator, source"
        ).df()

    def query(self, sql: str) -> pd.DataFrame:
        """Run a person's SQL on a warehouse opened with ``read_only=True`` (sandboxed).

        Raises
        ------
        UsageError
            The query failed, or tried to reach beyond the warehouse's tables.
        """
        try:
            return self.con.execute(sql).df()
        except (duckdb.PermissionException, duckdb.InvalidInputException) as exc:
            first = str(exc).splitlines()[0]
            if isinstance(exc, duckdb.PermissionException) or "has been locked" in first:
                raise UsageError(
                    "the query was refused: it may only read the warehouse's tables",
                    hint="Files, ATTACH, COPY, EXPORT, INSTALL and settings are disabled "
                    f"({first})",
                ) from None
            raise UsageError("the query failed", hint=first) from None
        except duckdb.Error as exc:
            raise UsageError("the query failed", hint=str(exc).splitlines()[0]) from None
