"""Read microdata files (CSV, Parquet, SPSS, Stata, SAS) into one DuckDB relation.

Files are read by DuckDB (CSV, Parquet: out of core) or by ReadStat through
``pyreadstat`` (SPSS ``.sav``/``.zsav``/``.por``, Stata ``.dta``, SAS ``.sas7bdat``/
``.xpt``), renamed to EU-LFS variable names, upper-cased, and stacked by column name.
Each record keeps the file it came from (``_file``) so errors can point at it.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from zaragoza.errors import InputError

__all__ = [
    "SYNTHETIC_KEY",
    "SYNTHETIC_NAMES",
    "SYNTHETIC_VALUE",
    "ColumnMap",
    "Microdata",
    "csv_source",
    "is_synthetic",
    "load_column_map",
    "open_microdata",
    "quote",
    "read_errors",
]

READSTAT_SUFFIXES = {".sav", ".zsav", ".por", ".dta", ".sas7bdat", ".xpt"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".gz"}
PARQUET_SUFFIXES = {".parquet", ".pq"}

ColumnMap = Mapping[str, str]

#: The Parquet key-value metadata that marks files of synthetic records (written by
#: ``zaragoza synth``), and the file names of the bundled synthetic examples.
SYNTHETIC_KEY = b"zaragoza"
SYNTHETIC_VALUE = b"synthetic records"
SYNTHETIC_NAMES = re.compile(r"(?:^|/)example_[a-z]+\.|synthetic|synth_")


def is_synthetic(path: str | Path) -> bool:
    """Whether a microdata file holds synthetic records: a Parquet file ``zaragoza synth``
    wrote (its metadata says so), or one named as the bundled examples are."""
    p = Path(path)
    if SYNTHETIC_NAMES.search(p.as_posix()):
        return True
    if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file():
        import pyarrow.parquet as pq

        try:
            meta = pq.read_schema(p).metadata or {}
        except (OSError, ValueError):
            return False
        return meta.get(SYNTHETIC_KEY) == SYNTHETIC_VALUE
    return False


def quote(name: str) -> str:
    """Quote an SQL identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_CSV_ERROR = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FILE = re.compile(r"^\s*file = (.+)$", re.MULTILINE)
_CSV_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_LINE = re.compile(r"^Original Line: (.*)$", re.MULTILINE)


@contextmanager
def read_errors(files: Sequence[str] = ()) -> Iterator[None]:
    """Turn DuckDB's errors on a malformed CSV row into an :class:`InputError` naming it.

    CSV files are read lazily, while they are validated and estimated, so a ragged row,
    a partial last row (a truncated file) or an unterminated quote surfaces inside a
    query; this names the file, the line (1 is the header) and what was found.
    """
    try:
        yield
    except duckdb.InvalidInputException as exc:
        text = str(exc)
        line = _CSV_ERROR.search(text)
        if line is None:
            raise
        found = _CSV_FILE.search(text)
        file = found.group(1).strip() if found else ", ".join(files) or None
        count = _CSV_COUNT.search(text)
        shown = _CSV_LINE.search(text)
        if count:
            what = f"a row has {count.group(2)} field(s), the header {count.group(1)}"
            hint = "Every row needs one field per column; a truncated file ends in a partial row"
        elif "unterminated quote" in text:
            what = "a value has an unterminated quote"
            hint = "Close the quote, or double a quote character inside a quoted value"
        else:
            what = "a row cannot be read as CSV"
            hint = text.splitlines()[0]
        value = shown.group(1)[:120] if shown else None
        raise InputError(
            what, file=file, row=int(line.group(1)) - 1, value=value, hint=hint
        ) from None


def load_column_map(path: str | Path) -> dict[str, str]:
    """Return ``{EU-LFS name: your column name}`` from a YAML file.

    The file maps EU-LFS names to the names in your files, e.g. ``COEFF: weight``. Keys
    may be written in any case; they are upper-cased.
    """
    p = Path(path)
    try:
        raw: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError("cannot read the column map", file=str(p), hint=str(exc)) from None
    except yaml.YAMLError as exc:
        raise InputError("the column map is not valid YAML", file=str(p), hint=str(exc)) from None
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise InputError(
            "the column map must be a mapping of EU-LFS names to your column names",
            file=str(p),
            hint="For example:\n  COEFF: weight\n  NATIONAL: citizenship",
        )
    targets = [v.upper() for v in raw.values()]
    dup = {t for t in targets if targets.count(t) > 1}
    if dup:
        raise InputError(
            "the column map uses one of your columns twice", file=str(p), value=sorted(dup)[0]
        )
    return {k.upper(): v for k, v in raw.items()}


@dataclass
class Microdata:
    """The stacked input as a DuckDB view, with what is known about its origin."""

    con: duckdb.DuckDBPyConnection
    view: str
    files: list[str]
    columns: list[str]
    #: per file: the SQL that reads it with a ``_row`` column (1-based data row)
    numbered: dict[str, str]

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        return self.con.sql(query)

    def one(self, query: str) -> tuple[Any, ...]:
        rows = self.con.execute(query).fetchall()
        return tuple(rows[0])


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last in PARQUET_SUFFIXES:
        return "parquet"
    if last in READSTAT_SUFFIXES:
        return "readstat"
    if last in CSV_SUFFIXES:
        return "csv"
    raise InputError(
        f"unsupported file type {last or '(none)'!r}",
        file=str(path),
        hint="Use CSV (.csv, .tsv, .csv.gz), Parquet (.parquet), SPSS (.sav, .zsav, .por), "
        "Stata (.dta) or SAS (.sas7bdat, .xpt)",
    )


def _csv_header(path: Path) -> tuple[list[str], str]:
    """Return a CSV file's column names and its delimiter, read by Python's csv module.

    DuckDB's sniffer guesses the dialect from a sample and silently renames a repeated
    column (``COEFF``, ``COEFF_1``); reading the header here lets a repeated name be
    refused, and a malformed row further down cannot make the sniffer misread the header.
    """
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            head = fh.readline()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError("cannot read the file", file=str(path), hint=str(exc)) from None
    if not head.strip():
        raise InputError(
            "the file is empty", file=str(path), hint="The first line must name the columns"
        )
    if path.suffixes and path.suffixes[0].lower() == ".tsv":
        delim = "\t"
    else:
        counts = {d: head.count(d) for d in (",", ";", "\t", "|")}
        delim = max(counts, key=lambda d: counts[d])
    names = next(csv.reader([head], delimiter=delim))
    return [n.strip() for n in names], delim


def _refuse_repeated(path: Path, names: Sequence[str]) -> None:
    """A column named twice (in any case) is an error: which one would be the weight?"""
    seen: dict[str, str] = {}
    for n in names:
        key = n.upper()
        if key in seen:
            raise InputError(
                f"column {n} appears twice",
                file=str(path),
                column=f"{seen[key]}, {n}" if seen[key] != n else n,
                hint="Column names are compared without case; rename or remove one of them",
            )
        seen[key] = n
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise InputError(
            "a column has no name",
            file=str(path),
            column=f"column number {blank[0]}",
            hint="Every column of the first line needs a name",
        )


def csv_source(path: Path) -> tuple[str, list[str]]:
    """Return DuckDB SQL reading a CSV file as text, strictly, and its column names.

    The dialect is read from the header, not sniffed, and the reading is strict: a
    ragged row, a partial last row or an unterminated quote is an error at that line
    (see :func:`read_errors`), never a guess. A column named twice is refused.
    """
    names, delim = _csv_header(path)
    _refuse_repeated(path, names)
    spec = ", ".join(f"{_lit(n)}: 'VARCHAR'" for n in names)
    delim_sql = "'\\t'" if delim == "\t" else _lit(delim)
    sql = (
        f"read_csv({_lit(str(path))}, header=true, auto_detect=false, columns={{{spec}}}, "
        f"delim={delim_sql}, quote='\"', escape='\"', strict_mode=true)"
    )
    return sql, names


def _source_sql(con: duckdb.DuckDBPyConnection, path: Path, idx: int) -> tuple[str, list[str]]:
    """Return SQL reading one file with its original column names, and those names."""
    lit = "'" + str(path).replace("'", "''") + "'"
    kind = _kind(path)
    if kind == "csv":
        src, _names = csv_source(path)
    elif kind == "parquet":
        import pyarrow.parquet as pq

        try:
            _refuse_repeated(path, pq.read_schema(path).names)
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise InputError(
                "cannot read the file", file=str(path), hint=str(exc).splitlines()[0]
            ) from None
        src = f"read_parquet({lit})"
    else:
        import pyreadstat

        reader: Any = {
            ".sav": pyreadstat.read_sav,
            ".zsav": pyreadstat.read_sav,
            ".por": pyreadstat.read_por,
            ".dta": pyreadstat.read_dta,
            ".sas7bdat": pyreadstat.read_sas7bdat,
            ".xpt": pyreadstat.read_xport,
        }[path.suffix.lower()]
        try:
            frame, _meta = reader(str(path))
        except Exception as exc:
            raise InputError("cannot read the file", file=str(path), hint=str(exc)) from None
        name = f"_zaragoza_readstat_{idx}"
        con.register(name, frame)
        src = name
    try:
        cols = [d[0] for d in con.sql(f"SELECT * FROM {src} LIMIT 0").description]
    except duckdb.Error as exc:
        raise InputError(
            "cannot read the file", file=str(path), hint=str(exc).splitlines()[0]
        ) from None
    return src, cols


def open_microdata(
    paths: Sequence[str | Path],
    *,
    columns: ColumnMap | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    view: str = "microdata",
) -> Microdata:
    """Return the files stacked as one DuckDB view with EU-LFS column names.

    Parameters
    ----------
    paths
        One or many files; each may be CSV, Parquet, SPSS, Stata or SAS.
    columns
        ``{EU-LFS name: name in the files}``; unmapped columns keep their names,
        upper-cased.
    con
        The DuckDB connection to create the view in (a new in-memory one by default).
    """
    if not paths:
        raise InputError("no input file given", hint="Name one or more microdata files")
    con = con or duckdb.connect()
    rename = {v.upper(): k for k, v in (columns or {}).items()}
    selects, numbered, all_cols, files = [], {}, [], []
    for idx, p in enumerate(paths):
        path = Path(p)
        if not path.is_file():
            raise InputError("file not found", file=str(path))
        src, cols = _source_sql(con, path, idx)
        seen: dict[str, str] = {}
        items = []
        for c in cols:
            target = rename.get(c.upper(), c.upper())
            if target in seen:
                raise InputError(
                    f"two columns become {target}",
                    file=str(path),
                    column=f"{seen[target]}, {c}",
                    hint="Column names are compared without case; rename one of them",
                )
            seen[target] = c
            items.append(f"{quote(c)} AS {quote(target)}")
            if target not in all_cols:
                all_cols.append(target)
        fname = str(path).replace("'", "''")
        body = ", ".join(items)
        selects.append(f"SELECT {body}, '{fname}' AS _file FROM {src}")
        numbered[str(path)] = (
            f"SELECT {body}, '{fname}' AS _file, row_number() OVER () AS _row FROM {src}"
        )
        files.append(str(path))
    union = " UNION ALL BY NAME ".join(f"({s})" for s in selects)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {quote(view)} AS {union}")
    return Microdata(con, view, files, all_cols, numbered)
