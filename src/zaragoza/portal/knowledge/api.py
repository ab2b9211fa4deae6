"""Knowledge-base endpoints of the open-data API (a router of the portal's one API).

``GET /api/v1/practices``
    Published practices. Filters as the search page's facets, each a comma-separated
    list or a repeated parameter (codes of one filter OR-ed, filters AND-ed): ``q`` (full
    text), ``country`` (any implementing country), ``region``, ``level``, ``theme``,
    ``target_group``, ``funding``, ``evidence``, ``indicator``, ``year`` (running that
    year), ``language``; ``sort`` (relevance, newest, title, start); ``limit`` (1-100,
    default 20) and ``offset``; ``format=json`` (default: ``count``, ``next``,
    ``previous``, ``results``, ``facets``) or ``csv`` (one row per practice, the export's
    columns). ``facets`` counts, per facet, the practices of each code under the other
    facets' filters (codes without practices left out). Every answer has
    ``X-Total-Count`` and a ``Link`` header (``rel="next"``,
    ``rel="prev"``).
``GET /api/v1/practices/{id}``
    One practice in the content format, with its URL and state; 404 unless the caller
    may see it (the public: published ones).
``POST /api/v1/practices/{id}/steps``
    A workflow step (``{"action", "comment", "rubric"}``) for a signed-in user (session
    and CSRF token); 403 unless the one permission function allows it, 409 when the
    workflow refuses it (with every reason).
``GET /api/v1/organisations``, ``GET /api/v1/countries/{geo}/profile``
    Organisations; a country's governance profile (latest, or ``as_of``), its sections
    with sources and review dates, and the warehouse's latest figures.

Errors are the API's JSON ``{"detail", "parameter", "value", "valid"}``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import get_conditional_response
from ninja import Query, Router, Schema
from ninja.security import django_auth

from zaragoza.knowledge.exchange import records_to_csv
from zaragoza.knowledge.rules import Rubric, State, WorkflowAction
from zaragoza.knowledge.search import DEFAULT_LIMIT, MAX_LIMIT, SearchError
from zaragoza.knowledge.taxonomy import COUNTRIES
from zaragoza.portal.accounts.permissions import Action, can
from zaragoza.portal.knowledge import display, services
from zaragoza.portal.knowledge.figures import HEADLINE_INDICATORS, current_gaps
from zaragoza.portal.knowledge.models import CountryProfile, Organisation, Practice
from zaragoza.portal.knowledge.searching import content_version, search
from zaragoza.portal.monitoring.api_query import ApiError

__all__ = ["router"]

router = Router(tags=["knowledge base"])
_LIST = "Codes, comma-separated or repeated"


class PracticeItem(Schema):
    id: str
    title: str
    summary: str
    countries: list[str]
    level: str
    themes: list[str]
    evidence_level: str
    start: str | None = None
    end: str | None = None
    indicators: list[str]
    sources: list[dict[str, Any]]
    url: str
    example: bool


class PracticePage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None = None
    previous: str | None = None
    results: list[PracticeItem]
    facets: dict[str, dict[str, int]]


class StepIn(Schema):
    action: str
    comment: str = ""
    rubric: dict[str, int] | None = None


def _json(status: int, data: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Link, X-Total-Count, Content-Disposition"
    return response


def _conditional(request: HttpRequest, key: str) -> tuple[str, HttpResponse | None]:
    etag = '"' + hashlib.sha256(f"{content_version()}|{key}".encode()).hexdigest()[:32] + '"'
    return etag, get_conditional_response(request, etag=etag)


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    response["Vary"] = "Accept, Cookie"
    return response


def _page_url(request: HttpRequest, offset: int) -> str:
    query: QueryDict = request.GET.copy()
    query["offset"] = str(offset)
    query.pop("page", None)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _items(ids: tuple[int, ...], request: HttpRequest) -> list[dict[str, Any]]:
    rows = {p.pk: p for p in Practice.objects.filter(pk__in=ids).select_related("organisation")}
    out = []
    for i in ids:
        p = rows.get(i)
        if p is None:
            continue
        out.append(
            {
                "id": p.slug,
                "title": p.title_en,
                "summary": p.summary_en,
                "countries": p.countries,
                "level": p.level,
                "themes": p.themes,
                "evidence_level": p.evidence_level,
                "start": p.start or None,
                "end": p.end or None,
                "indicators": p.indicators,
                "sources": p.sources,
                "example": p.example,
                "url": request.build_absolute_uri(reverse("knowledge:practice", args=[p.slug])),
            }
        )
    return out


@router.get(
    "/practices",
    response={200: PracticePage, 304: None, 400: dict[str, Any]},
    summary="Published practices: full text, facets, pages, JSON or CSV",
)
def practices(
    request: HttpRequest,
    q: Annotated[str | None, Query(description='Full text (words, "phrases", -excluded)')] = None,
    country: Annotated[list[str] | None, Query(description=_LIST + " (Eurostat geo codes)")] = None,
    region: Annotated[list[str] | None, Query(description=_LIST + " (NUTS)")] = None,
    level: Annotated[list[str] | None, Query(description=_LIST)] = None,
    theme: Annotated[list[str] | None, Query(description=_LIST)] = None,
    target_group: Annotated[list[str] | None, Query(description=_LIST)] = None,
    funding: Annotated[list[str] | None, Query(description=_LIST)] = None,
    evidence: Annotated[list[str] | None, Query(description=_LIST)] = None,
    indicator: Annotated[list[str] | None, Query(description=_LIST + " (catalogue ids)")] = None,
    year: Annotated[list[str] | None, Query(description="Years the practice ran")] = None,
    language: Annotated[list[str] | None, Query(description="ISO 639-1 codes")] = None,
    sort: Annotated[str | None, Query(description="relevance, newest, title, start")] = None,
    limit: Annotated[
        int | None, Query(description=f"1-{MAX_LIMIT}, default {DEFAULT_LIMIT}")
    ] = None,
    offset: Annotated[int | None, Query(description="Results to skip")] = None,
    format: Annotated[str | None, Query(description="json (default) or csv")] = None,
) -> HttpResponse:
    """Published practices matching the filters, with facet counts."""
    params = {k: request.GET.getlist(k) for k in request.GET if k != "format"}
    fmt = (format or "json").lower()
    if fmt not in ("json", "csv"):
        raise ApiError(
            400,
            f"unknown format {format!r}",
            parameter="format",
            value=format,
            valid=["json", "csv"],
        )
    try:
        query = display.parse_search_params(params)
    except SearchError as err:
        raise ApiError(
            400, err.detail, parameter=err.parameter, value=err.value, valid=err.valid
        ) from None
    etag, conditional = _conditional(request, request.get_full_path())
    if conditional is not None:
        return conditional
    result = search(query)
    nxt = (
        _page_url(request, query.offset + query.limit)
        if query.offset + query.limit < result.total
        else None
    )
    prev = _page_url(request, max(query.offset - query.limit, 0)) if query.offset > 0 else None
    if fmt == "csv":
        rows = {
            p.pk: p
            for p in Practice.objects.filter(pk__in=result.ids)
            .select_related("organisation")
            .prefetch_related("partners")
        }
        body = records_to_csv(services.record_of(rows[i]) for i in result.ids if i in rows)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="zaragoza-practices.csv"'
        response["Access-Control-Allow-Origin"] = "*"
    else:
        response = _json(
            200,
            {
                "count": result.total,
                "limit": query.limit,
                "offset": query.offset,
                "next": nxt,
                "previous": prev,
                "results": _items(result.ids, request),
                "facets": {
                    f: {c: n for c, n in counts.items() if n} for f, counts in result.facets.items()
                },
            },
        )
    links = [f'<{u}>; rel="{r}"' for r, u in (("next", nxt), ("prev", prev)) if u]
    if links:
        response["Link"] = ", ".join(links)
    response["X-Total-Count"] = str(result.total)
    return _finish(response, etag)


def _practice(request: HttpRequest, slug: str) -> Practice:
    p = Practice.objects.select_related("organisation").filter(slug=slug).first()
    if p is None or not can(request.user, Action.VIEW, p):
        raise ApiError(404, f"no practice {slug!r}", parameter="id", value=slug)
    return p


@router.get(
    "/practices/{practice_id}",
    response={200: dict[str, Any], 404: dict[str, Any]},
    summary="One practice in the content format",
)
def practice(request: HttpRequest, practice_id: str) -> HttpResponse:
    """One practice: every field of the content format, its URL and state."""
    p = _practice(request, practice_id)
    data = services.record_of(p) | {
        "state": p.state,
        "example": p.example,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "url": request.build_absolute_uri(reverse("knowledge:practice", args=[p.slug])),
    }
    etag, conditional = _conditional(request, f"{request.get_full_path()}|{p.updated.isoformat()}")
    if conditional is not None:
        return conditional
    response = _json(200, data)
    if p.state != State.PUBLISHED:
        response["Cache-Control"] = "private, no-store"
        return response
    return _finish(response, etag)


@router.post(
    "/practices/{practice_id}/steps",
    auth=django_auth,
    response={200: dict[str, Any], 403: dict[str, Any], 404: dict[str, Any], 409: dict[str, Any]},
    summary="Take a workflow step (signed-in users with the right role)",
)
def step(request: HttpRequest, practice_id: str, body: StepIn) -> HttpResponse:
    """Submit, start the review, return, publish, reject or unpublish a practice."""
    p = _practice(request, practice_id)
    try:
        action = WorkflowAction(body.action)
    except ValueError:
        raise ApiError(
            400,
            f"unknown action {body.action!r}",
            parameter="action",
            value=body.action,
            valid=[a.value for a in WorkflowAction],
        ) from None
    if not can(request.user, Action(action.value), p):
        raise ApiError(
            403,
            f"not allowed to {action.value} this practice",
            parameter="action",
            value=action.value,
        )
    rubric = None
    if body.rubric is not None:
        try:
            rubric = Rubric.from_mapping(body.rubric)
        except ValueError as exc:
            raise ApiError(400, str(exc), parameter="rubric", value=body.rubric) from None
    try:
        t = services.step(p, action, request.user, comment=body.comment, rubric=rubric)
    except services.WorkflowError as err:
        raise ApiError(
            409,
            err.message,
            parameter="action",
            value=action.value,
            valid=[{"field": f, "reason": r} for f, r in err.problems],
        ) from None
    return _json(200, {"id": p.slug, "action": t.action, "from": t.from_state, "state": t.to_state})


@router.get("/organisations", response={200: list[dict[str, Any]]}, summary="Organisations")
def organisations(request: HttpRequest) -> HttpResponse:
    """Every organisation with its type, countries, themes, website and sources."""
    etag, conditional = _conditional(request, request.get_full_path())
    if conditional is not None:
        return conditional
    data = [
        {
            "id": o.slug,
            "name": o.name,
            "type": o.type,
            "countries": o.countries,
            "themes": o.themes,
            "website": o.website or None,
            "sources": o.sources,
            "checked": o.checked.isoformat() if o.checked else None,
            "example": o.example,
        }
        for o in Organisation.objects.order_by("slug")
    ]
    return _finish(_json(200, data), etag)


@router.get(
    "/countries/{geo}/profile",
    response={200: dict[str, Any], 404: dict[str, Any]},
    summary="A country's governance profile, with the warehouse's latest figures",
)
def profile(request: HttpRequest, geo: str, as_of: str | None = None) -> HttpResponse:
    """The latest governance profile of ``geo`` (or the version dated ``as_of``)."""
    if geo not in COUNTRIES:
        raise ApiError(
            404, f"unknown country {geo!r}", parameter="geo", value=geo, valid=list(COUNTRIES)
        )
    versions = list(CountryProfile.objects.filter(geo=geo).order_by("-as_of"))
    chosen = (
        versions[0]
        if versions and not as_of
        else next((v for v in versions if v.as_of.isoformat() == as_of), None)
    )
    if chosen is None:
        raise ApiError(
            404,
            f"no governance profile of {geo}" + (f" dated {as_of}" if as_of else ""),
            parameter="as_of" if as_of else "geo",
            value=as_of or geo,
            valid=[v.as_of.isoformat() for v in versions] or None,
        )
    etag, conditional = _conditional(
        request, f"{request.get_full_path()}|{chosen.edited_at.isoformat()}"
    )
    if conditional is not None:
        return conditional
    data = {
        "geo": chosen.geo,
        "name": chosen.name,
        "as_of": chosen.as_of.isoformat(),
        "versions": [v.as_of.isoformat() for v in versions],
        "sections": chosen.sections,
        "example": chosen.example,
        "figures": current_gaps([geo], list(HEADLINE_INDICATORS)),
        "monitoring_url": request.build_absolute_uri(reverse("monitoring:country", args=[geo])),
    }
    return _finish(_json(200, data), etag)
