"""Who may do what in the local benchmarks: every role on every page, form and API call,
as a table. The expected answers are the rules of docs/benchmarks.md written out here
(not computed by the permission function under test); each case runs on a fresh
database (the open round ``test-round``: Example city A and B as drafts, a review team
for each, ``edu1`` and ``wel1`` of A assigned to ``resp_a``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from bench_people import ROLES, user_of
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zaragoza.portal.accounts.permissions import Action, Scope, can

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL = frozenset(ROLES)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    allowed: frozenset[str]
    data: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda b: {})
    state: str | None = None  # the state of A's assessment before the request


def _a(b: dict[str, Any]) -> int:
    return int(b["a"].pk)


def _published(b: dict[str, Any]) -> int:
    from zaragoza.portal.benchmarks.models import Assessment

    return int(
        Assessment.objects.get(
            round__slug="example-intercultural-2026", entity__code="EXAMPLE-A"
        ).pk
    )


def _doc(b: dict[str, Any]) -> str:
    from zaragoza.portal.benchmarks.models import Answer, Document

    ans = Answer.objects.create(assessment=b["a"], question="edu1", value="yes")
    d = Document.objects.create(
        answer=ans,
        file=SimpleUploadedFile("evidence.pdf", PDF),
        title="Evidence",
        media_type="application/pdf",
        size=len(PDF),
    )
    return f"/en/benchmarks/assessments/{_a(b)}/documents/{d.pk}/"


A_READERS = frozenset({"coord_a", "reviewer", "admin"})
ROUND_READERS = frozenset(
    {"coord_a", "coord_b", "resp_a", "resp_a2", "reviewer", "reviewer_other", "netadmin", "admin"}
)
CASES = [
    # pages
    Case("index", "GET", lambda b: "/en/benchmarks/", ALL),
    Case("open round", "GET", lambda b: "/en/benchmarks/rounds/test-round/", ROUND_READERS),
    Case(
        "open round report",
        "GET",
        lambda b: "/en/benchmarks/rounds/test-round/report/",
        ROUND_READERS,
    ),
    Case(
        "published round", "GET", lambda b: "/en/benchmarks/rounds/example-intercultural-2026/", ALL
    ),
    Case("entity", "GET", lambda b: "/en/benchmarks/entities/EXAMPLE-A/", ALL),
    Case("commitments", "GET", lambda b: "/en/benchmarks/commitments/", ALL),
    Case(
        "draft assessment",
        "GET",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/",
        A_READERS | {"resp_a", "netadmin"},  # the network's: for the review team, no answer
    ),
    Case(
        "other city's draft",
        "GET",
        lambda b: f"/en/benchmarks/assessments/{b['b'].pk}/",
        frozenset({"coord_b", "reviewer_other", "netadmin", "admin"}),
    ),
    Case("review page", "GET", lambda b: f"/en/benchmarks/assessments/{_a(b)}/review/", A_READERS),
    Case(
        "draft city report",
        "GET",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/report/",
        A_READERS,
    ),
    Case(
        "published city report",
        "GET",
        lambda b: f"/en/benchmarks/assessments/{_published(b)}/report/",
        ALL,
    ),
    Case(
        "published assessment",
        "GET",
        lambda b: f"/en/benchmarks/assessments/{_published(b)}/",
        ALL,
    ),
    Case("document", "GET", _doc, A_READERS | {"resp_a"}),
    # API
    Case("api frameworks", "GET", lambda b: "/api/v1/frameworks", ALL),
    Case("api framework", "GET", lambda b: "/api/v1/frameworks/example-index", ALL),
    Case(
        "api published scores",
        "GET",
        lambda b: "/api/v1/benchmarks/example-intercultural-2026/scores",
        ALL,
    ),
    Case(
        "api open round scores",
        "GET",
        lambda b: "/api/v1/benchmarks/test-round/scores",
        frozenset(),
    ),
    # the self-assessment
    Case(
        "assign",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/assign/",
        frozenset({"coord_a", "admin"}),
        lambda b: {"respondent": "resp_a2", "questions": ["edu2"]},
    ),
    Case(
        "answer an assigned question",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/answer/",
        frozenset({"coord_a", "resp_a", "admin"}),
        lambda b: {"question": "edu1", "value": "yes", "evidence": "The school plan."},
    ),
    Case(
        "answer a question not assigned",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/answer/",
        frozenset({"coord_a", "admin"}),
        lambda b: {"question": "edu2", "value": "some"},
    ),
    Case(
        "answer once submitted",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/answer/",
        frozenset(),
        lambda b: {"question": "edu1", "value": "yes"},
        state="submitted",
    ),
    Case(
        "submit",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/submit/",
        frozenset({"coord_a", "admin"}),
    ),
    Case(
        "start the review",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/start-review/",
        frozenset({"reviewer", "admin"}),
        state="submitted",
    ),
    Case(
        "publish own results",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/publish/",
        frozenset({"coord_a", "admin"}),
        state="in_review",
    ),
    Case(
        "publish a draft",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/publish/",
        frozenset(),
    ),
    Case(
        "resident questionnaire",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/survey/",
        frozenset({"coord_a", "admin"}),
    ),
    # the peer review
    Case(
        "review team",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/team/",
        frozenset({"netadmin", "admin"}),
        lambda b: {"reviewer_entities": "EXAMPLE-C", "reviewers": "reviewer", "experts": "X"},
    ),
    Case(
        "finding",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/review/finding/",
        frozenset({"reviewer", "admin"}),
        lambda b: {"standard": "edu-policy", "strengths": "s", "gaps": "g"},
        state="submitted",
    ),
    Case(
        "finding on a draft",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/review/finding/",
        frozenset(),
        lambda b: {"standard": "edu-policy", "strengths": "s", "gaps": "g"},
    ),
    Case(
        "recommendation",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/review/recommendation/",
        frozenset({"reviewer", "admin"}),
        lambda b: {"text": "Do it."},
        state="in_review",
    ),
    Case(
        "visit plan",
        "POST",
        lambda b: f"/en/benchmarks/assessments/{_a(b)}/review/edit/",
        frozenset({"reviewer", "admin"}),
        lambda b: {"visit_plan": "Two days."},
        state="submitted",
    ),
    # the network's rounds
    Case(
        "open a round",
        "POST",
        lambda b: "/en/benchmarks/rounds/new/",
        frozenset({"netadmin", "admin"}),
        lambda b: {"network": "example-network", "framework": "example-index@1", "year": "2028"},
    ),
    Case(
        "invite",
        "POST",
        lambda b: "/en/benchmarks/rounds/test-round/invite/",
        frozenset({"netadmin", "admin"}),
        lambda b: {"code": "EXAMPLE-C"},
    ),
    Case(
        "mark the round in review",
        "POST",
        lambda b: "/en/benchmarks/rounds/test-round/in-review/",
        frozenset({"netadmin", "admin"}),
    ),
    Case(
        "publish the comparative report",
        "POST",
        lambda b: "/en/benchmarks/rounds/test-round/publish/",
        frozenset({"netadmin", "admin"}),
    ),
    # the charter registry
    Case(
        "sign the charter",
        "POST",
        lambda b: "/en/benchmarks/commitments/EXAMPLE-B/",
        frozenset({"coord_b", "admin"}),
        lambda b: {"what": "sign"},
    ),
]


def _outcome(r: Any) -> str:
    if r.status_code == 200:
        return "ok"
    if r.status_code == 302 and "/login/" not in r["Location"]:
        return "ok"
    assert r.status_code in (302, 403, 404), (r.status_code, r.content[:300])
    return "denied"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_role_on_every_view(bench: dict[str, Any], case: Case, role: str) -> None:
    if case.state:
        bench["a"].state = case.state
        bench["a"].save()
    client = Client()
    if role != "anonymous":
        client.force_login(bench["users"][role])
    url = case.url(bench)
    r = client.get(url) if case.method == "GET" else client.post(url, case.data(bench))
    r.close()  # a document is a streamed file
    expected = "ok" if role in case.allowed else "denied"
    assert _outcome(r) == expected, (case.name, role, r.status_code)


def test_denied_changes_leave_nothing(bench: dict[str, Any]) -> None:
    """A refused answer, finding or assignment writes nothing."""
    from zaragoza.portal.benchmarks.models import Answer, Assignment, Finding

    client = Client()
    client.force_login(bench["users"]["resp_a2"])
    client.post(
        f"/en/benchmarks/assessments/{_a(bench)}/answer/", {"question": "edu1", "value": "no"}
    )
    client.force_login(bench["users"]["netadmin"])
    client.post(
        f"/en/benchmarks/assessments/{_a(bench)}/assign/",
        {"respondent": "resp_a2", "questions": ["edu2"]},
    )
    bench["a"].state = "submitted"
    bench["a"].save()
    client.force_login(bench["users"]["reviewer_other"])
    client.post(
        f"/en/benchmarks/assessments/{_a(bench)}/review/finding/",
        {"standard": "edu-policy", "strengths": "x"},
    )
    assert not Answer.objects.filter(assessment=bench["a"]).exists()
    assert list(
        Assignment.objects.filter(assessment=bench["a"]).values_list(
            "respondent__username", flat=True
        )
    ) == ["resp_a"]
    assert not Finding.objects.filter(review=bench["review_a"]).exists()


def test_a_respondent_sees_only_the_assigned_questions(bench: dict[str, Any]) -> None:
    client = Client()
    client.force_login(bench["users"]["resp_a"])
    page = client.get(f"/en/benchmarks/assessments/{_a(bench)}/").content.decode()
    shown = sorted(set(__import__("re").findall(r'data-question="([^"]+)"', page)))
    assert shown == ["edu1", "wel1"]
    assert "You see the questions assigned to you." in page
    assert 'data-table="own-scores"' not in page  # no scores of the whole assessment


def test_answers_are_private_until_published(bench: dict[str, Any]) -> None:
    """The network administrator and the public see neither a draft's answers nor its
    scores in the comparative view; once published, everyone does."""
    from zaragoza.portal.benchmarks.models import Answer

    Answer.objects.create(
        assessment=bench["a"], question="edu1", value="yes", evidence="secret plan"
    )
    netadmin = Client()
    netadmin.force_login(bench["users"]["netadmin"])
    page = netadmin.get(f"/en/benchmarks/assessments/{_a(bench)}/").content.decode()
    assert "secret plan" not in page
    assert 'data-question="' not in page
    assert "data-team-form" in page
    page = netadmin.get("/en/benchmarks/rounds/test-round/").content.decode()
    assert "secret plan" not in page
    assert '<tr data-entity="EXAMPLE-A">' not in page  # no score row for a draft
    bench["a"].state = "published"
    bench["a"].save()
    page = Client().get(f"/en/benchmarks/assessments/{_a(bench)}/").content.decode()
    assert "secret plan" in page


def test_the_permission_function_per_role(bench: dict[str, Any]) -> None:
    """The rules straight from :func:`can` for each role, on the scopes the pages use."""
    a = bench["a"]
    expect = {
        # role: (view A, assign A, answer edu1, answer edu2, view round, invite)
        "anonymous": (False, False, False, False, False, False),
        "plain": (False, False, False, False, False, False),
        "coord_a": (True, True, True, True, True, False),
        "coord_b": (False, False, False, False, True, False),
        "resp_a": (False, False, True, False, True, False),
        "resp_a2": (False, False, False, False, True, False),
        "reviewer": (True, False, False, False, True, False),
        "reviewer_other": (False, False, False, False, True, False),
        "netadmin": (False, False, False, False, True, True),
        "netadmin_other": (False, False, False, False, False, False),
        "admin": (True, True, True, True, True, True),
    }
    for role, row in expect.items():
        u = user_of(bench, role)
        got = (
            can(u, Action.VIEW, a),
            can(u, Action.ASSIGN, a),
            can(u, Action.ANSWER, a.question_scope("edu1")),
            can(u, Action.ANSWER, a.question_scope("edu2")),
            can(u, Action.VIEW, bench["round"]),
            can(u, Action.INVITE, bench["round"]),
        )
        assert got == row, role
        # unknown kinds and actions are refused, whoever asks
        assert not can(u, "dance", a)
        assert not can(u, Action.VIEW, Scope("bench_unknown"))
