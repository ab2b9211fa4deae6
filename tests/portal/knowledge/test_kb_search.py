"""Search in the database in use: SQLite FTS5 here, PostgreSQL when the portal suite is
re-run there (tests/portal/test_postgres.py). Same results, same order rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from zaragoza.knowledge.rules import State
from zaragoza.knowledge.schema import Practice as Record
from zaragoza.knowledge.schema import validation_context
from zaragoza.portal.knowledge.services import import_practices


def _slugs(client: Client, query: str) -> list[str]:
    data = client.get("/api/v1/practices?" + query).json()
    return [r["id"] for r in data["results"]]


def test_the_search_table_is_the_databases_own(kb: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM knowledge_practice_fts")
        else:
            cur.execute("SELECT count(*) FROM knowledge_practice_search")
        assert cur.fetchone()[0] == 3


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("library", ["example-language-cafe"]),  # a word of the activities
        ("mentors", ["example-job-mentoring"]),  # stemmed: mentor, mentoring
        ("bénévoles", ["example-language-cafe"]),  # the French translation
        ("benevoles", ["example-language-cafe"]),  # accents folded or stemmed alike
        ('"bridge classes"', ["example-school-bridge"]),  # a phrase
        ('"classes bridge"', []),  # words in another order
        ("newcomers -library", ["example-job-mentoring"]),  # excluded word; its organisation's name
        ("Sprachcafé", ["example-language-cafe"]),  # the German title
        ("nothing-like-this", []),
    ],
)
def test_full_text(client: Client, kb: Any, q: str, expected: list[str]) -> None:
    from urllib.parse import urlencode

    assert sorted(_slugs(client, urlencode({"q": q}))) == expected


def test_every_implementing_country_counts_and_facets_have_counts(client: Client, kb: Any) -> None:
    assert _slugs(client, "country=DE") == ["example-school-bridge"]  # not its first country
    data = client.get("/api/v1/practices?country=AT").json()
    assert data["count"] == 2
    assert data["facets"]["country"] == {"AT": 2, "DE": 1, "SE": 1}  # other countries' counts
    assert data["facets"]["theme"]["language"] == 1
    assert data["facets"]["indicator"]["employment_rate"] == 1
    assert data["facets"]["funding"] == {"amif": 1, "local": 1, "national": 1}
    assert data["facets"]["language"]["fr"] == 1
    assert data["facets"]["year"]["2019"] == 2  # the café started in 2019, the bridge in 2016
    assert data["facets"]["year"].get("2015", 0) == 0
    assert _slugs(client, "year=2015") == ["example-job-mentoring"]
    assert _slugs(client, "region=AT13") == ["example-language-cafe"]
    assert _slugs(client, "evidence=external_evaluation") == ["example-job-mentoring"]
    assert _slugs(client, "theme=language&country=SE") == []


def _add(n: int, **fields: Any) -> None:
    base = {
        "id": f"example-rank-{n}",
        "title": f"Example {n}",
        "language": "en",
        "level": "local",
        "countries": ["AT"],
        "themes": ["employment"],
        "summary": "An invented example.",
        "context": "c",
        "objectives": "o",
        "activities": "a",
        "evaluation": "none",
        "start": "2018",
        "checked": "2026-01-01",
        "sources": [{"title": "Invented", "url": "https://example.org/x"}],
    }
    rec = Record.model_validate(base | fields, context=validation_context())
    import_practices([rec], state=State.PUBLISHED)


def test_the_order_rules_are_the_same_on_every_database(client: Client, db: None) -> None:
    _add(1, activities="Counselling on apprenticeship and apprenticeship contracts.")
    _add(2, title="Example: apprenticeship bridge")
    _add(3, summary="An invented example about apprenticeship.")
    _add(4, title="Example: apprenticeship bridge")
    # Title above summary above the other texts; equal scores: newest, then id.
    assert _slugs(client, "q=apprenticeship") == [
        "example-rank-4",
        "example-rank-2",
        "example-rank-3",
        "example-rank-1",
    ]
    assert _slugs(client, "q=apprenticeship&sort=title")[:2] == ["example-rank-1", "example-rank-3"]
    assert _slugs(client, "sort=newest") == [
        "example-rank-4",
        "example-rank-3",
        "example-rank-2",
        "example-rank-1",
    ]
    page = client.get("/api/v1/practices?q=apprenticeship&limit=2&offset=2")
    assert [r["id"] for r in page.json()["results"]] == ["example-rank-3", "example-rank-1"]
    assert 'rel="prev"' in page.headers["Link"]


def test_search_page_state_lives_in_the_url(client: Client, kb: Any) -> None:
    r = client.get("/en/practices/?q=classes&country=AT&theme=education&sort=title")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-practice="example-school-bridge"' in html
    assert 'value="classes"' in html
    # The facet links keep the query and toggle one code.
    assert "?q=classes&amp;theme=education&amp;sort=title" in html  # remove AT
    assert 'data-map="practices"' in html
    assert 'data-geo="AT"' in html
    assert client.get("/en/practices/?theme=cooking").status_code == 400
