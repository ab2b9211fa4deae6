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


def _documents() -> dict[int, str]:
    """Every practice's full-text row, as text, by practice id."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "SELECT rowid, title || '|' || summary || '|' || body FROM knowledge_practice_fts"
            )
        else:
            cur.execute("SELECT practice_id, document::text FROM knowledge_practice_search")
        return dict(cur.fetchall())


def test_documents_made_in_parallel_equal_those_made_in_chunks(
    client: Client, kb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import on PostgreSQL makes its documents with the server's parallel
    workers through a staging table (``searching._reindex_in_parallel``); they must be
    the documents that the statements per 500 practices make, and leave no table behind.
    (On SQLite both ways are the same statements.)"""
    from zaragoza.portal.knowledge import searching
    from zaragoza.portal.knowledge.models import Practice

    ids = list(Practice.objects.values_list("id", flat=True))
    in_chunks = _documents()
    assert len(in_chunks) == 3
    monkeypatch.setattr(searching, "PARALLEL_REINDEX", 1)
    searching.reindex(ids)
    assert _documents() == in_chunks
    assert _slugs(client, "q=library") == ["example-language-cafe"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_tables "
                "WHERE tablename LIKE 'knowledge_practice_search_stage%'"
            )
            assert cur.fetchone()[0] == 0


def test_a_role_that_may_not_create_tables_gets_its_documents_made_in_chunks(
    client: Client, kb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the staging table may not be created (permission denied), the documents
    are made as for a small import, and nothing of the refused attempt stays."""
    from zaragoza.portal.knowledge import searching
    from zaragoza.portal.knowledge.models import Practice

    ids = list(Practice.objects.values_list("id", flat=True))
    in_chunks = _documents()
    if connection.vendor != "postgresql":
        # the staging table is PostgreSQL's alone (the suite runs again there in CI)
        def refuse(ids: list[int]) -> bool:
            raise AssertionError("no staging table on SQLite")

        monkeypatch.setattr(searching, "_reindex_in_parallel", refuse)
        monkeypatch.setattr(searching, "PARALLEL_REINDEX", 1)
        searching.reindex(ids)
        assert _documents() == in_chunks
        return
    # no role may create a table in the system catalogue: permission denied, 42501
    monkeypatch.setattr(searching, "_stage_name", lambda: "pg_catalog.zaragoza_refused")
    assert searching._reindex_in_parallel(ids) is False
    monkeypatch.setattr(searching, "PARALLEL_REINDEX", 1)
    searching.reindex(ids)
    assert _documents() == in_chunks
    assert _slugs(client, "q=library") == ["example-language-cafe"]
