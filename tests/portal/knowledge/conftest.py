"""Knowledge-base fixtures: the example content (tests/data/knowledge) and one user per
role, without passwords (tests sign in with ``force_login``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zaragoza.knowledge.content import load_content

CONTENT = Path(__file__).parent.parent.parent / "data" / "knowledge" / "content"

#: name: (role, countries)
ROLES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "plain": (None, ()),
    "owner": ("contributor", ()),
    "other": ("contributor", ()),
    "coord_at": ("coordinator", ("AT",)),
    "coord_se": ("coordinator", ("SE",)),
    "editor": ("editor", ()),
    "admin": ("admin", ()),
}


@pytest.fixture
def kb(db: None) -> Any:
    """The example content, seeded as published practices."""
    from zaragoza.portal.knowledge.services import seed

    content = load_content(CONTENT)
    seed(content)
    return content


@pytest.fixture
def users(db: None) -> dict[str, Any]:
    """One user per entry of :data:`ROLES` (``anonymous`` is the absence of one)."""
    from django.contrib.auth import get_user_model

    from zaragoza.portal.accounts.users import grant

    made = {}
    for name, (role, countries) in ROLES.items():
        # No password at all (tests sign in with force_login): no default password, and
        # no slow hashing in every test.
        user = get_user_model().objects.create_user(
            name, email=f"{name}@example.org", password=None
        )
        if role:
            grant(user, role, countries)
        made[name] = user
    return made


@pytest.fixture
def make_practice(db: None) -> Callable[..., Any]:
    """Make a practice of ``countries`` in ``state`` owned by ``owner``, complete and
    eligible (started in 2018), straight in the database."""
    from zaragoza.knowledge.schema import Practice as Record
    from zaragoza.knowledge.schema import validation_context
    from zaragoza.portal.knowledge import services
    from zaragoza.portal.knowledge.models import Practice

    counter = iter(range(1, 10_000))

    def make(countries: tuple[str, ...], state: str, owner: Any) -> Any:
        n = next(counter)
        rec = Record.model_validate(
            {
                "id": f"example-made-{n}",
                "title": f"Example: made practice {n}",
                "language": "en",
                "summary": "An invented example for tests.",
                "countries": list(countries),
                "level": "local",
                "themes": ["employment"],
                "start": "2018-01-01",
                "context": "c",
                "objectives": "o",
                "activities": "a",
                "evaluation": "none",
                "sources": [{"title": "Invented example", "url": "https://example.org/t"}],
                "checked": "2026-01-01",
            },
            context=validation_context(),
        )
        p = Practice(owner=owner, state=state, example=True)
        services._apply(p, rec, {})
        if state == "published":
            from django.utils import timezone

            p.published_at = timezone.now()
        p.save()
        if state == "published":
            services.reindex([p.pk])
            services.bump_version()
        return p

    return make
