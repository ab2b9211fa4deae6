"""Pages of the knowledge base. Thin: permissions from ``accounts.permissions``, changes
through ``services``, search through ``searching``, figures through ``figures``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zaragoza.knowledge.rules import RUBRIC_CRITERIA, TRANSITIONS, Rubric, State, WorkflowAction
from zaragoza.knowledge.search import FACETS, SearchError, SearchQuery
from zaragoza.knowledge.taxonomy import COUNTRIES
from zaragoza.portal.accounts.permissions import Action, can, grants, require
from zaragoza.portal.knowledge import display, services
from zaragoza.portal.knowledge.forms import PracticeForm, StepForm, UploadForm
from zaragoza.portal.knowledge.models import CountryProfile, Document, Organisation, Practice
from zaragoza.portal.knowledge.pagecache import public_cache
from zaragoza.portal.knowledge.searching import search
from zaragoza.portal.knowledge.uploads import UploadRefusedError, checked_upload


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(
        request, "monitoring/error.html", {"status": status, "message": message}, status=status
    )


@public_cache
def practices(request: HttpRequest) -> HttpResponse:
    """Search: full text, facets with counts, sort, pages, map; all state in the URL."""
    try:
        query = display.parse(request.GET, page_size=20)
    except SearchError as err:
        return _error(request, 400, f"{err.detail} ({err.parameter})")
    result = search(query)
    return render(request, "knowledge/practices.html", display.search_page(request, query, result))


@public_cache
def practice(request: HttpRequest, slug: str) -> HttpResponse:
    """One practice: its record, its countries' current gaps on its indicators, and the
    workflow steps this user may take."""
    obj = get_object_or_404(Practice.objects.select_related("organisation", "owner"), slug=slug)
    if not can(request.user, Action.VIEW, obj):
        raise Http404("no such practice")
    return render(request, "knowledge/practice.html", display.practice_page(request, obj))


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Create a draft."""
    require(request.user, Action.CREATE)
    form = PracticeForm(request.POST or None, initial={"language": "en", "level": "local"})
    if request.method == "POST" and form.is_valid():
        obj = services.create_practice(form.record, request.user)
        messages.success(request, _("Draft saved."))
        return redirect("knowledge:practice", slug=obj.slug)
    return render(request, "knowledge/edit.html", {"form": form, "practice": None})


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a practice (a revision is kept of every save)."""
    obj = get_object_or_404(Practice, slug=slug)
    require(request.user, Action.EDIT, obj)
    record = services.record_of(obj)
    form = PracticeForm(
        request.POST or None, practice=obj, initial=PracticeForm.initial_from(record)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_practice(obj, form.record, request.user)
        except services.WorkflowError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("knowledge:practice", slug=obj.slug)
    return render(request, "knowledge/edit.html", {"form": form, "practice": obj})


@require_POST
@login_required
def step(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a workflow step (submit, start review, return, publish, reject, unpublish)."""
    obj = get_object_or_404(Practice, slug=slug)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _error(request, 400, _("The step could not be read."))
    try:
        action = WorkflowAction(form.cleaned_data["action"])
    except ValueError:
        return _error(request, 400, _("Unknown step: %(a)s") % {"a": form.cleaned_data["action"]})
    require(request.user, Action(action.value), obj)
    rubric = None
    if action is WorkflowAction.PUBLISH or form.rubric_given():
        try:
            rubric = Rubric.from_mapping(form.cleaned_data)
        except ValueError as exc:
            messages.error(request, _("Review rubric: %(e)s") % {"e": exc})
            return redirect("knowledge:practice", slug=slug)
    try:
        services.step(
            obj, action, request.user, comment=form.cleaned_data["comment"], rubric=rubric
        )
    except services.WorkflowError as err:
        details = "; ".join(f"{f}: {why}" for f, why in err.problems)
        messages.error(request, f"{err.message}" + (f" — {details}" if details else ""))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": display.step_label(action.value)})
    return redirect("knowledge:practice", slug=slug)


@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every revision and workflow step of a practice."""
    obj = get_object_or_404(Practice, slug=slug)
    require(request.user, Action.HISTORY, obj)
    return render(
        request,
        "knowledge/history.html",
        {
            "practice": obj,
            "revisions": obj.revisions.select_related("actor").order_by("-number"),
            "transitions": obj.transitions.select_related("actor", "review").order_by("-at", "-id"),
        },
    )


@login_required
def revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """An earlier version of a practice, as it was saved."""
    obj = get_object_or_404(Practice, slug=slug)
    require(request.user, Action.HISTORY, obj)
    rev = get_object_or_404(obj.revisions, number=number)
    return render(
        request,
        "knowledge/revision.html",
        {
            "practice": obj,
            "revision": rev,
            "fields": display.record_fields(rev.data),
        },
    )


@require_POST
@login_required
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Attach a document: its type is read from its bytes, its size is limited."""
    obj = get_object_or_404(Practice, slug=slug)
    require(request.user, Action.UPLOAD, obj)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for errs in form.errors.values() for m in errs))
        return redirect("knowledge:practice", slug=slug)
    try:
        checked = checked_upload(form.cleaned_data["file"], obj.slug)
    except UploadRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("knowledge:practice", slug=slug)
    Document.objects.create(
        practice=obj,
        file=checked.file,
        title=form.cleaned_data["title"],
        media_type=checked.media_type,
        size=checked.size,
        uploaded_by=request.user,
    )
    messages.success(request, _("Document added."))
    return redirect("knowledge:practice", slug=slug)


def document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A document, as an attachment with its checked type and ``nosniff``."""
    doc = get_object_or_404(Document.objects.select_related("practice"), pk=pk, practice__slug=slug)
    if not can(request.user, Action.VIEW, doc.practice):
        raise Http404("no such document")
    response = FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=(doc.file.name or "document").rsplit("/", 1)[-1],
        content_type=doc.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """A user's own practices and, for reviewers, the practices waiting for them."""
    g = grants(request.user)
    mine = Practice.objects.filter(owner=request.user).order_by("-updated")
    waiting = Practice.objects.filter(state__in=[State.SUBMITTED, State.IN_REVIEW]).order_by(
        "updated"
    )
    queue = [p for p in waiting if can(request.user, Action.PUBLISH, p)]
    return render(
        request,
        "knowledge/work.html",
        {
            "mine": mine,
            "queue": queue,
            "grants": g,
            "can_create": can(request.user, Action.CREATE),
        },
    )


def organisations(request: HttpRequest) -> HttpResponse:
    """Organisations, with how many published practices each implements."""
    return render(request, "knowledge/organisations.html", display.organisations_page())


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=slug)
    return render(request, "knowledge/organisation.html", display.organisation_page(org))


def profiles(request: HttpRequest) -> HttpResponse:
    """The country governance profiles."""
    latest: dict[str, CountryProfile] = {}
    for p in CountryProfile.objects.order_by("geo", "-as_of"):
        latest.setdefault(p.geo, p)
    return render(request, "knowledge/profiles.html", {"profiles": display.profile_list(latest)})


@public_cache
def profile(request: HttpRequest, geo: str) -> HttpResponse:
    """One country's governance profile (``?as_of=`` for an earlier version), with live
    figures from the warehouse."""
    if geo not in COUNTRIES:
        return _error(request, 404, _("Unknown country code: %(geo)s") % {"geo": geo})
    versions = list(CountryProfile.objects.filter(geo=geo).order_by("-as_of"))
    if not versions:
        return _error(request, 404, _("No governance profile for %(geo)s yet.") % {"geo": geo})
    asked = request.GET.get("as_of")
    chosen = (
        next((v for v in versions if v.as_of.isoformat() == asked), None) if asked else versions[0]
    )
    if chosen is None:
        return _error(request, 404, _("No version of this profile is dated %(d)s.") % {"d": asked})
    return render(request, "knowledge/profile.html", display.profile_page(chosen, versions))


__all__ = [
    "FACETS",
    "RUBRIC_CRITERIA",
    "TRANSITIONS",
    "SearchQuery",
    "document",
    "edit",
    "history",
    "new",
    "organisation",
    "organisations",
    "practice",
    "practices",
    "profile",
    "profiles",
    "revision",
    "step",
    "upload",
    "work",
]
