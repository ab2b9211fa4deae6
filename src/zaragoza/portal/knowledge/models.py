"""The knowledge base's tables.

A :class:`Practice` keeps the content format's fields (lists and structured fields as
JSON), its workflow state and owner; its English texts and their French and German
translations are columns made by django-modeltranslation (``translation.py``). Every
saved edit writes a :class:`Revision` (the whole record as JSON, who, when, which fields
changed); every workflow step a :class:`Transition` (and a :class:`Review` with the
rubric for a reviewer's decision). :class:`KnowledgeVersion` counts changes to what the
public sees, so search indexes and cached pages know when to refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from zaragoza.knowledge.rules import State
from zaragoza.portal.accounts.permissions import Scope

__all__ = [
    "CountryProfile",
    "Document",
    "KnowledgeVersion",
    "Organisation",
    "Practice",
    "Review",
    "Revision",
    "Transition",
]

_USER = settings.AUTH_USER_MODEL


class KnowledgeVersion(models.Model):
    """One row: a counter raised, and a random token renewed, whenever published content
    changes (the token keeps versions distinct even across rolled-back transactions)."""

    counter = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, default="")


class Organisation(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    type = models.CharField(max_length=30)
    countries = models.JSONField(default=list)
    themes = models.JSONField(default=list)
    website = models.URLField(max_length=500, blank=True, default="")
    sources = models.JSONField(default=list)
    checked = models.DateField(null=True)
    example = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)

    def access_scope(self) -> Scope:
        return Scope("organisation", frozenset(self.countries))


class Practice(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    original_title = models.CharField(max_length=300, blank=True, default="")
    language = models.CharField(max_length=2)
    summary = models.TextField(blank=True, default="")
    countries = models.JSONField(default=list)
    regions = models.JSONField(default=list)
    cities = models.JSONField(default=list)
    level = models.CharField(max_length=20)
    agenda_areas = models.JSONField(default=list)
    themes = models.JSONField(default=list)
    target_groups = models.JSONField(default=list)
    legal_status = models.TextField(blank=True, default="")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="practices"
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_in")
    funding = models.JSONField(default=list)
    start = models.CharField(max_length=10, blank=True, default="")
    end = models.CharField(max_length=10, blank=True, default="")
    context = models.TextField(blank=True, default="")
    objectives = models.TextField(blank=True, default="")
    activities = models.TextField(blank=True, default="")
    results = models.TextField(blank=True, default="")
    evaluation = models.TextField(blank=True, default="")
    evidence_level = models.CharField(max_length=30, default="none")
    transferability = models.TextField(blank=True, default="")
    indicators = models.JSONField(default=list)
    links = models.JSONField(default=list)
    contacts = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    checked = models.DateField(null=True, blank=True)
    #: The codes per search facet, computed on save (see zaragoza.knowledge.search).
    facet_codes = models.JSONField(default=dict)

    state = models.CharField(
        max_length=20, choices=[(s.value, s.value) for s in State], default=State.DRAFT
    )
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    #: Invented for a demonstration or a test: shown with an "example" label everywhere.
    example = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:  # made by Django and django-modeltranslation at run time
        owner_id: int | None
        organisation_id: int | None
        revisions: Any
        transitions: Any
        documents: Any
        title_en: str
        title_fr: str | None
        title_de: str | None
        summary_en: str
        summary_fr: str | None
        summary_de: str | None

    class Meta:
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return str(self.title)

    def access_scope(self) -> Scope:
        return Scope(
            "practice", frozenset(self.countries), owner_id=self.owner_id, state=self.state
        )


class Revision(models.Model):
    """A saved version of a practice: the whole record, who saved it and what changed."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    changed = models.JSONField(default=list)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["practice", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="knowledge_revision_unique")
        ]


class Transition(models.Model):
    """One workflow step: from which state to which, by whom, when, with what comment."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["practice", "-at", "-id"]


class Review(models.Model):
    """A reviewer's rubric (1-4 per criterion) kept with the decision it came with."""

    transition = models.OneToOneField(Transition, on_delete=models.CASCADE, related_name="review")
    relevance = models.PositiveSmallIntegerField()
    stakeholder_involvement = models.PositiveSmallIntegerField()
    transferability = models.PositiveSmallIntegerField()
    evidence = models.PositiveSmallIntegerField()

    def scores(self) -> dict[str, Any]:
        return {
            "relevance": self.relevance,
            "stakeholder_involvement": self.stakeholder_involvement,
            "transferability": self.transferability,
            "evidence": self.evidence,
        }


class CountryProfile(models.Model):
    """A country governance profile as of a date; earlier dates are kept as versions."""

    geo = models.CharField(max_length=2)
    name = models.CharField(max_length=100)
    as_of = models.DateField()
    sections = models.JSONField()
    edited_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL)
    edited_at = models.DateTimeField(auto_now=True)
    example = models.BooleanField(default=False)

    class Meta:
        ordering = ["geo", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["geo", "as_of"], name="knowledge_profile_unique")
        ]

    def access_scope(self) -> Scope:
        return Scope("country_profile", frozenset({self.geo}), geo=self.geo)


class Document(models.Model):
    """A file attached to a practice (PDF, image, office document), type checked by its
    content, stored outside the static tree and served as an attachment."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="practices/%Y/")
    title = models.CharField(max_length=200)
    media_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
