"""The people of the benchmark tests: one user per benchmark role (a module of its own,
so that test files import it by a name no other folder's helpers share)."""

from __future__ import annotations

from typing import Any

#: name: (role, scope kind, scope) — the review scope is filled in by the fixture.
PEOPLE: dict[str, tuple[str | None, str | None]] = {
    "plain": (None, None),
    "coord_a": ("city_coordinator", "EXAMPLE-A"),
    "coord_b": ("city_coordinator", "EXAMPLE-B"),
    "resp_a": ("respondent", "EXAMPLE-A"),
    "resp_a2": ("respondent", "EXAMPLE-A"),
    "reviewer": ("peer_reviewer", "review-of-a"),
    "reviewer_other": ("peer_reviewer", "review-of-b"),
    "netadmin": ("network_admin", "example-network"),
    "netadmin_other": ("network_admin", "other-network"),
    "admin": ("admin", None),
}
ROLES = ("anonymous", *PEOPLE)


def user_of(bench: dict[str, Any], name: str) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if name == "anonymous" else bench["users"][name]
