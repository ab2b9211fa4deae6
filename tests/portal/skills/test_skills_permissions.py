"""Who may do what with skills profiles, per role, through the permission function and
the pages. The expected answers are the rules of docs/skills.md written out here (not
computed by the function under test): counsellors of the profile's organisation only,
and the person themself for reading, export, erasure and consent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zaragoza.portal.accounts.permissions import Action, Scope, can

USERS = (
    "anonymous", "plain", "owner", "coord_at", "editor", "admin",
    "counsellor_a", "counsellor_b", "person",
)  # fmt: skip
# role x action on a profile of organisation "org-a" owned by "person"
MAY = {
    "counsellor_a": {"view", "edit", "export", "erase", "consent"},
    "person": {"view", "export", "erase", "consent"},
}


def _user(people: dict[str, Any], name: str) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if name == "anonymous" else people[name]


@pytest.mark.parametrize("name", USERS)
def test_the_permission_function_per_role(
    people: dict[str, Any], keys: list[str], make_profile: Callable[..., Any], name: str
) -> None:
    user = _user(people, name)
    p = make_profile()
    for action in ("view", "edit", "export", "erase", "consent", "publish", "manage_users"):
        assert can(user, action, p) is (action in MAY.get(name, set())), (name, action)
    # creating: counsellors of that organisation only
    for org in ("org-a", "org-b"):
        expected = (name, org) in {("counsellor_a", "org-a"), ("counsellor_b", "org-b")}
        assert can(user, Action.CREATE, Scope("skills_profile", organisation=org)) is expected
    # an erased profile: nobody
    erased = Scope("skills_profile", organisation="org-a", owner_id=p.owner_id, state="erased")
    assert not any(can(user, a, erased) for a in Action)


@pytest.mark.parametrize("name", USERS)
def test_the_pages_per_role(
    portal: Any,
    people: dict[str, Any],
    keys: list[str],
    make_profile: Callable[..., Any],
    name: str,
) -> None:
    p = make_profile()
    client = Client()
    if name != "anonymous":
        client.force_login(people[name])
    allowed = MAY.get(name, set())
    page = client.get(f"/en/skills/p/{p.pk}/")
    assert page.status_code == (200 if "view" in allowed else 404), name
    if page.status_code == 404:
        assert b"Amina" not in page.content
    export = client.get(f"/en/skills/p/{p.pk}/export.json")
    assert export.status_code == (200 if "export" in allowed else 404), name
    pdf = client.get(f"/en/skills/p/{p.pk}/profile.pdf")
    assert pdf.status_code == (200 if "export" in allowed else 404), name
    edit = client.post(f"/en/skills/p/{p.pk}/", {"name": "Changed"})
    assert edit.status_code == (302 if "edit" in allowed else 404), name
    caseload = client.get("/en/skills/")
    if name == "anonymous":
        assert caseload.status_code == 302
    elif name.startswith("counsellor"):
        assert caseload.status_code == 200
        assert (b"Amina" in caseload.content or b"Changed" in caseload.content) is (
            name == "counsellor_a"
        )
    else:  # anyone else signed in: the profiles linked to their own account only
        assert caseload.status_code == 200
        assert b"Amina" not in caseload.content
        assert (f"/skills/p/{p.pk}/".encode() in caseload.content) is (name == "person")
    for step in ("link-code", "unlink"):
        r = client.post(f"/en/skills/p/{p.pk}/{step}/")
        expected = {"link-code": 200, "unlink": 302}[step] if "edit" in allowed else 404
        assert r.status_code == expected, (name, step)
    erase = client.post(f"/en/skills/p/{p.pk}/erase/", {"confirm": "1"})
    assert erase.status_code == (200 if "erase" in allowed else 404), name
