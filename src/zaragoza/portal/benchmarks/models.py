"""The local benchmarks' tables: entities and networks, rounds of a framework version,
each entity's assessment (assignments, answers with evidence and documents, an anonymous
resident survey beside it), the peer review (team, visit plan, notes, findings,
recommendations) and the charter registry of commitments.

The frameworks themselves are content (:mod:`zaragoza.frameworks`); a round records the
framework key ``id@version`` it uses, so its answers keep their meaning when a newer
version is bundled. Whom each object concerns is its ``access_scope()``, read by
:mod:`zaragoza.portal.accounts.permissions` (the one place that decides).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from zaragoza.portal.accounts.models import Grant
from zaragoza.portal.accounts.permissions import Scope
from zaragoza.portal.accounts.roles import Role

__all__ = [
    "ASSESSMENT_STATES",
    "ROUND_STATES",
    "Answer",
    "Assessment",
    "Assignment",
    "Commitment",
    "Document",
    "Entity",
    "Finding",
    "Network",
    "ProgressReport",
    "Recommendation",
    "ResidentResponse",
    "ResidentSurvey",
    "Review",
    "Round",
    "Signatory",
]

_USER = settings.AUTH_USER_MODEL
ROUND_STATES = ("open", "in_review", "published")
ASSESSMENT_STATES = ("draft", "submitted", "in_review", "published")
#: The four roles of a city in the Integrating Cities Charter (and DIVE's benchmark).
CHARTER_ROLES = ("policy_maker", "service_provider", "employer", "buyer")


class Entity(models.Model):
    """A city (LAU code) or region (NUTS code) taking part in benchmarks.

    ``geo`` is the warehouse's geo code its outcomes are read under (a NUTS region or
    the country), blank when the warehouse has none. ``example``: invented for a
    demonstration ("example — not real cities"), never a real place.
    """

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=[("city", "city"), ("region", "region")])
    code_system = models.CharField(
        max_length=10, choices=[("lau", "LAU"), ("nuts", "NUTS"), ("example", "example")]
    )
    country = models.CharField(max_length=2)
    geo = models.CharField(max_length=10, blank=True, default="")
    language = models.CharField(max_length=2, default="en")
    example = models.BooleanField(default=False)

    if TYPE_CHECKING:
        assessments: Any

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return str(self.name)

    def access_scope(self) -> Scope:
        return Scope("bench_entity", entity=self.code)


class Network(models.Model):
    """A network of cities or regions that runs rounds together."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(Entity, blank=True, related_name="networks")
    example = models.BooleanField(default=False)

    def __str__(self) -> str:
        return str(self.name)

    def access_scope(self) -> Scope:
        return Scope("bench_network", network=self.code)


class Round(models.Model):
    """One assessment round of a network on one framework version."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    framework = models.CharField(max_length=120)  # the framework key, "id@version"
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=12, choices=[(s, s) for s in ROUND_STATES], default="open")
    example = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        network_id: int
        assessments: Any

    class Meta:
        ordering = ["-year", "slug"]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def framework_id(self) -> str:
        return str(self.framework).split("@", 1)[0]

    def access_scope(self) -> Scope:
        return Scope(
            "bench_round",
            network=self.network.code,
            state=self.state,
            entities=frozenset(self.assessments.values_list("entity__code", flat=True)),
            reviews=frozenset(
                str(pk)
                for pk in Review.objects.filter(assessment__round=self).values_list("pk", flat=True)
            ),
        )


class Assessment(models.Model):
    """An entity's self-assessment in a round: draft → submitted → in review → published."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assessments")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="assessments")
    state = models.CharField(
        max_length=12, choices=[(s, s) for s in ASSESSMENT_STATES], default="draft"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        round_id: int
        entity_id: int
        answers: Any
        assignments: Any
        review: Review

    class Meta:
        ordering = ["round", "entity__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entity"], name="bench_assessment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entity} in {self.round}"

    def review_ids(self) -> frozenset[str]:
        review = Review.objects.filter(assessment=self).values_list("pk", flat=True).first()
        return frozenset() if review is None else frozenset({str(review)})

    def access_scope(self) -> Scope:
        return Scope(
            "bench_assessment",
            entity=self.entity.code,
            network=self.round.network.code,
            state=self.state,
            reviews=self.review_ids(),
        )

    def question_scopes(self, question_ids: list[str]) -> dict[str, Scope]:
        """The scope of each question: who it is assigned to, besides the assessment's."""
        reviews = self.review_ids()
        assigned: dict[str, set[int]] = {}
        for a in self.assignments.all():
            for q in a.questions:
                assigned.setdefault(q, set()).add(a.respondent_id)
        return {
            q: Scope(
                "bench_question",
                entity=self.entity.code,
                network=self.round.network.code,
                state=self.state,
                reviews=reviews,
                assignees=frozenset(assigned.get(q, ())),
            )
            for q in question_ids
        }

    def question_scope(self, question_id: str) -> Scope:
        return self.question_scopes([question_id])[question_id]

    def review_scope(self) -> Scope:
        return Scope(
            "bench_review",
            entity=self.entity.code,
            network=self.round.network.code,
            state=self.state,
            reviews=self.review_ids(),
        )

    def survey_scope(self) -> Scope:
        return Scope(
            "bench_survey",
            entity=self.entity.code,
            network=self.round.network.code,
            state=self.state,
            reviews=self.review_ids(),
        )


class Assignment(models.Model):
    """Questions of an assessment given to one respondent of the administration."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    respondent = models.ForeignKey(
        _USER, on_delete=models.CASCADE, related_name="bench_assignments"
    )
    questions: Any = models.JSONField(default=list)
    assigned_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        respondent_id: int

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "respondent"], name="bench_assignment_unique"
            )
        ]


class Answer(models.Model):
    """One question's answer: the value the engine validated, and its evidence."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=100)
    value: Any = models.JSONField(null=True)
    evidence = models.TextField(blank=True, default="")
    links: Any = models.JSONField(default=list)
    answered_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        documents: Any

    class Meta:
        ordering = ["assessment", "question"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="bench_answer_unique")
        ]


class Document(models.Model):
    """A file of evidence (PDF, PNG, JPEG, ODT, DOCX; at most 10 MB), its type read from
    its bytes, stored outside the static tree and served as an attachment."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="benchmarks/%Y/")
    title = models.CharField(max_length=200)
    media_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class ResidentSurvey(models.Model):
    """An anonymous resident questionnaire beside the official one, reached by its token
    link. Responses keep the answers only: no account, address, name or time of day."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="resident_survey"
    )
    token = models.CharField(max_length=43, unique=True)
    questions: Any = models.JSONField()
    open = models.BooleanField(default=True)

    if TYPE_CHECKING:
        responses: Any


class ResidentResponse(models.Model):
    survey = models.ForeignKey(ResidentSurvey, on_delete=models.CASCADE, related_name="responses")
    answers: Any = models.JSONField()
    #: The day only: a time of day could tell who answered.
    day = models.DateField(auto_now_add=True)


class Review(models.Model):
    """The peer review of one assessment: the team (host entity = the assessment's,
    reviewer entities, experts; the reviewer users are the peer-reviewer grants of this
    team), the visit plan and the interview notes."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="review")
    reviewer_entities = models.ManyToManyField(Entity, blank=True, related_name="reviews_done")
    experts: Any = models.JSONField(default=list)  # names and affiliations, as given
    visit_plan = models.TextField(blank=True, default="")
    interview_notes = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        findings: Any
        recommendations: Any

    def reviewers(self) -> models.QuerySet[Any]:
        """The users holding a peer-reviewer grant for this team."""
        from django.contrib.auth import get_user_model

        ids = Grant.objects.filter(role=Role.PEER_REVIEWER, review=str(self.pk)).values("user")
        return get_user_model().objects.filter(pk__in=ids).order_by("username")


class Finding(models.Model):
    """Per standard: what works (strengths) and what is missing (gaps)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    standard = models.CharField(max_length=100)
    strengths = models.TextField(blank=True, default="")
    gaps = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["review", "standard"]
        constraints = [
            models.UniqueConstraint(fields=["review", "standard"], name="bench_finding_unique")
        ]


class Recommendation(models.Model):
    """A recommendation, linked to toolbox measures and knowledge-base practices."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    standard = models.CharField(max_length=100, blank=True, default="")
    text = models.TextField()
    measures: Any = models.JSONField(default=list)
    practices: Any = models.JSONField(default=list)

    class Meta:
        ordering = ["review", "id"]


class Signatory(models.Model):
    """An entity that signed the charter (in the Integrating Cities Charter's spirit)."""

    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="signatory")
    signed_on = models.DateField()

    if TYPE_CHECKING:
        commitments: Any
        reports: Any

    class Meta:
        ordering = ["entity__name"]
        verbose_name_plural = "signatories"

    def access_scope(self) -> Scope:
        return Scope("bench_commitments", entity=self.entity.code)


class Commitment(models.Model):
    signatory = models.ForeignKey(Signatory, on_delete=models.CASCADE, related_name="commitments")
    role = models.CharField(max_length=20, choices=[(r, r) for r in CHARTER_ROLES])
    text = models.TextField()

    class Meta:
        ordering = ["signatory", "role", "id"]


class ProgressReport(models.Model):
    """A signatory's yearly progress report, linked to the benchmark round of that year."""

    signatory = models.ForeignKey(Signatory, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField()
    text = models.TextField()
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="progress_reports"
    )

    class Meta:
        ordering = ["signatory", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["signatory", "year"], name="bench_report_unique")
        ]
