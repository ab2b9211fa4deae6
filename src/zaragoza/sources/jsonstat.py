"""JSON-stat 2.0 datasets, as Eurostat's statistics API answers them, in the long layout.

Used by the API client (:mod:`zaragoza.sources.eurostat_api`) and by the reader of
recorded answers kept as files (:func:`zaragoza.sources.eurostat_files.read_jsonstat_file`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from zaragoza.errors import InputError

__all__ = ["Periods", "categories", "parse_jsonstat"]

#: How periods are read: years only (int), or any period code as published (str).
Periods = Literal["annual", "any"]


def categories(dimension: Mapping[str, Any]) -> list[str]:
    """A JSON-stat dimension's category codes in the order of their positions.

    ``category.index`` is a dict code -> position or a list of codes; a single category
    may be given by its label only.
    """
    category = dimension["category"]
    index = category.get("index")
    if index is None:
        return [str(c) for c in category.get("label", {})]
    if isinstance(index, list):
        return [str(c) for c in index]
    ordered = [""] * len(index)
    for code, pos in index.items():
        ordered[int(pos)] = str(code)
    return ordered


def _split_status(status: str) -> tuple[str, str]:
    """``"flags|conf_status"`` -> (flags, conf_status); a status without ``|`` is flags.

    Eurostat's JSON-stat puts the observation flags and the confidentiality status
    (SDMX-CSV's ``OBS_FLAG`` and ``CONF_STATUS``) in one ``status`` string: a recorded
    answer has ``"|C"``, which its ``extension.status.label`` calls ``"|confidential"``.
    """
    flags, _, conf = status.partition("|")
    return flags, conf


def _time_column(
    column: np.ndarray[Any, Any], dataset: str, dim: str, where: str, periods: Periods
) -> np.ndarray[Any, Any]:
    """Years as int64; with ``periods="any"`` the period codes as published (str)."""
    if periods == "any":
        return column.astype(str).astype(object)
    try:
        return np.array([int(c) for c in column], dtype=np.int64)
    except ValueError as exc:
        raise InputError(
            f"time code is not a year in {dataset}: {exc}",
            file=where,
            column=dim,
            hint="only annual data are read into the warehouse; "
            "fetch(..., periods='any') keeps monthly or quarterly periods as text",
        ) from exc


def parse_jsonstat(
    body: Mapping[str, Any],
    dataset: str,
    *,
    source: str = "",
    periods: Periods = "annual",
) -> pd.DataFrame:
    """Return the observations of a JSON-stat 2.0 dataset in the long Eurostat layout.

    Parameters
    ----------
    body
        The decoded JSON-stat 2.0 dataset (``id``, ``size``, ``dimension``, ``value``
        and optional ``status``, each a list or a dict keyed by the flat index).
    dataset
        The Eurostat dataset code, written in lower case into ``dataset``.
    source
        Where the body came from (a URL or file), for error messages.
    periods
        ``"annual"``: ``time`` is the year (int) and any other period is an error;
        ``"any"``: ``time`` is the period code as published (str: ``2023``,
        ``2023-01``, ``2023-Q1``).

    Returns
    -------
    pandas.DataFrame
        ``dataset``, one column per dimension other than ``time`` (its id in lower
        case, Eurostat codes), ``time``, ``value`` (float, NaN when missing), ``flag``
        (the observation flags, ``""`` when none) and ``conf_status`` (the
        confidentiality status, ``""`` when none), from ``status`` split at ``|``.
        One row per position that has a value or a status; positions with neither are
        not published and are left out. An answer without observations (a dimension of
        size 0, or no ``value``) is an empty table with these columns.

    Raises
    ------
    InputError
        The body is not a JSON-stat 2.0 dataset, or a time code is not a year.

    Notes
    -----
    JSON-stat 2.0 (https://json-stat.org/format/): the flat index is row-major over
    ``id`` in the order of ``size``, the last dimension varying fastest; a category's
    position is ``dimension[d].category.index`` (a dict code -> position, or a list of
    codes). Eurostat puts the observation flags in ``status``.
    """
    where = source or dataset
    try:
        ids = [str(d) for d in body["id"]]
        sizes = [int(s) for s in body["size"]]
        dims = body["dimension"]
        values = body.get("value", {})
        codes = [categories(dims[d]) for d in ids]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"not a JSON-stat 2.0 dataset for {dataset}: missing or bad {exc}",
            file=where,
            hint="Eurostat's statistics API answers JSON-stat 2.0 with format=JSON",
        ) from exc
    if len(ids) != len(sizes):
        raise InputError(f"JSON-stat 'id' and 'size' differ in length for {dataset}", file=where)
    for d, n, ordered in zip(ids, sizes, codes, strict=True):
        if len(ordered) != n:
            raise InputError(
                f"dimension {d} has {len(ordered)} categories but size says {n}",
                file=where,
                column=d,
            )

    def sparse(items: Any) -> dict[int, Any]:
        if isinstance(items, list):
            return {i: v for i, v in enumerate(items) if v is not None}
        return {int(k): v for k, v in dict(items).items() if v is not None}

    value_at = sparse(values)
    status = body.get("status", {})
    if isinstance(status, str):  # JSON-stat allows one status for every value
        status_at = dict.fromkeys(range(int(np.prod(sizes))), status)
    else:
        status_at = {k: v for k, v in sparse(status).items() if v}
    flat = np.array(sorted(set(value_at) | set(status_at)), dtype=np.int64)
    positions = np.unravel_index(flat, sizes) if sizes else ()
    data: dict[str, Any] = {"dataset": np.full(len(flat), dataset.lower(), dtype=object)}
    time_col: np.ndarray[Any, Any] | None = None
    for d, cats, pos in zip(ids, codes, positions, strict=True):
        column = np.asarray(cats, dtype=object)[pos]
        if d.lower() in ("time", "time_period"):
            time_col = _time_column(column, dataset, d, where, periods)
        else:
            data[d.lower()] = column
    if time_col is None:
        raise InputError(f"no time dimension in {dataset}", file=where, value=ids)
    data["time"] = time_col
    data["value"] = np.array([float(value_at.get(i, np.nan)) for i in flat], dtype=np.float64)
    split = [_split_status(str(status_at.get(i, ""))) for i in flat]
    data["flag"] = np.array([f for f, _ in split], dtype=object)
    data["conf_status"] = np.array([c for _, c in split], dtype=object)
    return pd.DataFrame(data)
