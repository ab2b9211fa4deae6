"""Pages of the skills profile. Thin: rules in :mod:`zaragoza.skills`, permissions in
:mod:`zaragoza.portal.accounts.permissions` (every view asks it), storage in
:mod:`.services`. A profile a user may not reach is a 404, as if it did not exist."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zaragoza.portal.accounts.permissions import Action, Scope, can, grants
from zaragoza.portal.skills import questions, services
from zaragoza.portal.skills.crypto import LostKeyError
from zaragoza.portal.skills.forms import ROWS, FormError, posted_form, read_form, to_form
from zaragoza.portal.skills.models import Profile
from zaragoza.skills.classifications import (
    CEFR_LEVELS,
    CEFR_SKILLS,
    DIGCOMP_AREAS,
    DIGCOMP_LEVELS,
    ESCO_LANGUAGES,
    ISCED_FIELDS,
    ISCED_LEVELS,
    label,
    occupations,
    search_occupations,
)
from zaragoza.skills.profile import LEGAL_STATUSES, RECOGNITION_STATUSES
from zaragoza.skills.profile import Profile as Record
from zaragoza.skills.rules import STEPS, next_steps

_COUNTRY_LEN = 2


def _lang() -> str:
    return (get_language() or "en")[:2]


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(
        request, "monitoring/error.html", {"status": status, "message": message}, status=status
    )


def _organisations(request: HttpRequest) -> list[str]:
    """The organisations whose profiles the user may create (counsellor grants)."""
    return sorted(
        o
        for o in grants(request.user).organisations
        if can(request.user, Action.CREATE, Scope("skills_profile", organisation=o))
    )


def _gate(request: HttpRequest) -> list[str] | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    orgs = _organisations(request)
    if not orgs:
        raise PermissionDenied("not a counsellor")
    return orgs


def _profile(request: HttpRequest, pk: uuid.UUID, action: Action) -> Profile:
    """The profile if the user may do ``action`` on it; a 404 otherwise (even if it exists)."""
    found = Profile.objects.filter(pk=pk).first()
    if found is None or not can(request.user, action, found):
        raise Http404("no such profile")
    return found


def index(request: HttpRequest) -> HttpResponse:
    """A counsellor's caseload: the profiles of their organisations. For anyone else
    signed in: the profiles linked to their account, and the form to link one."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _organisations(request):
        return _own_profiles(request)
    gate = _gate(request)
    assert not isinstance(gate, HttpResponse)
    rows = []
    for p in Profile.objects.filter(organisation__in=gate, state="active"):
        if not can(request.user, Action.VIEW, p):
            continue
        try:
            record, _langs = services.open_profile(p)
            name = record.person.name
        except LostKeyError:
            name = None
        else:
            services.log(p, request.user, "list")  # the caseload reads each name
        rows.append({"profile": p, "name": name})
    return render(request, "skills/index.html", {"rows": rows, "organisations": gate})


def _own_profiles(request: HttpRequest) -> HttpResponse:
    rows = []
    for p in Profile.objects.filter(owner=request.user, state="active"):
        if can(request.user, Action.VIEW, p):
            services.log(p, request.user, "list")
            rows.append(p)
    return render(request, "skills/mine.html", {"rows": rows})


def caseload_csv(request: HttpRequest) -> HttpResponse:
    """The counsellor's caseload as CSV: id, organisation, dates, name, suggested steps."""
    import csv
    import io

    gate = _gate(request)
    if isinstance(gate, HttpResponse):
        return gate
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "organisation", "created", "updated", "name", "next_steps"])
    for p in Profile.objects.filter(organisation__in=gate, state="active"):
        if not can(request.user, Action.VIEW, p):
            continue
        try:
            record, _langs = services.open_profile(p)
        except LostKeyError:
            writer.writerow(
                [p.pk, p.organisation, p.created_at.date(), p.updated_at.date(), "", ""]
            )
            continue
        steps = " ".join(s.rule for s in next_steps(record))
        writer.writerow(
            [
                p.pk,
                p.organisation,
                p.created_at.date(),
                p.updated_at.date(),
                record.person.name,
                steps,
            ]
        )
        services.log(p, request.user, "caseload")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="caseload.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _languages() -> list[tuple[str, str, bool]]:
    from django.utils.translation import get_language_info

    out = []
    for code in questions.complete_languages():
        info = get_language_info(code)
        out.append((code, info["name_local"], questions.is_rtl(code)))
    return out


def new(request: HttpRequest) -> HttpResponse:
    """Start a profile: organisation, country, languages of the interview, consent."""
    gate = _gate(request)
    if isinstance(gate, HttpResponse):
        return gate
    langs = _languages()
    codes = [c for c, _n, _r in langs]
    problems: list[str] = []
    if request.method == "POST":
        org = request.POST.get("organisation", "")
        geo = request.POST.get("geo", "").strip().upper()
        host = request.POST.get("host_language", "").strip().lower()
        first = request.POST.get("counsellor_language", _lang())
        second = request.POST.get("person_language", _lang())
        name = request.POST.get("name", "").strip()
        if org not in gate:
            problems.append(_("Choose one of your organisations."))
        if len(geo) != _COUNTRY_LEN or not geo.isalpha():
            problems.append(_("The country is a two-letter Eurostat code, e.g. AT."))
        if len(host) != _COUNTRY_LEN or not host.isalpha():
            problems.append(_("The host language is a two-letter ISO 639-1 code, e.g. de."))
        if first not in codes or second not in codes:
            problems.append(_("Choose the languages from the list."))
        if not name:
            problems.append(_("A name or pseudonym is needed."))
        if not request.POST.get("consent_counselling"):
            problems.append(_("Without the person's consent no profile is kept."))
        if not problems:
            record = Record.model_validate(
                {
                    "geo": geo,
                    "host_language": host,
                    "interview_date": services.interview_date(),
                    "person": {"name": name},
                }
            )
            profile = services.create(
                org,
                record,
                {"counsellor": first, "person": second},
                bool(request.POST.get("consent_statistics")),
                request.user,
            )
            return redirect("skills:profile", pk=profile.pk)
    context = {
        "organisations": gate,
        "languages": langs,
        "problems": problems,
        "consent": {k: questions.both(k, _lang(), _lang())[0] for k in questions.CONSENT_TEXTS},
        # the person reads the consent in their own language before it is recorded
        "consent_in": [
            (
                code,
                name,
                "rtl" if rtl else "ltr",
                [questions.both(k, code, code)[0] for k in questions.CONSENT_TEXTS],
            )
            for code, name, rtl in langs
            if code != _lang()
        ],
        "current": _lang(),
    }
    return render(request, "skills/new.html", context, status=400 if problems else 200)


def _labels(kind: str, codes: Iterable[str | int], first: str, second: str) -> list[Any]:
    """(code, (label in ``first``, label in ``second``)) for every code of a classification."""
    return [(c, (label(kind, c, first), label(kind, c, second))) for c in codes]


def _choices(first: str, second: str) -> dict[str, Any]:
    return {
        "isced_levels": _labels("isced2011_level", ISCED_LEVELS, first, second),
        "isced_fields": _labels("iscedf2013_field", ISCED_FIELDS, first, second),
        "cefr": CEFR_LEVELS,
        "cefr_skills": list(CEFR_SKILLS),
        "digcomp_areas": _labels("digcomp_area", DIGCOMP_AREAS, first, second),
        "digcomp_levels": _labels("digcomp_level", DIGCOMP_LEVELS, first, second),
        "sexes": [(c, questions.answer("sex", c, first, second)) for c in questions.ANSWERS["sex"]],
        "legal_statuses": [
            (c, questions.answer("legal_status", c, first, second)) for c in LEGAL_STATUSES
        ],
        "recognition_statuses": [
            (c, questions.answer("recognition", c, first, second)) for c in RECOGNITION_STATUSES
        ],
        "step_labels": [(c, questions.answer("step", c, first, second)) for c in STEPS],
        "rows": range(ROWS),
    }


def profile(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The interview: every question in the counsellor's and the person's language."""
    p = _profile(request, pk, Action.VIEW)
    try:
        record, langs = services.open_profile(p)
    except LostKeyError as exc:
        return _error(request, 503, str(exc))
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] | None = None
    if request.method == "POST":
        p = _profile(request, pk, Action.EDIT)
        base = {
            "geo": record.geo,
            "host_language": record.host_language,
            "interview_date": record.interview_date,
        }
        try:
            record = read_form(request.POST, base)
        except FormError as exc:
            problems = exc.problems
            values = posted_form(request.POST)  # the answers stay on the page
        else:
            services.save(p, record, langs, request.user)
            # the page after saving tells the browser's draft that it was saved
            return redirect(reverse("skills:profile", kwargs={"pk": p.pk}) + "?saved=1")
    else:
        services.log(p, request.user, "view")
    first = langs.get("counsellor", "en")
    second = langs.get("person", first)
    label_lang = first if first in ESCO_LANGUAGES else "en"
    context = {
        "p": p,
        "record": record,
        "values": values if values is not None else to_form(record, label_lang),
        "q": {k: questions.both(k, first, second) for k in questions.QUESTIONS},
        "consent_text": questions.both("statistics", first, second),
        "first": first,
        "second": second,
        "second_dir": "rtl" if questions.is_rtl(second) else "ltr",
        "first_dir": "rtl" if questions.is_rtl(first) else "ltr",
        "steps": next_steps(record),
        "consents": services.consents(p),
        "problems": problems,
        "occupation_labels": sorted(o.label(label_lang) for o in occupations().values()),
        "may_edit": can(request.user, Action.EDIT, p),
        "saved": request.method == "GET" and request.GET.get("saved") == "1",
        **_choices(first, second),
    }
    return render(request, "skills/profile.html", context, status=400 if problems else 200)


def export(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The profile as JSON, for the person (``docs/skills.md``, "The JSON export")."""
    p = _profile(request, pk, Action.EXPORT)
    try:
        data = services.export(p)
    except LostKeyError as exc:
        return _error(request, 503, str(exc))
    services.log(p, request.user, "export")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="profile-{p.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


def export_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The profile as a bilingual PDF (the interview's two languages)."""
    from zaragoza.portal.skills.pdf import profile_pdf

    p = _profile(request, pk, Action.EXPORT)
    try:
        record, langs = services.open_profile(p)
    except LostKeyError as exc:
        return _error(request, 503, str(exc))
    first = langs.get("counsellor", "en")
    body = profile_pdf(record, first, langs.get("person", first))
    services.log(p, request.user, "export_pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="profile-{p.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def erase(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Erase the person's data (a confirmation box must be ticked)."""
    p = _profile(request, pk, Action.ERASE)
    if not request.POST.get("confirm"):
        return _error(request, 400, _("Tick the box to confirm the erasure."))
    services.erase(p, request.user)
    return render(request, "skills/erased.html", {})


@require_POST
def consent(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Give or withdraw consent to being counted in statistics."""
    p = _profile(request, pk, Action.CONSENT)
    given = request.POST.get("statistics") == "yes"
    services.set_consent(p, "statistics", given, request.user)
    return redirect(reverse("skills:profile", kwargs={"pk": p.pk}) + "#consent")


def occupation_search(request: HttpRequest) -> JsonResponse:
    """ESCO occupations by any of their labels (public classification data)."""
    text = request.GET.get("q", "")[:100]
    lang = request.GET.get("lang") or None
    if lang is not None and lang not in ESCO_LANGUAGES:
        return JsonResponse(
            {"error": f"no ESCO labels in {lang[:5]!r}; valid: {', '.join(ESCO_LANGUAGES)}"},
            status=400,
        )
    found = search_occupations(text, lang, limit=20)
    shown = lang or _lang() if (lang or _lang()) in ESCO_LANGUAGES else "en"
    return JsonResponse(
        {
            "results": [
                {"uri": o.uri, "isco_group": o.isco_group, "label": o.label(shown)} for o in found
            ]
        }
    )


@require_POST
def link_code(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A one-time code for the person to link their account to the profile (counsellors)."""
    p = _profile(request, pk, Action.EDIT)
    try:
        _record, langs = services.open_profile(p)
    except LostKeyError as exc:
        return _error(request, 503, str(exc))
    code, expires = services.link_code(p, request.user)
    first = langs.get("counsellor", "en")
    second = langs.get("person", first)
    context = {
        "p": p,
        "code": code,
        "expires": expires,
        "claim_url": request.build_absolute_uri(reverse("skills:claim")),
        "linked": p.owner_id is not None,
        "title": questions.both("skills_profile", first, second),
        "sheet": {k: questions.answer("link", k, first, second) for k in questions.ANSWERS["link"]},
        "first": first,
        "second": second,
        "first_dir": "rtl" if questions.is_rtl(first) else "ltr",
        "second_dir": "rtl" if questions.is_rtl(second) else "ltr",
    }
    response = render(request, "skills/link_code.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def unlink(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Take the profile away from the account linked to it (counsellors)."""
    p = _profile(request, pk, Action.EDIT)
    services.unlink(p, request.user)
    return redirect(reverse("skills:profile", kwargs={"pk": p.pk}) + "#account")


def claim(request: HttpRequest) -> HttpResponse:
    """Link one's account to a profile with the counsellor's code; without an account,
    create it here (the code is the only way to one: there is no open sign-up)."""
    from django.contrib.auth import login
    from django.contrib.auth.forms import UserCreationForm
    from django.db import transaction

    form: UserCreationForm[Any] | None = None
    if not request.user.is_authenticated:
        form = UserCreationForm(request.POST or None)
    problem = None
    if request.method == "POST":
        found = services.claimable(request.POST.get("code", ""))
        if found is None:
            # the same answer for a mistyped, used, expired or erased profile's code
            problem = _(
                "This code does not work: it may be mistyped, used already or expired. "
                "Ask your counsellor for a new one."
            )
        elif form is not None and not form.is_valid():
            pass  # the form shows what to change; the code stays unused
        else:
            with transaction.atomic():
                if form is None:
                    profile = services.claim(found, request.user)
                else:
                    user = form.save()
                    profile = services.claim(found, user)
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("skills:profile", pk=profile.pk)
    status = 400 if problem or (form is not None and form.errors) else 200
    response = render(
        request, "skills/claim.html", {"form": form, "problem": problem}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def import_profile(request: HttpRequest) -> HttpResponse:
    """Start a profile from the JSON export a person brings from another service."""
    gate = _gate(request)
    if isinstance(gate, HttpResponse):
        return gate
    problems: list[tuple[str, str]] = []
    org = request.POST.get("organisation", "")
    upload = request.FILES.get("file")
    if org not in gate:
        problems.append(("organisation", _("Choose one of your organisations.")))
    if upload is None:
        problems.append(("file", _("Choose the JSON file of the profile.")))
    if not request.POST.get("consent_counselling"):
        problems.append(("consent", _("Without the person's consent no profile is kept.")))
    if not problems and upload is not None:
        raw = upload.read(services.EXPORT_MAX_BYTES + 1)
        made, problems = services.from_export(
            raw, org, bool(request.POST.get("consent_statistics")), request.user
        )
        if made is not None:
            return redirect("skills:profile", pk=made.pk)
    response = render(request, "skills/import_problems.html", {"problems": problems}, status=400)
    response["Cache-Control"] = "no-store"
    return response
