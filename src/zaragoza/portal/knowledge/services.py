"""Every change to the knowledge base goes through here.

Edits write a :class:`~.models.Revision`; workflow steps check the one permission
function, the library's workflow rules (eligibility before submission, a complete record
and a rubric before publication, a comment when returning or rejecting), write a
:class:`~.models.Transition` (and a :class:`~.models.Review`), refresh the full-text row
and the knowledge version, and notify by e-mail. Seed and import are atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, JSONField
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.urls import reverse
from django.utils import timezone

from zaragoza.errors import ContentError
from zaragoza.knowledge.content import Content
from zaragoza.knowledge.rules import NEEDS_COMMENT, Rubric, State, WorkflowAction, eligibility
from zaragoza.knowledge.rules import target_state as next_state
from zaragoza.knowledge.schema import (
    PRACTICE_TEXT_FIELDS,
    TRANSLATABLE_FIELDS,
    TRANSLATION_LANGUAGES,
    as_dict,
    validation_context,
)
from zaragoza.knowledge.schema import (
    CountryProfile as ProfileRecord,
)
from zaragoza.knowledge.schema import Practice as PracticeRecord
from zaragoza.knowledge.search import facets_of
from zaragoza.portal.accounts.permissions import Action, require
from zaragoza.portal.accounts.roles import Role
from zaragoza.portal.knowledge.models import (
    CountryProfile,
    Document,
    KnowledgeVersion,
    Organisation,
    Practice,
    Review,
    Revision,
    Transition,
)
from zaragoza.portal.knowledge.searching import reindex

__all__ = [
    "WorkflowError",
    "bump_version",
    "create_practice",
    "import_practices",
    "record_of",
    "save_practice",
    "seed",
    "step",
]

log = logging.getLogger(__name__)

_LIST_FIELDS = (
    "countries",
    "regions",
    "cities",
    "agenda_areas",
    "themes",
    "target_groups",
    "funding",
    "indicators",
    "links",
    "contacts",
    "sources",
)


class WorkflowError(Exception):
    """A workflow step that the rules refuse: ``problems`` are ``(field, reason)``."""

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def bump_version() -> None:
    """Tell search indexes and cached pages that published content has changed."""
    token = uuid.uuid4().hex
    updated = KnowledgeVersion.objects.filter(pk=1).update(counter=F("counter") + 1, token=token)
    if not updated:
        KnowledgeVersion.objects.create(pk=1, counter=1, token=token)


def _note_published(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Before a practice is saved, note whether it was published (its page may be kept in
    a cache that an unpublication must end)."""
    if instance.pk and not raw:
        before = Practice.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        instance._was_published = before == State.PUBLISHED


def _content_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Raise the knowledge base's version when what the public sees may have changed: a
    practice that is or was published (or its documents, its partners), an organisation,
    a country profile; however it changed (pages, import, the admin)."""
    action = kwargs.get("action")  # m2m_changed: once before and once after
    if raw or (action is not None and not action.startswith("post_")):
        return
    if isinstance(instance, Practice):
        public = instance.state == State.PUBLISHED or getattr(instance, "_was_published", False)
    elif isinstance(instance, Document):
        practice_id = getattr(instance, "practice_id", None)  # the practice may be going too
        public = Practice.objects.filter(pk=practice_id, state=State.PUBLISHED).exists()
    else:
        public = True
    if public:
        bump_version()


def connect_version_signals() -> None:
    """Connect :func:`_content_changed` to the models whose changes the public sees."""
    pre_save.connect(_note_published, sender=Practice, dispatch_uid="kb-note-published")
    for model in (Practice, Organisation, CountryProfile, Document):
        uid = f"kb-version-{model.__name__}"
        post_save.connect(_content_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        _content_changed, sender=Practice.partners.through, dispatch_uid="kb-version-partners"
    )


def record_of(practice: Practice) -> dict[str, Any]:
    """Return the practice as a content-format record (what export and revisions hold)."""
    data: dict[str, Any] = {
        "id": practice.slug,
        "title": practice.title_en,
        "original_title": practice.original_title or None,
        "language": practice.language,
        "level": practice.level,
        "legal_status": practice.legal_status or None,
        "organisation": practice.organisation.slug if practice.organisation_id else None,
        "partners": sorted(o.slug for o in practice.partners.all()) if practice.pk else [],
        "start": practice.start or None,
        "end": practice.end or None,
        "evidence_level": practice.evidence_level,
        "checked": practice.checked.isoformat() if practice.checked else None,
    }
    for f in PRACTICE_TEXT_FIELDS:
        data[f] = getattr(practice, f"{f}_en") or ""
    for f in _LIST_FIELDS:
        data[f] = list(getattr(practice, f) or [])
    translations: dict[str, dict[str, str]] = {}
    for lang in TRANSLATION_LANGUAGES:
        texts = {f: getattr(practice, f"{f}_{lang}") for f in TRANSLATABLE_FIELDS}
        texts = {f: v for f, v in texts.items() if v}
        if texts:
            translations[lang] = texts
    data["translations"] = translations
    return compact(data)


def compact(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a record without its empty values (None, "", [], {}), so that two records
    that say the same compare equal."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _apply(practice: Practice, rec: PracticeRecord, orgs: Mapping[str, Organisation]) -> None:
    practice.slug = rec.id
    for f in TRANSLATABLE_FIELDS:
        setattr(practice, f"{f}_en", getattr(rec, f) or "")
        for lang in TRANSLATION_LANGUAGES:
            tr = rec.translations.get(lang)
            setattr(practice, f"{f}_{lang}", (getattr(tr, f) if tr else None) or None)
    practice.original_title = rec.original_title or ""
    practice.language = rec.language
    practice.level = rec.level
    practice.legal_status = rec.legal_status or ""
    practice.organisation = orgs[rec.organisation] if rec.organisation else None
    practice.start = rec.start or ""
    practice.end = rec.end or ""
    practice.evidence_level = rec.evidence_level
    practice.checked = rec.checked
    dumped = as_dict(rec)
    for f in _LIST_FIELDS:
        setattr(practice, f, dumped.get(f, []))
    practice.facet_codes = facets_of(
        rec.countries,
        rec.regions,
        rec.level,
        rec.themes,
        rec.target_groups,
        [f.fund for f in rec.funding],
        rec.evidence_level,
        rec.start,
        rec.end,
        [rec.language, "en", *rec.translations],
        rec.indicators,
    )


def _organisations(rec: PracticeRecord) -> dict[str, Organisation]:
    wanted = {i for i in [rec.organisation, *rec.partners] if i}
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=wanted)}
    missing = sorted(wanted - set(found))
    if missing:
        raise ContentError(
            "unknown organisation", [f"field organisation/partners: unknown {m!r}" for m in missing]
        )
    return found


def _revise(practice: Practice, actor: Any, note: str) -> Revision:
    data = record_of(practice)
    last = practice.revisions.order_by("-number").first()
    before = last.data if last else {}
    changed = sorted(k for k in set(data) | set(before) if data.get(k) != before.get(k))
    return Revision.objects.create(
        practice=practice,
        number=(last.number + 1) if last else 1,
        data=data,
        changed=changed,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


@transaction.atomic
def create_practice(rec: PracticeRecord, owner: Any, *, example: bool = False) -> Practice:
    """Create a draft practice owned by ``owner`` (who must be allowed to create)."""
    require(owner, Action.CREATE)
    orgs = _organisations(rec)
    practice = Practice(owner=owner, state=State.DRAFT, example=example)
    _apply(practice, rec, orgs)
    practice.save()
    practice.partners.set([orgs[p] for p in rec.partners])
    _revise(practice, owner, "created")
    return practice


@transaction.atomic
def save_practice(practice: Practice, rec: PracticeRecord, actor: Any, note: str = "") -> Practice:
    """Save an edit (permission checked; the id stays) and write its revision."""
    require(actor, Action.EDIT, practice)
    if rec.id != practice.slug:
        raise WorkflowError("the id of a practice cannot change", [("id", "keep " + practice.slug)])
    orgs = _organisations(rec)
    _apply(practice, rec, orgs)
    practice.save()
    practice.partners.set([orgs[p] for p in rec.partners])
    _revise(practice, actor, note or "edited")
    if practice.state == State.PUBLISHED:
        reindex([practice.pk])
        bump_version()
    return practice


def _permission_of(action: WorkflowAction) -> Action:
    return Action(action.value)


@transaction.atomic
def step(
    practice: Practice,
    action: WorkflowAction | str,
    actor: Any,
    *,
    comment: str = "",
    rubric: Rubric | None = None,
    today: dt.date | None = None,
) -> Transition:
    """Take one workflow step; return its transition.

    Raises
    ------
    PermissionDenied
        When ``actor`` may not take this step on this practice.
    WorkflowError
        When the rules refuse it (wrong state, eligibility, missing comment or rubric).
    """
    act = WorkflowAction(action)
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    require(actor, _permission_of(act), practice)
    try:
        target = next_state(act, practice.state)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    rec = PracticeRecord.model_validate(record_of(practice), context=validation_context())
    if act is WorkflowAction.SUBMIT:
        problems = eligibility(rec, today)
        if problems:
            raise WorkflowError("the practice is not eligible yet", problems)
    if act in NEEDS_COMMENT and not comment.strip():
        raise WorkflowError("a comment is required", [("comment", "say why, for the contributor")])
    if act is WorkflowAction.PUBLISH:
        problems = rec.completeness()
        if rubric is None:
            problems.append(("rubric", "score the four criteria before publishing"))
        if problems:
            raise WorkflowError("the practice cannot be published yet", problems)
    before = practice.state
    practice.state = target
    if target == State.PUBLISHED:
        practice.published_at = timezone.now()
    practice.save(update_fields=["state", "published_at", "updated"])
    transition = Transition.objects.create(
        practice=practice,
        action=act.value,
        from_state=before,
        to_state=target,
        actor=actor,
        comment=comment.strip(),
    )
    if rubric is not None:
        Review.objects.create(transition=transition, **_scores(rubric))
    if State.PUBLISHED in (before, target):
        reindex([practice.pk])
        bump_version()
    transaction.on_commit(lambda: _notify(practice, transition))
    return transition


def _scores(rubric: Rubric) -> dict[str, int]:
    return {
        "relevance": rubric.relevance,
        "stakeholder_involvement": rubric.stakeholder_involvement,
        "transferability": rubric.transferability,
        "evidence": rubric.evidence,
    }


def _reviewers_of(practice: Practice) -> list[str]:
    users: Any = get_user_model().objects.filter(
        is_active=True, grants__role=Role.COORDINATOR, grants__country__in=practice.countries
    )
    return sorted({u.email for u in users if u.email})


def _notify(practice: Practice, transition: Transition) -> None:
    """Mail the contributor about a decision, the country coordinators about a submission."""
    path = reverse("knowledge:practice", args=[practice.slug])
    if transition.action == WorkflowAction.SUBMIT:
        to = _reviewers_of(practice)
        subject = f"[Zaragoza] Practice submitted for review: {practice.title_en}"
    else:
        owner: Any = practice.owner
        to = [owner.email] if owner is not None and owner.email else []
        subject = f"[Zaragoza] Your practice is now {transition.to_state}: {practice.title_en}"
    if not to:
        return
    body = (
        f"{practice.title_en}\n\nStep: {transition.action} ({transition.from_state} -> "
        f"{transition.to_state})\n"
        + (f"Comment: {transition.comment}\n" if transition.comment else "")
        + f"\nOpen it on the site: {path}\n"
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:
        log.exception("the notification could not be sent")


# ---------------------------------------------------------------------- seed and import


def _organisation_from(org: Any) -> dict[str, Any]:
    data = as_dict(org)
    return {
        "name": data["name"],
        "type": data["type"],
        "countries": data.get("countries", []),
        "themes": data.get("themes", []),
        "website": data.get("website", ""),
        "sources": data["sources"],
        "checked": org.checked,
    }


@transaction.atomic
def seed(content: Content) -> dict[str, int]:
    """Load the bundled content: organisations and profiles updated, practices added as
    published (an existing practice is updated when its record differs, with a
    revision); return counts of what was added or changed."""
    counts = {"organisations": 0, "practices": 0, "practices_updated": 0, "profiles": 0}
    for org in content.organisations:
        _, made = Organisation.objects.update_or_create(
            slug=org.id, defaults=_organisation_from(org)
        )
        counts["organisations"] += made
    orgs = {o.slug: o for o in Organisation.objects.all()}
    changed: list[int] = []
    for rec in content.practices:
        practice = Practice.objects.filter(slug=rec.id).first()
        if practice is not None and record_of(practice) == compact(as_dict(rec)):
            continue
        new = practice is None
        practice = practice or Practice(state=State.PUBLISHED, published_at=timezone.now())
        _apply(practice, rec, orgs)
        practice.save()
        practice.partners.set([orgs[p] for p in rec.partners])
        _revise(practice, None, "seed content")
        if new:
            Transition.objects.create(
                practice=practice,
                action="seed",
                from_state="",
                to_state=practice.state,
                comment="Loaded from the bundled seed content",
            )
        counts["practices" if new else "practices_updated"] += 1
        changed.append(practice.pk)
    for prof in content.countries:
        _, made = _save_profile(prof, None)
        counts["profiles"] += made
    if changed:
        reindex(changed)
        bump_version()
    return counts


def _save_profile(prof: ProfileRecord, actor: Any) -> tuple[CountryProfile, bool]:
    sections = prof.sections.model_dump(mode="json", exclude_none=True)
    return CountryProfile.objects.update_or_create(
        geo=prof.geo,
        as_of=prof.as_of,
        defaults={
            "name": prof.name,
            "sections": sections,
            "edited_by": actor if getattr(actor, "pk", None) else None,
        },
    )


def save_profile(prof: ProfileRecord, actor: Any) -> CountryProfile:
    """Save a country profile version (a new ``as_of`` date keeps the older versions)."""
    scope_obj = CountryProfile(geo=prof.geo)
    require(actor, Action.EDIT_PROFILE, scope_obj)
    with transaction.atomic():
        profile, _ = _save_profile(prof, actor)
    return profile


def _row(
    rec: PracticeRecord,
    orgs: Mapping[str, Organisation],
    state: State,
    owner: Any,
    example: bool,
    now: dt.datetime,
    dumped: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the table row of a new practice (what :func:`_apply` sets, as columns);
    ``dumped`` is ``as_dict(rec)``, made once per record for the row and its revision."""
    row: dict[str, Any] = {}
    for f in TRANSLATABLE_FIELDS:
        row[f] = row[f"{f}_en"] = getattr(rec, f) or ""
        for lang in TRANSLATION_LANGUAGES:
            tr = rec.translations.get(lang)
            row[f"{f}_{lang}"] = (getattr(tr, f) if tr else None) or None
    row |= {
        "slug": rec.id,
        "original_title": rec.original_title or "",
        "language": rec.language,
        "level": rec.level,
        "legal_status": rec.legal_status or "",
        "organisation_id": orgs[rec.organisation].pk if rec.organisation else None,
        "start": rec.start or "",
        "end": rec.end or "",
        "evidence_level": rec.evidence_level,
        "checked": rec.checked,
        "state": state.value,
        "owner_id": getattr(owner, "pk", None),
        "example": example,
        "created": now,
        "updated": now,
        "published_at": now if state == State.PUBLISHED else None,
        "facet_codes": facets_of(
            rec.countries,
            rec.regions,
            rec.level,
            rec.themes,
            rec.target_groups,
            [f.fund for f in rec.funding],
            rec.evidence_level,
            rec.start,
            rec.end,
            [rec.language, "en", *rec.translations],
            rec.indicators,
        ),
    }
    for f in _LIST_FIELDS:
        row[f] = dumped.get(f, [])
    return row


def _insert(model: Any, rows: list[dict[str, Any]], batch: int = 1000) -> None:
    """Insert ``rows`` (column: value) with one prepared statement per batch.

    The ORM's ``bulk_create`` builds a model instance per row (and django-modeltranslation
    activates each language per field of each one): for 50,000 imported practices that
    is most of the time. Values still pass through each field's ``get_db_prep_save``, so
    JSON, dates and times are stored exactly as the ORM stores them.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if f.column != "id"]
    by_name = {f.attname: f for f in fields}
    names = [f.attname for f in fields if f.attname in rows[0]]
    missing = sorted(set(by_name) - set(names))
    if missing:
        raise RuntimeError(f"rows for {model.__name__} lack columns {missing}")
    plain = {
        n
        for n in names
        if by_name[n].get_internal_type()
        in (
            "CharField",
            "TextField",
            "SlugField",
            "BooleanField",
            "BigIntegerField",
            "PositiveIntegerField",
            "ForeignKey",
        )
    }
    # The connection object itself, not the thread-local proxy ``connection``: the proxy
    # costs a lookup per attribute, and there are a million values to adapt.
    conn = connections[DEFAULT_DB_ALIAS]
    # A JSON value is adapted as JSONField.get_db_prep_value adapts a plain value (these
    # rows hold no expressions); the other fields go through get_db_prep_save.
    json_fields = {n: by_name[n] for n in names if isinstance(by_name[n], JSONField)}
    adapt_json = conn.ops.adapt_json_value

    def prep(n: str, value: Any) -> Any:
        if n in plain:
            return value
        if n in json_fields:
            return adapt_json(value, json_fields[n].encoder)
        return by_name[n].get_db_prep_save(value, conn)

    qn = conn.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(by_name[n].column) for n in names)
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            # COPY: one stream for all the rows; each INSERT of executemany is parsed,
            # bound and executed apart (23 s of server time for 50,000 practices and
            # their revisions, against 13 s for the two streams, the Python that
            # prepares their rows included)
            with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([prep(n, r[n]) for n in names])
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        for start in range(0, len(rows), batch):
            cur.executemany(
                sql, [[prep(n, r[n]) for n in names] for r in rows[start : start + batch]]
            )


def import_practices(
    records: Iterable[PracticeRecord],
    *,
    state: State,
    owner: Any = None,
    replace: bool = False,
    example: bool = False,
) -> int:
    """Add validated ``records`` in ``state``, all or nothing; return how many.

    An id already in the database is a problem unless ``replace`` (then the record is
    overwritten, with a revision). Every problem is collected before anything is written.
    """
    recs = list(records)
    orgs = {o.slug: o for o in Organisation.objects.all()}
    existing = dict(
        Practice.objects.filter(slug__in=[r.id for r in recs]).values_list("slug", "id")
    )
    problems = []
    for n, rec in enumerate(recs, start=1):
        if rec.id in existing and not replace:
            problems.append(f"record {n}, field id: {rec.id!r} exists already (use --replace)")
        for ident in [rec.organisation, *rec.partners]:
            if ident and ident not in orgs:
                problems.append(f"record {n}, field organisation: unknown organisation {ident!r}")
    if problems:
        raise ContentError("nothing was imported", problems)
    now = timezone.now()
    with transaction.atomic():
        fresh = [r for r in recs if r.id not in existing]
        touched = [r for r in recs if r.id in existing]
        dumps = {r.id: as_dict(r) for r in fresh}
        _insert(Practice, [_row(r, orgs, state, owner, example, now, dumps[r.id]) for r in fresh])
        for rec in touched:
            practice = Practice.objects.get(slug=rec.id)
            _apply(practice, rec, orgs)
            practice.save()
        saved = dict(
            Practice.objects.filter(slug__in=[r.id for r in recs]).values_list("slug", "id")
        )
        through = Practice.partners.through
        through.objects.filter(practice_id__in=saved.values()).delete()
        through.objects.bulk_create(
            [
                through(practice_id=saved[r.id], organisation_id=orgs[p].pk)
                for r in recs
                for p in r.partners
            ],
            batch_size=5000,
        )
        actor = owner.pk if getattr(owner, "pk", None) else None
        _insert(
            Revision,
            [
                {
                    "practice_id": saved[r.id],
                    "number": 1,
                    "data": compact(dumps[r.id]),
                    "changed": ["*"],
                    "actor_id": actor,
                    "at": now,
                    "note": "imported",
                }
                for r in fresh
            ],
        )
        for rec in touched:
            _revise(Practice.objects.get(slug=rec.id), owner, "imported (replaced)")
        reindex(saved.values())
        bump_version()
    return len(recs)
