"""The city report and the comparative report: their content, and the PDF laid out by
WeasyPrint with the monitoring factsheet's safe renderer (no file or server reachable).

Recommendations name toolbox measures and knowledge-base practices by id; a report shows
their titles and links when they exist (a measure of the served toolbox, a published
practice) and the bare id otherwise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from zaragoza.errors import ContentError
from zaragoza.portal.benchmarks import services
from zaragoza.portal.benchmarks.residents import tallies

__all__ = ["check_measures", "check_practices", "city_context", "pdf_response", "recommendations"]


def _toolbox() -> Any:
    from zaragoza.portal.toolbox.services import toolbox

    try:
        return toolbox()
    except ContentError:
        return None


def check_measures(ids: list[str]) -> list[str]:
    """``ids`` if each is a measure of the served toolbox (else ValueError naming it)."""
    tb = _toolbox()
    for m in ids:
        try:
            if tb is None:
                raise KeyError(m)
            tb.measure(m)
        except KeyError:
            raise ValueError(_("Unknown toolbox measure %(m)s") % {"m": m}) from None
    return ids


def check_practices(ids: list[str]) -> list[str]:
    """``ids`` if each is a published practice of the knowledge base."""
    from zaragoza.portal.knowledge.models import Practice

    found = set(
        Practice.objects.filter(slug__in=ids, state="published").values_list("slug", flat=True)
    )
    for p in ids:
        if p not in found:
            raise ValueError(_("Unknown published practice %(p)s") % {"p": p})
    return ids


def recommendations(review: Any) -> list[dict[str, Any]]:
    """The review's recommendations with the titles of their measures and practices."""
    from zaragoza.portal.knowledge.models import Practice

    tb = _toolbox()
    recs = list(review.recommendations.all())
    slugs = {p for r in recs for p in r.practices}
    titles = dict(
        Practice.objects.filter(slug__in=slugs, state="published").values_list("slug", "title")
    )
    out = []
    for r in recs:
        measures = []
        for m in r.measures:
            try:
                measure = tb.measure(m)[2] if tb is not None else None
            except KeyError:
                measure = None
            measures.append({"id": m, "title": str(measure.title) if measure else None})
        out.append(
            {
                "r": r,
                "measures": measures,
                "practices": [{"id": p, "title": titles.get(p)} for p in r.practices],
            }
        )
    return out


def city_context(a: Any) -> dict[str, Any]:
    """What the city report shows: scores, answers' completeness, findings per standard,
    recommendations, the resident questionnaire's tallies, the gaps beside the scores."""
    from zaragoza.frameworks import score_assessment

    fw = services.framework(a.round.framework)
    answers = services.answers_of(a)
    review = a.review if _has(a, "review") else None
    findings = {f.standard: f for f in review.findings.all()} if review else {}
    standards = []
    for d in fw.dimensions:
        for s in d.standards:
            if s.id in findings:
                standards.append({"dimension": d, "standard": s, "finding": findings[s.id]})
    scores = [
        (s, services.node_title(fw, s.node))
        for s in score_assessment(fw, answers)
        if s.level in ("overall", "dimension", "standard")
    ]
    survey = a.resident_survey if _has(a, "resident_survey") else None
    return {
        "a": a,
        "framework": fw,
        "scores": scores,
        "qualitative": fw.qualitative,
        "completeness": services.completeness(fw, answers),
        "review": review,
        "findings": standards,
        "recommendations": recommendations(review) if review else [],
        "survey": tallies(survey) if survey else [],
        "gaps": services.outcome_gaps(a.entity.geo),
        "example": a.entity.example or a.round.example,
        "example_label": services.EXAMPLE_LABEL,
    }


def _has(obj: Any, name: str) -> bool:
    try:
        getattr(obj, name)
    except ObjectDoesNotExist:  # a missing one-to-one relation
        return False
    return True


def pdf_response(
    template: str, ctx: dict[str, Any], filename: str, language: str | None = None
) -> HttpResponse:
    """The report rendered to PDF (in ``language`` when the site has it)."""
    from zaragoza.portal.monitoring.factsheet import render_pdf

    codes = {c for c, _n in settings.LANGUAGES}
    lang = language if language in codes else translation.get_language()
    with translation.override(lang):
        html = render_to_string(template, ctx)
    body = render_pdf(html)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
