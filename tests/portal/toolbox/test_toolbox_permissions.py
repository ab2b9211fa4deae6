"""Who may do what with the toolbox, per role: through the permission function, the
pages and the plan's storage. The expected answers are the rules of docs/toolbox.md,
written out here (not computed by the function under test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zaragoza.portal.accounts.permissions import Action, Scope, can

EXAMPLE = Path(__file__).parents[2] / "data" / "toolbox"
USERS = ("anonymous", "plain", "owner", "other", "coord_at", "coord_se", "editor", "admin")


@pytest.fixture
def tb(portal: Path, settings: Any) -> Path:
    settings.ZARAGOZA_TOOLBOX = str(EXAMPLE)
    return portal


def _user(users: dict[str, Any], name: str) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if name == "anonymous" else users[name]


@pytest.mark.parametrize("name", USERS)
def test_the_permission_function_per_role(users: dict[str, Any], name: str) -> None:
    from zaragoza.portal.toolbox.models import Plan

    user = _user(users, name)
    # the toolbox itself: everyone reads it, nobody edits it through the portal
    assert can(user, Action.VIEW, Scope("toolbox"))
    assert not can(user, Action.EDIT, Scope("toolbox"))
    # a stored plan: its owner only, whatever the role (editors and admins included)
    plan = Plan.objects.create(owner=users["owner"], geo="AT", items=[])
    for action in (Action.VIEW, Action.EDIT):
        assert can(user, action, plan) is (name == "owner"), (name, action)
    assert not can(user, Action.PUBLISH, plan)
    # a plan in an anonymous session: the holder of the session only
    assert can(user, Action.EDIT, Scope("toolbox_plan", state="session")) is (name == "anonymous")


def test_plans_of_signed_in_users_are_their_own(tb: Path, users: dict[str, Any]) -> None:
    from zaragoza.portal.toolbox.models import Plan

    owner, other = Client(), Client()
    owner.force_login(users["owner"])
    other.force_login(users["editor"])
    r = owner.post(
        "/en/toolbox/plan/change/",
        {"action": "add", "measure": "example-welcome-desk", "query": "level=local&geo=SE"},
    )
    assert r.status_code == 302
    stored = Plan.objects.get(owner=users["owner"])
    assert stored.items == [{"measure_id": "example-welcome-desk", "note": ""}]
    assert stored.geo == "SE"
    assert stored.level == "local"
    assert "example-welcome-desk" in owner.get("/en/toolbox/plan/").content.decode()
    assert "Kept with your account." in owner.get("/en/toolbox/plan/").content.decode()
    # another user (an editor) sees an empty plan of their own, never the owner's
    page = other.get("/en/toolbox/plan/").content.decode()
    assert "example-welcome-desk" not in page
    assert "No measure kept yet." in page
    assert b"example-welcome-desk" not in other.get("/en/toolbox/plan.csv").content
    # an anonymous visitor neither
    assert b"example-welcome-desk" not in Client().get("/en/toolbox/plan.csv").content


def test_a_session_plan_moves_to_the_account_on_sign_in(tb: Path, users: dict[str, Any]) -> None:
    from zaragoza.portal.toolbox.models import Plan

    client = Client()
    client.post("/en/toolbox/plan/change/", {"action": "add", "measure": "example-job-language"})
    assert not Plan.objects.filter(owner=users["plain"]).exists()
    client.force_login(users["plain"])
    assert "example-job-language" in client.get("/en/toolbox/plan/").content.decode()
    assert Plan.objects.get(owner=users["plain"]).items[0]["measure_id"] == "example-job-language"


def test_changes_need_the_csrf_token(tb: Path, users: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/en/toolbox/plan/change/", {"action": "add", "measure": "example-job-language"}
    )
    assert r.status_code == 403
    client.force_login(users["owner"])
    r = client.post(
        "/en/toolbox/plan/change/", {"action": "add", "measure": "example-job-language"}
    )
    assert r.status_code == 403
