"""Creating users and granting roles (the CLI's ``zaragoza users add``, and tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zaragoza.errors import UsageError
from zaragoza.knowledge.taxonomy import COUNTRIES
from zaragoza.portal.accounts.models import Grant
from zaragoza.portal.accounts.roles import SCOPE_OF, Role

__all__ = ["add_user", "grant"]

#: An entity (LAU or NUTS code), network or review-team code.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")


def grant(user: Any, role: str, scopes: Iterable[str] = ()) -> list[Grant]:
    """Grant ``role`` to ``user`` for each of ``scopes`` (countries for a coordinator;
    entity codes for a city coordinator or respondent; network codes for a network
    administrator; review-team ids for a peer reviewer).

    Raises
    ------
    UsageError
        For an unknown role, a missing or unknown scope, or a scope the role has none of.
    """
    try:
        r = Role(role)
    except ValueError:
        raise UsageError(
            "unknown role", value=role, hint="Use one of " + ", ".join(x.value for x in Role)
        ) from None
    kind = SCOPE_OF[r]
    scopes = [s.strip() for s in scopes if s.strip()]
    if kind is None and scopes:
        raise UsageError(f"the {r.value} role has no scope", value=",".join(scopes))
    if kind is not None and not scopes:
        article = "an" if kind[0] in "aeiou" else "a"
        raise UsageError(f"the {r.value} role needs {article} {kind}", hint=f"Give --{kind}")
    if kind == "country":
        bad = [s for s in scopes if s not in COUNTRIES]
        if bad:
            raise UsageError(
                "unknown country",
                value=",".join(bad),
                hint="Eurostat geo codes: " + " ".join(COUNTRIES),
            )
    if kind in ("entity", "network", "review"):
        bad = [s for s in scopes if not _CODE.match(s)]
        if bad:
            raise UsageError(
                f"invalid {kind} code",
                value=",".join(bad),
                hint="Letters, digits, '_', '.', '-', at most 20 characters",
            )
    made = []
    for scope in scopes or [""]:
        g, _ = Grant.objects.get_or_create(
            user=user, role=r.value, defaults=None, **({kind: scope} if kind else {})
        )
        made.append(g)
    if r is Role.ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_zaragoza_grants", None)
    return made


def add_user(
    username: str, *, email: str, password: str, role: str, scopes: Iterable[str] = ()
) -> Any:
    """Create a user with ``password`` (checked by the site's password rules) and grant
    ``role``; all or nothing."""
    users: Any = get_user_model()
    if users.objects.filter(username=username).exists():
        raise UsageError("a user of that name exists already", value=username)
    candidate = users(username=username, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise UsageError("the password is refused", hint=" ".join(exc.messages)) from None
    with transaction.atomic():
        user = users.objects.create_user(username=username, email=email, password=password)
        grant(user, role, scopes)
    return user
