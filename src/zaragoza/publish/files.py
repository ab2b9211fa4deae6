"""Write observation tables to CSV or Parquet, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from zaragoza.errors import UsageError

__all__ = ["write_table"]


def _umask() -> int:
    """The process's umask (read from /proc where it can be, not set and reset)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
        # mkstemp makes the file 0600; the output is the user's ordinary file
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
