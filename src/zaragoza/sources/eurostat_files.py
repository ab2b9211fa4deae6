"""Read Eurostat's published file formats into one long, tidy table.

Five formats are understood, and the format of a file is told from its header
(:func:`detect_format`):

``tsv``
    Eurostat's "TSV bulk download" format, also served by the dissemination API
    (``format=TSV``): a header ``freq,unit,sex,age,citizen,geo\\TIME_PERIOD`` followed by
    one tab-separated column per period; each row is one series, its codes joined by
    commas in the first cell; a cell holds a value and the observation flags
    (``70.4 b``), or ``:`` when the value is not available (``: u``, ``:``).
``sdmx_csv``
    "SDMX-CSV 2.0" as Eurostat writes it (``STRUCTURE,STRUCTURE_ID,…,TIME_PERIOD,
    OBS_VALUE,OBS_FLAG,CONF_STATUS``), with or without labels. With labels
    (``STRUCTURE_NAME`` present) every code column is followed by its label column
    (``freq,Time frequency,unit,Unit of measure,…``); the labels are dropped.
``labelled_csv``
    The data browser's CSV download with labels instead of codes
    (``DATAFLOW,LAST UPDATE,freq,unit,…,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS``,
    cells such as ``Annual``, ``Euro``, ``Reporting country``). Every label is mapped
    back to its Eurostat code through the code list ``catalog/data/eurostat_labels.csv``;
    a label that is not there is an error, never a guess. The same layout with codes
    (SDMX-CSV 1.0, what the SDMX 2.1 API answers to ``format=SDMX-CSV``) looks the same
    from its header; :func:`read_sdmx_csv_1` reads it for the API client, which knows
    it asked for codes.
``transcribed_csv``
    A ``geo,time,value,flag`` table, for figures copied from a page that republishes a
    Eurostat dataset; the dataset code is given by the caller.
``jsonstat``
    Answers of Eurostat's statistics API (JSON-stat 2.0, ``format=JSON``) kept as a file:
    one dataset, or a JSON array of recorded answers (:func:`read_jsonstat_file`).

Every reader returns the same layout, one row per observation:

* ``dataset``: the Eurostat dataset code in lower case (``lfsa_ergan``);
* the dataset's own dimensions, named by their Eurostat ids in lower case (``freq``,
  ``unit``, ``sex``, ``age``, ``citizen``, ``c_birth``, ``isced11``, ``indic_il``,
  ``geo``, …), holding Eurostat codes, in the order of the file;
* ``time``: the reference year (int; only annual data are read);
* ``value``: float, NaN when Eurostat publishes no value;
* ``flag``: the observation flags exactly as published, letters only (``""``, ``"b"``,
  ``"u"``, ``"bu"``, ``"d"``); a missing value is told by ``value`` being NaN;
* ``conf_status``: the confidentiality status (str), for the formats that carry it.

Every problem with a file (unreadable, unexpected header, a cell that is not a number,
an unknown label) raises :class:`zaragoza.errors.InputError` naming the file, the
column, the row and the value. Rows are data rows counted from 1, as in the rest of
Zaragoza; row 0 is the header line.

The real Eurostat files bundled with Zaragoza (``zaragoza/data/eurostat``; their origin
and credit lines are in ``NOTICE``) are listed by :func:`bundled_files` and read, all
at once, by :func:`read_bundled`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TextIO, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from zaragoza.catalog.labels import LABELS_FILE, label_codes, normalise_label
from zaragoza.errors import InputError

__all__ = [
    "RESERVED",
    "FileFormat",
    "detect_format",
    "read_eurostat_file",
    "read_jsonstat_file",
    "read_labelled_csv",
    "read_sdmx_csv",
    "read_sdmx_csv_1",
    "read_transcribed_csv",
    "read_tsv_bulk",
]

FileFormat = Literal["tsv", "sdmx_csv", "labelled_csv", "transcribed_csv", "jsonstat"]
T = TypeVar("T")

#: Columns of the output that are not dimensions; a file may not use them as dimensions.
RESERVED = ("dataset", "time", "value", "flag", "conf_status")

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_TSV_CELL = re.compile(rf"\s*(:|{_NUMBER})\s*([a-z]*)\s*")
_FLAGS = re.compile(r"[a-z]*")
_YEAR = re.compile(r"\d{4}")
_DIMENSION_ID = re.compile(r"[a-z][a-z0-9_]*")
# ESTAT:LFSA_ERGAN(1.0), ESTAT:ILC_DI15$DEFAULTVIEW(1.0), or a bare LFSA_ERGAN
_DATAFLOW = re.compile(r"(?:[A-Za-z0-9_.]+:)?([A-Za-z][A-Za-z0-9_]*)(?:\$\w+)?(?:\([\w.]+\))?")

_SDMX_SPECIAL = ("TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")
_LABELLED_SPECIAL = ("DATAFLOW", "LAST UPDATE", *_SDMX_SPECIAL)
_TRANSCRIBED_HEADER = ["geo", "time", "value", "flag"]


_HEADERS_HINT = (
    "Expected a Eurostat TSV bulk file ('freq,…,geo\\TIME_PERIOD' then tab-separated "
    "years), SDMX-CSV 2.0 ('STRUCTURE,STRUCTURE_ID,…'), the data browser's labelled CSV "
    "('DATAFLOW,LAST UPDATE,…'), a 'geo,time,value,flag' table or JSON-stat answers "
    '(\'{"version": "2.0", "class": "dataset", …}\')'
)


# --------------------------------------------------------------------------- reading


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """Open a UTF-8 text file, gzip-compressed when its name ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield fh
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield fh


@dataclass(frozen=True)
class _Table:
    """A delimited file as read: header, rows, and each row's 1-based data-row number."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    numbers: list[int]

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows]


def _read_table(path: Path, delimiter: str) -> _Table:
    """Read a delimited file, checking that every row has as many fields as the header."""
    row_number: int | None = None
    try:
        with _open_text(path) as fh:
            # TSV cells are never quoted; a '"' in one is data
            if delimiter == "\t":
                reader = csv.reader(fh, delimiter=delimiter, quoting=csv.QUOTE_NONE)
            else:
                reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            rows: list[list[str]] = []
            numbers: list[int] = []
            for row in reader:
                row_number = reader.line_num - 1
                if not row or row == [""]:
                    continue  # a blank line
                rows.append(row)
                numbers.append(row_number)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            "cannot read the file", file=str(path), row=row_number, hint=str(exc)
        ) from None
    if header is None:
        raise InputError("the file is empty", file=str(path), hint=_HEADERS_HINT)
    for row, number in zip(rows, numbers, strict=True):
        if len(row) != len(header):
            raise InputError(
                f"the row has {len(row)} fields where the header has {len(header)}",
                file=str(path),
                row=number,
                value=delimiter.join(row)[:80],
            )
    return _Table(path, header, rows, numbers)


def _first_line(path: Path) -> str:
    try:
        with _open_text(path) as fh:
            return fh.readline().rstrip("\r\n")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise InputError("cannot read the file", file=str(path), hint=str(exc)) from None


# --------------------------------------------------------------------------- cells


def _value(cell: str) -> float:
    """An observation value: a number, or empty / ``:`` when not available (NaN)."""
    if cell in ("", ":"):
        return np.nan
    if not _NUMBER_RE.fullmatch(cell):
        raise ValueError(cell)
    return float(cell)


def _flag(cell: str) -> str:
    if not _FLAGS.fullmatch(cell):
        raise ValueError(cell)
    return cell


def _year(cell: str) -> int:
    if not _YEAR.fullmatch(cell):
        raise ValueError(cell)
    return int(cell)


def _code(cell: str) -> str:
    if not cell:
        raise ValueError(cell)
    return cell


@cache
def _dataset_code(cell: str) -> str:
    """The dataset code, lower case, of ``ESTAT:LFSA_ERGAN(1.0)``-style identifiers."""
    match = _DATAFLOW.fullmatch(cell)
    if match is None:
        raise ValueError(cell)
    return match.group(1).lower()


_CELL_RULES: dict[Callable[[str], object], tuple[str, str]] = {
    _value: (
        "the observation value is not a number",
        "Expected a number such as 70.4, or nothing or ':' when not available",
    ),
    _flag: (
        "the observation flag is not a run of Eurostat flag letters",
        "Expected lower-case letters such as b, u, bu, d, e, p, or nothing",
    ),
    _year: ("the time period is not a year", "Only annual data (such as 2023) are read"),
    _code: ("the dimension code is empty", "Every observation needs a code in each dimension"),
    _dataset_code: (
        "the dataflow identifier is not of the form AGENCY:CODE(VERSION)",
        "Eurostat writes e.g. ESTAT:LFSA_ERGAN(1.0)",
    ),
}


def _column(table: _Table, index: int, column: str, parse: Callable[[str], T]) -> list[T]:
    """Parse one column, cell by cell; the first bad cell raises with file, row, value."""
    out = []
    for row, number in zip(table.rows, table.numbers, strict=True):
        try:
            out.append(parse(row[index].strip()))
        except ValueError:
            what, hint = _CELL_RULES[parse]
            raise InputError(
                what, file=str(table.path), column=column, row=number, value=row[index], hint=hint
            ) from None
    return out


def _bad_header(
    path: Path, what: str, column: str | None = None, hint: str = _HEADERS_HINT
) -> InputError:
    """The error for a header that is not the format's (row 0 is the header)."""
    return InputError(f"unexpected header: {what}", file=str(path), row=0, column=column, hint=hint)


def _dimension_names(path: Path, names: Sequence[str]) -> list[str]:
    out = []
    for name in names:
        dim = name.strip().lower()
        if not _DIMENSION_ID.fullmatch(dim) or dim in RESERVED or dim in out:
            raise _bad_header(
                path,
                "not a usable dimension id",
                name,
                hint="Dimension ids are Eurostat's (freq, unit, sex, age, citizen, geo, …), "
                f"each once, none of {', '.join(RESERVED)}",
            )
        out.append(dim)
    return out


def _frame(
    dataset: Sequence[str],
    dims: Mapping[str, Sequence[str] | npt.NDArray[np.object_]],
    time: Sequence[int] | npt.NDArray[np.int64],
    value: Sequence[float] | npt.NDArray[np.float64],
    flag: Sequence[str],
    conf_status: Sequence[str] | None,
) -> pd.DataFrame:
    data: dict[str, object] = {"dataset": np.asarray(dataset, dtype=object)}
    data.update({k: np.asarray(v, dtype=object) for k, v in dims.items()})
    data["time"] = np.asarray(time, dtype=np.int64)
    data["value"] = np.asarray(value, dtype=np.float64)
    data["flag"] = np.asarray(flag, dtype=object)
    if conf_status is not None:
        data["conf_status"] = np.asarray(conf_status, dtype=object)
    return pd.DataFrame(data)


def _observations(
    table: _Table, special: Mapping[str, int]
) -> tuple[list[int], list[float], list[str], list[str]]:
    """``time, value, flag, conf_status`` from the SDMX columns of a CSV file."""
    flag_at, conf_at = special.get("OBS_FLAG"), special.get("CONF_STATUS")
    blank = [""] * len(table.rows)
    return (
        _column(table, special["TIME_PERIOD"], "TIME_PERIOD", _year),
        _column(table, special["OBS_VALUE"], "OBS_VALUE", _value),
        blank if flag_at is None else _column(table, flag_at, "OBS_FLAG", _flag),
        blank if conf_at is None else [c.strip() for c in table.column(conf_at)],
    )


def _dataset_argument(dataset: str, path: Path) -> str:
    code = dataset.strip().lower()
    if not _DIMENSION_ID.fullmatch(code):
        raise InputError(
            "not a Eurostat dataset code",
            file=str(path),
            value=dataset,
            hint="Dataset codes look like lfsa_ergan or migr_acqs",
        )
    return code


# --------------------------------------------------------------------------- TSV


def _dataset_from_name(path: Path) -> str:
    """The dataset code from a Eurostat download's name: ``<code>.tsv[.gz]``,
    ``estat_<code>.tsv[.gz]``."""
    name = path.name.lower()
    for suffix in (".gz", ".tsv"):
        name = name.removesuffix(suffix)
    name = name.removeprefix("estat_")
    if not _DIMENSION_ID.fullmatch(name):
        raise InputError(
            "the TSV format does not name its dataset, and the file name is not a "
            "Eurostat dataset code",
            file=str(path),
            hint="Pass dataset='lfsa_ergan' (the Eurostat code), or keep Eurostat's file "
            "name (lfsa_ergan.tsv.gz, estat_lfsa_ergan.tsv)",
        )
    return name


def read_tsv_bulk(path: str | Path, dataset: str | None = None) -> pd.DataFrame:
    """Return the observations of a Eurostat TSV file, one row per series and year.

    Parameters
    ----------
    path
        A file in Eurostat's "TSV bulk download" format (also the dissemination API's
        ``format=TSV``), plain or gzip-compressed (``.gz``).
    dataset
        The Eurostat dataset code. The format does not carry it: by default it is the
        file name as Eurostat writes it (``lfsa_ergan.tsv.gz`` in the bulk download,
        ``estat_lfsa_ergan.tsv`` from the API); pass it for a renamed file.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, the dimensions named in the header (``freq, unit, sex, age,
        citizen, geo``, …) with their codes, ``time`` (int), ``value`` (float, NaN for
        ``:``), ``flag`` (the letters after the value, ``""`` when none). Rows follow
        the file: series by series, years left to right.

    Raises
    ------
    InputError
        The file cannot be read, the header is not ``dims\\TIME_PERIOD`` then years, a
        row does not have one code per dimension, or a cell is not ``number [flags]``
        or ``: [flags]``.

    Notes
    -----
    The TSV of Eurostat's bulk download facility and of its dissemination API
    (``format=TSV``): the first column joins the series' codes with commas, its header
    names the dimensions then ``\\TIME_PERIOD`` (``\\time`` in older files); cells
    are the value and its flags separated by a space, ``:`` when not available. Only
    annual periods are read.
    """
    p = Path(path)
    table = _read_table(p, "\t")
    head = table.header[0]
    dims_part, sep, time_part = head.partition("\\")
    if not sep or time_part.strip().lower() not in ("time_period", "time"):
        raise _bad_header(p, "the first column is not 'dimensions\\TIME_PERIOD'", head)
    dims = _dimension_names(p, dims_part.split(","))
    years = []
    for cell in table.header[1:]:
        if not _YEAR.fullmatch(cell.strip()):
            raise _bad_header(
                p,
                "the time period is not a year",
                cell.strip(),
                hint="Only annual data (columns 2015, 2016, …) are read",
            )
        years.append(int(cell))
    if not years or len(set(years)) != len(years):
        raise _bad_header(p, "no year columns, or a year twice", head)
    dataset_code = _dataset_argument(dataset, p) if dataset else _dataset_from_name(p)

    n_years = len(years)
    codes: list[list[str]] = []
    value = np.empty(len(table.rows) * n_years, dtype=np.float64)
    flag: list[str] = []
    for i, (row, number) in enumerate(zip(table.rows, table.numbers, strict=True)):
        key = [c.strip() for c in row[0].split(",")]
        if len(key) != len(dims) or not all(key):
            raise InputError(
                f"the series key does not have one code for each of {len(dims)} dimensions",
                file=str(p),
                column=head,
                row=number,
                value=row[0],
            )
        codes.append(key)
        for j, cell in enumerate(row[1:]):
            match = _TSV_CELL.fullmatch(cell)
            if match is None:
                raise InputError(
                    "the cell is not a number or ':' followed by flags",
                    file=str(p),
                    column=table.header[j + 1].strip(),
                    row=number,
                    value=cell,
                    hint="Eurostat TSV cells look like '70.4', '70.4 b', ': u' or ':'",
                )
            number_text, letters = match.groups()
            value[i * n_years + j] = np.nan if number_text == ":" else float(number_text)
            flag.append(letters)
    key_matrix = np.asarray(codes, dtype=object).reshape(len(codes), len(dims))
    repeated = np.repeat(key_matrix, n_years, axis=0)
    return _frame(
        [dataset_code] * len(value),
        {d: repeated[:, k] for k, d in enumerate(dims)},
        np.tile(np.asarray(years, dtype=np.int64), len(codes)),
        value,
        flag,
        None,
    )


# --------------------------------------------------------------------------- SDMX-CSV


def read_sdmx_csv(path: str | Path) -> pd.DataFrame:
    """Return the observations of an SDMX-CSV 2.0 file from Eurostat, with codes.

    Parameters
    ----------
    path
        A Eurostat "SDMX-CSV 2.0" file (plain or ``.gz``), with codes only or with a
        label column after each code column (Eurostat's "labels: both" download).

    Returns
    -------
    pandas.DataFrame
        ``dataset`` (from ``STRUCTURE_ID``: ``ESTAT:LFSA_ERGAN(1.0)`` gives
        ``lfsa_ergan``), the dimension columns in file order with their codes,
        ``time`` (int), ``value`` (float, NaN when ``OBS_VALUE`` is empty), ``flag``
        (``OBS_FLAG``), ``conf_status`` (``CONF_STATUS``, ``""`` when absent). Label
        columns are dropped.

    Raises
    ------
    InputError
        The file cannot be read, the header is not SDMX-CSV 2.0 (``STRUCTURE,
        STRUCTURE_ID``, dimension ids, ``TIME_PERIOD``, ``OBS_VALUE``), or a cell is
        not what its column needs (a year, a number, flag letters, a dataflow id).

    Notes
    -----
    SDMX-CSV 2.0, the SDMX Technical Working Group's CSV format for SDMX 3.0, as served
    by Eurostat's dissemination API (``format=SDMX-CSV``, ``formatVersion=2.0``).
    Eurostat writes labels as separate columns (``freq,Time frequency,…``) and adds
    ``STRUCTURE_NAME`` when it does; that is how label columns are recognised. Only
    annual periods are read.
    """
    p = Path(path)
    table = _read_table(p, ",")
    h = table.header
    if h[:2] != ["STRUCTURE", "STRUCTURE_ID"]:
        raise _bad_header(p, "SDMX-CSV 2.0 starts with STRUCTURE,STRUCTURE_ID", h[0])
    labelled = len(h) > 2 and h[2] == "STRUCTURE_NAME"
    start = 3 if labelled else 2
    if labelled and (len(h) - start) % 2:
        raise _bad_header(p, "with labels, every code column is followed by its label", h[-1])
    positions = range(start, len(h), 2 if labelled else 1)
    special = {h[i]: i for i in positions if h[i] in _SDMX_SPECIAL}
    dim_positions = [i for i in positions if h[i] not in _SDMX_SPECIAL]
    dims = _dimension_names(p, [h[i] for i in dim_positions])
    for required in ("TIME_PERIOD", "OBS_VALUE"):
        if required not in special:
            raise _bad_header(p, f"no {required} column")
    return _frame(
        _column(table, 1, "STRUCTURE_ID", _dataset_code),
        {d: _column(table, i, h[i], _code) for d, i in zip(dims, dim_positions, strict=True)},
        *_observations(table, special),
    )


def _dataflow_columns(p: Path, table: _Table) -> tuple[dict[str, int], list[str], list[int]]:
    """The special columns, dimension ids and dimension positions of an SDMX-CSV 1.0
    header (``DATAFLOW,LAST UPDATE,dims…,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS``)."""
    h = table.header
    if h[0] != "DATAFLOW":
        raise _bad_header(p, "SDMX-CSV 1.0 and the data browser's CSV start with DATAFLOW", h[0])
    special = {name: i for i, name in enumerate(h) if name in _LABELLED_SPECIAL}
    for required in ("TIME_PERIOD", "OBS_VALUE"):
        if required not in special:
            raise _bad_header(p, f"no {required} column")
    dim_positions = [i for i, name in enumerate(h) if name not in _LABELLED_SPECIAL]
    return special, _dimension_names(p, [h[i] for i in dim_positions]), dim_positions


def read_sdmx_csv_1(path: str | Path) -> pd.DataFrame:
    """Return the observations of an SDMX-CSV 1.0 file with codes.

    Parameters
    ----------
    path
        A CSV file (plain or ``.gz``) as Eurostat's SDMX 2.1 API answers
        ``format=SDMX-CSV`` without ``formatVersion``: ``DATAFLOW,LAST UPDATE``, the
        dimensions (cells are codes: ``A``, ``PC``, ``IT``), ``TIME_PERIOD``,
        ``OBS_VALUE``, ``OBS_FLAG`` and ``CONF_STATUS``.

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`read_labelled_csv`: ``dataset`` (from ``DATAFLOW``:
        ``ESTAT:ILC_PEPS01N(1.0)`` gives ``ilc_peps01n``), the dimensions with their
        codes, ``time``, ``value``, ``flag``, ``conf_status``. ``LAST UPDATE`` is
        dropped.

    Raises
    ------
    InputError
        As :func:`read_sdmx_csv`.

    Notes
    -----
    The header is the one of :func:`read_labelled_csv`; which of the two a file is
    cannot be told from its header, so :func:`detect_format` takes a ``DATAFLOW`` file
    for the data browser's labelled CSV, and this reader is called by whoever knows
    that codes were asked for (``EurostatClient.fetch_sdmx_csv``).
    """
    p = Path(path)
    table = _read_table(p, ",")
    special, dims, dim_positions = _dataflow_columns(p, table)
    h = table.header
    return _frame(
        _column(table, 0, "DATAFLOW", _dataset_code),
        {d: _column(table, i, h[i], _code) for d, i in zip(dims, dim_positions, strict=True)},
        *_observations(table, special),
    )


def read_labelled_csv(path: str | Path) -> pd.DataFrame:
    """Return the observations of a Eurostat data-browser CSV with labels, as codes.

    Parameters
    ----------
    path
        A CSV file (plain or ``.gz``) as the Eurostat data browser writes it when asked
        for labels: ``DATAFLOW,LAST UPDATE``, the dimensions (cells are labels such as
        ``Annual``, ``Euro``, ``Reporting country``, ``Türkiye``), ``TIME_PERIOD``,
        ``OBS_VALUE``, ``OBS_FLAG`` and ``CONF_STATUS``.

    Returns
    -------
    pandas.DataFrame
        ``dataset`` (from ``DATAFLOW``: ``ESTAT:ILC_DI15$DEFAULTVIEW(1.0)`` gives
        ``ilc_di15``), the dimensions with every label replaced by its Eurostat code,
        ``time``, ``value``, ``flag``, ``conf_status``. ``LAST UPDATE`` is dropped.

    Raises
    ------
    InputError
        The file cannot be read or its header is unexpected, a cell is not what its
        column needs, or a label is not in the code list: the error names the file,
        column, row and label, and how many labels the code list holds for that
        dimension. Labels are never guessed; add a missing one, with its code, to
        ``catalog/data/eurostat_labels.csv``.

    Notes
    -----
    The layout is SDMX-CSV 1.0's (``DATAFLOW`` first) with the data browser's "labels"
    option. The code list pairs every label with Eurostat's code; it was built from
    the code/label pairs of Eurostat's SDMX-CSV files and Eurostat's code lists.
    """
    p = Path(path)
    table = _read_table(p, ",")
    special, dims, dim_positions = _dataflow_columns(p, table)
    h = table.header
    codelist = label_codes()
    mapped: dict[str, list[str]] = {}
    for dim, i in zip(dims, dim_positions, strict=True):
        known = codelist.get(dim, {})
        cells = table.column(i)
        # a column holds few distinct labels: look each up once
        lookup = {cell: known.get(normalise_label(cell)) for cell in set(cells)}
        unknown = {cell for cell, code in lookup.items() if code is None}
        if unknown:
            at = next(k for k, cell in enumerate(cells) if cell in unknown)
            looks_like_code = cells[at].strip() in known.values()
            raise InputError(
                f"unknown label for dimension {dim}",
                file=str(p),
                column=h[i],
                row=table.numbers[at],
                value=cells[at],
                hint=f"The code list catalog/data/{LABELS_FILE} holds {len(known)} "
                f"labels for {dim}; add this one with its Eurostat code there "
                "(labels are never guessed)"
                + (". It is a code: this reader expects labels" if looks_like_code else ""),
            )
        mapped[dim] = [lookup[cell] for cell in cells]  # type: ignore[misc]
    return _frame(
        _column(table, 0, "DATAFLOW", _dataset_code), mapped, *_observations(table, special)
    )


# --------------------------------------------------------------------------- transcribed


def read_transcribed_csv(path: str | Path, dataset: str) -> pd.DataFrame:
    """Return the observations of a ``geo,time,value,flag`` table of one dataset.

    Parameters
    ----------
    path
        A CSV file (plain or ``.gz``) with exactly the columns ``geo,time,value,flag``:
        Eurostat geo codes, years, values (empty or ``:`` when not available) and
        Eurostat flag letters.
    dataset
        The Eurostat code of the dataset the figures come from (``migr_acqs``).

    Returns
    -------
    pandas.DataFrame
        ``dataset, geo, time, value, flag``.

    Raises
    ------
    InputError
        The file cannot be read, its header is not ``geo,time,value,flag``, or a cell is
        not what its column needs.
    """
    p = Path(path)
    table = _read_table(p, ",")
    if table.header != _TRANSCRIBED_HEADER:
        raise _bad_header(p, "expected exactly geo,time,value,flag", ",".join(table.header)[:80])
    code = _dataset_argument(dataset, p)
    return _frame(
        [code] * len(table.rows),
        {"geo": _column(table, 0, "geo", _code)},
        _column(table, 1, "time", _year),
        _column(table, 2, "value", _value),
        _column(table, 3, "flag", _flag),
        None,
    )


# --------------------------------------------------------------------------- JSON-stat


def _answers(body: object, path: Path) -> list[Mapping[str, object]]:
    """The JSON-stat datasets of a file: the body itself, or each item of an array (a
    dataset, or a recording holding exactly one dataset among its values)."""

    def is_dataset(item: object) -> bool:
        return isinstance(item, dict) and item.get("class") == "dataset"

    if is_dataset(body):
        return [body]  # type: ignore[list-item]
    if not isinstance(body, list) or not body:
        raise InputError(
            "not a JSON-stat dataset nor an array of recorded answers",
            file=str(path),
            hint='Expected {"version": "2.0", "class": "dataset", …} as Eurostat\'s '
            "statistics API answers format=JSON, or a JSON array of such answers",
        )
    out = []
    for number, item in enumerate(body, start=1):
        found = [item] if is_dataset(item) else []
        if not found and isinstance(item, dict):
            found = [v for v in item.values() if is_dataset(v)]
        if len(found) != 1:
            raise InputError(
                f"item {number} of the array holds {len(found)} JSON-stat datasets, not one",
                file=str(path),
                row=number,
                hint='Each item is a dataset ("class": "dataset") or a recording with '
                "exactly one dataset among its values",
            )
        out.append(found[0])
    return out


def read_jsonstat_file(path: str | Path, dataset: str | None = None) -> pd.DataFrame:
    """Return the observations of Eurostat JSON-stat answers kept in a file.

    Parameters
    ----------
    path
        A JSON file (plain or ``.gz``): one JSON-stat 2.0 dataset as Eurostat's
        statistics API answers ``format=JSON``, or a JSON array of recorded answers, each
        item a dataset or an object holding exactly one dataset among its values (a
        recording kept with its URL and query, say).
    dataset
        The Eurostat dataset code. Eurostat names it in ``extension.id``
        (``LFSA_EOQGAN``); when both are there they must agree. Required when an answer
        has no ``extension.id``.

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`zaragoza.sources.jsonstat.parse_jsonstat`: ``dataset``, the
        dimensions (codes), ``time``, ``value``, ``flag``, ``conf_status``. A cell that
        several answers hold (two queries overlapping) is kept once.

    Raises
    ------
    InputError
        The file is not JSON, holds no JSON-stat dataset, an answer is not a JSON-stat
        2.0 dataset, names another dataset, its dimensions differ from the first
        answer's, or two answers give one cell different values or flags.
    """
    from zaragoza.sources.jsonstat import parse_jsonstat

    p = Path(path)
    try:
        with _open_text(p) as fh:
            body = json.load(fh)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("cannot read the file as JSON", file=str(p), hint=str(exc)) from None
    expected = _dataset_argument(dataset, p) if dataset else None
    frames: list[pd.DataFrame] = []
    for number, answer in enumerate(_answers(body, p), start=1):
        extension = answer.get("extension")
        named = extension.get("id") if isinstance(extension, dict) else None
        code = str(named).lower() if named else expected
        if code is None:
            raise InputError(
                f"answer {number} does not name its dataset (no extension.id)",
                file=str(p),
                row=number,
                hint="Pass dataset='lfsa_eoqgan' (the Eurostat code)",
            )
        if expected is not None and code != expected:
            raise InputError(
                f"answer {number} is of dataset {code}, not {expected}",
                file=str(p),
                row=number,
                value=named,
            )
        frame = parse_jsonstat(answer, code, source=f"{p} (answer {number})")
        if frames and list(frame.columns) != list(frames[0].columns):
            raise InputError(
                f"answer {number} has the dimensions {list(frame.columns)}, the first "
                f"{list(frames[0].columns)}",
                file=str(p),
                row=number,
            )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    key = [c for c in out.columns if c not in ("value", "flag", "conf_status")]
    twice = out[out.duplicated(key, keep=False)]
    if len(twice):
        cells = twice.fillna({"value": -1.0}).groupby(key)[["value", "flag", "conf_status"]]
        differing = cells.nunique().max(axis=1) > 1
        if differing.any():
            cell = differing[differing].index[0]
            raise InputError(
                "two answers give one cell different values or flags",
                file=str(p),
                value=dict(zip(key, map(str, cell), strict=True)),
                hint="Recorded answers of one dataset must agree where they overlap",
            )
    return out.drop_duplicates(key, ignore_index=True)


# --------------------------------------------------------------------------- dispatch


def detect_format(path: str | Path) -> FileFormat:
    """Return the Eurostat file format of ``path``, told from its header line.

    Raises
    ------
    InputError
        The file cannot be read, or its header is none of the five formats.
    """
    p = Path(path)
    line = _first_line(p)
    if line.lstrip()[:1] in ("{", "["):
        return "jsonstat"
    first = line.split("\t", 1)[0]
    if "\t" in line and "\\" in first:
        return "tsv"
    fields = next(csv.reader(io.StringIO(line)), [])
    if fields[:2] == ["STRUCTURE", "STRUCTURE_ID"]:
        return "sdmx_csv"
    if fields[:1] == ["DATAFLOW"]:
        return "labelled_csv"
    if fields == _TRANSCRIBED_HEADER:
        return "transcribed_csv"
    raise InputError(
        "unknown Eurostat file format", file=str(p), row=0, value=line[:80], hint=_HEADERS_HINT
    )


def read_eurostat_file(path: str | Path, dataset: str | None = None) -> pd.DataFrame:
    """Return the observations of a Eurostat file in any of the five formats.

    Parameters
    ----------
    path
        A TSV bulk, SDMX-CSV 2.0, labelled data-browser CSV, ``geo,time,value,flag``
        or JSON-stat file (see :func:`detect_format`).
    dataset
        The dataset code, for the formats that do not carry one (TSV: optional, see
        :func:`read_tsv_bulk`; ``geo,time,value,flag``: required). For the others it
        may be given as a check: a file of another dataset is an error.

    Returns
    -------
    pandas.DataFrame
        The layout of the module docstring.
    """
    p = Path(path)
    fmt = detect_format(p)
    if fmt == "tsv":
        return read_tsv_bulk(p, dataset)
    if fmt == "transcribed_csv":
        if not dataset:
            raise InputError(
                "a geo,time,value,flag table does not name its dataset",
                file=str(p),
                hint="Pass dataset='migr_acqs' (the Eurostat code of its figures)",
            )
        return read_transcribed_csv(p, dataset)
    if fmt == "jsonstat":
        return read_jsonstat_file(p, dataset)
    frame = read_sdmx_csv(p) if fmt == "sdmx_csv" else read_labelled_csv(p)
    if dataset:
        expected = _dataset_argument(dataset, p)
        other = sorted(set(frame["dataset"]) - {expected})
        if other:
            raise InputError(
                f"the file holds dataset {other[0]}, not {expected}", file=str(p), value=other[0]
            )
    return frame
