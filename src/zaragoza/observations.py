"""The observation contract: columns, cell key, flags, checks and confidentiality.

Every number Zaragoza keeps or publishes is an *observation*, one row of a long table
(``docs/methodology.md``, "The observation table"): a catalogue indicator for one
``geo``, ``time``, migrant group (``citizen``, ``c_birth``), migrant background
(``mig_bg``: PISA's index of immigrant background, ``TOTAL`` on every figure not broken
down by it), ``sex`` and ``age``, a level (``compare_to`` empty) or a gap to a reference
group (``compare_to = NAT``, nationals; ``NATIVE``, native students), with its
``value``, standard error, 95% interval, coefficient of variation, unweighted count
``n``, item non-response ``n_missing`` and Eurostat ``flag``. The engine writes them,
the warehouse stores them (plus ``source`` and ``run_id``), the portal, the API and
the file writers publish them; all of them take the columns and rules from here.

Flags are Eurostat's letters (Eurostat, *Flags and special values*; SDMX code list
``CL_OBS_FLAG``): stored lower-case, ``:`` (not available) first, then the letters in
alphabetical order, each once. A flag holding ``c`` in any case marks a confidential
cell: :func:`blank_confidential` removes its value, standard error, interval, CV and
counts, and that is the one rule every page, file format, API answer and command uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from zaragoza.errors import InputError, UsageError

__all__ = [
    "CELL_KEY",
    "COMPARE_TO",
    "CONFIDENTIAL_COLUMNS",
    "ESTIMATE_COLUMNS",
    "ESTIMATE_FILE_COLUMNS",
    "FLAG_LETTERS",
    "GROUPS",
    "MIG_BG",
    "PUBLIC_COLUMNS",
    "PUBLISHED_COLUMNS",
    "SOURCES",
    "STORED_COLUMNS",
    "SURVEY_SOURCES",
    "YEAR_RANGE",
    "blank_confidential",
    "check_observations",
    "confidential",
    "gap_flag",
    "gap_flags",
    "normalise_flag",
    "with_synthetic",
]

#: The engine's observations, in this order.
ESTIMATE_COLUMNS = [
    "indicator", "geo", "time", "citizen", "c_birth", "mig_bg", "sex", "age", "compare_to",
    "value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing", "flag",
]  # fmt: skip
#: What a public client sees: the estimate columns plus where the figure comes from.
PUBLIC_COLUMNS = [*ESTIMATE_COLUMNS, "source"]
#: What a client of the portal and the API receives: the public columns and whether the
#: figure was computed from synthetic records (a demonstration, never a statistic).
PUBLISHED_COLUMNS = [*PUBLIC_COLUMNS, "synthetic"]
#: What ``zaragoza estimate`` writes to a file or standard output: the estimate columns
#: and whether they were computed from synthetic records, as the API's answers say it.
ESTIMATE_FILE_COLUMNS = [*ESTIMATE_COLUMNS, "synthetic"]
#: What the warehouse stores: the public columns plus the load that wrote the row.
STORED_COLUMNS = [*PUBLIC_COLUMNS, "run_id"]
#: One cell: at most one row per key.
CELL_KEY = ["indicator", "geo", "time", "citizen", "c_birth", "mig_bg", "sex", "age",
            "compare_to", "source"]  # fmt: skip
#: Where a figure comes from: ``computed`` by Zaragoza from survey microdata,
#: ``published`` by Eurostat, ``profiles``: counted from the portal's skills profiles
#: (records of people counselled, not a sample: no standard error or interval, and
#: never to be compared with a survey's figure of the same indicator).
SOURCES = ("computed", "published", "profiles")
#: The sources whose figures are estimates of a population (a survey's, Eurostat's);
#: ``profiles`` describes only those profiled.
SURVEY_SOURCES = ("computed", "published")
GROUPS = frozenset(
    {"TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR", "EU28_FOR", "NEU28_FOR"}
)
#: Migrant background (the OECD's PISA index ``IMMIG``): everyone, native students (both
#: parents born in the country), second-generation (born in the country, parents
#: abroad), first-generation (born abroad, parents too) and immigrant students (second-
#: plus first-generation).
MIG_BG = ("TOTAL", "NATIVE", "IMMIGRANT", "SECOND_GEN", "FIRST_GEN")
#: The reference group of a gap row: none (a level), nationals, native students.
COMPARE_TO = ("", "NAT", "NATIVE")
SEXES = frozenset({"T", "M", "F"})
#: Reference years an observation may have.
YEAR_RANGE = (1900, 2100)
#: Eurostat's flags and special values.
FLAG_LETTERS = {
    ":": "not available",
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    # Eurostat's flags from 27 January 2025: i replaced s, m replaced z
    "i": "value imputed by Eurostat or another receiving agency",
    "m": "missing value, data cannot exist",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate (a flag Eurostat no longer sets: i since 2025)",
    "u": "low reliability",
    "z": "not applicable (a flag Eurostat no longer sets: m since 2025)",
}
#: Emptied in a confidential cell: everything from which its value could be rebuilt.
CONFIDENTIAL_COLUMNS = ("value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing")

_NUMBERS = ("value", "se", "ci_lo", "ci_hi", "cv")
_COUNTS = ("n", "n_missing")
_TEXT = ("indicator", "geo", "citizen", "c_birth", "mig_bg", "sex", "age", "compare_to", "flag")
# Counts are exact integers up to 2**53 as doubles and fit DuckDB's BIGINT.
_MAX_COUNT = 2**53


def with_synthetic(obs: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """Return ``obs`` in :data:`ESTIMATE_FILE_COLUMNS`: every row marked ``synthetic``
    (true where the records estimated are synthetic), so that a file of figures from
    synthetic records says so itself, wherever it is copied."""
    return obs.assign(synthetic=bool(synthetic))[ESTIMATE_FILE_COLUMNS]


def normalise_flag(text: object) -> str | None:
    """Return a flag in its stored form (``":bu"``), or None when it is not Eurostat's.

    Case, spaces and repeated letters are not significant: ``" U b "`` is ``bu``. An
    empty or missing flag is ``""``.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    letters = "".join(str(text).split()).lower()
    if any(ch not in FLAG_LETTERS for ch in letters):
        return None
    ordered = sorted(set(letters), key=lambda ch: (ch != ":", ch))
    return "".join(ordered)


def gap_flag(a: object, b: object) -> str:
    """The flag of a difference of two cells: the letters of either flag, normalised.

    A gap is as reliable as its weaker cell, and carries what either carries: a break
    (``b``) in either breaks the gap's series, a confidential cell (``c``) makes the gap
    confidential, a cell not available (``:``) leaves the gap not available. The one rule
    of the engine's gap rows, the benchmarking library and the portal.
    """
    return normalise_flag(f"{'' if a is None else a}{'' if b is None else b}") or ""


def gap_flags(a: pd.Series, b: pd.Series) -> pd.Series:
    """:func:`gap_flag` of two columns of flags, row by row."""
    pairs = list(zip(a.fillna("").astype(str), b.fillna("").astype(str), strict=True))
    known = {p: gap_flag(*p) for p in set(pairs)}
    return pd.Series([known[p] for p in pairs], index=a.index, dtype=object)


def confidential(flags: pd.Series) -> pd.Series:
    """Return, per row, whether the flag marks a confidential cell (``c`` in any case)."""
    return flags.fillna("").astype(str).str.contains("c", case=False, regex=False)


def blank_confidential(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with value, SE, interval, CV and counts of confidential cells empty.

    A confidential cell keeps its key and flag, so a reader sees that it exists and why
    it is empty. Counts go too: with the margins, the ``n`` of a cell helps to rebuild
    its value (see ``docs/methodology.md``, "Disclosure control").
    """
    hidden = confidential(df["flag"])
    if not hidden.any():
        return df
    out = df.copy()
    for col in CONFIDENTIAL_COLUMNS:
        if col in out.columns:
            if col in _COUNTS:
                out[col] = out[col].astype("Float64" if out[col].dtype.kind == "f" else "Int64")
            out.loc[hidden, col] = pd.NA if col in _COUNTS else np.nan
    return out


def _number_sql(col: str, kind: str) -> tuple[str, str]:
    """SQL of a column as a double, and SQL true where it holds a non-finite or non-number.

    Text columns (files are read as text) keep NaN and infinity distinct from blank:
    ``"nan"`` is bad input, ``""`` a missing value. Numeric columns (frames built in
    memory) use NaN for missing, so only infinities are bad there.
    """
    q = f'"{col}"'
    if kind in "fiub":
        x = f"CAST({q} AS DOUBLE)"
        return f"CASE WHEN isnan({x}) THEN NULL ELSE {x} END", f"coalesce(isinf({x}), false)"
    text = f"NULLIF(trim(CAST({q} AS VARCHAR)), '')"
    x = f"TRY_CAST({text} AS DOUBLE)"
    return (
        f"CASE WHEN isfinite({x}) THEN {x} END",
        f"({text} IS NOT NULL AND NOT coalesce(isfinite({x}), false))",
    )


def _kinds(df: pd.DataFrame | pa.Table, cols: Sequence[str]) -> dict[str, str]:
    """NumPy kind letter of each column (``f`` float, ``O`` text, ...)."""
    if isinstance(df, pa.Table):
        out = {}
        for c in cols:
            t = df.schema.field(c).type
            numeric = pa.types.is_floating(t) or pa.types.is_integer(t)
            out[c] = "f" if numeric else "O"
        return out
    return {c: df[c].dtype.kind for c in cols}


def check_observations(
    df: pd.DataFrame | pa.Table, origin: str, source: str | None
) -> pd.DataFrame:
    """Return ``df`` as stored observations (no ``run_id``), or raise naming the first bad cell.

    ``source`` given: every row gets it; otherwise the table's own ``source`` column (an
    export keeps it) says which rows are computed, which published and which counted
    from skills profiles. Every code, year,
    number and flag is checked: values, SEs, intervals and CVs are finite numbers or
    empty, SEs and CVs not negative, intervals in order, counts whole numbers of zero or
    more, years in :data:`YEAR_RANGE`, flags Eurostat's letters (normalised). A table
    without a ``mig_bg`` column (an export or a file of observations written before the
    migrant background was a dimension) has ``TOTAL`` on every row. Rows are
    counted from 1, the first row after the header, as in every validation report. The
    checks run in DuckDB, one pass over the rows.

    Raises
    ------
    InputError
        Naming the file (``origin``), column, row, value and what is valid.
    """
    import duckdb

    need = [c for c in PUBLIC_COLUMNS if c != "source"]
    # optional: a table written before the migrant background was a dimension
    optional = {"mig_bg"}
    if source is None and "source" not in (
        df.column_names if isinstance(df, pa.Table) else df.columns
    ):
        raise UsageError(
            "the observations do not say their source",
            file=origin,
            hint="Give the source (--source computed, published or profiles)",
        )
    # Arrow tables (files, read as text) and pandas frames (built in memory) alike.
    names = list(df.column_names) if isinstance(df, pa.Table) else list(df.columns)
    missing = [c for c in need if c not in names and c not in optional]
    if missing:
        raise InputError(
            f"not an observation table: missing column(s) {', '.join(missing)}",
            file=origin,
            hint="Load the output of `zaragoza estimate` or a warehouse export",
        )
    kinds = _kinds(df, [c for c in (*need, "source") if c in names])
    text_sql = {
        c: f"trim(coalesce(CAST(\"{c}\" AS VARCHAR), ''))" if c in names else "'TOTAL'"
        for c in _TEXT
    }
    if source is not None:  # given for every row
        text_sql["source"] = "'" + source.replace("'", "''") + "'"
    else:
        text_sql["source"] = "trim(coalesce(CAST(\"source\" AS VARCHAR), ''))"
    typed: dict[str, str] = {}
    rules: list[tuple[str, str, str]] = []
    for col in (*_NUMBERS, *_COUNTS, "time"):
        num, bad = _number_sql(col, kinds[col])
        typed[col] = num
        if col in _COUNTS:
            whole = (
                f"({num} IS NULL OR ({num} = round({num}) AND {num} >= 0 AND {num} < {_MAX_COUNT}))"
            )
            rules.append(
                (col, f"({bad} OR NOT {whole})", "a whole number of zero or more, or empty")
            )
        elif col == "time":
            lo, hi = YEAR_RANGE
            rules.append(
                (
                    col,
                    f"({bad} OR {num} IS NULL OR {num} <> round({num}) "
                    f"OR {num} < {lo} OR {num} > {hi})",
                    f"a year from {lo} to {hi}",
                )
            )
        elif col in ("se", "cv"):
            rules.append(
                (
                    col,
                    f"({bad} OR coalesce({num} < 0, false))",
                    "a finite number of zero or more, or empty",
                )
            )
        else:
            rules.append((col, bad, "a finite number, or empty"))
    rules.append(
        (
            "ci_lo",
            f"coalesce({typed['ci_lo']} > {typed['ci_hi']}, false)",
            "a lower bound not above ci_hi",
        )
    )

    def among(col: str, values: Sequence[str]) -> str:
        items = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        return f"{text_sql[col]} NOT IN ({items or 'NULL'})"

    code_rules = [
        ("indicator", f"{text_sql['indicator']} = ''", "a catalogue id"),
        ("geo", f"{text_sql['geo']} = ''", "a Eurostat geo code"),
        ("citizen", among("citizen", sorted(GROUPS)), "one of " + ", ".join(sorted(GROUPS))),
        ("c_birth", among("c_birth", sorted(GROUPS)), "one of " + ", ".join(sorted(GROUPS))),
        ("mig_bg", among("mig_bg", MIG_BG), "one of " + ", ".join(MIG_BG)),
        ("sex", among("sex", sorted(SEXES)), "T, M or F"),
        ("compare_to", among("compare_to", COMPARE_TO), "empty, NAT or NATIVE"),
        ("source", among("source", SOURCES), "computed, published or profiles"),
    ]
    con = duckdb.connect()
    try:
        table = df.select(names) if isinstance(df, pa.Table) else df
        con.register("_input", table)
        # a row number that survives DuckDB's parallel scans, for the report
        con.execute("CREATE TEMP TABLE _obs AS SELECT *, row_number() OVER () AS _row FROM _input")
        flag_of = {
            str(f): normalise_flag(f)
            for (f,) in con.execute(f"SELECT DISTINCT {text_sql['flag']} FROM _obs").fetchall()
        }
        valid_flags = [f for f, n in flag_of.items() if n is not None]
        code_rules.append(
            (
                "flag",
                among("flag", valid_flags),
                "Eurostat's flag letters: "
                + ", ".join(f"{k} ({v})" for k, v in FLAG_LETTERS.items()),
            )
        )
        checks = code_rules + rules
        firsts = con.execute(
            "SELECT "
            + ", ".join(f"min(_row) FILTER (WHERE {sql})" for _, sql, _ in checks)
            + " FROM _obs"
        ).fetchall()[0]
        for (col, _sql, expected), first in zip(checks, firsts, strict=True):
            if first is not None:
                row = int(first)
                shown = (
                    con.execute(
                        f'SELECT CAST("{col}" AS VARCHAR) FROM _obs WHERE _row = ?', [row]
                    ).fetchall()[0][0]
                    if col in names
                    else source
                )
                raise InputError(
                    "invalid observation",
                    file=origin,
                    column=col,
                    row=row,
                    value=shown,
                    hint=f"expected {expected}",
                )
        key = ", ".join(text_sql.get(k, f'"{k}"') for k in CELL_KEY)
        dup = None
        if con.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM _obs GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()[0][0]:  # then, and only then, find the first repeated row
            dup = con.execute(
                f"SELECT min(_row) FROM (SELECT _row, row_number() OVER (PARTITION BY {key} "
                "ORDER BY _row) AS k FROM _obs) WHERE k > 1"
            ).fetchall()[0][0]
        if dup is not None:
            raise InputError(
                "the same cell appears twice",
                file=origin,
                row=int(dup),
                hint="Each indicator, geo, time, group, migrant background, sex, age and "
                "compare_to "
                "may appear once per load",
            )
        cols = ", ".join(
            f"{typed[c]} AS {c}" if c in typed else f"{text_sql[c]} AS {c}"
            for c in (*need, "source")
        )
        out: pd.DataFrame = con.execute(f"SELECT {cols} FROM _obs ORDER BY _row").df()
    finally:
        con.close()
    out["flag"] = out["flag"].map(flag_of)
    out["time"] = out["time"].astype("int64")
    for col in _COUNTS:
        out[col] = out[col].astype("Int64")
    return out
