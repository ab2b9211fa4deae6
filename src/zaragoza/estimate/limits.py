"""The backend's memory limit, read where the engine sizes its work to it."""

from __future__ import annotations

from typing import Any

__all__ = ["memory_limit"]

_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}  # fmt: skip


def memory_limit(backend: Any) -> float | None:
    """DuckDB's memory limit in bytes (``--memory-limit``, by default 80% of the
    machine's memory); ``None`` on another backend or in a form not known here."""
    if backend.name != "duckdb":
        return None
    # fetchall: DuckDB keeps a result not fetched to its end open on the connection
    setting = backend.con.execute("SELECT current_setting('memory_limit')").fetchall()
    number, _, unit = str(setting[0][0] if setting else "").partition(" ")
    try:
        return float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        return None
