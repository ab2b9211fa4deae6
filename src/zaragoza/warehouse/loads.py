"""Loads into the warehouse, each with the provenance it needs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zaragoza.errors import InputError
from zaragoza.warehouse.store import LoadResult, Warehouse, file_sha256

__all__ = ["describe_file", "load_observation_files", "read_observation_file"]


def describe_file(path: str | Path) -> dict[str, object]:
    """Path, SHA-256 and size of an input file, for provenance records."""
    p = Path(path)
    return {"path": str(p), "sha256": file_sha256(p), "bytes": p.stat().st_size}


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
    wh: Warehouse, paths: Sequence[str | Path], *, source: str
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
