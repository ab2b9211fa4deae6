"""Output formats of observation tables, registered by name: CSV, JSON, Excel, JSON-stat,
SDMX-CSV, SDMX-ML.

Each writer turns a table of :data:`~zaragoza.warehouse.reader.PUBLIC_COLUMNS` (and,
optionally, ``<dimension>_label`` columns, see :func:`add_labels`) into bytes; a
:class:`Format` records its name, media type and file extension. The registry
:data:`FORMATS` is what the API, the CLI and the portal's download links offer; a new
format is one function under :func:`register`.

Every writer keeps the same contract: values are numbers (percentages as percentages,
gaps in percentage points), a missing value is empty or ``null`` and never ``0``, and
the flag of every cell is kept. Suppressed cells (flag ``c``) arrive blank from the
warehouse reader and stay blank.

``csv``
    RFC 4180 with a header, the columns of the table, floats written in their shortest
    exact form.
``json``
    ``{"results": [{column: value, ...}, ...]}`` with ``null`` for missing; the API adds
    ``count``, ``next`` and ``previous`` beside ``results`` (:attr:`Metadata.extra`).
``xlsx``
    Office Open XML workbook (openpyxl): a ``data`` sheet with the table (its
    ``synthetic`` column included), numbers as numbers and missing cells empty, and an
    ``about`` sheet with title, source, date, a line when figures are synthetic, and
    notes. Text beginning with ``=`` stays text, never a formula.
``jsonstat``
    A JSON-stat 2.0 ``dataset`` (https://json-stat.org/format/, version 2.0). Dimensions
    ``indicator, source, geo, time, citizen, c_birth, mig_bg, sex, age, compare_to,
    statistic``
    in that order (``id``/``size``), each with ``category.index`` and
    ``category.label``; roles ``time``, ``geo`` and ``metric`` (``indicator``, whose
    categories carry their ``unit``, its ``decimals`` the indicator's published
    precision). Level rows have ``compare_to = "_Z"`` (SDMX's code
    for "not applicable"); a gap row has the reference group (``NAT``) and its value is
    in percentage points (``NATIVE`` for a gap to non-immigrant students). The last
    dimension, ``statistic``, holds the estimate
    (``value``) and, when the selection has any, its precision: ``se``, ``ci_lo``,
    ``ci_hi``, ``cv``, ``n``, ``n_missing`` (published Eurostat cells have only
    ``value``). So every reader of JSON-stat (``pyjstat``, JSON-stat Javascript Toolkit)
    gets the precision as ordinary cells. ``value`` is an array with ``null`` for
    missing cells when at least an eighth of the cube is filled and it has at most
    :data:`DENSE_LIMIT` cells; otherwise it takes the object form
    ``{"index": value}`` that the standard allows for sparse cubes (missing cells are
    then absent). ``status`` is the object form: flags by cell index, on every statistic of a
    flagged observation. ``extension`` holds the source, the units per indicator and
    the pagination the API adds, and ``synthetic``: the cells (value indices) computed
    from synthetic records; ``note`` says how to read gaps and suppressed cells, and
    first of all when the selection holds synthetic figures.
``sdmx-csv``
    SDMX-CSV 2.0.0 (SDMX 3.0 technical standard, section 6 "SDMX-CSV"), laid out as
    Eurostat writes it: ``STRUCTURE=dataflow``, ``STRUCTURE_ID`` the dataflow
    ``ZARAGOZA:MIGRANT_INTEGRATION(1.0)``, ``ACTION=I`` (information), the dimensions
    ``freq, indicator, unit, source, geo, citizen, c_birth, mig_bg, sex, age,
    compare_to, TIME_PERIOD`` (``unit`` is ``PC``, ``EUR`` or ``PP``, percentage points, for gap
    rows; level rows have ``compare_to = _Z``), the measure ``OBS_VALUE`` and the
    attributes ``OBS_FLAG`` (the flags but ``c`` and ``:``: as in Eurostat's own files,
    a value not available is an empty ``OBS_VALUE``), ``CONF_STATUS`` (``C`` for a
    suppressed cell, as Eurostat marks confidentiality), the precision attributes
    ``SE, CI_LO, CI_HI, CV, N, N_MISSING`` and ``SYNTHETIC`` (``true`` for a figure
    computed from synthetic records). ``sdmx1`` reads it with the data structure the
    API serves (``/api/v1/sdmx/datastructure/ZARAGOZA/MIGRANT_INTEGRATION/1.0``).
``sdmx-ml``
    SDMX-ML 2.1 structure-specific data (SDMX 2.1 technical standard, section 3), the
    same observations, dimensions and attributes as ``sdmx-csv``, written by ``sdmx1``
    (:mod:`zaragoza.publish.sdmx_ml`), every dimension on each observation
    (``dimensionAtObservation="AllDimensions"``); at most :data:`SDMX_ML_MAX_ROWS`
    observations per message.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from zaragoza import __version__
from zaragoza.catalog.labels import MIG_BG_LABELS, code_labels
from zaragoza.errors import UsageError

__all__ = [
    "DENSE_LIMIT",
    "DIMENSIONS",
    "FORMATS",
    "SDMX_ATTRIBUTES",
    "SDMX_DATAFLOW",
    "SDMX_DIMENSIONS",
    "SDMX_ML_MAX_ROWS",
    "Format",
    "Metadata",
    "add_labels",
    "get_format",
    "metadata_for",
    "register",
    "sdmx_rows",
]

#: The dimensions of an observation, in the order of JSON-stat's ``id``.
DIMENSIONS = (
    "indicator", "source", "geo", "time", "citizen", "c_birth", "mig_bg", "sex", "age",
)  # fmt: skip
#: The precision statistics beside each value.
STATISTICS = ("se", "ci_lo", "ci_hi", "cv", "n", "n_missing")
#: Largest JSON-stat cube written with ``value`` as an array; larger ones are sparse.
DENSE_LIMIT = 200_000
#: SDMX ``STRUCTURE_ID`` of the observations (agency, id, version).
SDMX_DATAFLOW = "ZARAGOZA:MIGRANT_INTEGRATION(1.0)"
#: SDMX code for "not applicable": the ``compare_to`` of level rows.
NOT_APPLICABLE = "_Z"

_UNIT_LABELS = {
    "PC": "percentage",
    "EUR": "euro",
    "PP": "percentage points",
    "PTS": "score points",
}
_DEFAULT_NOTES = (
    "Gap rows (compare_to other than _Z or empty) give the group's value minus the "
    "reference group's, in percentage points for percentage indicators.",
    "Flags are Eurostat's: u low reliability, c confidential (value suppressed), "
    "b break in series, e estimated, p provisional, d definition differs, : not available.",
    "synthetic = true marks a figure computed from synthetic records: a demonstration of "
    "the method, not a statistic; such figures must not be cited.",
)
PRECISION_NOTE = (
    "Values, interval bounds and gaps are rounded to the decimals each indicator is "
    "published with (standard errors to one place more, coefficients of variation to "
    "one); ask with precision=full for every digit."
)
FULL_PRECISION_NOTE = (
    "Figures carry every digit of the computation: their precision is "
    "that of the survey, as the standard errors say, not that of the digits."
)
PROFILES_NOTE = (
    "source = profiles marks a figure counted from skills profiles, not a representative "
    "survey: it describes the persons profiled who consent to statistics, carries no "
    "standard error or interval, and is not comparable with a survey's figure of the "
    "same indicator. Its confidential cells (flag c) are blank; synthetic = true on it: "
    "synthetic example profiles were counted (they describe nobody)."
)
SYNTHETIC_NOTE = (
    "This selection holds figures computed from synthetic records (synthetic = true): "
    "a demonstration of the method, not statistics."
)


@dataclass(frozen=True)
class Metadata:
    """What a writer needs besides the table: titles, units, labels, notes.

    ``units`` maps an indicator to its catalogue unit (``PC``, ``EUR``); ``labels`` maps
    a dimension to ``{code: label}``; ``extra`` is merged into JSON and JSON-stat output
    (the API puts ``count``, ``next`` and ``previous`` there); ``href`` is where the
    table can be fetched again (JSON-stat's ``href``).
    """

    title: str = "Migrant-integration indicators"
    source: str = (
        "Zaragoza (computed cells); Eurostat (published cells), "
        "(c) European Union, Eurostat, re-use with acknowledgement"
    )
    updated: datetime | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = _DEFAULT_NOTES
    extra: Mapping[str, Any] = field(default_factory=dict)
    href: str | None = None
    #: Decimal places each indicator is published with (JSON-stat's ``unit.decimals``).
    decimals: Mapping[str, int] = field(default_factory=dict)
    #: Whether the statistics were rounded to them (:mod:`zaragoza.publish.precision`).
    rounded: bool = False

    def precision_note(self) -> str:
        """What the reader needs to know about the digits of the figures."""
        if self.rounded:
            return PRECISION_NOTE
        return FULL_PRECISION_NOTE


Writer = Callable[[pd.DataFrame, Metadata], bytes]


@dataclass(frozen=True)
class Format:
    """One registered output format: its writer, media type and file extension."""

    name: str
    media_type: str
    extension: str
    description: str
    writer: Writer

    def write(self, df: pd.DataFrame, meta: Metadata | None = None) -> bytes:
        """Return ``df`` written in this format."""
        return self.writer(_prepared(df), meta or Metadata())


#: The registered formats by name.
FORMATS: dict[str, Format] = {}


def register(
    name: str, *, media_type: str, extension: str, description: str
) -> Callable[[Writer], Writer]:
    """Return a decorator registering a writer in :data:`FORMATS` under ``name``."""

    def decorate(writer: Writer) -> Writer:
        FORMATS[name] = Format(name, media_type, extension, description, writer)
        return writer

    return decorate


def get_format(name: str) -> Format:
    """Return the format registered as ``name``.

    Raises
    ------
    UsageError
        No format has that name; the hint lists those that do.
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(
            "unknown output format", value=name, hint=f"Valid formats: {', '.join(FORMATS)}"
        ) from None


def metadata_for(
    df: pd.DataFrame,
    *,
    titles: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    updated: datetime | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Metadata:
    """Return the :class:`Metadata` of ``df``: Eurostat's labels, indicator titles and units.

    ``titles`` and ``units`` default to the bundled catalogue's.
    """
    if titles is None or units is None:
        from zaragoza.catalog.loader import load_catalog

        cat = load_catalog()
        titles = titles if titles is not None else {i: cat[i].title for i in cat}
        units = units if units is not None else {i: cat[i].unit for i in cat}
    known = code_labels()
    labels: dict[str, dict[str, str]] = {}
    for dim in (*DIMENSIONS, "compare_to"):
        if dim not in df.columns:
            continue
        codes = [str(c) for c in pd.unique(df[dim])]
        own = titles if dim == "indicator" else known.get(dim, {})
        if dim == "compare_to":
            own = {
                "": "None (level)",
                **known.get("citizen", {}),
                "NATIVE": MIG_BG_LABELS["NATIVE"],
            }
        elif dim == "source":
            own = {
                "computed": "Computed from microdata",
                "published": "Published by Eurostat",
                "profiles": "Counted from skills profiles (not a representative survey: "
                "no standard error)",
            }
        labels[dim] = {c: own.get(c, c) for c in codes}
    profiles = "source" in df.columns and bool((df["source"] == "profiles").any())
    return Metadata(
        updated=updated, units=dict(units), labels=labels, extra=dict(extra or {}),
        notes=(*_DEFAULT_NOTES, PROFILES_NOTE) if profiles else _DEFAULT_NOTES,
    )  # fmt: skip


def add_labels(df: pd.DataFrame, meta: Metadata) -> pd.DataFrame:
    """Return ``df`` with a ``<dimension>_label`` column after each labelled dimension."""
    out = df.copy()
    for dim, labels in meta.labels.items():
        if dim in out.columns and dim != "time":
            col = out[dim].astype(str).map(lambda c, lab=labels: lab.get(c, c))
            out.insert(list(out.columns).index(dim) + 1, f"{dim}_label", col)
    return out


def _prepared(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers, years as integers, flags as strings; ``mig_bg``
    ``TOTAL`` in a table of observations made before it was a dimension."""
    out = df.copy()
    if "c_birth" in out.columns and "mig_bg" not in out.columns:
        out.insert(list(out.columns).index("c_birth") + 1, "mig_bg", "TOTAL")
    for col in ("n", "n_missing"):
        if col in out.columns:
            out[col] = pd.array(out[col].to_numpy(dtype=float, na_value=np.nan)).astype("Int64")
    if "time" in out.columns:
        out["time"] = out["time"].astype("int64")
    if "flag" in out.columns:
        out["flag"] = out["flag"].fillna("").astype(str)
    return out


def _any_synthetic(df: pd.DataFrame) -> bool:
    return "synthetic" in df.columns and bool(df["synthetic"].fillna(False).astype(bool).any())


def _scalar(v: Any) -> Any:
    """A JSON-ready Python scalar: ``None`` for missing, never NaN."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [
        {c: _scalar(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _number(v: Any) -> str:
    """A CSV cell: shortest exact form of a number, empty for missing."""
    v = _scalar(v)
    return "" if v is None else str(v)


@register("csv", media_type="text/csv; charset=utf-8", extension="csv", description="CSV")
def write_csv(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return ``df`` as CSV (RFC 4180): a header, missing values empty."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(df.columns)
    for row in df.itertuples(index=False, name=None):
        out.writerow(_number(v) for v in row)
    return buf.getvalue().encode()


@register("json", media_type="application/json", extension="json", description="JSON")
def write_json(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return ``{**meta.extra, "results": [row, ...]}`` as JSON, ``null`` for missing."""
    return _json_bytes({**meta.extra, "results": _records(df)})


@register(
    "xlsx",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extension="xlsx",
    description="Excel workbook",
)
def write_xlsx(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return an Office Open XML workbook: sheet ``data`` (the table) and sheet ``about``."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    wb = Workbook(write_only=True)
    stamp = (meta.updated or datetime(2000, 1, 1, tzinfo=UTC)).replace(tzinfo=None)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = f"Zaragoza {__version__}"
    data = wb.create_sheet("data")
    data.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        data.append([_xlsx_cell(data, _scalar(v)) for v in row])
    about = wb.create_sheet("about")
    about.append(["title", meta.title])
    about.append(["source", meta.source])
    if meta.updated is not None:
        about.append(["updated", meta.updated.isoformat()])
    if _any_synthetic(df):
        about.append(["synthetic", SYNTHETIC_NOTE])
    about.append(["precision", meta.precision_note()])
    for note in meta.notes:
        about.append(["note", note])
    buf = io.BytesIO()
    wb.save(buf)
    return _stamped_zip(buf.getvalue(), stamp)


def _stamped_zip(data: bytes, stamp: datetime) -> bytes:
    """The same zip archive with every entry dated ``stamp``: the same bytes for the same
    table, whenever it is written (openpyxl dates entries with the clock)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell value; text that begins with ``=`` stays text, never a formula."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _codes(df: pd.DataFrame, dim: str) -> list[Any]:
    values = df[dim].tolist()
    return sorted(set(values)) if dim == "time" else list(dict.fromkeys(values))


@register(
    "jsonstat",
    media_type="application/json",
    extension="json",
    description="JSON-stat 2.0 dataset",
)
def write_jsonstat(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return a JSON-stat 2.0 ``dataset`` of the observations.

    Notes
    -----
    JSON-stat 2.0 (https://json-stat.org/format/): ``id`` and ``size`` list the
    dimensions in row-major order (the last one varies fastest), ``value`` holds one
    cell per combination of categories, ``status`` the cell's flags. The layout chosen
    for gaps, precision and sparse cubes is described in this module's docstring.
    """
    df = df.assign(compare_to=df["compare_to"].replace("", NOT_APPLICABLE))
    stats = ["value", *(s for s in STATISTICS if s in df.columns and df[s].notna().any())]
    dims = [*DIMENSIONS, "compare_to"]
    codes = {d: _codes(df, d) for d in dims}
    codes["statistic"] = stats
    ids = [*dims, "statistic"]
    size = [len(codes[d]) for d in ids]
    cells = math.prod(size)

    if len(df):
        positions = [
            pd.Categorical(df[d], categories=codes[d]).codes.astype(np.int64) for d in dims
        ]
        base = np.ravel_multi_index(positions, size[:-1]).astype(np.int64) * len(stats)
    else:
        base = np.zeros(0, dtype=np.int64)
    values: dict[int, Any] = {}
    status: dict[str, str] = {}
    synthetic: dict[str, bool] = {}
    marks = df["synthetic"].tolist() if "synthetic" in df.columns else [False] * len(df)
    flags = df["flag"].tolist()
    for k, stat in enumerate(stats):
        column = df[stat].tolist()
        for i, (b, v) in enumerate(zip(base.tolist(), column, strict=True)):
            values[b + k] = _scalar(v)
            if flags[i]:
                status[str(b + k)] = flags[i]
            if marks[i]:
                synthetic[str(b + k)] = True
    value: list[Any] | dict[str, Any]
    if cells <= DENSE_LIMIT and cells <= 8 * max(len(values), 1):
        dense: list[Any] = [None] * cells
        for idx, v in values.items():
            dense[idx] = v
        value = dense
    else:
        value = {str(idx): v for idx, v in sorted(values.items()) if v is not None}

    refs = {c: v for c, v in meta.labels.get("compare_to", {}).items() if c}
    labels = {**meta.labels, "compare_to": {NOT_APPLICABLE: "None (level)", **refs}}
    stat_labels = {
        "value": "Value",
        "se": "Standard error",
        "ci_lo": "95% confidence interval, lower bound",
        "ci_hi": "95% confidence interval, upper bound",
        "cv": "Coefficient of variation (%)",
        "n": "Unweighted count of respondents",
        "n_missing": "Respondents left out for missing answers",
    }
    names = {
        "indicator": "Indicator",
        "source": "Source",
        "geo": "Geopolitical entity (reporting)",
        "time": "Time",
        "citizen": "Country of citizenship",
        "c_birth": "Country of birth",
        "mig_bg": "Migrant background",
        "sex": "Sex",
        "age": "Age class",
        "compare_to": "Reference group of a gap",
        "statistic": "Statistic",
    }
    dimension: dict[str, Any] = {}
    for d in ids:
        cats = [str(c) for c in codes[d]]
        own = stat_labels if d == "statistic" else labels.get(d, {})
        category: dict[str, Any] = {
            "index": {c: i for i, c in enumerate(cats)},
            "label": {c: own.get(c, c) for c in cats},
        }
        if d == "indicator":
            category["unit"] = {
                c: {
                    "label": _UNIT_LABELS.get(meta.units.get(c, ""), meta.units.get(c, "")),
                    "decimals": meta.decimals.get(c, 1),
                }
                for c in cats
            }
        dimension[d] = {"label": names[d], "category": category}

    units = {
        i: {"level": meta.units.get(i), "gap": "PP" if meta.units.get(i) == "PC" else None}
        for i in codes["indicator"]
    }
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": meta.title,
        "source": meta.source,
    }
    if meta.href is not None:
        doc["href"] = meta.href
    if meta.updated is not None:
        doc["updated"] = meta.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.update(
        {
            "id": ids,
            "size": size,
            "role": {"time": ["time"], "geo": ["geo"], "metric": ["indicator"]},
            "dimension": dimension,
            "value": value,
            "status": status,
            "note": [
                *([SYNTHETIC_NOTE] if synthetic else []),
                *meta.notes,
                meta.precision_note(),
            ],
            "extension": {
                "generator": f"zaragoza {__version__}",
                "source": meta.source,
                "units": units,
                "precision": "published" if meta.rounded else "full",
                # the cells (value indices, as in status) computed from synthetic records
                "synthetic": synthetic,
                **meta.extra,
            },
        }
    )
    return _json_bytes(doc)


#: The SDMX dimensions, in key order (``TIME_PERIOD`` last).
SDMX_DIMENSIONS = (
    "freq", "indicator", "unit", "source", "geo", "citizen", "c_birth", "mig_bg", "sex",
    "age", "compare_to", "TIME_PERIOD",
)  # fmt: skip
#: The SDMX attributes after ``OBS_FLAG`` and ``CONF_STATUS``.
SDMX_ATTRIBUTES = ("SE", "CI_LO", "CI_HI", "CV", "N", "N_MISSING", "SYNTHETIC")


def _obs_flag(flag: str) -> str:
    """Eurostat's ``OBS_FLAG``: the letters of a flag but ``c`` (in ``CONF_STATUS``) and
    ``:`` (Eurostat's SDMX files mark "not available" by an empty ``OBS_VALUE``)."""
    return flag.replace("c", "").replace(":", "")


def sdmx_rows(df: pd.DataFrame, meta: Metadata) -> pd.DataFrame:
    """Return the observations as SDMX-CSV's rows: every column text, ``""`` for missing.

    The columns are the dimensions (:data:`SDMX_DIMENSIONS`), ``OBS_VALUE``, ``OBS_FLAG``,
    ``CONF_STATUS`` and the attributes (:data:`SDMX_ATTRIBUTES`); SDMX-CSV and SDMX-ML
    are written from the same rows.
    """
    if "mig_bg" not in df.columns:  # observations made before it was a dimension
        df = df.assign(mig_bg="TOTAL")
    cols = [
        "indicator", "source", "geo", "citizen", "c_birth", "mig_bg", "sex", "age",
        "compare_to", "time", "value", "flag", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing",
    ]  # fmt: skip
    marks = df["synthetic"] if "synthetic" in df.columns else pd.Series(False, index=df.index)
    out = []
    for row, mark in zip(df[cols].itertuples(index=False, name=None), marks, strict=True):
        ind, src, geo, cit, cob, mig, sex, age, ref, time, value, flag, *precision = row
        unit = meta.units.get(ind, "")
        if ref and unit == "PC":
            unit = "PP"
        out.append(
            [
                "A", ind, unit, src, geo, cit, cob, mig, sex, age, ref or NOT_APPLICABLE,
                str(time),
                _number(value), _obs_flag(flag), "C" if "c" in flag else "",
                *(_number(v) for v in precision), "true" if mark else "false",
            ]
        )  # fmt: skip
    header = [*SDMX_DIMENSIONS, "OBS_VALUE", "OBS_FLAG", "CONF_STATUS", *SDMX_ATTRIBUTES]
    return pd.DataFrame(out, columns=header, dtype=object)


@register(
    "sdmx-csv",
    media_type="application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8",
    extension="csv",
    description="SDMX-CSV 2.0",
)
def write_sdmx_csv(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return the observations as SDMX-CSV 2.0.0, in Eurostat's layout.

    Notes
    -----
    SDMX 3.0 technical standard, section 6, "SDMX-CSV" format 2.0.0: the columns
    ``STRUCTURE``, ``STRUCTURE_ID`` and ``ACTION`` first, then one column per
    dimension, measure and attribute. The components are listed in this module's
    docstring; the structure is served by the API in SDMX-ML
    (:mod:`zaragoza.publish.sdmx_ml`).
    """
    rows = sdmx_rows(df, meta)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *rows.columns])
    for row in rows.itertuples(index=False, name=None):
        out.writerow(["dataflow", SDMX_DATAFLOW, "I", *row])
    return buf.getvalue().encode()


#: Largest selection written as SDMX-ML (sdmx1 builds an object per observation: about
#: half a millisecond each).
SDMX_ML_MAX_ROWS = 20_000


@register(
    "sdmx-ml",
    media_type="application/vnd.sdmx.structurespecificdata+xml; version=2.1",
    extension="xml",
    description="SDMX-ML 2.1 structure-specific data",
)
def write_sdmx_ml(df: pd.DataFrame, meta: Metadata) -> bytes:
    """Return the observations as an SDMX-ML 2.1 structure-specific data message.

    The same rows as SDMX-CSV (:func:`sdmx_rows`), written by ``sdmx1``; the structure
    it refers to (``ZARAGOZA:MIGRANT_INTEGRATION(1.0)``) is served by the API's SDMX
    structure endpoints.

    Raises
    ------
    UsageError
        More than :data:`SDMX_ML_MAX_ROWS` observations.
    """
    from zaragoza.publish import sdmx_ml

    if len(df) > SDMX_ML_MAX_ROWS:
        raise UsageError(
            f"SDMX-ML is written for at most {SDMX_ML_MAX_ROWS:,} observations at a time",
            value=f"{len(df):,}",
            hint="Narrow the selection or ask for pages (limit, offset); SDMX-CSV has no limit",
        )
    rows = sdmx_rows(df, meta)
    codes = {c: rows[c].unique().tolist() for c in sdmx_ml.CODED_DIMENSIONS}
    structures = sdmx_ml.build_structures(
        codes, lambda what, code, lang: code or what, languages=("en",)
    )
    return sdmx_ml.write_data(rows, structures, meta.updated)
