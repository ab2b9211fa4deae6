"""Parameters of the open-data API's observations, checked: codes, years, pages, format.

Every refusal is an :class:`ApiError` naming the parameter, the value and what would be
valid. A code is valid when the warehouse holds it or a code list knows it (Eurostat's
labels, the catalogue's indicators, the migrant groups), so that a valid code without
cells gives an empty result; a year must lie within the warehouse's years.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from zaragoza.catalog.codes import CITIZEN_GROUPS, ISO_TO_EUROSTAT
from zaragoza.catalog.labels import code_labels
from zaragoza.catalog.loader import load_catalog
from zaragoza.observations import COMPARE_TO, MIG_BG, SOURCES
from zaragoza.portal.monitoring import years
from zaragoza.publish.formats import FORMATS
from zaragoza.publish.precision import PRECISIONS
from zaragoza.warehouse.reader import (
    FILTER_DIMENSIONS,
    ObservationFilter,
    WarehouseReader,
    parse_list,
)

__all__ = [
    "ACCEPTED",
    "DEFAULT_LIMIT",
    "GAP_CHOICES",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "OBSERVATION_PARAMETERS",
    "TIME_FORMS",
    "ApiError",
    "ErrorOut",
    "ObservationQuery",
    "check_codes",
    "check_years",
    "choose_format",
    "did_you_mean",
    "negotiate",
    "parse_codes",
    "parse_query",
    "parse_years",
    "refuse_unknown_parameters",
    "valid_codes",
]

#: Rows per page of JSON when ``limit`` is not given; file formats (CSV, Excel, JSON-stat,
#: SDMX-CSV) are downloads and hold the whole selection up to ``MAX_LIMIT`` rows.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 100_000
MAX_OFFSET = 1_000_000_000
GAP_CHOICES = ("false", "true", "only")
#: Media types the ``Accept`` header may ask for, and the format that answers.
ACCEPTED = {
    "application/json": "json",
    "text/csv": "csv",
    "application/vnd.sdmx.data+csv": "sdmx-csv",
    "application/vnd.sdmx.structurespecificdata+xml": "sdmx-ml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}

#: The parameters of ``/v1/observations``; any other is refused (``_``-prefixed ones, the
#: cache-busters some clients add, are ignored).
OBSERVATION_PARAMETERS = (
    *FILTER_DIMENSIONS, "compare_to", "gap", "limit", "offset", "format", "labels",
    "precision", "lang",
)  # fmt: skip
#: The forms a ``time`` item may take, as error answers list them.
TIME_FORMS = (
    "a year (2023)", "a range of years (2015-2020)", "an open range (2015- or -2020)",
)  # fmt: skip
_EUROSTAT_SPELLING = {
    iso: f"Eurostat writes {name} {code}, not the ISO code {iso}"
    for iso, code, name in (("GR", "EL", "Greece"), ("GB", "UK", "the United Kingdom"))
}


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str
    parameter: str | None = None
    value: Any = None
    valid: Any = None


class ApiError(Exception):
    """A request the API refuses: HTTP status, what is wrong, which parameter, what is valid."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        parameter: str | None = None,
        value: Any = None,
        valid: Any = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.parameter = parameter
        self.value = value
        self.valid = valid


@dataclass(frozen=True)
class ObservationQuery:
    """A checked request for observations: the cells, the page, the format."""

    selection: ObservationFilter
    empty: bool
    limit: int
    offset: int
    format: str
    labels: bool
    precision: str = "published"
    lang: str | None = None


def did_you_mean(value: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(valid), n=1, cutoff=0.6)
    if not close and value.upper() != value:
        close = [v for v in valid if v == value.upper()]
    return f"; did you mean {close[0]!r}?" if close else ""


def valid_codes(reader: WarehouseReader) -> dict[str, set[str]]:
    """Codes a filter accepts: those in the warehouse and those of the code lists."""
    present = reader.codes()
    labels = code_labels()
    valid = {dim: {str(c) for c in present.get(dim, [])} for dim in FILTER_DIMENSIONS}
    valid["indicator"] |= set(load_catalog())
    valid["source"] |= set(SOURCES)
    for dim in ("geo", "citizen", "c_birth", "sex", "age"):
        valid[dim] |= set(labels.get(dim, {}))
    valid["c_birth"] |= set(CITIZEN_GROUPS)
    valid["citizen"] |= set(CITIZEN_GROUPS)
    valid["mig_bg"] |= set(MIG_BG)
    valid["compare_to"] = (
        {str(c) for c in present.get("compare_to", []) if c}
        | set(CITIZEN_GROUPS)
        | {c for c in COMPARE_TO if c}
    )
    return valid


def parse_codes(dim: str, given: Sequence[str] | str | None) -> tuple[str, ...]:
    """The codes of a list parameter; an empty list or item is a 400 naming it."""
    try:
        return parse_list(given, strict=True)
    except ValueError:
        raise ApiError(
            400,
            f"{dim} holds an empty code: give codes separated by commas, or leave {dim} out "
            "for every code",
            parameter=dim,
            value=given if isinstance(given, str) else ",".join(given or []),
        ) from None


def check_codes(dim: str, values: Sequence[str], valid: set[str]) -> tuple[str, ...]:
    for v in values:
        if v not in valid:
            hint = did_you_mean(v, sorted(valid))
            if dim == "geo" and v.upper() in _EUROSTAT_SPELLING:
                code = ISO_TO_EUROSTAT[v.upper()]
                hint = f" ({_EUROSTAT_SPELLING[v.upper()]}); did you mean {code!r}?"
            raise ApiError(
                400,
                f"unknown code {v!r} in {dim}" + hint,
                parameter=dim,
                value=v,
                valid=sorted(valid),
            )
    return tuple(dict.fromkeys(values))


def parse_years(values: Sequence[str], present: Sequence[Any]) -> tuple[int, ...]:
    """The years of ``time`` items: years (``2023``), ranges (``2015-2020``, both ends
    included) and open ranges (``2015-``, ``-2020``), among the warehouse's years
    (:func:`zaragoza.portal.monitoring.years.parse_years`); a 400 naming ``time`` and
    the valid forms otherwise."""
    try:
        return years.parse_years(values, present)
    except years.YearError as err:
        span = (
            f"a year from {err.first} to {err.last}"
            if err.first is not None
            else "none: the warehouse is empty"
        )
        forms = "a year (2023), a range (2015-2020) or an open range (2015- or -2020)"
        item = err.item
        detail, valid = {
            "not_a_year": (f"time must be {forms}, not {item!r}", list(TIME_FORMS)),
            "outside": (f"year {item} lies outside the warehouse's years", span),
            "reversed": (
                f"time range {item!r} is reversed: give the earlier year first "
                f"({'-'.join(reversed(item.split('-')))})",
                list(TIME_FORMS),
            ),
            "no_end": (f"time range {item!r} has no year at either end: give {forms}",
                       list(TIME_FORMS)),
            "empty_range": (f"time range {item!r} holds none of the warehouse's years", span),
        }[err.problem]  # fmt: skip
        raise ApiError(400, detail, parameter="time", value=item, valid=valid) from None


def check_years(values: Sequence[str], present: Sequence[Any]) -> tuple[int, ...]:
    """The years ``time`` selects (:func:`parse_years`)."""
    return parse_years(values, present)


def choose_format(request: HttpRequest, fmt: str | None) -> str:
    if fmt is not None and fmt.strip():
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise ApiError(
                400, f"unknown format {fmt!r}", parameter="format", value=fmt, valid=list(FORMATS)
            )
        return name
    return negotiate(request.headers.get("Accept", ""))


def negotiate(accept: str) -> str:
    """The format the ``Accept`` header prefers (RFC 9110, section 12.5.1), else ``json``.

    Media-type parameters other than ``q`` (``version=2.0.0``) are ignored; of equal
    weights the first listed wins.
    """
    best, best_q = "json", 0.0
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        offered = ACCEPTED.get(media.lower())
        if offered is not None and q > best_q:
            best, best_q = offered, q
    return best


def parse_query(
    request: HttpRequest,
    reader: WarehouseReader,
    filters: Mapping[str, list[str] | None],
    gap: str | None,
    limit: int | None,
    offset: int,
    fmt: str | None,
    labels: bool,
    precision: str | None = None,
    lang: str | None = None,
) -> ObservationQuery:
    valid = valid_codes(reader)
    chosen: dict[str, tuple[Any, ...]] = {}
    for dim in FILTER_DIMENSIONS:
        values = parse_codes(dim, filters.get(dim))
        if dim == "time":
            chosen[dim] = check_years(values, reader.codes()["time"])
        else:
            chosen[dim] = check_codes(dim, values, valid[dim])
    refs = check_codes(
        "compare_to", parse_codes("compare_to", filters.get("compare_to")), valid["compare_to"]
    )
    mode = (gap or "").strip().lower() or ("only" if refs else "false")
    if mode not in GAP_CHOICES:
        raise ApiError(
            400, f"gap must be one of {', '.join(GAP_CHOICES)}", parameter="gap", value=gap,
            valid=list(GAP_CHOICES),
        )  # fmt: skip
    if mode == "false" and refs:
        raise ApiError(
            400, "compare_to selects gap rows, which gap=false leaves out",
            parameter="gap", value=gap, valid=["true", "only"],
        )  # fmt: skip
    empty = False
    if mode == "false":
        compare_to: tuple[str, ...] = ("",)
    elif mode == "true":
        compare_to = ("", *refs) if refs else ()
    else:
        compare_to = refs or tuple(str(c) for c in reader.codes()["compare_to"] if c)
        empty = not compare_to  # no gap rows in the warehouse at all
    selection = ObservationFilter(**chosen, compare_to=compare_to)
    chosen_format = choose_format(request, fmt)
    if limit is None:
        limit = DEFAULT_LIMIT if chosen_format == "json" else MAX_LIMIT
    chosen_precision = (precision or "published").strip().lower()
    if chosen_precision not in PRECISIONS:
        raise ApiError(
            400,
            "precision must be published (values rounded to the indicator's published "
            "decimals, the default) or full (every digit)",
            parameter="precision", value=precision, valid=list(PRECISIONS),
        )  # fmt: skip
    chosen_lang = check_lang(lang, chosen_format, labels)
    return ObservationQuery(
        selection, empty, limit, offset, chosen_format, labels, chosen_precision, chosen_lang
    )


def check_lang(lang: str | None, fmt: str, labels: bool) -> str | None:
    """The language of the answer's labels; a 400 where it would change nothing."""
    from zaragoza.portal.monitoring.api_labels import LANGUAGES

    if lang is None or not lang.strip():
        return None
    chosen = lang.strip().lower()
    if chosen not in LANGUAGES:
        raise ApiError(
            400, f"unknown language {lang!r}", parameter="lang", value=lang,
            valid=list(LANGUAGES),
        )  # fmt: skip
    if fmt == "sdmx-csv":
        raise ApiError(
            400, "SDMX-CSV carries codes only: lang applies to label columns (labels=true "
            "with json, csv or xlsx) and to JSON-stat", parameter="lang", value=lang,
            valid=["json", "csv", "xlsx", "jsonstat"],
        )  # fmt: skip
    if fmt != "jsonstat" and not labels:
        raise ApiError(
            400, "lang sets the language of the label columns: give labels=true too",
            parameter="lang", value=lang, valid=["labels=true"],
        )  # fmt: skip
    return chosen


def refuse_unknown_parameters(
    request: HttpRequest, allowed: Sequence[str] = OBSERVATION_PARAMETERS
) -> None:
    for name in request.GET:
        if name not in allowed and not name.startswith("_"):
            raise ApiError(
                400,
                f"unknown parameter {name!r}" + did_you_mean(name, allowed),
                parameter=name,
                value=request.GET.get(name),
                valid=list(allowed),
            )
