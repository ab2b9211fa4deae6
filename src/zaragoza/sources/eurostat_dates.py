"""When Eurostat last updated a dataset, as far as a downloaded file says.

Some of Eurostat's formats carry the date of the dataset's last update: the data
browser's CSV and SDMX-CSV 1.0 (a ``LAST UPDATE`` column, ``21/03/25 23:00:00``, day
first) and JSON-stat 2.0 answers of the statistics API (``updated``,
``2026-06-30T11:00:00+0200``). TSV bulk downloads and SDMX-CSV 2.0 files do not: for
them the date is unknown, and the portal says so rather than guess from the file.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

__all__ = ["last_update"]


@contextmanager
def _text(path: Path) -> Iterator[TextIO]:
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield fh
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield fh


def _day_first(text: str) -> date | None:
    """``21/03/25 23:00:00`` (the data browser's form) as a date."""
    for form in ("%d/%m/%y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def _iso(text: Any) -> date | None:
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    # Eurostat writes offsets without a colon (+0200), which fromisoformat reads from 3.11
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _json_updated(doc: Any, depth: int = 0) -> list[date]:
    """Every ``updated`` of a JSON-stat document, or of documents wrapped in it."""
    found: list[date] = []
    if isinstance(doc, dict):
        stamp = _iso(doc.get("updated"))
        if stamp is not None:
            found.append(stamp)
        if depth < 2:
            for value in doc.values():
                if isinstance(value, dict | list):
                    found += _json_updated(value, depth + 1)
    elif isinstance(doc, list) and depth < 2:
        for item in doc:
            found += _json_updated(item, depth + 1)
    return found


def last_update(path: str | Path) -> date | None:
    """Return the latest date at which Eurostat updated the data of ``path``, when the
    file records it (``LAST UPDATE`` column, JSON-stat ``updated``); else ``None``.

    A file that cannot be read, or is in a format without the date, gives ``None``:
    the date is a fact shown beside the figures, not something to refuse a load for.
    """
    p = Path(path)
    try:
        name = p.name.lower()
        if name.endswith((".json", ".json.gz")):
            with _text(p) as fh:
                stamps = _json_updated(json.load(fh))
            return max(stamps) if stamps else None
        with _text(p) as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            if "LAST UPDATE" not in header:
                return None
            at = header.index("LAST UPDATE")
            days = {row[at] for row in reader if len(row) > at and row[at].strip()}
    except (OSError, ValueError, UnicodeDecodeError, csv.Error):
        return None
    dates = [d for d in (_day_first(t) for t in days) if d is not None]
    return max(dates) if dates else None
