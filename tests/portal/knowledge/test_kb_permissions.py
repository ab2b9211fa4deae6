"""Every role x action x country, through the pages and through the API.

The expected answers are the role table of docs/knowledge.md, written out here as data
(not computed by the permission function under test).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zaragoza.portal.accounts.permissions import Action, can
from zaragoza.portal.knowledge.models import Practice

USERS = ("anonymous", "plain", "owner", "other", "coord_at", "coord_se", "editor", "admin")
#: action: the state the practice is in when the action is tried.
STATE_OF = {
    "view": "draft",
    "view_published": "published",
    "edit": "draft",
    "edit_submitted": "submitted",
    "submit": "draft",
    "start_review": "submitted",
    "return": "in_review",
    "publish": "in_review",
    "reject": "in_review",
    "unpublish": "published",
    "history": "submitted",
    "upload": "draft",
}
ALL = set(USERS)
REVIEWERS_AT = {"coord_at", "editor", "admin"}
REVIEWERS_SE = {"coord_se", "editor", "admin"}
#: (action, country of the practice): the users allowed.
ALLOWED = {
    ("view", "AT"): {"owner"} | REVIEWERS_AT,
    ("view", "SE"): {"owner"} | REVIEWERS_SE,
    ("view_published", "AT"): ALL,
    ("view_published", "SE"): ALL,
    ("edit", "AT"): {"owner"},
    ("edit", "SE"): {"owner"},
    ("edit_submitted", "AT"): REVIEWERS_AT,
    ("edit_submitted", "SE"): REVIEWERS_SE,
    ("submit", "AT"): {"owner"},
    ("submit", "SE"): {"owner"},
    ("history", "AT"): {"owner"} | REVIEWERS_AT,
    ("history", "SE"): {"owner"} | REVIEWERS_SE,
    ("upload", "AT"): {"owner"},
    ("upload", "SE"): {"owner"},
    **{
        (a, "AT"): REVIEWERS_AT
        for a in ("start_review", "return", "publish", "reject", "unpublish")
    },
    **{
        (a, "SE"): REVIEWERS_SE
        for a in ("start_review", "return", "publish", "reject", "unpublish")
    },
}
CASES = [(u, a, c) for (a, c) in ALLOWED for u in USERS]
RUBRIC = {"relevance": "3", "stakeholder_involvement": "3", "transferability": "3", "evidence": "2"}
STEPS = ("submit", "start_review", "return", "publish", "reject", "unpublish")


def _client(users: dict[str, Any], who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(users[who])
    return client


def _action(name: str) -> str:
    return name.split("_")[0] if name in ("view_published", "edit_submitted") else name


@pytest.mark.parametrize(("who", "action", "country"), CASES)
def test_the_permission_function(
    users: dict[str, Any], make_practice: Callable[..., Any], who: str, action: str, country: str
) -> None:
    p = make_practice((country,), STATE_OF[action], users["owner"])
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else users[who]
    assert can(user, _action(action), p) is (who in ALLOWED[(action, country)])


@pytest.mark.parametrize(("who", "action", "country"), CASES)
def test_through_the_pages(
    users: dict[str, Any], make_practice: Callable[..., Any], who: str, action: str, country: str
) -> None:
    p = make_practice((country,), STATE_OF[action], users["owner"])
    client = _client(users, who)
    allowed = who in ALLOWED[(action, country)]
    act = _action(action)
    before = p.state
    if act == "view":
        r = client.get(f"/en/practices/{p.slug}/")
        assert r.status_code == (200 if allowed else 404)
    elif act == "edit":
        r = client.get(f"/en/practices/{p.slug}/edit/")
        assert r.status_code == (200 if allowed else 403 if who != "anonymous" else 302)
    elif act == "history":
        r = client.get(f"/en/practices/{p.slug}/history/")
        assert r.status_code == (200 if allowed else 403 if who != "anonymous" else 302)
    elif act == "upload":
        from django.core.files.uploadedfile import SimpleUploadedFile

        pdf = SimpleUploadedFile(
            "a.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
        )
        r = client.post(f"/en/practices/{p.slug}/documents/", {"title": "Doc", "file": pdf})
        assert (p.documents.count() == 1) is allowed
        assert r.status_code == (302 if allowed or who == "anonymous" else 403)
    else:
        # A crafted POST: the form is not shown to users who may not, but the server decides.
        r = client.post(
            f"/en/practices/{p.slug}/step/", {"action": act, "comment": "Because.", **RUBRIC}
        )
        p.refresh_from_db()
        if allowed:
            assert r.status_code == 302
            assert p.state != before
        else:
            assert r.status_code == (302 if who == "anonymous" else 403)
            assert p.state == before


@pytest.mark.parametrize(
    ("who", "action", "country"), [c for c in CASES if _action(c[1]) in ("view", *STEPS)]
)
def test_through_the_api(
    users: dict[str, Any], make_practice: Callable[..., Any], who: str, action: str, country: str
) -> None:
    p = make_practice((country,), STATE_OF[action], users["owner"])
    client = _client(users, who)
    allowed = who in ALLOWED[(action, country)]
    act = _action(action)
    if act == "view":
        r = client.get(f"/api/v1/practices/{p.slug}")
        assert r.status_code == (200 if allowed else 404)
        return
    body = {"action": act, "comment": "Because.", "rubric": {k: int(v) for k, v in RUBRIC.items()}}
    r = client.post(
        f"/api/v1/practices/{p.slug}/steps", json.dumps(body), content_type="application/json"
    )
    before = p.state
    p.refresh_from_db()
    if allowed:
        assert r.status_code == 200, r.content
        assert r.json()["state"] == p.state != before
    else:
        visible = who in ALLOWED[("view", country)] or p.state == "published"
        assert r.status_code == (401 if who == "anonymous" else 403 if visible else 404), r.content
        assert p.state == before


def test_a_coordinator_for_at_cannot_publish_a_swedish_practice(
    users: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    p = make_practice(("SE",), "in_review", users["owner"])
    client = _client(users, "coord_at")
    r = client.post(f"/en/practices/{p.slug}/step/", {"action": "publish", **RUBRIC})
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/practices/{p.slug}/steps",
        json.dumps({"action": "publish", "rubric": dict.fromkeys(RUBRIC, 4)}),
        content_type="application/json",
    )
    assert r.status_code == 404  # not even visible to them
    assert Practice.objects.get(pk=p.pk).state == "in_review"
    # A practice of both countries is theirs to review.
    both = make_practice(("SE", "AT"), "in_review", users["owner"])
    assert (
        client.post(f"/en/practices/{both.slug}/step/", {"action": "publish", **RUBRIC}).status_code
        == 302
    )


def test_reviewers_do_not_publish_their_own_practice(
    users: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    mine = make_practice(("AT",), "in_review", users["coord_at"])
    assert not can(users["coord_at"], Action.PUBLISH, mine)
    assert can(users["editor"], Action.PUBLISH, mine)


def test_inactive_users_and_unknown_actions_get_nothing(
    users: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    p = make_practice(("AT",), "in_review", users["owner"])
    editor = users["editor"]
    editor.is_active = False
    editor.save()
    editor.refresh_from_db()
    assert not can(editor, Action.PUBLISH, p)
    assert not can(users["admin"], "delete_everything", p)


def test_csrf_is_checked_on_every_form(
    users: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    p = make_practice(("AT",), "in_review", users["owner"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["coord_at"])
    assert (
        client.post(f"/en/practices/{p.slug}/step/", {"action": "publish", **RUBRIC}).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/practices/{p.slug}/steps",
        json.dumps({"action": "start_review"}),
        content_type="application/json",
    )
    assert r.status_code in (401, 403)
    assert Practice.objects.get(pk=p.pk).state == "in_review"


def test_the_admin_site_is_for_admins_only(users: dict[str, Any]) -> None:
    for who in ("coord_at", "editor"):
        r = _client(users, who).get("/admin/")
        assert r.status_code == 302
        assert "/admin/login/" in r.headers["Location"]
    assert _client(users, "admin").get("/admin/").status_code == 200
