"""Benchmark fixtures: the made-up framework (tests/data/benchmarks), the example round
seeded on it, an open round with two cities in it, and one user per benchmark role
(without passwords: tests sign in with force_login)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench_people import PEOPLE

FRAMEWORK = Path(__file__).parents[2] / "data" / "benchmarks" / "example-index.yaml"


@pytest.fixture
def framework_file(settings: Any) -> Iterator[Path]:
    from zaragoza.portal.benchmarks import services

    settings.ZARAGOZA_FRAMEWORKS = [str(FRAMEWORK)]
    services._load.cache_clear()
    yield FRAMEWORK
    services._load.cache_clear()


@pytest.fixture
def bench(
    portal: Path, framework_file: Path, db: None, settings: Any, tmp_path: Path
) -> dict[str, Any]:
    """The example rounds (published) and an open round ``test-round`` of the example
    network with Example city A and B in it as drafts, a review team for A and one for
    B, ``edu1`` and ``wel1`` of A assigned to ``resp_a``, and the people of
    :data:`PEOPLE`."""
    from django.contrib.auth import get_user_model

    from zaragoza.portal.accounts.users import grant
    from zaragoza.portal.benchmarks.example import seed_example
    from zaragoza.portal.benchmarks.models import (
        Assessment,
        Assignment,
        Entity,
        Network,
        Review,
        Round,
    )

    settings.MEDIA_ROOT = tmp_path / "uploads"
    seed_example(framework="example-index@1")
    net = Network.objects.get(code="example-network")
    Network.objects.create(code="other-network", name="Other example network", example=True)
    rnd = Round.objects.create(
        slug="test-round", title="Test round", framework="example-index@1", network=net,
        year=2027, example=True,
    )  # fmt: skip
    a = Assessment.objects.create(round=rnd, entity=Entity.objects.get(code="EXAMPLE-A"))
    b = Assessment.objects.create(round=rnd, entity=Entity.objects.get(code="EXAMPLE-B"))
    review_a = Review.objects.create(assessment=a)
    review_b = Review.objects.create(assessment=b)
    reviews = {"review-of-a": str(review_a.pk), "review-of-b": str(review_b.pk)}
    users = {}
    for name, (role, scope) in PEOPLE.items():
        user = get_user_model().objects.create_user(
            name, email=f"{name}@example.org", password=None
        )
        if role:
            scopes = [reviews.get(scope, scope)] if scope else []
            grant(user, role, scopes)
        users[name] = user
    Assignment.objects.create(assessment=a, respondent=users["resp_a"], questions=["edu1", "wel1"])
    return {
        "round": rnd,
        "a": a,
        "b": b,
        "review_a": review_a,
        "review_b": review_b,
        "users": users,
    }
