"""Practices in and out as JSON Lines and CSV.

JSON Lines: one practice per line, an object with the fields of the content format
(``docs/knowledge.md``), dates as ISO text. CSV: one practice per row, one column per
field; code lists (``countries``, ``themes``, ...) are joined with ``|``; structured fields
(``translations``, ``cities``, ``funding``, ``links``, ``contacts``, ``sources``) hold JSON;
an empty cell is an absent value. Both read back to the same records.

Reading validates every record and collects every problem (record number, field, why,
what is valid) before returning: a file with one bad record raises one
:class:`~zaragoza.errors.ContentError` listing them all, so a caller can add nothing.
NaN and infinity are refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ContentError, UsageError
from zaragoza.knowledge.schema import Practice, as_dict, field_problems, validation_context

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "ExchangeFormat",
    "format_of",
    "read_practices",
    "records_to_csv",
    "write_practices",
]

ExchangeFormat = Literal["jsonl", "csv"]
FORMATS: tuple[ExchangeFormat, ...] = ("jsonl", "csv")
CSV_COLUMNS = tuple(Practice.model_fields)
_CODE_LISTS = frozenset(
    {"countries", "regions", "agenda_areas", "themes", "target_groups", "partners", "indicators"}
)
_JSON_COLUMNS = frozenset({"translations", "cities", "funding", "links", "contacts", "sources"})
_SEP = "|"


def format_of(path: Path, given: str | None = None) -> ExchangeFormat:
    """Return the exchange format of ``path``: ``given``, else from its suffix."""
    name = (given or "").lower() or {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(
        path.suffix.lower(), ""
    )
    if name not in FORMATS:
        raise UsageError(
            "unknown practice file format",
            file=str(path),
            value=given or path.suffix,
            hint="Use a .jsonl or .csv file, or --format jsonl|csv",
        )
    return name  # type: ignore[return-value,unused-ignore]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a record may hold")


def _jsonl_rows(text: str) -> Iterator[tuple[int, Any, str | None]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line, parse_constant=_no_constant), None
        except ValueError as exc:
            yield n, None, f"not valid JSON ({exc})"


def _csv_cell(column: str, cell: str) -> Any:
    if cell == "":
        return [] if column in _CODE_LISTS else None
    if column in _CODE_LISTS:
        return [p.strip() for p in cell.split(_SEP) if p.strip()]
    if column in _JSON_COLUMNS:
        return json.loads(cell, parse_constant=_no_constant)
    return cell


def _csv_rows(text: str) -> Iterator[tuple[int, Any, str | None]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or () if c not in CSV_COLUMNS]
    if unknown:
        yield 1, None, (f"unknown column(s) {', '.join(unknown)}; valid: {', '.join(CSV_COLUMNS)}")
        return
    for n, row in enumerate(reader, start=2):
        if None in row:
            yield n, None, "more cells than columns"
            continue
        record: dict[str, Any] = {}
        bad = None
        for column, cell in row.items():
            try:
                value = _csv_cell(column, cell or "")
            except ValueError as exc:
                bad = f"field {column}: not valid JSON ({exc})"
                break
            if value is not None:
                record[column] = value
        yield n, (None if bad else record), bad


def read_practices(
    path: str | Path,
    *,
    fmt: str | None = None,
    require_complete: bool = True,
    organisations: Iterable[str] | None = None,
    context: dict[str, Any] | None = None,
) -> list[Practice]:
    """Return every practice of a JSON Lines or CSV file, all validated.

    Parameters
    ----------
    require_complete
        Also require what a published record needs (:meth:`Practice.completeness`).
    organisations
        Organisation ids the records may name (``None``: not checked).

    Raises
    ------
    ContentError
        Listing every problem as ``record N (line L), field F: why``.
    """
    file = Path(path)
    kind = format_of(file, fmt)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{file} cannot be read", [str(exc)]) from None
    ctx = context or validation_context()
    known = None if organisations is None else set(organisations)
    rows = _jsonl_rows(text) if kind == "jsonl" else _csv_rows(text)
    problems: list[str] = []
    out: list[Practice] = []
    seen: dict[str, int] = {}
    for number, (line, data, error) in enumerate(rows, start=1):
        where = f"record {number} (line {line})"
        if error is not None:
            problems.append(f"{where}: {error}")
            continue
        if not isinstance(data, dict):
            problems.append(f"{where}: expected an object of fields")
            continue
        try:
            practice = Practice.model_validate(data, context=ctx)
        except PydanticValidationError as exc:
            problems.extend(field_problems(exc, where))
            continue
        if require_complete:
            problems += [f"{where}, field {f}: {why}" for f, why in practice.completeness()]
        if known is not None:
            for field, ids in (
                ("organisation", [practice.organisation]),
                ("partners", practice.partners),
            ):
                problems += [
                    f"{where}, field {field}: unknown organisation {i!r}"
                    for i in ids
                    if i is not None and i not in known
                ]
        if practice.id in seen:
            problems.append(
                f"{where}, field id: {practice.id!r} is also record {seen[practice.id]}"
            )
        seen[practice.id] = number
        out.append(practice)
    if problems:
        raise ContentError(f"{file}: nothing was imported", problems)
    return out


def _csv_value(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _CODE_LISTS:
        return _SEP.join(value)
    if column in _JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False, allow_nan=False) if value else ""
    return str(value)


def records_to_csv(records: Iterable[dict[str, Any]]) -> str:
    """Return CSV text of practice dicts (as :func:`~zaragoza.knowledge.schema.as_dict`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rec in records:
        writer.writerow([_csv_value(c, rec.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def _atomic(path: Path, write: Callable[[io.TextIOBase], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)  # type: ignore[arg-type,unused-ignore]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_practices(
    records: Sequence[Practice | dict[str, Any]], path: str | Path, *, fmt: str | None = None
) -> int:
    """Write practices to a JSON Lines or CSV file (atomically); return how many."""
    file = Path(path)
    kind = format_of(file, fmt)
    dicts = [as_dict(r) if isinstance(r, Practice) else r for r in records]

    def write(fh: io.TextIOBase) -> None:
        if kind == "jsonl":
            for rec in dicts:
                fh.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")
        else:
            fh.write(records_to_csv(dicts))

    _atomic(file, write)
    return len(dicts)
