"""Toolbox endpoints of the open-data API (a router of the portal's one API).

``GET /api/v1/toolbox/modules``
    The modules with their components and the ids and titles of their measures.
``GET /api/v1/toolbox/measures``
    Measure cards, filtered by ``module``, ``level``, ``target_group``, ``fund``,
    ``evidence`` (an evidence level of an evaluation or of a practice that implements
    it) and ``theme`` (each a comma-separated list or repeated; codes of one filter
    OR-ed, filters AND-ed).
``GET /api/v1/toolbox/measures/{id}``
    One measure card in the content format, with its module and component.
``GET /api/v1/toolbox/recommend``
    The selection for an authority's context: ``level`` and ``geo`` (required),
    ``size``, ``migrant_groups``, ``recent_share``, ``resources``, ``partners``,
    ``competences``, ``legal_frames``; weights ``w_gap``, ``w_fit``, ``w_evidence``;
    ``time``; ``format=json`` (default) or ``csv`` (the command line's CSV). JSON holds
    the ranked measures with score, parts, reasons and gaps (value, SE, significance,
    flag, source, ``synthetic``), the excluded ones with their reasons, the weights,
    the sensitivity grid's size, the notes (no gaps for the geo) and ``synthetic``.

Errors are the API's JSON ``{"detail", "parameter", "value", "valid"}`` (400 for a bad
parameter, 404 for an unknown measure, 503 when the toolbox cannot be loaded).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from zaragoza.errors import ContentError, ParameterError
from zaragoza.portal.accounts.permissions import Action, Scope, require
from zaragoza.portal.monitoring.api_query import ApiError
from zaragoza.portal.toolbox import display, services
from zaragoza.toolbox.gaps import Gap
from zaragoza.toolbox.plan import SYNTHETIC_NOTE, selection_csv
from zaragoza.toolbox.selection import Selection

__all__ = ["router"]

router = Router(tags=["toolbox"])
_LIST = "Codes, comma-separated or repeated"
_FILTERS = [name for name, _ in display.FILTERS]


def _json(data: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Content-Disposition"
    return response


def _toolbox(request: HttpRequest) -> Any:
    require(request.user, Action.VIEW, Scope("toolbox"))
    try:
        return services.toolbox()
    except ContentError as exc:
        raise ApiError(503, f"the toolbox cannot be loaded: {exc.what}") from None


def _refuse_unknown(request: HttpRequest, allowed: list[str]) -> None:
    for name in request.GET:
        if name not in allowed and not name.startswith("_"):
            raise ApiError(
                400,
                f"unknown parameter {name!r}",
                parameter=name,
                value=request.GET[name],
                valid=allowed,
            )


def _card(module: Any, component: Any, m: Any, request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = m.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["module"] = module.id
    data["component"] = component.id
    data["url"] = request.build_absolute_uri(reverse("toolbox:measure", args=[m.id]))
    return data


@router.get("/toolbox/modules", summary="The toolbox's modules and components")
def modules(request: HttpRequest) -> HttpResponse:
    """The modules, their components and the measures of each."""
    tb = _toolbox(request)
    _refuse_unknown(request, [])
    return _json(
        {
            "version": tb.version,
            "modules": [
                {
                    "id": mod.id,
                    "title": mod.title,
                    "summary": mod.summary,
                    "sources": [s.model_dump(mode="json", exclude_none=True) for s in mod.sources],
                    "checked": mod.checked.isoformat(),
                    "components": [
                        {
                            "id": c.id,
                            "title": c.title,
                            "measures": [{"id": m.id, "title": m.title} for m in c.measures],
                        }
                        for c in mod.components
                    ],
                }
                for mod in tb.modules
            ],
        }
    )


@router.get("/toolbox/measures", summary="Measure cards, filtered")
def measures(
    request: HttpRequest,
    module: Annotated[list[str] | None, Query(description=_LIST)] = None,
    level: Annotated[list[str] | None, Query(description=_LIST)] = None,
    target_group: Annotated[list[str] | None, Query(description=_LIST)] = None,
    fund: Annotated[list[str] | None, Query(description=_LIST)] = None,
    evidence: Annotated[list[str] | None, Query(description=_LIST)] = None,
    theme: Annotated[list[str] | None, Query(description=_LIST)] = None,
) -> HttpResponse:
    """Measure cards passing the filters."""
    tb = _toolbox(request)
    _refuse_unknown(request, _FILTERS)
    chosen: dict[str, set[str]] = {}
    tax = tb.taxonomy
    valid = {
        "module": [m.id for m in tb.modules],
        "level": list(tax.codes("level")),
        "target_group": list(tax.codes("target_groups")),
        "fund": list(tax.codes("funding")),
        "evidence": list(tax.codes("evidence")),
        "theme": list(tax.codes("themes")),
    }
    for name in _FILTERS:
        codes = {c.strip() for v in request.GET.getlist(name) for c in v.split(",") if c.strip()}
        bad = sorted(codes - set(valid[name]))
        if bad:
            raise ApiError(
                400, f"unknown {name} {bad[0]!r}", parameter=name, value=bad[0], valid=valid[name]
            )
        if codes:
            chosen[name] = codes
    found = display.browse(tb, chosen)
    ids = {
        m["measure"].id
        for mod in found["modules"]
        for c in mod["components"]
        for m in c["measures"]
    }
    cards = [_card(mod, c, m, request) for mod, c, m in tb.measures() if m.id in ids]
    return _json({"version": tb.version, "count": len(cards), "results": cards})


@router.get("/toolbox/measures/{measure_id}", summary="One measure card")
def measure(request: HttpRequest, measure_id: str) -> HttpResponse:
    tb = _toolbox(request)
    _refuse_unknown(request, [])
    try:
        mod, comp, m = tb.measure(measure_id)
    except KeyError:
        raise ApiError(
            404,
            "no such measure",
            parameter="measure_id",
            value=measure_id,
            valid=[x.id for _, _, x in tb.measures()],
        ) from None
    return _json({"version": tb.version, **_card(mod, comp, m, request)})


def _gap(g: Gap | None) -> dict[str, Any] | None:
    if g is None:
        return None
    return {
        "geo": g.geo,
        "time": g.time,
        "group": g.group,
        "source": g.source,
        "value": round(g.value, 3),
        "se": None if g.se is None else round(g.se, 3),
        "significant": g.significant,
        "flag": g.flag,
        "synthetic": g.synthetic,
        "migrants": g.migrants,
        "nationals": g.nationals,
    }


def selection_data(sel: Selection) -> dict[str, Any]:
    """The selection as JSON-ready data (the API's answer)."""
    return {
        "context": sel.context.as_data(),
        "weights": sel.weights.model_dump(),
        "time": sel.time,
        "toolbox_version": sel.toolbox_version,
        "gaps_available": sel.gaps.available,
        "gaps_geo": sel.gaps.used_geo,
        "notes": list(sel.notes) + ([SYNTHETIC_NOTE] if sel.synthetic else []),
        "synthetic": sel.synthetic,
        "sensitivity": {"weightings": sel.sensitivity_weightings, "top": sel.top},
        "ranked": [
            {
                "rank": r.rank,
                "measure_id": r.measure.id,
                "title": r.measure.title,
                "module": r.module.id,
                "component": r.component.id,
                "score": r.score,
                "gap": None if r.gap is None else round(r.gap, 4),
                "fit": round(r.fit, 4),
                "evidence": round(r.evidence, 4),
                "in_top_share": round(r.in_top_share, 4),
                "indicators": [
                    {
                        "id": p.indicator,
                        "direction": p.direction,
                        "weighs": round(p.part, 4),
                        "factor": p.factor,
                        "gap": _gap(p.gap),
                    }
                    for p in r.indicator_gaps
                ],
                "reasons": list(r.reasons),
                "synthetic": r.synthetic,
            }
            for r in sel.ranked
        ],
        "excluded": [
            {
                "measure_id": x.measure.id,
                "title": x.measure.title,
                "module": x.module.id,
                "component": x.component.id,
                "reasons": list(x.reasons),
            }
            for x in sel.excluded
        ],
    }


@router.get(
    "/toolbox/recommend",
    url_name="toolbox_recommend",
    summary="Measures ranked for an authority's context, with reasons",
)
def recommend(
    request: HttpRequest,
    level: Annotated[str | None, Query(description="national, regional or local")] = None,
    geo: Annotated[str | None, Query(description="Eurostat geo code (AT, AT13)")] = None,
    size: Annotated[str | None, Query(description="small, medium, large, metropolitan")] = None,
    migrant_groups: Annotated[str | None, Query(description=_LIST)] = None,
    recent_share: Annotated[str | None, Query(description="Recent arrivals, % (0-100)")] = None,
    resources: Annotated[str | None, Query(description="low, medium, high")] = None,
    partners: Annotated[str | None, Query(description=_LIST)] = None,
    competences: Annotated[str | None, Query(description=_LIST)] = None,
    legal_frames: Annotated[str | None, Query(description=_LIST)] = None,
    w_gap: Annotated[str | None, Query(description="Weight of the gaps (0-100)")] = None,
    w_fit: Annotated[str | None, Query(description="Weight of the fit (0-100)")] = None,
    w_evidence: Annotated[str | None, Query(description="Weight of the evidence")] = None,
    time: Annotated[str | None, Query(description="Year of the gaps (default latest)")] = None,
    format: Annotated[str | None, Query(description="json (default) or csv")] = None,
) -> HttpResponse:
    """The toolbox's measures for a context: ranked with reasons, and the excluded ones."""
    tb = _toolbox(request)
    fmt = (format or "json").lower()
    if fmt not in ("json", "csv"):
        raise ApiError(
            400,
            f"unknown format {format!r}",
            parameter="format",
            value=format,
            valid=["json", "csv"],
        )
    params = {k: request.GET.getlist(k) for k in request.GET if k != "format"}
    try:
        req = services.parse_selection(params, tb)
    except ParameterError as exc:
        valid = exc.valid
        if exc.parameter == "parameter":
            raise ApiError(
                400,
                f"unknown parameter {exc.value!r}",
                parameter=str(exc.value),
                value=request.GET.get(str(exc.value)),
                valid=[*services.SELECTION_PARAMETERS, "format"],
            ) from None
        raise ApiError(
            400, f"invalid {exc.parameter}", parameter=exc.parameter, value=exc.value, valid=valid
        ) from None
    sel = services.run_selection(req)
    if fmt == "csv":
        response = HttpResponse(selection_csv(sel), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="zaragoza-toolbox-selection.csv"'
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return _json(selection_data(sel))
