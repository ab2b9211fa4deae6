"""Loads into the warehouse, each with the provenance it needs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zaragoza.catalog.loader import Catalog
from zaragoza.errors import InputError
from zaragoza.sources.eurostat_bundled import bundled_files
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
    "load_published",
    "read_observation_file",
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


def read_observation_file(path: str | Path) -> pd.DataFrame:
    """Read an observation table written as CSV or Parquet."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=str(p))
    try:
        if p.suffix.lower() == ".parquet":
            return pd.read_parquet(p)
        return pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={"time": "string"})
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(
            "cannot read the observation file", file=str(p), hint=str(exc).splitlines()[0]
        ) from None


def load_observation_files(
    wh: Warehouse, paths: Sequence[str | Path], *, source: str | None = None
) -> list[LoadResult]:
    """Load observation files (``zaragoza estimate`` output or exports), one run each."""
    out = []
    for p in paths:
        df = read_observation_file(p)
        out.append(
            wh.load(
                df,
                source=source,
                kind="file",
                inputs=[describe_file(p)],
                options={"source": source},
                origin=str(p),
            )
        )
    return out


def load_published(
    wh: Warehouse,
    files: Sequence[tuple[Path, pd.DataFrame]],
    catalog: Catalog,
    *,
    mappings: Sequence[DatasetMapping] | None = None,
) -> tuple[LoadResult, PublishedSet]:
    """Load parsed Eurostat files as ``published`` observations of catalogue indicators.

    ``files`` pairs each file with its parsed rows (``sources.eurostat_files``); the
    provenance records each file's SHA-256, the mapping file's and the catalogue version.
    """
    maps = list(mappings) if mappings is not None else load_mappings()
    rows = pd.concat([frame for _, frame in files], ignore_index=True)
    published = to_observations(rows, catalog, maps)
    options = {"mappings": [m.model_dump() for m in maps]}
    result = wh.load(
        published.observations,
        source="published",
        kind="eurostat-files",
        inputs=[describe_file(p) for p, _ in files],
        options=options,
        catalog_version=catalog.version,
        origin=", ".join(str(p) for p, _ in files),
    )
    return result, published


def load_bundled_published(wh: Warehouse, catalog: Catalog) -> tuple[LoadResult, PublishedSet]:
    """Load the real Eurostat tables bundled with Zaragoza (credits in NOTICE)."""
    return load_published(wh, [(f.path, f.read()) for f in bundled_files()], catalog)
