"""Fixtures of the skills tests: keys, counsellors of two organisations, a person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet


@pytest.fixture
def keys(settings: Any) -> list[str]:
    settings.ZARAGOZA_PROFILE_KEYS = [Fernet.generate_key().decode()]
    return list(settings.ZARAGOZA_PROFILE_KEYS)


@pytest.fixture
def people(users: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from zaragoza.portal.accounts.users import grant

    made = dict(users)
    for name, org in (("counsellor_a", "org-a"), ("counsellor_b", "org-b")):
        made[name] = get_user_model().objects.create_user(name, password=None)
        grant(made[name], "counsellor", [org])
    made["person"] = get_user_model().objects.create_user("person", password=None)
    return made


@pytest.fixture
def make_profile(people: dict[str, Any]) -> Callable[..., Any]:
    return lambda name="Amina Example": _make_profile(people, name)


def _make_profile(people: dict[str, Any], name: str) -> Any:
    from zaragoza.portal.skills import services
    from zaragoza.skills.profile import Profile as Record

    record = Record.model_validate(
        {
            "geo": "AT",
            "host_language": "de",
            "interview_date": dt.date(2026, 3, 1),
            "person": {"name": name},
        }
    )
    p = services.create(
        "org-a", record, {"counsellor": "en", "person": "fr"}, False, people["counsellor_a"]
    )
    p.owner = people["person"]
    p.save()
    return p
