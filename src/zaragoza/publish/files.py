"""Write observation tables to CSV or Parquet, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from zaragoza.errors import UsageError

__all__ = ["write_table"]


def write_table(df: pd.DataFrame, out: Path) -> None:
    """Write ``df`` to ``out`` (``.csv`` or ``.parquet``) through a temporary file.

    The file appears complete or not at all: a failure leaves no partial output.
    """
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UsageError(
            "unsupported output format", value=str(out), hint="Name a .csv or .parquet file"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            df.to_csv(tmp, index=False, float_format="%.10g")
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
