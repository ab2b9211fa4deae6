"""The warehouse: computed and published observations side by side, with provenance.

One DuckDB file holds

* ``observations``: the observation table of the architecture (the columns of
  ``zaragoza estimate`` plus ``source`` and ``run_id``), one row per indicator, geo,
  time, citizen, c_birth, sex, age, compare_to and source;
* ``runs``: one record per load: what kind, its inputs with their SHA-256, the options,
  the code and catalogue versions, when, and how many rows it added or replaced;
* ``meta``: the schema version and the catalogue version of the latest load.

Loads are atomic (one transaction: an interrupted or failed load leaves the file as it
was) and idempotent (a load whose content key, made of its inputs' hashes and options,
was loaded before changes nothing). A newer load of the same cells replaces them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from zaragoza import __version__
from zaragoza.errors import InputError, UsageError

__all__ = [
    "CELL_KEY",
    "OBSERVATION_COLUMNS",
    "LoadResult",
    "Warehouse",
    "file_sha256",
]

SCHEMA_VERSION = "1"
OBSERVATION_COLUMNS = [
    "indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "compare_to",
    "value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing", "flag", "source", "run_id",
]  # fmt: skip
CELL_KEY = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "compare_to",
            "source"]  # fmt: skip
SOURCES = ("computed", "published")
GROUPS = {"TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR", "EU28_FOR", "NEU28_FOR"}

_DDL = """
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
CREATE TABLE IF NOT EXISTS observations (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL,
    value DOUBLE, se DOUBLE, ci_lo DOUBLE, ci_hi DOUBLE, cv DOUBLE,
    n BIGINT, n_missing BIGINT, flag VARCHAR NOT NULL,
    source VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    PRIMARY KEY (indicator, geo, time, citizen, c_birth, sex, age, compare_to, source)
);
"""


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


def _check(df: pd.DataFrame, origin: str, source: str | None) -> pd.DataFrame:
    """Return ``df`` with the observation columns, or raise naming the first bad cell.

    ``source`` given: every row gets it; otherwise the table's own ``source`` column
    (an export keeps it) says which rows are computed and which published.
    """
    need = [c for c in OBSERVATION_COLUMNS if c not in ("source", "run_id")]
    if source is None and "source" not in df.columns:
        raise UsageError(
            "the observations do not say their source",
            file=origin,
            hint="Give the source (--source computed or --source published)",
        )
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(
            f"not an observation table: missing column(s) {', '.join(missing)}",
            file=origin,
            hint="Load the output of `zaragoza estimate` or a warehouse export",
        )
    out = df[need].copy()
    out["source"] = source if source is not None else df["source"]
    for col in (
        "citizen",
        "c_birth",
        "sex",
        "compare_to",
        "flag",
        "age",
        "geo",
        "indicator",
        "source",
    ):
        out[col] = out[col].fillna("").astype(str)
    rules: list[tuple[str, pd.Series, str]] = [
        ("indicator", out["indicator"] == "", "a catalogue id"),
        ("geo", out["geo"] == "", "a Eurostat geo code"),
        ("citizen", ~out["citizen"].isin(GROUPS), "one of " + ", ".join(sorted(GROUPS))),
        ("c_birth", ~out["c_birth"].isin(GROUPS), "one of " + ", ".join(sorted(GROUPS))),
        ("sex", ~out["sex"].isin(["T", "M", "F"]), "T, M or F"),
        ("compare_to", ~out["compare_to"].isin(["", "NAT"]), "empty or NAT"),
        ("source", ~out["source"].isin(SOURCES), "computed or published"),
    ]
    time = pd.to_numeric(out["time"], errors="coerce")
    rules.append(("time", time.isna() | (time != time.round()), "a year"))
    for col in ("value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing"):
        num = pd.to_numeric(out[col], errors="coerce")
        rules.append(
            (col, num.isna() & out[col].notna() & (out[col].astype(str) != ""), "a number or empty")
        )
        out[col] = num
    for col, bad, expected in rules:
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                "invalid observation",
                file=origin,
                column=col,
                row=row + 1,
                value=df[col].iloc[row],
                hint=f"expected {expected}",
            )
    out["time"] = time.astype("int64")
    dup = out.duplicated(CELL_KEY)
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            "the same cell appears twice",
            file=origin,
            row=row + 1,
            hint="Each indicator, geo, time, group, sex, age and compare_to "
            "may appear once per load",
        )
    return out


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
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise InputError(
                "cannot open the warehouse", file=str(self.path), hint=str(exc).splitlines()[0]
            ) from None
        if not read_only:
            self.con.execute(_DDL)
            self.con.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        before_commit: Callable[[], None] | None = None,
    ) -> LoadResult:
        """Load observations in one transaction; return what changed.

        ``inputs`` describe what the observations were made from (paths and SHA-256);
        with ``options`` they form the load's content key, so loading the same thing
        again changes nothing. ``source`` (``computed`` or ``published``) is given to
        every row; ``None`` keeps the table's own ``source`` column, so an export loads
        back as it was. ``before_commit`` runs inside the transaction, after every row is
        written (tests use it to interrupt a load).
        """
        if source is not None and source not in SOURCES:
            raise UsageError("unknown source", value=source, hint="computed or published")
        obs = _check(observations, origin, source)
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
        done = self.con.execute(
            "SELECT run_id FROM runs WHERE content_key = ?", [content_key]
        ).fetchall()
        if done:
            return LoadResult(done[0][0], 0, 0, True)
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{content_key[:8]}"
        obs["run_id"] = run_id
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.register("_incoming", obs[OBSERVATION_COLUMNS])
            keys = " AND ".join(f"o.{k} = i.{k}" for k in CELL_KEY)
            replaced = self.con.execute(
                f"SELECT count(*) FROM observations o JOIN _incoming i ON {keys}"
            ).fetchall()[0][0]
            self.con.execute(f"DELETE FROM observations o USING _incoming i WHERE {keys}")
            cols = ", ".join(OBSERVATION_COLUMNS)
            self.con.execute(f"INSERT INTO observations SELECT {cols} FROM _incoming")
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    content_key,
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
                    "INSERT OR REPLACE INTO meta VALUES ('catalog_version', ?)", [catalog_version]
                )
            if before_commit is not None:
                before_commit()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("_incoming")
        return LoadResult(run_id, len(obs) - replaced, replaced, False)

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
        sql += " ORDER BY indicator, source, geo, time, compare_to, citizen, c_birth, sex"
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
        """Run a read-only SQL query (open the warehouse with ``read_only=True``)."""
        try:
            return self.con.execute(sql).df()
        except duckdb.Error as exc:
            raise UsageError("the query failed", hint=str(exc).splitlines()[0]) from None
