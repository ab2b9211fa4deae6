"""Pages of the toolbox. Thin: the rules are the library's (:mod:`zaragoza.toolbox`),
permissions the accounts app's, the shared steps :mod:`~zaragoza.portal.toolbox.services`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import duckdb
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zaragoza.catalog.loader import load_catalog
from zaragoza.errors import ContentError, ParameterError, ZaragozaError
from zaragoza.portal.accounts.permissions import Action, Scope, require
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.toolbox import display, services
from zaragoza.toolbox.context import LEVELS
from zaragoza.toolbox.plan import plan_csv, plan_pdf
from zaragoza.toolbox.schema import MIGRANT_GROUPS
from zaragoza.toolbox.selfcheck import ANSWERS, self_check

_TOOLBOX = Scope("toolbox")
#: Most notes a plan item keeps.
NOTE_MAX = 2000


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(
        request, "monitoring/error.html", {"status": status, "message": message}, status=status
    )


def _toolbox(request: HttpRequest) -> Any:
    require(request.user, Action.VIEW, _TOOLBOX)
    return services.toolbox()


def _unavailable(request: HttpRequest, exc: ZaragozaError) -> HttpResponse:
    return _error(request, 503, _("The toolbox cannot be loaded: %(why)s") % {"why": exc.what})


def _language() -> str:
    return (get_language() or "en")[:2]


def _indicator_titles(ids: list[str]) -> dict[str, str]:
    cat = load_catalog()
    return {i: indicator_title(cat[i]) if i in cat.indicators else i for i in ids}


def _practice_titles(ids: list[str]) -> dict[str, str]:
    from zaragoza.portal.knowledge.models import Practice

    found = Practice.objects.filter(slug__in=ids, state="published").values_list("slug", "title")
    return dict(found)


def index(request: HttpRequest) -> HttpResponse:
    """Browse: modules, components and measures, filtered by module, level, target group,
    fund, evidence level and theme (each a repeatable parameter)."""
    try:
        tb = _toolbox(request)
    except ContentError as exc:
        return _unavailable(request, exc)
    names = [n for n, _l in display.FILTERS]
    for key in request.GET:
        if key not in names:
            return _error(
                request,
                400,
                _("Unknown parameter %(p)s; valid: %(v)s") % {"p": key, "v": ", ".join(names)},
            )
    chosen = {n: set(request.GET.getlist(n)) for n in names if request.GET.getlist(n)}
    ctx = display.browse(tb, chosen)
    chips = []
    for name, values in chosen.items():
        for v in sorted(values):
            q = request.GET.copy()
            q.setlist(name, [x for x in q.getlist(name) if x != v])
            chips.append({"label": v, "url": "?" + q.urlencode()})
    for f in ctx["filters"]:
        for o in f["options"]:
            q = request.GET.copy()
            current = q.getlist(f["name"])
            q.setlist(
                f["name"],
                [x for x in current if x != o["code"]] if o["selected"] else [*current, o["code"]],
            )
            o["url"] = "?" + q.urlencode()
    labels = {
        "module": _("Module (area)"),
        "level": _("Level"),
        "target_group": _("Target group"),
        "fund": _("EU fund"),
        "evidence": _("Evidence"),
        "theme": _("Theme"),
    }
    for f in ctx["filters"]:
        f["label"] = labels[f["name"]]
    ctx.update(chips=chips, version=tb.version)
    return render(request, "toolbox/index.html", ctx)


def module(request: HttpRequest, ident: str) -> HttpResponse:
    """A module: its components and their measures, its sources, its self-check."""
    try:
        tb = _toolbox(request)
        mod = tb.module(ident)
    except ContentError as exc:
        return _unavailable(request, exc)
    except KeyError:
        raise Http404("no such module") from None
    comps = [
        {
            "component": c,
            "title": display.text(c.title, markdown=False),
            "summary": display.text(c.summary),
            "measures": [
                {
                    "measure": m,
                    "title": display.text(m.title, markdown=False),
                    "summary": display.text(m.summary),
                }
                for m in c.measures
            ],
        }
        for c in mod.components
    ]
    return render(
        request,
        "toolbox/module.html",
        {
            "module": mod,
            "title": display.text(mod.title, markdown=False),
            "summary": display.text(mod.summary),
            "reference": display.text(mod.agenda_reference) if mod.agenda_reference else None,
            "components": comps,
        },
    )


def component(request: HttpRequest, ident: str) -> HttpResponse:
    """A component: its measures (its module's page, at the component)."""
    try:
        tb = _toolbox(request)
        mod, _c = tb.component(ident)
    except ContentError as exc:
        return _unavailable(request, exc)
    except KeyError:
        raise Http404("no such component") from None
    return redirect(reverse("toolbox:module", args=[mod.id]) + f"#{ident}")


def measure(request: HttpRequest, ident: str) -> HttpResponse:
    """A measure card: all its fields, its practices, its indicators and where in Europe
    the gaps it works against are largest."""
    try:
        tb = _toolbox(request)
        mod, comp, m = tb.measure(ident)
    except ContentError as exc:
        return _unavailable(request, exc)
    except KeyError:
        raise Http404("no such measure") from None
    ctx = display.measure_view(tb, mod, comp, m)
    titles = _indicator_titles([t.id for t in m.indicators])
    rows = []
    synthetic = False
    for t in m.indicators:
        try:
            largest = services.europe_gaps_for(t.id, t.direction)
        except (ZaragozaError, OSError, duckdb.Error):
            largest = []
        synthetic |= any(g.synthetic for g in largest)
        rows.append(
            {"id": t.id, "title": titles[t.id], "direction": t.direction, "largest": largest}
        )
    practice_titles = _practice_titles([p["id"] for p in ctx["practices"]])
    for p in ctx["practices"]:
        p["title"] = practice_titles.get(p["id"])
    ctx.update(
        indicators=rows, synthetic=synthetic, in_plan=m.id in services.load_plan(request).ids()
    )
    return render(request, "toolbox/measure.html", ctx)


def _form_context(tb: Any, req: services.SelectionRequest | None) -> dict[str, Any]:
    vocab = tb.settings.context
    c = req.context if req else None
    return {
        "levels": LEVELS,
        "size_classes": vocab.size_classes,
        "resources_levels": vocab.resources,
        "migrant_group_codes": MIGRANT_GROUPS,
        "competence_codes": vocab.competences,
        "partner_codes": vocab.partners,
        "legal_frame_codes": vocab.legal_frames,
        "c": c,
        "weights": req.weights if req else tb.settings.weights,
        "time": req.time if req else None,
    }


def recommend(request: HttpRequest) -> HttpResponse:
    """The context form, the weights, and the ranked measures with their reasons; the
    excluded measures with theirs; the ranking's sensitivity to the weights."""
    try:
        tb = _toolbox(request)
    except ContentError as exc:
        return _unavailable(request, exc)
    req = None
    sel = None
    problem = None
    status = 200
    if request.GET:
        try:
            req = services.parse_selection(dict(request.GET.lists()), tb)
            sel = services.run_selection(req)
        except ParameterError as exc:
            problem, status = exc.message, 400
        except (ZaragozaError, OSError, duckdb.Error) as exc:
            # the warehouse cannot be read: the request was fine
            problem, status = _("The warehouse cannot be read: %(why)s") % {"why": exc}, 503
    ctx = _form_context(tb, req)
    plan = services.load_plan(request)
    if sel is not None:
        titles = _indicator_titles(sorted({t.id for r in sel.ranked for t in r.measure.indicators}))
        ctx["ranked"] = [
            {
                "r": r,
                "title": display.text(r.measure.title, markdown=False),
                "module_title": display.text(r.module.title, markdown=False),
                "indicators": [titles.get(t.id, t.id) for t in r.measure.indicators],
                "in_plan": r.measure.id in plan.ids(),
            }
            for r in sel.ranked
        ]
        ctx["excluded"] = [
            {"x": x, "title": display.text(x.measure.title, markdown=False)} for x in sel.excluded
        ]
        ctx["sel"] = sel
        ctx["query"] = req.query() if req else ""
        ctx["api"] = "/api/v1/toolbox/recommend?" + (req.query() if req else "")
    ctx["problem"] = problem
    return render(request, "toolbox/recommend.html", ctx, status=status)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def plan_change(request: HttpRequest) -> HttpResponse:
    """Add a measure to the plan, remove one, or save the notes (POST, CSRF-checked)."""
    try:
        tb = _toolbox(request)
    except ContentError as exc:
        return _unavailable(request, exc)
    plan = services.load_plan(request)
    action = request.POST.get("action", "")
    ident = request.POST.get("measure", "")
    if action in ("add", "remove"):
        try:
            tb.measure(ident)
        except KeyError:
            return _error(request, 400, _("Unknown measure %(m)s") % {"m": ident})
    if action == "add":
        query = request.POST.get("query", "")
        if query:
            from urllib.parse import parse_qs

            try:
                req = services.parse_selection(parse_qs(query, keep_blank_values=True), tb)
            except ParameterError as exc:
                return _error(request, 400, exc.message)
            plan.geo, plan.level, plan.query = req.context.geo, req.context.level, req.query()
        if plan.add(ident):
            messages.success(request, _("Kept in your plan."))
        plan.toolbox_version = tb.version
    elif action == "remove":
        plan.remove(ident)
        messages.success(request, _("Removed from your plan."))
    elif action == "notes":
        for item in plan.items:
            item.note = request.POST.get(f"note-{item.measure_id}", item.note)[:NOTE_MAX]
        messages.success(request, _("Notes saved."))
    else:
        return _error(
            request, 400, _("Unknown action %(a)s; valid: add, remove, notes") % {"a": action}
        )
    services.save_plan(request, plan)
    return redirect(_safe_next(request, reverse("toolbox:plan")))


def plan(request: HttpRequest) -> HttpResponse:
    """The plan: kept measures with notes, the indicators to watch, CSV and PDF."""
    try:
        tb = _toolbox(request)
    except ContentError as exc:
        return _unavailable(request, exc)
    p = services.load_plan(request)
    items = []
    for item in p.items:
        try:
            mod, _comp, m = tb.measure(item.measure_id)
        except KeyError:
            continue
        items.append(
            {
                "item": item,
                "measure": m,
                "title": display.text(m.title, markdown=False),
                "module_title": display.text(mod.title, markdown=False),
                "indicators": [t.id for t in m.indicators],
            }
        )
    watched = p.watched_indicators(tb)
    country = p.geo[:2] if p.geo else ""
    watch_url = ""
    if country:
        watch_url = (
            reverse("monitoring:country", args=[country])
            + "?"
            + urlencode({"watch": ",".join(watched)})
        )
    return render(
        request,
        "toolbox/plan.html",
        {
            "plan": p,
            "items": items,
            "watched": list(_indicator_titles(watched).items()),
            "watch_url": watch_url,
            "back": reverse("toolbox:recommend") + "?" + p.query if p.query else "",
        },
    )


def _plan_labels() -> dict[str, str]:
    return {
        "title": _("Integration plan"),
        "geo": _("Geography"),
        "measures": _("Measures kept"),
        "watch": _("Indicators to watch"),
        "note": _("Note"),
        "version": _("Toolbox version"),
        "empty": _("No measure kept yet."),
        "synthetic": _(
            "Some gaps behind the selection come from figures computed from synthetic "
            "records: a demonstration of the method, not statistics."
        ),
    }


def plan_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The plan as CSV or PDF."""
    try:
        tb = _toolbox(request)
    except ContentError as exc:
        return _unavailable(request, exc)
    p = services.load_plan(request)
    if fmt == "csv":
        response = HttpResponse(
            plan_csv(p, tb, _language()), content_type="text/csv; charset=utf-8"
        )
    else:
        synthetic = False
        if p.query:
            try:
                from urllib.parse import parse_qs

                sel = services.run_selection(services.parse_selection(parse_qs(p.query), tb))
                synthetic = any(r.synthetic for r in sel.ranked if r.measure.id in p.ids())
            except (ZaragozaError, OSError, duckdb.Error):
                synthetic = False
        body = plan_pdf(p, tb, language=_language(), labels=_plan_labels(), synthetic=synthetic)
        response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="zaragoza-plan.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def selfcheck(request: HttpRequest, ident: str) -> HttpResponse:
    """A module's components as a checklist; the answers ride in the URL (``a-<measure>``)."""
    try:
        tb = _toolbox(request)
        mod = tb.module(ident)
    except ContentError as exc:
        return _unavailable(request, exc)
    except KeyError:
        raise Http404("no such module") from None
    answers = {
        k.removeprefix("a-"): str(v) for k, v in request.GET.items() if k.startswith("a-") and v
    }
    result = None
    problem = None
    if request.GET:
        try:
            result = self_check(mod, answers)
        except ParameterError as exc:
            problem = exc.message
    comps = []
    by_id = {c.component: c for c in result.components} if result else {}
    for c in mod.components:
        comps.append(
            {
                "component": c,
                "title": display.text(c.title, markdown=False),
                "result": by_id.get(c.id),
                "measures": [
                    {
                        "measure": m,
                        "title": display.text(m.title, markdown=False),
                        "answer": answers.get(m.id, ""),
                    }
                    for m in c.measures
                ],
            }
        )
    return render(
        request,
        "toolbox/selfcheck.html",
        {
            "module": mod,
            "title": display.text(mod.title, markdown=False),
            "components": comps,
            "result": result,
            "answers": list(ANSWERS),
            "problem": problem,
        },
        status=400 if problem else 200,
    )
