"""Benchmark endpoints of the open-data API (a router of the portal's one API).

``GET /api/v1/frameworks``
    The frameworks served: key (``id@version``), title, kind, whose rendering it is,
    sources, aggregation per level, whether it is qualitative, languages, the number of
    questions and the dimensions.
``GET /api/v1/frameworks/{id}``
    One framework in full, in its content format (``id`` for its latest version, or
    ``id@version``); 404 for an unknown one.
``GET /api/v1/benchmarks/{round}/scores``
    The scores of a published round's published assessments: one row per entity and
    node (overall, dimensions, standards, questions) with ``score``, ``low``/``high``
    (the range under missing answers), ``n_answered``, ``n_scored`` and ``band``. A
    round that does not exist or is not published answers 404 (whoever asks). The
    example round says ``"example": true`` and ``"label": "example — not real cities"``.

Errors are the API's JSON ``{"detail", "parameter", "value", "valid"}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from zaragoza.errors import CatalogError
from zaragoza.portal.accounts.permissions import Action, Scope, can, require
from zaragoza.portal.benchmarks import services
from zaragoza.portal.benchmarks.services import tuples
from zaragoza.portal.monitoring.api_query import ApiError

__all__ = ["round_rows", "router"]

router = Router(tags=["benchmarks"])


def _json(data: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _refuse_unknown(request: HttpRequest) -> None:
    for name in request.GET:
        if not name.startswith("_"):
            raise ApiError(
                400,
                f"unknown parameter {name!r}",
                parameter=name,
                value=request.GET[name],
                valid=[],
            )


def _frameworks(request: HttpRequest) -> dict[str, Any]:
    require(request.user, Action.VIEW, Scope("frameworks"))
    try:
        return services.frameworks()
    except CatalogError as exc:
        raise ApiError(503, f"the frameworks cannot be loaded: {exc.what}") from None


@router.get("/frameworks", summary="The frameworks of local benchmarks")
def frameworks(request: HttpRequest) -> HttpResponse:
    known = _frameworks(request)
    _refuse_unknown(request)
    return _json(
        {
            "count": len(known),
            "results": [
                {
                    "key": key,
                    "id": fw.id,
                    "version": fw.version,
                    "title": fw.title,
                    "kind": fw.kind,
                    "rendering": fw.rendering,
                    "sources": [s.model_dump(mode="json", exclude_none=True) for s in fw.sources],
                    "aggregation": dict(fw.aggregation),
                    "qualitative": fw.qualitative,
                    "languages": list(fw.languages),
                    "questions": len(fw.questions()),
                    "dimensions": [{"id": d.id, "title": d.title} for d in fw.dimensions],
                }
                for key, fw in sorted(known.items())
            ],
        }
    )


@router.get("/frameworks/{framework_id}", summary="One framework in full")
def framework(request: HttpRequest, framework_id: str) -> HttpResponse:
    known = _frameworks(request)
    _refuse_unknown(request)
    try:
        fw = services.framework(framework_id)
    except CatalogError:
        raise ApiError(
            404,
            "no such framework",
            parameter="framework_id",
            value=framework_id,
            valid=sorted(known),
        ) from None
    return _json({"key": fw.key, **fw.model_dump(mode="json", exclude_none=True)})


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else round(f, 2)


def round_rows(rnd: Any) -> list[dict[str, Any]]:
    """The published scores of a round as rows (the API's and the export's)."""
    frame = services.round_scores(rnd, published_only=True)
    names = dict(rnd.assessments.values_list("entity__code", "entity__name"))
    return [
        {
            "entity": str(r.entity),
            "name": names.get(str(r.entity), str(r.entity)),
            "level": str(r.level),
            "node": str(r.node),
            "score": _num(r.score),
            "low": _num(r.low),
            "high": _num(r.high),
            "n_answered": int(r.n_answered),
            "n_scored": int(r.n_scored),
            "band": r.band if isinstance(r.band, str) else None,
        }
        for r in tuples(frame)
    ]


@router.get("/benchmarks/{round_slug}/scores", summary="The scores of a published round")
def scores(request: HttpRequest, round_slug: str) -> HttpResponse:
    from zaragoza.portal.benchmarks.models import Round

    _refuse_unknown(request)
    rnd = Round.objects.select_related("network").filter(slug=round_slug).first()
    if rnd is None or rnd.state != "published" or not can(request.user, Action.VIEW, rnd):
        raise ApiError(404, "no such published round", parameter="round", value=round_slug)
    try:
        rows = round_rows(rnd)
    except CatalogError as exc:
        raise ApiError(503, f"the round's framework cannot be loaded: {exc.what}") from None
    data: dict[str, Any] = {
        "round": rnd.slug,
        "title": rnd.title,
        "network": rnd.network.code,
        "year": rnd.year,
        "framework": rnd.framework,
        "example": rnd.example,
    }
    if rnd.example:
        data["label"] = services.EXAMPLE_LABEL
    data.update(count=len(rows), results=rows)
    return _json(data)
