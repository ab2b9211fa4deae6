"""The site search: one box in every page's header, a results page in the page's
language finding indicators, countries, regions, pages and practices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client


def results(client: Client, lang: str, q: str) -> tuple[str, dict[str, list[str]]]:
    res = client.get(f"/{lang}/search/", {"q": q})
    assert res.status_code == 200
    html = res.content.decode()
    groups: dict[str, list[str]] = {}
    for key, body in re.findall(r'data-results="(\w+)">(.*?)</section>', html, re.S):
        groups[key] = re.findall(r'<li><a href="([^"]+)">', body)
    return html, groups


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_every_page_has_the_search_box(portal: Path, client: Client, lang: str) -> None:
    for path in ("", "indicators/", "countries/AT/", "data/", "practices/"):
        html = client.get(f"/{lang}/{path}").content.decode()
        form = re.search(r'<form role="search"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        assert form, path
        assert form[1] == f"/{lang}/search/"
        # an accessible form: the input has a label, the button a name
        assert re.search(r'<label for="site-search-q"[^>]*>[^<]+</label>', form[2])
        assert 'id="site-search-q" name="q"' in form[2]
        assert re.search(r'<button type="submit">[^<]+</button>', form[2])


@pytest.mark.parametrize(
    ("lang", "q", "country"),
    [("en", "austria", "AT"), ("fr", "autriche", "AT"), ("de", "Österreich", "AT"),
     ("de", "osterreich", "AT"), ("fr", "Grèce", "EL"), ("en", "EL", "EL")],
)  # fmt: skip
def test_countries_in_the_pages_language(
    portal: Path, client: Client, lang: str, q: str, country: str
) -> None:
    _, groups = results(client, lang, q)
    assert f"/{lang}/countries/{country}/" in groups["countries"]


def test_a_countrys_name_in_another_language_is_not_its_name_here(
    portal: Path, client: Client
) -> None:
    _, groups = results(client, "de", "autriche")
    assert "countries" not in groups


@pytest.mark.parametrize(
    ("lang", "q"),
    [("en", "employment rate"), ("fr", "taux d'emploi"), ("de", "Erwerbstätigenquote")],
)
def test_indicators_by_their_translated_title(
    portal: Path, client: Client, lang: str, q: str
) -> None:
    html, groups = results(client, lang, q)
    assert f"/{lang}/indicators/employment_rate/" in groups["indicators"], html[-3000:]


def test_pages_and_codes(portal: Path, client: Client) -> None:
    _, groups = results(client, "fr", "comparer")
    assert "/fr/compare/" in groups["pages"]
    _, groups = results(client, "en", "employment_rate")
    assert groups["indicators"][0] == "/en/indicators/employment_rate/"  # the exact id first
    _, groups = results(client, "de", "herunterladen")
    assert groups["pages"] == ["/de/data/"]


def test_practices_are_found(portal: Path, client: Client, kb: Any) -> None:
    for lang in ("en", "fr", "de"):
        html, groups = results(client, lang, "mentoring")
        assert f"/{lang}/practices/example-job-mentoring/" in groups["practices"], lang
        assert f"/{lang}/practices/?q=mentoring" in html


def test_nothing_found_and_empty_queries(portal: Path, client: Client) -> None:
    html, groups = results(client, "en", "zzzqqq")
    assert groups == {}
    assert "0 results for “zzzqqq”." in html
    html, groups = results(client, "fr", "zzzqqq")
    assert "0 résultat pour « zzzqqq »." in html
    html, _ = results(client, "de", "")
    assert "Geben Sie ein Wort ein" in html
    html, _ = results(client, "en", "x" * 300)
    assert "Only the first 200 characters" in html
