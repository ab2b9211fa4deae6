"""Pages of the local benchmarks. Thin: scoring is the engine's (:mod:`zaragoza.frameworks`),
permissions the accounts app's (every view asks :func:`require`/:func:`can`), the shared
steps :mod:`~zaragoza.portal.benchmarks.services`.

An object a user may not see answers 404 (not 403) where its existence is private (an
unpublished round or assessment), so that a URL tells nothing.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zaragoza.errors import CatalogError, InputError
from zaragoza.frameworks import LEVELS
from zaragoza.portal.accounts.models import Grant
from zaragoza.portal.accounts.permissions import Action, Scope, can, grants, require
from zaragoza.portal.accounts.roles import Role
from zaragoza.portal.benchmarks import report, services
from zaragoza.portal.benchmarks.models import (
    CHARTER_ROLES,
    Answer,
    Assessment,
    Assignment,
    Commitment,
    Document,
    Entity,
    Finding,
    Network,
    ProgressReport,
    Recommendation,
    ResidentResponse,
    ResidentSurvey,
    Review,
    Round,
    Signatory,
)
from zaragoza.portal.benchmarks.residents import RESIDENT_OPTIONS, resident_questions, tallies
from zaragoza.portal.knowledge.uploads import UploadRefusedError, checked_upload

_FRAMEWORKS = Scope("frameworks")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
TEXT_MAX = 10_000
LINKS_MAX = 10


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(
        request, "monitoring/error.html", {"status": status, "message": message}, status=status
    )


def _hidden(request: HttpRequest, obj: Any) -> None:
    """404 unless the user may view ``obj`` (an unpublished object's existence is private)."""
    if not can(request.user, Action.VIEW, obj):
        raise Http404("not found")


# ----------------------------------------------------------------------------- rounds


def index(request: HttpRequest) -> HttpResponse:
    """The rounds the user may see (the published ones for everyone), the networks a
    network administrator may open a round in."""
    require(request.user, Action.VIEW, _FRAMEWORKS)
    rounds = [
        r
        for r in Round.objects.select_related("network").prefetch_related("assessments")
        if can(request.user, Action.VIEW, r)
    ]
    networks = [n for n in Network.objects.all() if can(request.user, Action.CREATE, n)]
    try:
        known = services.frameworks()
    except (CatalogError, ImportError):
        known = {}
    mine = _my_assessments(request)
    return render(
        request,
        "benchmarks/index.html",
        {
            "rounds": rounds,
            "networks": networks,
            "frameworks": sorted(known.items()),
            "mine": mine,
            "example_label": services.EXAMPLE_LABEL,
        },
    )


def framework_page(request: HttpRequest, key: str) -> HttpResponse:
    """One framework as a city reads it: dimensions, standards, questions and their
    answer options with scores, the aggregation rules, bands and sources, in the page's
    language where the framework has it."""
    require(request.user, Action.VIEW, _FRAMEWORKS)
    try:
        fw = services.framework(key)
    except CatalogError:
        raise Http404("no such framework") from None
    lang = (request.LANGUAGE_CODE or "en")[:2]
    dims = [
        {
            "node": d,
            "title": fw.text(d.id, lang),
            "standards": [
                {
                    "node": s,
                    "title": fw.text(s.id, lang),
                    "questions": [
                        {
                            "node": q,
                            "text": fw.text(q.id, lang),
                            "options": [(o, fw.text(f"{q.id}:{o.id}", lang)) for o in q.options],
                        }
                        for q in s.questions
                    ],
                }
                for s in d.standards
            ],
        }
        for d in fw.dimensions
    ]
    names = {"mean": _("unweighted mean"), "weighted": _("weighted mean"),
             "geometric": _("weighted geometric mean")}  # fmt: skip
    rules = [(level, names.get(fw.aggregation[level], fw.aggregation[level])) for level in LEVELS]
    return render(
        request,
        "benchmarks/framework.html",
        {"fw": fw, "dimensions": dims, "rules": rules,
         "translated": lang in fw.translations or lang == "en"},
    )  # fmt: skip


def _my_assessments(request: HttpRequest) -> list[Assessment]:
    g = grants(request.user)
    if g.user_id is None:
        return []
    entities = {e for _r, e in g.entity_roles}
    qs = Assessment.objects.select_related("round", "entity").filter(entity__code__in=entities)
    reviewed = Assessment.objects.select_related("round", "entity").filter(
        review__pk__in=[int(r) for r in g.reviews if r.isdigit()]
    )
    return sorted({*qs, *reviewed}, key=lambda a: (a.round.slug, a.entity.name))


@require_POST
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    """A network administrator opens a round of a framework version for a year."""
    net = get_object_or_404(Network, code=request.POST.get("network", ""))
    require(request.user, Action.CREATE, net)
    try:
        fw = services.framework(request.POST.get("framework", ""))
    except CatalogError as exc:
        return _error(request, 400, exc.message)
    year = request.POST.get("year", "")
    title = request.POST.get("title", "").strip()[:200]
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        return _error(
            request, 400, _("The year must be from 2000 to 2100, not %(y)s") % {"y": year}
        )
    slug = re.sub(r"[^a-z0-9]+", "-", f"{net.code}-{fw.id}-{year}".lower()).strip("-")[:60]
    if Round.objects.filter(slug=slug).exists():
        return _error(request, 400, _("That round exists already: %(s)s") % {"s": slug})
    Round.objects.create(
        slug=slug,
        title=title or f"{fw.title} {year}",
        framework=fw.key,
        network=net,
        year=int(year),
        example=net.example,
    )
    messages.success(request, _("Round opened."))
    return redirect("benchmarks:round", slug=slug)


def round_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A round's comparative page: scores per dimension with N, position, range under
    missing answers, change since the previous round, peer suggestions, and policy
    scores beside outcome gaps."""
    rnd = get_object_or_404(Round.objects.select_related("network"), slug=slug)
    _hidden(request, rnd)
    ctx = _round_context(request, rnd)
    return render(request, "benchmarks/round.html", ctx)


def _round_context(request: HttpRequest, rnd: Round) -> dict[str, Any]:
    try:
        cmp = services.comparison(rnd)
    except (CatalogError, ImportError) as exc:
        raise Http404(f"the round's framework cannot be loaded: {exc}") from None
    geos = dict(
        rnd.assessments.filter(state="published").values_list("entity__code", "entity__geo")
    )
    assoc = services.association(rnd, cmp["frame"], {e: g for e, g in geos.items() if g})
    assoc_rows = [
        {**r, "title": services.indicator_name(str(r["indicator"]))}
        for r in assoc.to_dict("records")
        if r["n"] >= 3 and r["r"] == r["r"]  # NaN r: too few entities or no spread
    ]
    assessments = [
        a
        for a in rnd.assessments.select_related("entity")
        if can(request.user, Action.VIEW, a)
        or can(request.user, Action.ASSIGN, a)
        or can(request.user, Action.CREATE, a)
    ]
    return {
        "round": rnd,
        "cmp": cmp,
        "framework": cmp["framework"],
        "association": assoc_rows,
        "assessments": assessments,
        "all_assessments": list(rnd.assessments.select_related("entity")),
        "can_invite": can(request.user, Action.INVITE, rnd),
        "can_publish": can(request.user, Action.PUBLISH, rnd) and rnd.state != "published",
        "can_mark_review": can(request.user, Action.EDIT, rnd) and rnd.state == "open",
        "entities": Entity.objects.exclude(assessments__round=rnd),
        "example_label": services.EXAMPLE_LABEL,
    }


@require_POST
@login_required
def round_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite an entity into the round (an existing one, or a new one described)."""
    rnd = get_object_or_404(Round, slug=slug)
    require(request.user, Action.INVITE, rnd)
    code = request.POST.get("code", "").strip()
    if not _CODE.match(code):
        return _error(request, 400, _("Invalid entity code %(c)s") % {"c": code})
    entity = Entity.objects.filter(code=code).first()
    if entity is None:
        name = request.POST.get("name", "").strip()[:200]
        country = request.POST.get("country", "").strip().upper()
        kind = request.POST.get("kind", "city")
        if not name or not re.fullmatch(r"[A-Z]{2}", country) or kind not in ("city", "region"):
            return _error(
                request,
                400,
                _("A new entity needs a name, a country code and a kind (city or region)."),
            )
        geo = request.POST.get("geo", "").strip().upper()[:10]
        known = services.warehouse_geos()
        if geo and known and geo not in known:
            return _error(
                request,
                400,
                _("The warehouse has no geography %(g)s; valid: %(v)s")
                % {"g": geo, "v": ", ".join(known)},
            )
        entity = Entity.objects.create(
            code=code,
            name=name,
            kind=kind,
            code_system="lau" if kind == "city" else "nuts",
            country=country,
            geo=geo,
            language=(request.POST.get("language", "") or "en")[:2],
            example=rnd.example,
        )
    rnd.network.members.add(entity)
    Assessment.objects.get_or_create(round=rnd, entity=entity)
    messages.success(request, _("Entity invited."))
    return redirect("benchmarks:round", slug=slug)


@require_POST
@login_required
def round_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark an open round as in review (its assessments are being reviewed)."""
    rnd = get_object_or_404(Round, slug=slug)
    require(request.user, Action.EDIT, rnd)
    if rnd.state != "open":
        return _error(request, 400, _("Only an open round can be marked as in review."))
    rnd.state = "in_review"
    rnd.save(update_fields=["state"])
    messages.success(request, _("Round marked as in review."))
    return redirect("benchmarks:round", slug=slug)


@require_POST
@login_required
def round_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish the round's comparative report (of its published assessments)."""
    rnd = get_object_or_404(Round, slug=slug)
    require(request.user, Action.PUBLISH, rnd)
    rnd.state = "published"
    rnd.published_at = timezone.now()
    rnd.save(update_fields=["state", "published_at"])
    messages.success(request, _("Comparative report published."))
    return redirect("benchmarks:round", slug=slug)


def round_report(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The comparative report of a round, as HTML or PDF."""
    rnd = get_object_or_404(Round.objects.select_related("network"), slug=slug)
    _hidden(request, rnd)
    ctx = _round_context(request, rnd)
    if fmt == "pdf":
        return report.pdf_response(
            "benchmarks/pdf_round.html", ctx, f"zaragoza-benchmark-{rnd.slug}.pdf"
        )
    return render(request, "benchmarks/report_round.html", ctx)


# --------------------------------------------------------------------------- entities


def entity_page(request: HttpRequest, code: str) -> HttpResponse:
    """An entity: its assessments the user may see, with scores next to the measured
    gaps of its warehouse geo."""
    entity = get_object_or_404(Entity, code=code)
    require(request.user, Action.VIEW, entity)
    rows = []
    for a in entity.assessments.select_related("round", "round__network").order_by("-round__year"):
        if not can(request.user, Action.VIEW, a):
            continue
        rows.append({"assessment": a, "scores": _top_scores(a)})
    return render(
        request,
        "benchmarks/entity.html",
        {
            "entity": entity,
            "rows": rows,
            "gaps": services.outcome_gaps(entity.geo),
            "example_label": services.EXAMPLE_LABEL,
        },
    )


def _top_scores(a: Assessment) -> list[Any]:
    from zaragoza.frameworks import score_assessment

    try:
        fw = services.framework(a.round.framework)
    except CatalogError:
        return []
    return [
        (s, _node_title(fw, s.node))
        for s in score_assessment(fw, services.answers_of(a))
        if s.level in ("overall", "dimension")
    ]


def _node_title(fw: Any, node: str) -> str:
    return services.node_title(fw, node)


# ------------------------------------------------------------------ self-assessment


def _assessment(pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("round", "round__network", "entity").prefetch_related(
            "assignments", "answers__documents"
        ),
        pk=pk,
    )


def _visible_questions(
    request: HttpRequest, a: Assessment, fw: Any
) -> tuple[list[Any], dict[str, Any]]:
    ids = [q.id for _d, _s, q in fw.questions()]
    scopes = a.question_scopes(ids)
    visible = [t for t in fw.questions() if can(request.user, Action.VIEW, scopes[t[2].id])]
    return visible, scopes


def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The self-assessment: the questions the user may see (all for the coordinator and
    the reviewers, the assigned ones for a respondent) with their answers and evidence,
    the completeness, the assignments, the scores, and the workflow's buttons."""
    from zaragoza.frameworks import score_assessment

    a = _assessment(pk)
    fw = services.framework(a.round.framework)
    visible, scopes = _visible_questions(request, a, fw)
    # the network's administrator comes to set up the review team: they see no answer
    if (
        not visible
        and not can(request.user, Action.VIEW, a)
        and not can(request.user, Action.CREATE, a)
    ):
        raise Http404("not found")
    answers = {x.question: x for x in a.answers.all()}
    full = can(request.user, Action.VIEW, a)
    values = {q: x.value for q, x in answers.items()}
    questions = []
    current = None
    for d, s, q in visible:
        if current != s.id:
            questions.append({"standard": s, "dimension": d, "items": []})
            current = s.id
        questions[-1]["items"].append(
            {
                "q": q,
                "answer": answers.get(q.id),
                "can_answer": can(request.user, Action.ANSWER, scopes[q.id]),
                "chosen": _chosen(answers.get(q.id)),
                "links_text": "\n".join(answers[q.id].links) if q.id in answers else "",
            }
        )
    visible_ids = {q.id for _d, _s, q in visible}
    respondents = []
    if can(request.user, Action.ASSIGN, a):
        ids = Grant.objects.filter(role=Role.RESPONDENT, entity=a.entity.code).values("user")
        respondents = list(get_user_model().objects.filter(pk__in=ids).order_by("username"))
    survey = ResidentSurvey.objects.filter(assessment=a).first()
    return render(
        request,
        "benchmarks/assessment.html",
        {
            "a": a,
            "framework": fw,
            "questions": questions,
            "completeness": services.completeness(fw, values, visible_ids),
            "scores": (
                [
                    (s, _node_title(fw, s.node))
                    for s in score_assessment(fw, services.answers_of(a))
                    if s.level in ("overall", "dimension", "standard")
                ]
                if full
                else []
            ),
            "full": full,
            "assignments": a.assignments.select_related("respondent") if full else [],
            "respondents": respondents,
            "can_assign": can(request.user, Action.ASSIGN, a),
            "can_submit": can(request.user, Action.SUBMIT, a),
            "can_start_review": can(request.user, Action.START_REVIEW, a),
            "can_publish": can(request.user, Action.PUBLISH, a),
            "can_team": can(request.user, Action.CREATE, a),
            "can_survey": can(request.user, Action.CREATE, a.survey_scope()) and survey is None,
            "survey": survey
            if survey and can(request.user, Action.VIEW, a.survey_scope())
            else None,
            "survey_tallies": tallies(survey) if survey and full else [],
            "survey_url": (
                request.build_absolute_uri(reverse("benchmarks:survey", args=[survey.token]))
                if survey and can(request.user, Action.CREATE, a.survey_scope())
                else ""
            ),
            "has_review": Review.objects.filter(assessment=a).exists(),
            "example_label": services.EXAMPLE_LABEL,
        },
    )


def _chosen(answer: Answer | None) -> list[str]:
    if answer is None or answer.value is None:
        return []
    if isinstance(answer.value, list):
        return [str(v) for v in answer.value]
    return [str(answer.value)]


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give questions to a respondent of the entity (replacing their earlier ones)."""
    a = _assessment(pk)
    require(request.user, Action.ASSIGN, a)
    fw = services.framework(a.round.framework)
    known = {q.id for _d, _s, q in fw.questions()}
    chosen = request.POST.getlist("questions")
    bad = [q for q in chosen if q not in known]
    if bad:
        return _error(request, 400, _("Unknown question %(q)s") % {"q": bad[0]})
    ids = Grant.objects.filter(role=Role.RESPONDENT, entity=a.entity.code).values("user")
    who = (
        get_user_model()
        .objects.filter(pk__in=ids, username=request.POST.get("respondent", ""))
        .first()
    )
    if who is None:
        return _error(request, 400, _("Choose a respondent of this entity."))
    Assignment.objects.update_or_create(
        assessment=a,
        respondent=who,
        defaults={
            "questions": [q for q in _question_ids(fw) if q in chosen],
            "assigned_by": request.user,
        },
    )
    messages.success(request, _("Questions assigned."))
    return redirect("benchmarks:assessment", pk=pk)


def _question_ids(fw: Any) -> list[str]:
    """The framework's question ids in its order."""
    return [q.id for _d, _s, q in fw.questions()]


@require_POST
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one question's answer (checked by the engine), its evidence text and links,
    and an optional document."""
    from zaragoza.frameworks import validate_answer

    a = _assessment(pk)
    fw = services.framework(a.round.framework)
    qid = request.POST.get("question", "")
    try:
        q = fw.question(qid)
    except (CatalogError, KeyError):
        return _error(request, 400, _("Unknown question %(q)s") % {"q": qid})
    require(request.user, Action.ANSWER, a.question_scope(qid))
    raw: Any
    if q.type == "multiple":
        raw = request.POST.getlist("value")
    else:
        raw = request.POST.get("value", "").strip()
        if q.type == "number" and raw:
            try:
                raw = float(raw.replace(",", "."))
            except ValueError:
                return _error(request, 400, _("%(q)s: a number, not %(v)s") % {"q": qid, "v": raw})
    value = None
    if raw not in ("", [], None):
        try:
            value = validate_answer(q, raw)
        except InputError as exc:
            return _error(request, 400, exc.message)
    links = [x.strip() for x in request.POST.get("links", "").splitlines() if x.strip()]
    bad = [x for x in links if not re.match(r"^https?://[^\s<>\"']+$", x)]
    if bad or len(links) > LINKS_MAX:
        return _error(
            request,
            400,
            _("Links: at most %(n)s web addresses (http or https), one a line.") % {"n": LINKS_MAX},
        )
    upload = request.FILES.get("file")
    checked = None
    if upload is not None:
        try:
            checked = checked_upload(upload, f"{a.entity.code}-{qid}")
        except UploadRefusedError as exc:
            return _error(request, 400, str(exc))
    with transaction.atomic():
        ans, _c = Answer.objects.update_or_create(
            assessment=a,
            question=qid,
            defaults={
                "value": value,
                "evidence": request.POST.get("evidence", "")[:TEXT_MAX],
                "links": links,
                "answered_by": request.user,
            },
        )
        if checked is not None:
            require(request.user, Action.UPLOAD, a.question_scope(qid))
            Document.objects.create(
                answer=ans,
                file=checked.file,
                title=(request.POST.get("document_title", "") or checked.file.name)[:200],
                media_type=checked.media_type,
                size=checked.size,
                uploaded_by=request.user,
            )
    messages.success(request, _("Answer saved."))
    return redirect(reverse("benchmarks:assessment", args=[pk]) + f"#q-{qid}")


def document(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    """A document of evidence, as an attachment with its checked type and ``nosniff``."""
    d = get_object_or_404(
        Document.objects.select_related("answer"), pk=doc, answer__assessment_id=pk
    )
    a = _assessment(pk)
    if not can(request.user, Action.VIEW, a.question_scope(d.answer.question)):
        raise Http404("no such document")
    response = FileResponse(
        d.file.open("rb"),
        as_attachment=True,
        filename=(d.file.name or "document").rsplit("/", 1)[-1],
        content_type=d.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _step(request: HttpRequest, pk: int, action: Action, to: str, note: str) -> HttpResponse:
    a = _assessment(pk)
    require(request.user, action, a)
    a.state = to
    fields = ["state"]
    if to == "submitted":
        a.submitted_at = timezone.now()
        fields.append("submitted_at")
    if to == "published":
        a.published_at = timezone.now()
        fields.append("published_at")
    a.save(update_fields=fields)
    messages.success(request, note)
    return redirect("benchmarks:assessment", pk=pk)


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, Action.SUBMIT, "submitted", _("Submitted for review."))


@require_POST
@login_required
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, Action.START_REVIEW, "in_review", _("Review started."))


@require_POST
@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, Action.PUBLISH, "published", _("Results published."))


@require_POST
@login_required
def survey_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the anonymous resident questionnaire of an assessment (its token link)."""
    a = _assessment(pk)
    require(request.user, Action.CREATE, a.survey_scope())
    ResidentSurvey.objects.get_or_create(
        assessment=a,
        defaults={
            "token": secrets.token_urlsafe(32),
            "questions": [q for q, _t in resident_questions()],
        },
    )
    messages.success(request, _("Resident questionnaire opened."))
    return redirect("benchmarks:assessment", pk=pk)


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The resident questionnaire: no account, nothing personal asked or kept."""
    s = get_object_or_404(ResidentSurvey.objects.select_related("assessment__entity"), token=token)
    if not s.open:
        raise Http404("closed")
    texts = dict(resident_questions())
    questions = [(q, texts[q]) for q in s.questions if q in texts]
    done = False
    if request.method == "POST":
        got = {}
        for q, _t in questions:
            v = request.POST.get(q, "")
            if v:
                if v not in RESIDENT_OPTIONS:
                    return _error(request, 400, _("Unknown answer %(v)s") % {"v": v})
                got[q] = v
        if got:
            ResidentResponse.objects.create(survey=s, answers=got)
        done = True
    return render(
        request,
        "benchmarks/survey.html",
        {
            "s": s,
            "entity": s.assessment.entity,
            "questions": questions,
            "options": [(o, label) for o, label in RESIDENT_OPTIONS.items()],
            "done": done,
            "example_label": services.EXAMPLE_LABEL,
        },
    )


@require_POST
@login_required
def review_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The network's administrator sets up the review team: reviewer entities, experts,
    and the reviewer users (each given a peer-reviewer grant for this team)."""
    a = _assessment(pk)
    require(request.user, Action.CREATE, a)
    review, _c = Review.objects.get_or_create(assessment=a)
    codes = [c.strip() for c in request.POST.get("reviewer_entities", "").split(",") if c.strip()]
    found = list(Entity.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        missing = sorted(set(codes) - {e.code for e in found})
        return _error(request, 400, _("Unknown entity %(c)s") % {"c": missing[0]})
    review.reviewer_entities.set(found)
    review.experts = [x.strip() for x in request.POST.get("experts", "").splitlines() if x.strip()][
        :20
    ]
    review.save()
    names = [n.strip() for n in request.POST.get("reviewers", "").split(",") if n.strip()]
    users = list(get_user_model().objects.filter(username__in=names, is_active=True))
    if len(users) != len(set(names)):
        return _error(request, 400, _("Unknown user among the reviewers."))
    for u in users:
        Grant.objects.get_or_create(user=u, role=Role.PEER_REVIEWER, review=str(review.pk))
    messages.success(request, _("Review team saved."))
    return redirect("benchmarks:assessment", pk=pk)


def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The peer review: team, visit plan, interview notes (team and coordinators only),
    findings per standard and recommendations with their measures and practices."""
    a = _assessment(pk)
    scope = a.review_scope()
    if not can(request.user, Action.VIEW, scope):
        raise Http404("not found")
    review = Review.objects.filter(assessment=a).first()
    fw = services.framework(a.round.framework)
    findings = {f.standard: f for f in review.findings.all()} if review else {}
    standards = [
        {"dimension": d, "standard": s, "finding": findings.get(s.id)}
        for d in fw.dimensions
        for s in d.standards
    ]
    return render(
        request,
        "benchmarks/review.html",
        {
            "a": a,
            "framework": fw,
            "review": review,
            "standards": standards,
            "recommendations": report.recommendations(review) if review else [],
            "can_write": can(request.user, Action.WRITE_REVIEW, scope) and review is not None,
            "can_notes": can(request.user, Action.HISTORY, scope),
            "can_team": can(request.user, Action.CREATE, a),
            "reviewers": review.reviewers() if review else [],
            "example_label": services.EXAMPLE_LABEL,
        },
    )


def _review_for_writing(request: HttpRequest, pk: int) -> tuple[Assessment, Review]:
    a = _assessment(pk)
    require(request.user, Action.WRITE_REVIEW, a.review_scope())
    review = get_object_or_404(Review, assessment=a)
    return a, review


@require_POST
@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _a, review = _review_for_writing(request, pk)
    review.visit_plan = request.POST.get("visit_plan", "")[:TEXT_MAX]
    review.interview_notes = request.POST.get("interview_notes", "")[:TEXT_MAX]
    review.save(update_fields=["visit_plan", "interview_notes"])
    messages.success(request, _("Visit plan and notes saved."))
    return redirect("benchmarks:review", pk=pk)


@require_POST
@login_required
def review_finding(request: HttpRequest, pk: int) -> HttpResponse:
    a, review = _review_for_writing(request, pk)
    fw = services.framework(a.round.framework)
    standard = request.POST.get("standard", "")
    if standard not in {s.id for d in fw.dimensions for s in d.standards}:
        return _error(request, 400, _("Unknown standard %(s)s") % {"s": standard})
    Finding.objects.update_or_create(
        review=review,
        standard=standard,
        defaults={
            "strengths": request.POST.get("strengths", "")[:TEXT_MAX],
            "gaps": request.POST.get("gaps", "")[:TEXT_MAX],
        },
    )
    messages.success(request, _("Finding saved."))
    return redirect(reverse("benchmarks:review", args=[pk]) + f"#s-{standard}")


@require_POST
@login_required
def review_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    a, review = _review_for_writing(request, pk)
    fw = services.framework(a.round.framework)
    text = request.POST.get("text", "").strip()[:TEXT_MAX]
    standard = request.POST.get("standard", "")
    if standard and standard not in {s.id for d in fw.dimensions for s in d.standards}:
        return _error(request, 400, _("Unknown standard %(s)s") % {"s": standard})
    if not text:
        return _error(request, 400, _("A recommendation needs a text."))
    try:
        measures = report.check_measures(_ids(request.POST.get("measures", "")))
        practices = report.check_practices(_ids(request.POST.get("practices", "")))
    except ValueError as exc:
        return _error(request, 400, str(exc))
    Recommendation.objects.create(
        review=review, standard=standard, text=text, measures=measures, practices=practices
    )
    messages.success(request, _("Recommendation added."))
    return redirect("benchmarks:review", pk=pk)


def _ids(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,\s]+", text) if x.strip()]


def city_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The city report (scores, findings, recommendations, resident survey), HTML or PDF,
    in the city's language where the site has it."""
    a = _assessment(pk)
    _hidden(request, a)
    ctx = report.city_context(a)
    if fmt == "pdf":
        return report.pdf_response(
            "benchmarks/pdf_city.html",
            ctx,
            f"zaragoza-report-{a.entity.code}-{a.round.year}.pdf",
            language=a.entity.language,
        )
    return render(request, "benchmarks/report_city.html", ctx)


# ------------------------------------------------------------------------ commitments


def commitments(request: HttpRequest) -> HttpResponse:
    """The charter registry: signatories, their commitments by role, yearly reports."""
    require(request.user, Action.VIEW, Scope("bench_commitments"))
    sigs = Signatory.objects.select_related("entity").prefetch_related(
        "commitments", "reports__round"
    )
    g = grants(request.user)
    own = [
        e
        for e in Entity.objects.filter(code__in=[e for _r, e in g.entity_roles]).order_by("name")
        if can(request.user, Action.EDIT, Scope("bench_commitments", entity=e.code))
    ]
    if g.admin:
        own = list(Entity.objects.order_by("name"))
    return render(
        request,
        "benchmarks/commitments.html",
        {
            "signatories": sigs,
            "own": own,
            "roles": CHARTER_ROLES,
            "rounds": [r for r in Round.objects.all() if can(request.user, Action.VIEW, r)],
            "example_label": services.EXAMPLE_LABEL,
        },
    )


@require_POST
@login_required
def commitments_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Sign the charter, add a commitment or a yearly progress report (coordinators)."""
    entity = get_object_or_404(Entity, code=code)
    require(request.user, Action.EDIT, Scope("bench_commitments", entity=entity.code))
    what = request.POST.get("what", "")
    sig = Signatory.objects.filter(entity=entity).first()
    if what == "sign":
        Signatory.objects.get_or_create(
            entity=entity, defaults={"signed_on": timezone.now().date()}
        )
    elif sig is None:
        return _error(request, 400, _("Sign the charter first."))
    elif what == "commitment":
        role = request.POST.get("role", "")
        text = request.POST.get("text", "").strip()[:TEXT_MAX]
        if role not in CHARTER_ROLES or not text:
            return _error(request, 400, _("A commitment needs a role and a text."))
        Commitment.objects.create(signatory=sig, role=role, text=text)
    elif what == "report":
        year = request.POST.get("year", "")
        text = request.POST.get("text", "").strip()[:TEXT_MAX]
        if not year.isdigit() or not 2000 <= int(year) <= 2100 or not text:
            return _error(request, 400, _("A progress report needs a year and a text."))
        rnd = Round.objects.filter(slug=request.POST.get("round", "")).first()
        if rnd is not None and not can(request.user, Action.VIEW, rnd):
            rnd = None
        ProgressReport.objects.update_or_create(
            signatory=sig, year=int(year), defaults={"text": text, "round": rnd}
        )
    else:
        return _error(request, 400, _("Unknown action %(a)s") % {"a": what})
    messages.success(request, _("Registry updated."))
    return redirect("benchmarks:commitments")
