"""The search page's map of practices by NUTS region: drawn from boundaries in the local
cache (the hand-made fixture of tests/data/gisco, never GISCO's data), each region a link
that filters by it; without cached boundaries the page says how to fetch them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zaragoza.portal.knowledge.display import parse_search_params, region_map
from zaragoza.portal.monitoring import svg


def _region_links(html: str) -> dict[str, str]:
    """``{NUTS id: link}`` of the regions drawn on the regional map."""
    m = re.search(r'<svg[^>]*data-map="regions".*?</svg>', html, re.S)
    assert m, "no regional map"
    return {
        geo: href.replace("&amp;", "&")
        for href, geo in re.findall(
            r'<a href="([^"]+)"[^>]*><path d="[^"]+" fill="[^"]+" '
            r'data-geo="(\w+)"',
            m.group(0),
        )
    }


def test_the_regions_practices_name_are_drawn_and_filter(
    client: Client, kb: Any, nuts_cache: Path
) -> None:
    html = client.get("/en/practices/").content.decode()
    # The example language café names Vienna (AT13); the fixture draws AT12, AT13, EL30.
    assert _region_links(html) == {"AT13": "?region=AT13"}
    assert "<title>Wien (AT13): 1</title>" in html
    assert 'data-geo="AT12"' not in html  # no practice there: not drawn
    assert "Practices by NUTS 2 region" in html
    assert "Not on this map" not in html
    # The link filters: the practice of that region alone, the region chip shown.
    filtered = client.get("/en/practices/?region=AT13").content.decode()
    assert re.findall(r'data-practice="([\w-]+)"', filtered) == ["example-language-cafe"]
    assert _region_links(filtered) == {"AT13": "?"}  # a second select removes the filter
    fr = client.get("/fr/practices/").content.decode()
    assert "Carte de l&#x27;Europe : pratiques par région NUTS 2" in fr
    assert "Pratiques par région NUTS 2 (chaque région citée par une pratique)" in fr


def test_without_cached_boundaries_the_page_says_how_to_fetch_them(
    client: Client, kb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZARAGOZA_CACHE", str(tmp_path / "empty-cache"))
    html = client.get("/en/practices/").content.decode()
    assert 'data-map="regions"' not in html
    assert 'id="practice-region-map"' in html
    assert "<code>zaragoza geo fetch --level 2</code>" in html
    assert "Not on this map: AT13." in html
    # No practice found names a region: no regional map, and no hint either.
    html = client.get("/en/practices/?country=SE").content.decode()
    assert 'id="practice-region-map"' not in html


def test_fetched_boundaries_are_never_hidden_by_a_kept_page(
    client: Client, kb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nuts_cache: Path
) -> None:
    monkeypatch.setenv("ZARAGOZA_CACHE", str(tmp_path / "empty-cache"))
    assert 'data-map="regions"' not in client.get("/en/practices/").content.decode()
    monkeypatch.setenv("ZARAGOZA_CACHE", str(nuts_cache))
    assert 'data-map="regions"' in client.get("/en/practices/").content.decode()


def test_the_level_most_regions_are_at_is_drawn(db: None, nuts_cache: Path) -> None:
    query = parse_search_params({})
    got = region_map({"AT13": 3, "AT12": 1, "ES51": 2, "DEA": 4, "SE": 9, "AT11": 0}, query)
    assert got is not None
    assert got["level"] == 2
    # DEA is of level 1, ES51 has no boundary in the cache; SE is a country, AT11 has none.
    assert got["not_on_map"] == ["DEA", "ES51"]
    links = _region_links(str(got["svg"]))
    assert links == {"AT12": "?region=AT12", "AT13": "?region=AT13"}
    classes = svg.bins([3.0, 1.0])
    fills = re.findall(r'fill="(#\w+)" data-geo="(\w+)"', str(got["svg"]))
    assert {geo: colour for colour, geo in fills} == {
        "AT12": classes[svg.bin_of(1.0, classes)].colour,
        "AT13": classes[svg.bin_of(3.0, classes)].colour,
    }
    # A tie between levels goes to the lower level; no region at all, no map.
    tie = region_map({"DEA": 1, "AT13": 1}, query)
    assert tie is not None
    assert tie["level"] == 1
    assert region_map({"SE": 2}, query) is None


def test_a_damaged_cache_leaves_the_page_without_the_map(
    client: Client, kb: Any, nuts_cache: Path
) -> None:
    """A cached file edited by hand (a feature without geometry) is not drawn: the page
    answers, says how to fetch the boundaries again, and names the region."""
    import json

    path = nuts_cache / "gisco" / "nuts-2021-20M-2.geojson"
    body = json.loads(path.read_text(encoding="utf-8"))
    del body["features"][1]["geometry"]
    path.write_text(json.dumps(body), encoding="utf-8")
    response = client.get("/en/practices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-map="regions"' not in html
    assert "<code>zaragoza geo fetch --level 2</code>" in html
    assert "Not on this map: AT13." in html
