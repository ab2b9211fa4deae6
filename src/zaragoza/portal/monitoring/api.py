"""The open-data API (django-ninja; OpenAPI schema at ``/api/openapi.json``, docs at ``/api/docs``).

``GET /api/v1/indicators``
    The catalogue: every indicator's definition, population, unit, target, Eurostat
    tables and references. ``/api/v1/indicators/{id}`` gives one (404 if unknown).
``GET /api/v1/codes``
    The codes present in the warehouse per dimension, with Eurostat's labels.
``GET /api/v1/sdmx/{resource}/...``
    SDMX-ML 2.1 structures of the observations (:mod:`~zaragoza.portal.monitoring.api_sdmx`).
``GET /api/v1/countries/{geo}/figures``
``GET /api/v1/compare/figures``
``GET /api/v1/indicators/{id}/figures``
    Exactly the figures a page shows (the country profile, the compare page, the
    indicator page, or one ``part`` of it: ``series`` or ``ranking``), made by the page's
    own function from the page's parameters, as observation rows in any format of the
    observations: what each page's "download these figures" links serve. A gap of
    published figures is the difference of the two published values shown, computed by
    Zaragoza, without an interval (the files' notes say so).
``GET /api/v1/observations``
    Published cells. Filters ``indicator, geo, time, citizen, c_birth, mig_bg, sex, age,
    source, compare_to`` each take a comma-separated list or a repeated parameter
    (``geo=AT,SE`` is ``geo=AT&geo=SE``). ``gap`` chooses level and gap rows:
    ``false`` (the default: level rows only, ``compare_to`` empty), ``true`` (both) or
    ``only`` (gap rows only, value = group minus reference, in percentage points);
    giving ``compare_to`` without ``gap`` means ``gap=only`` for those references.
    ``format`` is one of :data:`~zaragoza.publish.formats.FORMATS` (``json``, ``csv``,
    ``xlsx``, ``jsonstat``, ``sdmx-csv``, ``sdmx-ml``); without it the ``Accept`` header
    chooses among JSON, CSV, SDMX-CSV, SDMX-ML and Excel, JSON by default. ``labels=true``
    adds label columns to JSON, CSV and Excel, in Eurostat's English or, with
    ``lang=fr|de|en``, in the portal's words of that language (JSON-stat's labels too).
    ``time`` takes years, ranges (``2015-2020``) and open ranges (``2015-``, ``-2020``).
    Values, intervals and gaps come rounded to each indicator's published precision (the
    catalogue's ``decimals``; standard errors to one place more,
    :mod:`zaragoza.publish.precision`) in every format; ``precision=full`` gives every
    digit. Pages: ``limit`` (JSON: default 1000; file formats: the whole selection; at
    most 100000) and ``offset``; JSON carries ``count``, ``next`` and ``previous``, every
    format a
    ``Link`` header (RFC 8288) and ``X-Total-Count``.

Every answer is cacheable: a strong ``ETag`` (the warehouse's version and the normalised
query) and ``Last-Modified`` (the latest load), ``304 Not Modified`` on a matching
``If-None-Match`` or ``If-Modified-Since``, ``Cache-Control: public, max-age=300``, and
``Access-Control-Allow-Origin: *`` for use from any web page.

Errors are JSON ``{"detail", "parameter", "value", "valid"}``: 400 for a bad parameter
(an unknown code in any dimension, with a hint for ISO's ``GR`` and ``GB`` where Eurostat
writes ``EL`` and ``UK``; a year that is not an integer or lies outside the warehouse's
years, a reversed or malformed range; a bad ``limit``, ``offset``, ``format``, ``gap`` or
``precision``; an unknown parameter; checked in
:mod:`~zaragoza.portal.monitoring.api_query`), 404 for an unknown indicator id, 503 when
the warehouse cannot be read. A code that exists but has no data in the selection gives
an empty result, not an error. Only published cells are
served: suppressed cells (flag ``c``) come blank from the warehouse reader.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Annotated, Any

import duckdb
import pandas as pd
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params.functions import Query

from zaragoza import __version__
from zaragoza.catalog.labels import code_labels
from zaragoza.catalog.loader import load_catalog
from zaragoza.errors import ZaragozaError
from zaragoza.portal.monitoring import api_compare, api_sdmx
from zaragoza.portal.monitoring.api_labels import LANGUAGES, localised_labels
from zaragoza.portal.monitoring.api_query import (
    DEFAULT_LIMIT,
    GAP_CHOICES,
    MAX_LIMIT,
    MAX_OFFSET,
    OBSERVATION_PARAMETERS,
    ApiError,
    ErrorOut,
    ObservationQuery,
    choose_format,
    did_you_mean,
    parse_query,
    refuse_unknown_parameters,
)
from zaragoza.portal.monitoring.caching import BusyError, canonical_query, heavy, remember
from zaragoza.portal.monitoring.labels import PROFILES_TITLES, profiles_title
from zaragoza.publish.formats import (
    FORMATS,
    SDMX_ML_MAX_ROWS,
    Metadata,
    add_labels,
    get_format,
    metadata_for,
)
from zaragoza.publish.precision import PRECISIONS, round_observations
from zaragoza.warehouse.reader import WarehouseReader, reader_for

__all__ = ["OBSERVATION_PARAMETERS", "ApiError", "api"]

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=300"
#: Seconds a client is asked to wait after a 503 (a busy worker, a warehouse being built).
RETRY_AFTER = 30
#: File answers with more rows than this are rendered one at a time per worker.
HEAVY_ROWS = 10_000
_DOWNLOADS = {"csv", "xlsx", "sdmx-csv", "sdmx-ml"}


class _API(NinjaAPI):
    """The API, with the codes of fixed-code parameters in its OpenAPI schema.

    django-ninja's ``Query`` takes no schema keywords, so the enumerations and patterns
    are added to the generated schema here: ``format`` and ``gap`` list their values,
    ``sex`` and ``source`` (comma-separated lists) the pattern of a valid list; a page's
    figures (``.../figures``) take one source and the page's parts.
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for path, item in schema.get("paths", {}).items():
            kind = "figures" if path.endswith("/figures") else path.startswith(COMPARE)
            for operation in item.values():
                for param in operation.get("parameters", []):
                    extra = _PARAMETER_SCHEMAS.get((param.get("name"), kind))
                    if extra:
                        _constrain(param.get("schema", {}), extra)
        return schema


def _constrain(schema: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add ``extra`` to the string branches of a parameter's schema (list items included)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch.update(extra)
        elif branch.get("type") == "array":
            branch.setdefault("items", {}).update(extra)


COMPARE = "/api/v1/compare/"
#: A ``time`` list: years, ranges (``2015-2020``) and open ranges (``2015-``, ``-2020``).
_TIME_ITEM = r"(\d{4}|\d{4}-|-\d{4}|\d{4}-\d{4})"
TIME_LIST = {"pattern": f"^{_TIME_ITEM}(,{_TIME_ITEM})*$"}
_PARAMETER_SCHEMAS: dict[tuple[str | None, bool | str], dict[str, Any]] = {
    ("format", False): {"enum": list(FORMATS)},
    ("format", True): {"enum": list(api_compare.FORMATS)},
    ("gap", False): {"enum": list(GAP_CHOICES)},
    ("precision", False): {"enum": list(PRECISIONS)},
    ("lang", False): {"enum": list(LANGUAGES)},
    **{("time", c): TIME_LIST for c in (False, True)},
    **{("sex", c): api_compare.SEX_LIST for c in (False, True)},
    **{("source", c): api_compare.SOURCE_LIST for c in (False, True)},
    ("format", "figures"): {"enum": list(FORMATS)},
    ("precision", "figures"): {"enum": list(PRECISIONS)},
    ("source", "figures"): {"enum": ["published", "computed"]},
    ("sex", "figures"): api_compare.SEX_LIST,
    ("by", "figures"): {"enum": ["citizen", "c_birth"]},
    ("part", "figures"): {"enum": ["series", "ranking", "profiles"]},
}

api = _API(
    title="Zaragoza open data API",
    version="1",
    description=(
        "The common European migrant-integration indicators: the catalogue and the "
        "observation cells (computed from microdata and published by Eurostat), in JSON, "
        "CSV, Excel, JSON-stat 2.0 and SDMX-CSV 2.0. Suppressed cells stay blank."
    ),
    urls_namespace="api",
)


# ---------------------------------------------------------------------- schemas


class AgeOut(Schema):
    code: str
    min: int
    max: int | None = None


class TablesOut(Schema):
    citizen: str | None = None
    c_birth: str | None = None
    total: str | None = None


class IndicatorOut(Schema):
    id: str
    title: str
    area: str
    definition: str
    survey: str
    estimator: str
    unit: str
    population_age: AgeOut
    target: str | None = None
    eurostat_tables: TablesOut
    references: list[str]


class CodeOut(Schema):
    code: str
    label: str


class ObservationOut(Schema):
    indicator: str
    geo: str
    time: int
    citizen: str
    c_birth: str
    mig_bg: str = "TOTAL"
    sex: str
    age: str
    compare_to: str
    value: float | None = None
    se: float | None = None
    ci_lo: float | None = None
    ci_hi: float | None = None
    cv: float | None = None
    n: int | None = None
    n_missing: int | None = None
    flag: str
    source: str
    #: computed from synthetic records: a demonstration, not a statistic
    synthetic: bool


class FiguresOut(Schema):
    count: int
    results: list[ObservationOut]


class ObservationPage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None = None
    previous: str | None = None
    results: list[ObservationOut]


# ---------------------------------------------------------------------- responses


def _json(status: int, data: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    return _open(HttpResponse(body, status=status, content_type="application/json"))


def _open(response: HttpResponse) -> HttpResponse:
    """Add the headers every API answer carries (CORS for any origin)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, Link, X-Total-Count, Content-Disposition"
    )
    return response


def _error(err: ApiError) -> HttpResponse:
    response = _json(
        err.status,
        {"detail": err.detail, "parameter": err.parameter, "value": err.value, "valid": err.valid},
    )
    if err.status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@api.exception_handler(ApiError)
def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(exc)


@api.exception_handler(NinjaValidationError)
def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
    ctx = first.get("ctx") or {}
    valid = {k: v for k, v in ctx.items() if k in ("ge", "le", "gt", "lt", "expected")}
    name = loc[0] if loc else None
    given = request.GET.get(name) if name else None
    return _error(
        ApiError(
            400,
            f"bad parameter {name or ''}: {first.get('msg', 'invalid value')}".replace("  ", " "),
            parameter=name,
            value=first.get("input", given),
            valid=valid or None,
        )
    )


@api.exception_handler(duckdb.Error)
def _on_warehouse_error(request: HttpRequest, exc: duckdb.Error) -> HttpResponse:
    log.error("warehouse cannot be read: %s", exc)
    return _error(
        ApiError(503, "the warehouse cannot be read; try again later", value=type(exc).__name__)
    )


@api.exception_handler(ZaragozaError)
def _on_zaragoza_error(request: HttpRequest, exc: ZaragozaError) -> HttpResponse:
    # the message names the server's file: logged, not shown
    log.error("API: %s", exc.message)
    detail = f"the warehouse is not available: {exc.what}" + (f". {exc.hint}" if exc.hint else "")
    return _error(ApiError(503, detail))


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API: unexpected error")
    return _error(ApiError(500, "internal error; it has been logged"))


def _reader() -> WarehouseReader:
    return reader_for(settings.ZARAGOZA_WAREHOUSE)


_KEPT_HEADERS = ("Content-Type", "Link", "X-Total-Count", "Content-Disposition")


def _cached(
    request: HttpRequest,
    key: Iterable[Any],
    modified: float | None,
    make: Callable[[], HttpResponse],
) -> HttpResponse:
    """Answer 304 when the client's copy is current, else ``make()``, with cache headers."""
    etag = '"' + hashlib.sha256(repr(tuple(key)).encode()).hexdigest()[:32] + '"'
    stamp = int(modified) if modified is not None else None
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        # The answer depends only on the key (which holds the warehouse's version) and its
        # canonical URL, from which its links (next, previous, href) are made: keep it in
        # this worker's cache under both. Ignored parameters (``_=...``) are not part of it.
        cache_key = (
            "api:" + hashlib.sha256(f"{etag}|{_canonical_url(request)}".encode()).hexdigest()
        )

        def made() -> tuple[bytes, int, dict[str, str]]:
            answer = make()
            kept = {h: answer[h] for h in _KEPT_HEADERS if h in answer}
            return answer.content, answer.status_code, kept

        content, status, kept = remember(cache_key, made)
        response = HttpResponse(content, status=status)
        for header, value in kept.items():
            response[header] = value
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept"
    return _open(response)


# ---------------------------------------------------------------------- catalogue


def _indicator_out(ind: Any) -> dict[str, Any]:
    age = ind.population.age
    return {
        "id": ind.id,
        "title": ind.title,
        "area": ind.area,
        "definition": ind.definition,
        "survey": ind.survey,
        "estimator": ind.estimator,
        "unit": ind.unit,
        "population_age": {"code": age.eurostat_code, "min": age.min, "max": age.max},
        "target": ind.target,
        "eurostat_tables": ind.eurostat_tables.model_dump(),
        "references": list(ind.references),
    }


@api.get(
    "/v1/indicators",
    response={200: list[IndicatorOut], 304: None},
    summary="The indicator catalogue",
    tags=["catalogue"],
)
def indicators(request: HttpRequest) -> HttpResponse:
    """Every catalogue indicator: definition, population, unit, target, Eurostat tables."""
    cat = load_catalog()
    return _cached(
        request,
        ("indicators", cat.version, __version__),
        None,
        lambda: _json(200, [_indicator_out(cat[i]) for i in cat]),
    )


@api.get(
    "/v1/indicators/{indicator_id}",
    response={200: IndicatorOut, 304: None, 404: ErrorOut},
    summary="One indicator of the catalogue",
    tags=["catalogue"],
)
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """One catalogue indicator; 404 with the valid ids if it is unknown."""
    cat = load_catalog()
    if indicator_id not in cat.indicators:
        raise ApiError(
            404,
            f"unknown indicator {indicator_id!r}" + did_you_mean(indicator_id, cat),
            parameter="indicator_id",
            value=indicator_id,
            valid=list(cat),
        )
    return _cached(
        request,
        ("indicator", indicator_id, cat.version, __version__),
        None,
        lambda: _json(200, _indicator_out(cat[indicator_id])),
    )


@api.get(
    "/v1/codes",
    response={200: dict[str, list[CodeOut]], 304: None, 503: ErrorOut},
    summary="Codes present in each dimension, with labels",
    tags=["observations"],
)
def codes(request: HttpRequest) -> HttpResponse:
    """The codes of each dimension present in the warehouse, with Eurostat's labels."""
    reader = _reader()
    version = reader.version()

    def make() -> HttpResponse:
        present = reader.codes()
        cat = load_catalog()
        labels = code_labels()
        own: dict[str, Mapping[str, str]] = {
            "indicator": {
                **{i: profiles_title(i) for i in PROFILES_TITLES},
                **{i: cat[i].title for i in cat},
            },
            "source": {
                "computed": "Computed from microdata",
                "published": "Published by Eurostat",
                "profiles": "Counted from skills profiles (not a representative survey: "
                "no standard error)",
            },
            "compare_to": {
                "": "None (level)",
                **labels.get("citizen", {}),
                "NATIVE": labels.get("mig_bg", {}).get("NATIVE", "NATIVE"),
            },
        }
        out = {
            dim: [
                {"code": str(c), "label": own.get(dim, labels.get(dim, {})).get(str(c), str(c))}
                for c in values
            ]
            for dim, values in present.items()
        }
        return _json(200, out)

    return _cached(request, ("codes", version.tag), version.modified.timestamp(), make)


# ---------------------------------------------------------------------- observations


def _canonical_url(request: HttpRequest, **replace_params: str) -> str:
    """The request's absolute URL in canonical form: ``_``-parameters left out, parameters
    sorted, lists comma-joined (what the answer and its cache key are made from)."""
    query: QueryDict = request.GET.copy()
    for name, value in replace_params.items():
        query[name] = value
    names = [n for n in query if not n.startswith("_")]
    canonical = canonical_query(query, names)
    return request.build_absolute_uri(request.path + (f"?{canonical}" if canonical else ""))


def _page_url(request: HttpRequest, offset: int) -> str:
    return _canonical_url(request, offset=str(offset))


_FILTER_DOC = "Codes, comma-separated or repeated (e.g. AT,SE)"
_INDICATOR_DOC = "Indicator ids (see /v1/indicators), comma-separated or repeated"
_TIME_DOC = (
    "Years, ranges (2015-2020, both ends included) or open ranges (2015- or -2020), "
    "comma-separated or repeated"
)
_COMPARE_DOC = (
    "Reference groups of gap rows (NAT nationals, NATIVE non-immigrant students); "
    "without gap, implies gap=only"
)
_MIG_BG_DOC = (
    "Migrant background of PISA's students: TOTAL, NATIVE, IMMIGRANT, SECOND_GEN, "
    "FIRST_GEN (TOTAL on every other figure)"
)
_GAP_DOC = "false (level rows, the default), true (level and gap rows), only (gap rows)"
_FORMAT_DOC = "json, csv, xlsx, jsonstat, sdmx-csv, sdmx-ml (default: by Accept, else json)"
_PRECISION_DOC = (
    "published (the default: values, intervals and gaps rounded to the indicator's "
    "published decimals, standard errors to one place more) or full (every digit)"
)


@api.get(
    "/v1/observations",
    response={200: ObservationPage, 304: None, 400: ErrorOut, 503: ErrorOut},
    summary="Observation cells, filtered, paginated, in JSON, CSV, Excel, JSON-stat or SDMX-CSV",
    tags=["observations"],
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    fmt.media_type.split(";")[0]: {"schema": {"type": "string"}}
                    for fmt in FORMATS.values()
                    if fmt.name not in ("json", "jsonstat")
                }
            }
        }
    },
)
def observations(
    request: HttpRequest,
    indicator: Annotated[
        list[str] | None, Query(description=_INDICATOR_DOC, example="employment_rate")
    ] = None,
    geo: Annotated[list[str] | None, Query(description=_FILTER_DOC, example="AT,SE")] = None,
    time: Annotated[list[str] | None, Query(description=_TIME_DOC, example="2022,2023")] = None,
    citizen: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
    c_birth: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
    mig_bg: Annotated[list[str] | None, Query(description=_MIG_BG_DOC)] = None,
    sex: Annotated[list[str] | None, Query(description="T, M, F")] = None,
    age: Annotated[list[str] | None, Query(description="Eurostat age codes (Y20-64)")] = None,
    source: Annotated[list[str] | None, Query(description="computed, published")] = None,
    compare_to: Annotated[list[str] | None, Query(description=_COMPARE_DOC)] = None,
    gap: Annotated[str | None, Query(description=_GAP_DOC)] = None,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description=f"Rows per page (JSON: {DEFAULT_LIMIT} by default; file formats: "
            f"the whole selection, up to {MAX_LIMIT})",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
    format: Annotated[str | None, Query(description=_FORMAT_DOC)] = None,
    labels: Annotated[bool, Query(description="Label columns (JSON, CSV, Excel)")] = False,
    precision: Annotated[str | None, Query(description=_PRECISION_DOC)] = None,
    lang: Annotated[
        str | None,
        Query(
            description="en, fr or de: the language of the label columns (with labels=true) "
            "and of JSON-stat's labels; default Eurostat's English labels"
        ),
    ] = None,
) -> HttpResponse:
    """Observation cells of the warehouse; see the module docstring for every parameter."""
    refuse_unknown_parameters(request)
    reader = _reader()
    filters = {
        "indicator": indicator, "geo": geo, "time": time, "citizen": citizen,
        "c_birth": c_birth, "mig_bg": mig_bg, "sex": sex, "age": age, "source": source,
        "compare_to": compare_to,
    }  # fmt: skip
    req = parse_query(request, reader, filters, gap, limit, offset, format, labels, precision, lang)
    version = reader.version()

    def make() -> HttpResponse:
        return _observations_response(request, reader, req, version.modified)

    key = ("observations", version.tag, req)
    return _cached(request, key, version.modified.timestamp(), make)


def _observations_response(
    request: HttpRequest, reader: WarehouseReader, req: ObservationQuery, updated: Any
) -> HttpResponse:
    count = 0 if req.empty else reader.count(req.selection)
    df = reader.observations(req.selection, limit=0 if req.empty else req.limit, offset=req.offset)
    nxt = _page_url(request, req.offset + req.limit) if req.offset + req.limit < count else None
    prev = _page_url(request, max(req.offset - req.limit, 0)) if req.offset > 0 else None
    extra = {
        "count": count,
        "limit": req.limit,
        "offset": req.offset,
        "next": nxt,
        "previous": prev,
    }
    cat = load_catalog()
    decimals = {i: cat[i].precision for i in cat}
    if req.precision == "published":
        df = round_observations(df, decimals)
    meta = replace(
        metadata_for(df, updated=updated, extra=extra),
        href=_canonical_url(request),
        decimals=decimals,
        rounded=req.precision == "published",
    )
    if req.lang is not None:
        meta = replace(meta, labels=localised_labels(meta.labels, req.lang))
    response = _file_response(df, meta, req.format, req.labels, "zaragoza-observations")
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", nxt), ("prev", prev)) if url]
    if links:
        response["Link"] = ", ".join(links)
    response["X-Total-Count"] = str(count)
    return response


def _file_response(
    df: pd.DataFrame, meta: Metadata, name: str, labels: bool, filename: str
) -> HttpResponse:
    """Write ``df`` in format ``name`` (titled by its one indicator, label columns when
    asked), a download (``Content-Disposition``) for CSV, Excel and SDMX-CSV."""
    indicators = df["indicator"].unique()
    if len(indicators) == 1 and indicators[0] in meta.labels.get("indicator", {}):
        meta = replace(meta, title=meta.labels["indicator"][indicators[0]])
    fmt = get_format(name)
    if name == "sdmx-ml" and len(df) > SDMX_ML_MAX_ROWS:
        raise ApiError(
            400,
            f"SDMX-ML is written for at most {SDMX_ML_MAX_ROWS:,} observations at a time and "
            f"this answer holds {len(df):,}: narrow the selection, ask for pages with limit "
            "and offset, or use format=sdmx-csv",
            parameter="limit",
            value=len(df),
            valid={"le": SDMX_ML_MAX_ROWS},
        )
    if labels and name in ("json", "csv", "xlsx"):
        df = add_labels(df, meta)
    if name != "json" and len(df) > HEAVY_ROWS:
        try:
            with heavy():
                body = fmt.write(df, meta)
        except BusyError:
            raise ApiError(
                503,
                f"this server is rendering another large download; ask again in {RETRY_AFTER} "
                f"seconds, or narrow the selection below {HEAVY_ROWS:,} rows",
                parameter="format",
                value=name,
            ) from None
    else:
        body = fmt.write(df, meta)
    response = HttpResponse(body, content_type=fmt.media_type)
    if name in _DOWNLOADS:
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt.extension}"'
    return response


# ---------------------------------------------------------------------- a page's figures

#: What every gap row of published figures is, in the notes of each page's figures.
DERIVED_GAP_NOTE = (
    "A gap row of published figures (compare_to NAT, source published) is the difference "
    "of Eurostat's two published values, computed by Zaragoza, without an interval "
    "(Eurostat publishes none)."
)
PROFILE_NOTE = (
    "These are the figures of the country profile page: each indicator's cells of the "
    "page's reference year by group (total of both sexes), the gap to nationals and the EU "
    f"average Eurostat publishes for the same group and year. {DERIVED_GAP_NOTE}"
)
COMPARE_NOTE = (
    "These are the figures of the compare page: each place's series of the chosen "
    "indicator, group and sex by year, nationals' figure of the year of the place's latest "
    f"figure and the gap to nationals in that year. {DERIVED_GAP_NOTE}"
)
INDICATOR_NOTES = {
    "series": "the chosen country's series by group and sex and each migrant group's gap "
    "to nationals by year",
    "ranking": "the ranking of the year, group and sex on the map with each country's gap "
    "to nationals, the EU's figure beside it and the regions' table",
    "profiles": "the figures counted from the skills profiles (source profiles: skills "
    "profiles, not a representative survey; no standard error or interval)",
}
_FIGURE_OPTIONS = ("format", "labels", "precision")
_FIGURES_RESPONSES = {
    "responses": {
        200: {
            "content": {
                fmt.media_type.split(";")[0]: {"schema": {"type": "string"}}
                for fmt in FORMATS.values()
                if fmt.name not in ("json", "jsonstat")
            }
        }
    }
}
_SOURCE_DOC = (
    "published or computed (default: published where available, else computed), as on the page"
)
_GROUP_DOC = "The migrant group (citizen or c_birth code; default: the page's own choice)"


def _page_query(request: HttpRequest, page: tuple[str, ...]) -> QueryDict:
    """The page parameters of the request in the canonical form the page view gives its
    page (lists comma-joined), so that the figures are made from what the page reads."""
    return QueryDict(canonical_query(request.GET, page))


def _page_error(
    err: Any, request: HttpRequest, renamed: Mapping[str, str] | None = None
) -> ApiError:
    """A page's refusal (:class:`~.pages.PageError`) as the API's error, naming the
    parameter at fault and the value given."""
    parameter = err.parameter
    value = request.GET.get(parameter) if parameter else None
    if renamed and parameter in renamed:
        parameter = renamed[parameter]
    return ApiError(err.status, err.message, parameter=parameter, value=value)


def _figures_response(
    request: HttpRequest,
    df: pd.DataFrame,
    *,
    updated: Any,
    note: str,
    name: str,
    labels: bool,
    precision: str,
    filename: str,
) -> HttpResponse:
    """Write a page's figures (``df``, observation rows) in format ``name``, rounded to
    each indicator's published precision unless ``precision`` is ``full``, with the note
    that says which page they are and how its derived gaps were made."""
    cat = load_catalog()
    decimals = {i: cat[i].precision for i in cat}
    if precision == "published":
        df = round_observations(df, decimals)
    meta = metadata_for(df, updated=updated, extra={"count": len(df)})
    meta = replace(
        meta,
        href=_canonical_url(request),
        notes=(*meta.notes, note),
        decimals=decimals,
        rounded=precision == "published",
    )
    response = _file_response(df, meta, name, labels, filename)
    response["X-Total-Count"] = str(len(df))
    return response


def _page_download(
    request: HttpRequest,
    reader: Any,
    key: tuple[Any, ...],
    figures: Callable[[], pd.DataFrame],
    *,
    note: str,
    name: str,
    labels: bool,
    precision: str,
    filename: Callable[[pd.DataFrame], str],
) -> HttpResponse:
    """Serve a page's figures, made by the page's own function ``figures`` (so the
    download cannot differ from the page), in English, cached by ``key`` and the
    warehouse's version."""
    from django.utils import translation

    version = reader.version()

    def make() -> HttpResponse:
        with translation.override("en"):
            df = figures()
        return _figures_response(
            request, df, updated=version.modified, note=note, name=name, labels=labels,
            precision=precision, filename=filename(df),
        )  # fmt: skip

    return _cached(request, (*key, version.tag), version.modified.timestamp(), make)


def _precision_of(precision: str | None) -> str:
    name = (precision or "published").strip().lower()
    if name not in PRECISIONS:
        raise ApiError(
            400, f"unknown precision {precision!r}", parameter="precision", value=precision,
            valid=list(PRECISIONS),
        )  # fmt: skip
    return name


@api.get(
    "/v1/countries/{geo}/figures",
    response={200: FiguresOut, 304: None, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Exactly the figures of a country profile, in any format of the observations",
    openapi_extra=_FIGURES_RESPONSES,
    tags=["observations"],
)
def country_figures(
    request: HttpRequest,
    geo: str,
    source: Annotated[str | None, Query(description=_SOURCE_DOC)] = None,
    year: Annotated[
        int | None,
        Query(description="The profile's reference year (default: the page's own choice)"),
    ] = None,
    format: Annotated[str | None, Query(description=_FORMAT_DOC)] = None,
    labels: Annotated[bool, Query(description="Label columns (JSON, CSV, Excel)")] = False,
    precision: Annotated[str | None, Query(description=_PRECISION_DOC)] = None,
) -> HttpResponse:
    """The figures the country profile page shows (``/en/countries/{geo}/``), as
    observation rows: each indicator's cells of its year by group, the gap to nationals
    and the EU average; what the page's "download these figures" links serve."""

    from zaragoza.portal.monitoring import pages

    refuse_unknown_parameters(request, allowed=(*pages.PROFILE_PARAMETERS, *_FIGURE_OPTIONS))
    reader = _reader()
    valid_sources = ("published", "computed")
    if source is not None and source not in valid_sources:
        raise ApiError(
            400, f"unknown source {source!r}", parameter="source", value=source,
            valid=list(valid_sources),
        )  # fmt: skip
    present = [str(g) for g in reader.codes()["geo"]]
    if geo not in present:
        raise ApiError(
            404, f"no figures for the country or region {geo!r}" + did_you_mean(geo, present),
            parameter="geo", value=geo, valid=present,
        )  # fmt: skip
    name = choose_format(request, format)
    rounding = _precision_of(precision)

    def figures() -> pd.DataFrame:
        try:
            return pages.country_figures(
                reader, geo, _page_query(request, pages.PROFILE_PARAMETERS)
            )
        except pages.PageError as err:
            # the country exists (checked above): what the page refuses is the year
            if year is not None:
                raise ApiError(err.status, err.message, parameter="year", value=year) from None
            raise ApiError(err.status, err.message, parameter="geo", value=geo) from None

    return _page_download(
        request, reader, ("country-figures", geo, source, year, name, labels, rounding), figures,
        note=PROFILE_NOTE, name=name, labels=labels, precision=rounding,
        filename=lambda df: f"zaragoza-{geo}-profile",
    )  # fmt: skip


@api.get(
    "/v1/compare/figures",
    response={200: FiguresOut, 304: None, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Exactly the figures of the compare page, in any format of the observations",
    openapi_extra=_FIGURES_RESPONSES,
    tags=["observations"],
)
def compare_figures(
    request: HttpRequest,
    indicator: Annotated[
        str | None, Query(description="The indicator id (default: employment_rate)")
    ] = None,
    geo: Annotated[
        list[str] | None,
        Query(description="Two to four countries or regions, comma-separated or repeated"),
    ] = None,
    source: Annotated[str | None, Query(description=_SOURCE_DOC)] = None,
    sex: Annotated[str | None, Query(description="T, M or F (default: T)")] = None,
    group: Annotated[str | None, Query(description=_GROUP_DOC)] = None,
    format: Annotated[str | None, Query(description=_FORMAT_DOC)] = None,
    labels: Annotated[bool, Query(description="Label columns (JSON, CSV, Excel)")] = False,
    precision: Annotated[str | None, Query(description=_PRECISION_DOC)] = None,
) -> HttpResponse:
    """The figures the compare page shows (``/en/compare/?indicator=...&geo=...``), as
    observation rows: each place's series of the group and sex, nationals' figure of the
    year of its latest figure and the gap to nationals; what the page's "download these
    figures" links serve."""

    from zaragoza.portal.monitoring import pages

    refuse_unknown_parameters(request, allowed=(*pages.COMPARE_PARAMETERS, *_FIGURE_OPTIONS))
    reader = _reader()
    name = choose_format(request, format)
    rounding = _precision_of(precision)
    query = _page_query(request, pages.COMPARE_PARAMETERS)

    def figures() -> pd.DataFrame:
        try:
            return pages.compare_figures(reader, query)
        except pages.PageError as err:
            raise _page_error(err, request) from None

    def filename(df: pd.DataFrame) -> str:
        places = "-".join(sorted(set(df["geo"]) - {pages.EU})) or "compare"
        return f"zaragoza-compare-{places}"

    return _page_download(
        request, reader, ("compare-figures", query.urlencode(), name, labels, rounding), figures,
        note=COMPARE_NOTE, name=name, labels=labels, precision=rounding, filename=filename,
    )  # fmt: skip


@api.get(
    "/v1/indicators/{indicator_id}/figures",
    response={200: FiguresOut, 304: None, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Exactly the figures of an indicator page, in any format of the observations",
    openapi_extra=_FIGURES_RESPONSES,
    tags=["observations"],
)
def indicator_figures(
    request: HttpRequest,
    indicator_id: str,
    source: Annotated[str | None, Query(description=_SOURCE_DOC)] = None,
    by: Annotated[
        str | None,
        Query(description="citizen or c_birth: the breakdown of the migrant groups"),
    ] = None,
    geo: Annotated[
        str | None, Query(description="The country or region of the series (default: EU27_2020)")
    ] = None,
    sex: Annotated[
        list[str] | None, Query(description="T, M, F, comma-separated (default: T)")
    ] = None,
    group: Annotated[str | None, Query(description=_GROUP_DOC + " of the ranking")] = None,
    time: Annotated[
        int | None, Query(description="The ranking's year (default: its latest)")
    ] = None,
    part: Annotated[
        str | None,
        Query(
            description="series (the series and gap tables), ranking (the ranking, the EU "
            "figure and the regions) or profiles (the figures counted from the skills "
            "profiles, not a representative survey); default the whole page"
        ),
    ] = None,
    format: Annotated[str | None, Query(description=_FORMAT_DOC)] = None,
    labels: Annotated[bool, Query(description="Label columns (JSON, CSV, Excel)")] = False,
    precision: Annotated[str | None, Query(description=_PRECISION_DOC)] = None,
) -> HttpResponse:
    """The figures the indicator page shows (``/en/indicators/{id}/``), as observation
    rows, of one part of the page or all of it; what the page's "download these figures"
    links serve."""

    from zaragoza.portal.monitoring import pages

    refuse_unknown_parameters(
        request, allowed=(*pages.INDICATOR_PARAMETERS, "part", *_FIGURE_OPTIONS)
    )
    cat = load_catalog()
    if indicator_id not in cat.indicators:
        raise ApiError(
            404, f"unknown indicator {indicator_id!r}" + did_you_mean(indicator_id, cat),
            parameter="indicator_id", value=indicator_id, valid=list(cat),
        )  # fmt: skip
    if part is not None and part not in pages.FIGURE_PARTS:
        raise ApiError(
            400, f"unknown part {part!r}", parameter="part", value=part,
            valid=list(pages.FIGURE_PARTS),
        )  # fmt: skip
    reader = _reader()
    name = choose_format(request, format)
    rounding = _precision_of(precision)
    query = _page_query(request, pages.INDICATOR_PARAMETERS)

    def figures() -> pd.DataFrame:
        try:
            return pages.indicator_figures(reader, indicator_id, query, part)
        except pages.PageError as err:
            raise _page_error(err, request, {"indicator": "indicator_id"}) from None

    shown = INDICATOR_NOTES[part] if part else " and ".join(INDICATOR_NOTES.values())
    return _page_download(
        request,
        reader,
        ("indicator-figures", indicator_id, query.urlencode(), part, name, labels, rounding),
        figures,
        note=f"These are the figures of the indicator page: {shown}. {DERIVED_GAP_NOTE}",
        name=name, labels=labels, precision=rounding,
        filename=lambda df: f"zaragoza-{indicator_id}" + (f"-{part}" if part else ""),
    )  # fmt: skip


api.add_router("/v1/compare", api_compare.register(_reader, _cached))
api.add_router("/v1/sdmx", api_sdmx.register(_reader, _cached))
# The knowledge base's endpoints (practices, organisations, country profiles).
from zaragoza.portal.knowledge.api import router as _knowledge_router  # noqa: E402

api.add_router("/v1", _knowledge_router)
# The toolbox's endpoints (modules, measures, selections).
from zaragoza.portal.toolbox.api import router as _toolbox_router  # noqa: E402

api.add_router("/v1", _toolbox_router)
# The local benchmarks' endpoints (frameworks, a published round's scores).
from zaragoza.portal.benchmarks.api import router as _benchmarks_router  # noqa: E402

api.add_router("/v1", _benchmarks_router)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """JSON 404 for any path under ``/api/`` that is not an endpoint (clients read JSON)."""
    return _error(
        ApiError(
            404,
            "no such API endpoint",
            parameter="path",
            value=request.path,
            valid=[
                "/api/v1/indicators",
                "/api/v1/indicators/{id}",
                "/api/v1/codes",
                "/api/v1/observations",
                "/api/v1/countries/{geo}/figures",
                "/api/v1/compare/figures",
                "/api/v1/indicators/{id}/figures",
                "/api/v1/compare/{targets,gaps,ranks,trends}",
                "/api/v1/sdmx/{dataflow,datastructure,codelist,conceptscheme}"
                "[/{agencyID}[/{resourceID}[/{version}]]]",
                "/api/v1/practices",
                "/api/v1/practices/{id}",
                "/api/v1/organisations",
                "/api/v1/countries/{geo}/profile",
                "/api/v1/toolbox/{modules,measures,recommend}",
                "/api/v1/toolbox/measures/{id}",
                "/api/v1/frameworks",
                "/api/v1/frameworks/{id}",
                "/api/v1/benchmarks/{round}/scores",
                "/api/docs",
                "/api/openapi.json",
            ],
        )
    )
