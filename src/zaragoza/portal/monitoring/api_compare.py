"""Benchmarking endpoints of the API: ``/api/v1/compare/{targets,gaps,ranks,trends}``.

Each endpoint selects observations like ``/api/v1/observations`` (``indicator``, ``geo``,
``citizen``, ``c_birth``, ``sex``, ``age``, ``source``; comma-separated lists) and answers
what :mod:`zaragoza.compare` computes from them, as JSON (``{"count", "columns",
"results"}``) or CSV (``format=csv``):

* ``targets``: :func:`zaragoza.compare.targets.distance_to_target` (distance to the EU
  targets, the year the trend reaches them);
* ``gaps``: :func:`zaragoza.compare.gaps.gaps` (migrant - native, women - men and the gap
  of gaps, with SEs where the observations have them);
* ``ranks``: :func:`zaragoza.compare.ranks.rank_intervals` (rank intervals by simulation
  from the standard errors; plain ranks for published figures, said in ``rank_method``);
* ``trends``: :func:`zaragoza.compare.trends.trend` (least-squares trend of each series
  over its latest segment, breaks respected).

Every answer has a ``synthetic`` column: true where the row was computed from figures
that come from synthetic records (a demonstration, not a statistic); the distance to a
target of such a figure has no ``met`` and no ``verdict``.

``time`` selects the years of the answer; targets and trends still read every year of a
series (a trend needs them). Answers are cached like the observations (ETag,
Last-Modified).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from zaragoza.observations import SURVEY_SOURCES
from zaragoza.portal.monitoring.api_query import (
    ApiError,
    ErrorOut,
    check_codes,
    check_years,
    parse_codes,
    refuse_unknown_parameters,
    valid_codes,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["KINDS", "router"]

router = Router(tags=["benchmarking"])


def _targets(obs: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    from zaragoza.compare.targets import distance_to_target

    return distance_to_target(obs)


def _gaps(obs: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    from zaragoza.compare.gaps import gaps

    return gaps(obs)


def _ranks(obs: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    from zaragoza.compare.ranks import rank_intervals

    return rank_intervals(obs, **options)


def _trends(obs: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    from zaragoza.compare.trends import trend

    return trend(obs)


#: Endpoint -> (computation, whether it needs every year of a series).
KINDS: dict[str, tuple[Callable[[pd.DataFrame, dict[str, Any]], pd.DataFrame], bool]] = {
    "targets": (_targets, True),
    "gaps": (_gaps, False),
    "ranks": (_ranks, False),
    "trends": (_trends, True),
}
_PARAMETERS = ("indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "source", "format")
#: Parameters of one endpoint only.
_OWN_PARAMETERS = {"ranks": ("lower_is_better", "eu_apart")}
_FILTER_DOC = "Codes, comma-separated or repeated"
#: OpenAPI patterns of the lists with a fixed set of codes, comma-separated.
SEX_LIST = {"pattern": "^(T|M|F)(,(T|M|F))*$"}
SOURCE_LIST = {"pattern": "^(computed|published)(,(computed|published))*$"}
FORMATS = ("json", "csv")


class CompareOut(Schema):
    """A comparison as JSON: its rows, in the order of ``columns``."""

    count: int
    columns: list[str]
    results: list[dict[str, Any]]


def _answer(df: pd.DataFrame, fmt: str) -> HttpResponse:
    if fmt == "csv":
        return HttpResponse(
            df.to_csv(index=False, float_format="%.10g"), content_type="text/csv; charset=utf-8"
        )
    records = json.loads(df.to_json(orient="records", double_precision=10))
    body = {"count": len(df), "columns": list(df.columns), "results": records}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False), content_type="application/json"
    )


#: The columns that place a comparison's row among the observations it comes from.
_ORIGIN = ("indicator", "source", "geo", "time")


def with_synthetic(out: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Return ``out`` with a ``synthetic`` column: true where any observation it was
    computed from (same indicator, source, country and, where the row has one, year) was
    computed from synthetic records. A ranking or trend of demonstration figures is a
    demonstration too."""
    if out.empty or "synthetic" not in obs.columns:
        return out.assign(synthetic=pd.Series(dtype=bool))
    keys = [c for c in _ORIGIN if c in out.columns and c in obs.columns]
    if not keys:
        return out.assign(synthetic=bool(obs["synthetic"].fillna(False).astype(bool).any()))
    marks = (
        obs.assign(synthetic=obs["synthetic"].fillna(False).astype(bool))
        .groupby(keys, as_index=False)["synthetic"]
        .any()
    )
    merged = out.drop(columns=["synthetic"], errors="ignore").merge(marks, on=keys, how="left")
    merged["synthetic"] = merged["synthetic"].fillna(False).astype(bool)
    return merged


def compare_response(
    request: HttpRequest,
    reader: WarehouseReader,
    kind: str,
    filters: dict[str, list[str] | None],
    fmt: str | None,
    cached: Callable[[HttpRequest, Any, float | None, Callable[[], HttpResponse]], HttpResponse],
    options: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validate the selection, compute ``kind`` on it and answer (cached by ETag)."""
    options = options or {}
    refuse_unknown_parameters(request, allowed=(*_PARAMETERS, *_OWN_PARAMETERS.get(kind, ())))
    name = (fmt or "json").strip().lower()
    if name not in FORMATS:
        raise ApiError(400, "unknown format", parameter="format", value=fmt, valid=list(FORMATS))
    valid = valid_codes(reader)
    chosen: dict[str, tuple[Any, ...]] = {}
    for dim in ("indicator", "geo", "citizen", "c_birth", "sex", "age", "source"):
        chosen[dim] = check_codes(dim, parse_codes(dim, filters.get(dim)), valid[dim])
    if set(chosen["source"]) - set(SURVEY_SOURCES):
        raise ApiError(
            400,
            "comparisons are of survey figures: the skills profiles describe those "
            "profiled, not a population",
            parameter="source", value=",".join(chosen["source"]), valid=list(SURVEY_SOURCES),
        )  # fmt: skip
    # gaps, ranks, trends and targets never read the skills profiles' figures
    chosen["source"] = chosen["source"] or SURVEY_SOURCES
    years = check_years(parse_codes("time", filters.get("time")), reader.codes()["time"])
    compute, whole_series = KINDS[kind]
    selection = ObservationFilter(
        **chosen,
        time=() if whole_series else years,
        compare_to=("", "NAT") if kind == "gaps" else ("",),
    )
    version = reader.version()

    def make() -> HttpResponse:
        obs = reader.observations(selection)
        out = with_synthetic(compute(obs, options) if len(obs) else pd.DataFrame(), obs)
        if years and "time" in out.columns:
            out = out[out["time"].isin(years)]
        return _answer(out.reset_index(drop=True), name)

    key = ("compare", kind, version.tag, selection, years, name, tuple(sorted(options.items())))
    return cached(request, key, version.modified.timestamp(), make)


def register(
    get_reader: Callable[[], WarehouseReader],
    cached: Callable[[HttpRequest, Any, float | None, Callable[[], HttpResponse]], HttpResponse],
) -> Router:
    """Add the four endpoints to :data:`router`, reading through ``get_reader``."""

    def endpoint(kind: str, summary: str) -> None:
        def view(
            request: HttpRequest,
            indicator: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            geo: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            time: Annotated[list[str] | None, Query(description="Years of the answer")] = None,
            citizen: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            c_birth: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            sex: Annotated[list[str] | None, Query(description="T, M, F")] = None,
            age: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            source: Annotated[list[str] | None, Query(description="computed, published")] = None,
            format: Annotated[str | None, Query(description="json (default) or csv")] = None,
        ) -> HttpResponse:
            filters = {
                "indicator": indicator, "geo": geo, "time": time, "citizen": citizen,
                "c_birth": c_birth, "sex": sex, "age": age, "source": source,
            }  # fmt: skip
            return compare_response(request, get_reader(), kind, filters, format, cached)

        def ranks_view(
            request: HttpRequest,
            indicator: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            geo: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            time: Annotated[list[str] | None, Query(description="Years of the answer")] = None,
            citizen: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            c_birth: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            sex: Annotated[list[str] | None, Query(description="T, M, F")] = None,
            age: Annotated[list[str] | None, Query(description=_FILTER_DOC)] = None,
            source: Annotated[list[str] | None, Query(description="computed, published")] = None,
            format: Annotated[str | None, Query(description="json (default) or csv")] = None,
            lower_is_better: Annotated[
                bool | None,
                Query(
                    description="Rank 1 to the lowest value (default: the catalogue's "
                    "direction for each indicator)"
                ),
            ] = None,
            eu_apart: Annotated[
                bool, Query(description="Rank EU member states apart from other countries")
            ] = False,
        ) -> HttpResponse:
            filters = {
                "indicator": indicator, "geo": geo, "time": time, "citizen": citizen,
                "c_birth": c_birth, "sex": sex, "age": age, "source": source,
            }  # fmt: skip
            higher = None if lower_is_better is None else not lower_is_better
            options = {"higher_is_better": higher, "eu_apart": eu_apart}
            return compare_response(request, get_reader(), kind, filters, format, cached, options)

        if kind == "ranks":
            view = ranks_view
        view.__name__ = f"compare_{kind}"
        view.__doc__ = summary
        router.get(
            f"/{kind}",
            summary=summary,
            operation_id=f"compare_{kind}",
            response={200: CompareOut, 304: None, 400: ErrorOut, 503: ErrorOut},
            openapi_extra={
                "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
            },
        )(view)

    endpoint("targets", "Distance of each observation to the EU targets")
    endpoint("gaps", "Migrant - native, women - men gaps and the gap of gaps")
    endpoint("ranks", "Ranks with rank intervals from the standard errors")
    endpoint("trends", "Least-squares trend of each series since its last break")
    return router
