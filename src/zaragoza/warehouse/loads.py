"""Loads into the warehouse, each with the provenance it needs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zaragoza.catalog.loader import Catalog
from zaragoza.errors import InputError
from zaragoza.observations import CELL_KEY, check_observations
from zaragoza.sources.eurostat_bundled import bundled_files
from zaragoza.sources.readers import csv_source, quote, read_errors
from zaragoza.warehouse.published import (
    DatasetMapping,
    PublishedSet,
    load_mappings,
    to_observations,
)
from zaragoza.warehouse.store import LoadResult, Warehouse, file_sha256

__all__ = [
    "describe_file",
    "is_observation_file",
    "load_bundled_published",
    "load_observation_files",
    "load_profiles",
    "load_published",
    "read_observation_file",
    "synthetic_marks",
]


def describe_file(path: str | Path) -> dict[str, object]:
    """Path, SHA-256 and size of an input file, for provenance records."""
    p = Path(path)
    return {"path": str(p), "sha256": file_sha256(p), "bytes": p.stat().st_size}


def is_observation_file(path: str | Path) -> bool:
    """Whether ``path`` holds an observation table (not one of Eurostat's formats)."""
    p = Path(path)
    if p.suffix.lower() == ".parquet":
        return True
    try:
        with p.open(encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
    except OSError:
        return False
    return header.lstrip("\ufeff").split(",")[0].strip('"') == "indicator"


def read_observation_file(path: str | Path) -> pa.Table:
    """Read an observation table written as CSV or Parquet, every column as text.

    Text keeps what the file says: a blank cell is a missing value, while ``nan`` or
    ``inf`` are bad input that :func:`~zaragoza.observations.check_observations` names
    (Parquet's NaN, which pandas would turn into a missing value, stays ``nan``). CSV is
    read strictly (a ragged or partial row is an error at that row), and a CSV file
    whose last line has no line break is refused as possibly truncated.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=str(p))
    con = duckdb.connect()
    with read_errors([str(p)]):
        try:
            if p.suffix.lower() == ".parquet":
                lit = "'" + str(p).replace("'", "''") + "'"
                src = f"read_parquet({lit})"
            else:
                _refuse_truncated(p)
                src, _ = csv_source(p)
            names = [d[0] for d in con.sql(f"SELECT * FROM {src} LIMIT 0").description]
            cols = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in names)
            frame: pa.Table = con.sql(f"SELECT {cols} FROM {src}").to_arrow_table()
            return frame
        except duckdb.IOException as exc:
            raise InputError(
                "cannot read the observation file", file=str(p), hint=str(exc).splitlines()[0]
            ) from None
        except duckdb.InvalidInputException as exc:
            if "CSV Error" in str(exc):
                raise
            raise InputError(
                "cannot read the observation file", file=str(p), hint=str(exc).splitlines()[0]
            ) from None
        finally:
            con.close()


def _refuse_truncated(path: Path) -> None:
    """A CSV file cut short mid-row ends without a line break: refuse it."""
    import gzip

    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            tail = b""
            for block in iter(lambda: fh.read(1 << 20), b""):
                tail = block[-1:]
    else:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            if fh.tell() == 0:
                return
            fh.seek(-1, 2)
            tail = fh.read(1)
    if tail and tail not in (b"\n", b"\r"):
        raise InputError(
            "the file's last line has no line break: it may be truncated",
            file=str(path),
            hint="Check that the file is complete; if it is, end it with a line break",
        )


_SYNTHETIC_TEXT = {"true": True, "1": True, "false": False, "0": False, "": False}


def synthetic_marks(table: pa.Table, origin: str) -> list[bool] | None:
    """Each row's ``synthetic`` mark of an observation table read as text (None without
    the column; empty is false).

    Raises
    ------
    InputError
        A mark that is not true, false, 1, 0 or empty, naming the file, row and value.
    """
    if "synthetic" not in table.column_names:
        return None
    marks = []
    for row, value in enumerate(table.column("synthetic").to_pylist(), start=1):
        text = "" if value is None else str(value).strip().lower()
        if text not in _SYNTHETIC_TEXT:
            raise InputError(
                "not a synthetic mark",
                file=origin,
                column="synthetic",
                row=row,
                value=str(value),
                hint="true or false (1 or 0), or empty for false",
            )
        marks.append(_SYNTHETIC_TEXT[text])
    return marks


def _declared_marks(
    marks: list[bool] | None, synthetic: bool | None, rows: int, origin: str
) -> list[bool]:
    """The rows' synthetic marks once the file's own column and the caller's word meet."""
    if synthetic is True:
        # marking figures synthetic can only make the portal more cautious
        return [True] * rows
    if marks is None:
        if synthetic is None:
            raise InputError(
                "the file does not say whether its figures come from synthetic records "
                "(it has no synthetic column)",
                file=origin,
                column="synthetic",
                hint="Declare when loading whether they are synthetic (synthetic): "
                "synthetic for figures computed from synthetic records, not for real "
                "microdata or published tables; or add a synthetic column, true or false "
                "on each row",
            )
        return [False] * rows
    if synthetic is False and any(marks):
        row = marks.index(True) + 1
        raise InputError(
            "the file marks figures as computed from synthetic records, but the load "
            "was declared not synthetic",
            file=origin,
            column="synthetic",
            row=row,
            value="true",
            hint="Leave the declaration (synthetic) out to keep the file's own marks",
        )
    return marks


def load_observation_files(
    wh: Warehouse,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    force: bool = False,
    synthetic: bool | None = None,
) -> list[tuple[str, LoadResult]]:
    """Load observation files (``zaragoza estimate`` output or exports); return each
    load with what it held: one run per file, or two for a file whose ``synthetic``
    column marks some rows only (a warehouse export holding Eurostat's published
    figures beside figures computed from synthetic records), so that the synthetic
    rows load as a synthetic run and the others do not.

    ``synthetic`` is the caller's word for files that do not say it themselves (no
    ``synthetic`` column: files written before ``zaragoza estimate`` wrote one, or by
    other tools): True marks every row of every file synthetic; False says the figures
    come from real records and refuses a file that marks rows synthetic. A file without
    the column is refused when the caller says nothing, since its figures would
    otherwise be shown as real whatever records they came from.

    All files are one transaction (the caller's, when it has one): if any fails, none
    is kept. ``force`` loads again a file whose cells later loads have replaced.
    """
    out = []
    with wh.transaction():
        for p in paths:
            df = read_observation_file(p)
            marks = _declared_marks(synthetic_marks(df, str(p)), synthetic, df.num_rows, str(p))
            parts: list[tuple[str, pa.Table, bool]] = [(str(p), df, False)]
            if any(marks):
                if all(marks):
                    parts = [(str(p), df, True)]
                else:
                    # the whole file checked first, so that a report names its own rows
                    check_observations(df, str(p), source)
                    mask = pa.array(marks)
                    parts = [
                        (f"{p} (rows not synthetic)", df.filter(pc.invert(mask)), False),
                        (f"{p} (synthetic rows)", df.filter(mask), True),
                    ]
            for label, table, made_synthetic in parts:
                options: dict[str, object] = {"source": source}
                if synthetic is not None:
                    # the caller's word is provenance too, and stands over the guess
                    # from input names kept for loads older than the marks
                    options["declared_synthetic"] = synthetic
                if made_synthetic:
                    # the file or the caller says these figures come from synthetic
                    # records (``zaragoza estimate`` and exports write so); the load
                    # keeps it
                    options["synthetic"] = True
                result = wh.load(
                    table,
                    source=source,
                    kind="file",
                    inputs=[describe_file(p)],
                    options=options,
                    origin=str(p),
                    force=force,
                )
                out.append((label, result))
    return out


def load_published(
    wh: Warehouse,
    files: Sequence[tuple[Path, pd.DataFrame]],
    catalog: Catalog,
    *,
    mappings: Sequence[DatasetMapping] | None = None,
    force: bool = False,
) -> tuple[LoadResult, PublishedSet]:
    """Load parsed Eurostat files as ``published`` observations of catalogue indicators.

    ``files`` pairs each file with its parsed rows (``sources.eurostat_files``); the
    provenance records each file's SHA-256, the datasets it holds and, when the file
    says, the date Eurostat last updated them (``eurostat_updated``,
    :func:`zaragoza.sources.eurostat_dates.last_update`), the mappings and the
    catalogue version.
    """
    from zaragoza.sources.eurostat_dates import last_update

    maps = list(mappings) if mappings is not None else load_mappings()
    rows = pd.concat([frame for _, frame in files], ignore_index=True)
    published = to_observations(rows, catalog, maps)
    options = {"mappings": [m.model_dump() for m in maps]}
    result = wh.load(
        published.observations,
        source="published",
        kind="eurostat-files",
        inputs=[
            describe_file(p)
            | {
                "datasets": sorted({str(d) for d in frame["dataset"].dropna().unique()})
                if "dataset" in frame.columns
                else [],
                "eurostat_updated": (stamp.isoformat() if (stamp := last_update(p)) else None),
            }
            for p, frame in files
        ],
        options=options,
        catalog_version=catalog.version,
        origin=", ".join(str(p) for p, _ in files),
        force=force,
    )
    return result, published


def load_bundled_published(
    wh: Warehouse, catalog: Catalog, *, force: bool = False
) -> tuple[LoadResult, PublishedSet]:
    """Load the real Eurostat tables bundled with Zaragoza (credits in NOTICE)."""
    return load_published(wh, [(f.path, f.read()) for f in bundled_files()], catalog, force=force)


def load_profiles(
    wh: Warehouse,
    observations: pd.DataFrame,
    *,
    by: Sequence[str],
    threshold: int,
    profiles: int,
    synthetic_profiles: int,
) -> LoadResult:
    """Load the aggregates of the skills profiles as ``profiles`` observations.

    ``observations`` are the rows of :func:`zaragoza.skills.aggregate.observations`
    (already disclosure-controlled). The load is a snapshot: it replaces every earlier
    profiles row (:meth:`Warehouse.load`, ``whole_source``), and loading the same cells
    again changes nothing. The provenance records the breakdowns, the threshold, the
    disclosure rules, how many profiles were counted and how many of them are synthetic;
    one synthetic profile makes the whole load synthetic (``options.synthetic``), as
    the computed loads from synthetic records are, and every page and answer says so.
    Cells, not persons, enter the content key (a SHA-256 of the cells as CSV): nothing
    personal is stored.
    """
    from zaragoza.disclosure import DISCLOSURE_VERSION

    cells = observations.sort_values(CELL_KEY).to_csv(index=False)
    digest = hashlib.sha256(cells.encode()).hexdigest()
    return wh.load(
        observations,
        source="profiles",
        kind="skills-profiles",
        inputs=[
            {
                "skills_profiles": profiles,
                "synthetic_profiles": synthetic_profiles,
                "cells_sha256": digest,
            }
        ],
        options={
            "by": list(by),
            "threshold": threshold,
            "disclosure": DISCLOSURE_VERSION,
            "synthetic": synthetic_profiles > 0,
        },
        origin="the skills profiles",
        whole_source=True,
    )
