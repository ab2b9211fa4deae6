"""Years a person asks for: ``2023``, ``2015-2020`` (both ends included), ``2015-``, ``-2020``.

One parser for the API (:mod:`.api_query`) and the pages, each of which says what is
wrong in its own words: :class:`YearError` carries the kind of mistake and the item.
A range takes the years the warehouse holds inside it, and must hold at least one: an
empty selection of years would read as "every year".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

__all__ = ["YearError", "parse_years"]

Problem = Literal["not_a_year", "outside", "reversed", "no_end", "empty_range"]


class YearError(Exception):
    """A ``time`` item that selects no year: what is wrong (``problem``) and the item.

    ``not_a_year`` (neither a year nor a range), ``outside`` (a single year outside the
    warehouse's years), ``reversed`` (``2020-2015``), ``no_end`` (``-``),
    ``empty_range`` (a range holding none of the warehouse's years). ``first`` and
    ``last`` are the warehouse's years (``None`` when it is empty).
    """

    def __init__(self, problem: Problem, item: str, first: int | None, last: int | None):
        super().__init__(f"{problem}: {item!r}")
        self.problem = problem
        self.item = item
        self.first = first
        self.last = last


def _bound(text: str, item: str, span: tuple[int | None, int | None]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise YearError("not_a_year", item, *span)
    return int(text)


def parse_years(items: Iterable[str], present: Sequence[Any]) -> tuple[int, ...]:
    """Return the years ``items`` select among the warehouse's years ``present``, sorted.

    Raises
    ------
    YearError
        The first item that selects no year, and why.
    """
    years = sorted(int(y) for y in present)
    span = (years[0], years[-1]) if years else (None, None)
    out: set[int] = set()
    for raw in items:
        item = raw.strip()
        first, dash, last = item.partition("-")
        if not dash:
            year = _bound(item, item, span)
            if year is None:
                raise YearError("not_a_year", item, *span)
            if not years or not years[0] <= year <= years[-1]:
                raise YearError("outside", item, *span)
            out.add(year)
            continue
        if "-" in last:
            raise YearError("not_a_year", item, *span)
        lo, hi = _bound(first, item, span), _bound(last, item, span)
        if lo is None and hi is None:
            raise YearError("no_end", item, *span)
        if lo is not None and hi is not None and lo > hi:
            raise YearError("reversed", item, *span)
        inside = {y for y in years if (lo is None or y >= lo) and (hi is None or y <= hi)}
        if not inside:
            raise YearError("empty_range", item, *span)
        out |= inside
    return tuple(sorted(out))
