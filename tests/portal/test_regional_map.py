"""The indicator page's regional map: NUTS regions drawn from boundaries in the local
cache (a hand-made fixture here, never GISCO's data), their table, and the fetch hint
when the boundaries are not cached."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zaragoza.portal.monitoring import svg
from zaragoza.sources.gisco import reduce_nuts

FIXTURE = Path(__file__).parent.parent / "data" / "gisco" / "nuts_rg_level2_handmade.geojson"

REGIONAL = """\
indicator,geo,time,citizen,c_birth,sex,age,compare_to,value,se,ci_lo,ci_hi,cv,n,n_missing,flag
employment_rate,AT,2023,NAT,TOTAL,T,Y20-64,,80.1,0.5,79.1,81.1,0.6,900,0,
employment_rate,AT,2023,FOR,TOTAL,T,Y20-64,,70.2,1.5,67.3,73.1,2.1,300,0,
employment_rate,AT13,2023,FOR,TOTAL,T,Y20-64,,64.5,2.5,59.6,69.4,3.9,120,0,u
employment_rate,AT12,2023,FOR,TOTAL,T,Y20-64,,73.0,2.0,69.1,76.9,2.7,90,0,
employment_rate,AT11,2023,FOR,TOTAL,T,Y20-64,,75.5,3.0,69.6,81.4,4.0,40,0,
employment_rate,AT13,2023,NAT,TOTAL,T,Y20-64,,78.0,1.0,76.0,80.0,1.3,400,0,
"""
URL = "/en/indicators/employment_rate/?geo=AT&group=FOR&time=2023"


def _tables(html: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for name, body in re.findall(r'<table data-table="(\w+)".*?<tbody>(.*?)</tbody>', html, re.S):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        out[name] = [
            [
                " ".join(re.sub(r"<[^>]+>", " ", c).split())
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
            ]
            for r in rows
        ]
    return out


@pytest.fixture
def regional_warehouse(tmp_path: Path, settings: Any) -> Path:
    """A warehouse with Austria and three of its NUTS 2 regions (one without boundaries)."""
    from zaragoza.warehouse.loads import load_observation_files
    from zaragoza.warehouse.store import Warehouse

    csv = tmp_path / "regional.csv"
    csv.write_text(REGIONAL, encoding="utf-8")
    path = tmp_path / "regional.duckdb"
    with Warehouse(path) as wh:
        load_observation_files(wh, [csv], source="computed", synthetic=False)
    settings.ZARAGOZA_WAREHOUSE = path
    return path


def _spec(html: str, name: str) -> dict[str, Any]:
    m = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    assert m, name
    spec: dict[str, Any] = json.loads(m.group(1))
    return spec


def test_regional_map_and_table_from_cached_boundaries(
    regional_warehouse: Path, nuts_cache: Path, client: Client
) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Regions (NUTS 2)" in html
    assert "data-geo-hint" not in html
    assert "Regions (NUTS) are not shown" not in html
    spec = _spec(html, "regions-data")
    assert spec["kind"] == "map"
    assert spec["fit"] is True
    assert spec["geojson"] == "/geo/nuts/2021/20M/2.geojson"
    # AT11 has a value but no boundary in the fixture: table only, and said so.
    assert spec["locations"] == ["AT12", "AT13"]
    classes = svg.bins([73.0, 64.5, 75.5])
    assert spec["colours"] == [b.colour for b in classes]
    assert spec["z"] == [svg.bin_of(73.0, classes), svg.bin_of(64.5, classes)]
    assert spec["text"][1] == "Wien: 64.5 u (low reliability)"
    assert spec["text"][0] == "Niederösterreich: 73.0"
    # Regions of countries without any value are not drawn at all (EL30).
    assert spec["noData"]["locations"] == []
    assert "(AT11) are in the table only" in html
    regions = _tables(html)["regions"]
    assert regions == [
        ["1", "AT11", "Austria", "75.5"],
        ["2", "Niederösterreich AT12", "Austria", "73.0"],
        ["3", "Wien AT13", "Austria", "64.5 u (low reliability)"],
    ]
    # A region's own series is a page too.
    assert client.get(URL.replace("geo=AT", "geo=AT13")).status_code == 200
    # Regions are not ranked among countries.
    ranking = _tables(html)["ranking"]
    assert [r[1] for r in ranking if len(r) > 1] == ["Austria"]
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_boundaries_are_served_from_the_cache_with_an_etag(
    regional_warehouse: Path, nuts_cache: Path, client: Client
) -> None:
    response = client.get("/geo/nuts/2021/20M/2.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = json.loads(b"".join(response.streaming_content))
    assert [f["id"] for f in body["features"]] == ["AT12", "AT13", "EL30"]
    etag = response["ETag"]
    again = client.get("/geo/nuts/2021/20M/2.geojson", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert client.get("/geo/nuts/2021/20M/3.geojson").status_code == 404
    assert client.get("/geo/nuts/2024/20M/2.geojson").status_code == 404


def test_without_cached_boundaries_the_page_says_how_to_fetch_them(
    regional_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    monkeypatch.setenv("ZARAGOZA_CACHE", str(tmp_path / "empty-cache"))
    html = client.get(URL).content.decode()
    assert "data-geo-hint" in html
    assert "<code>zaragoza geo fetch --level 2</code>" in html
    assert 'id="regions-data"' not in html
    regions = _tables(html)["regions"]
    assert [r[1] for r in regions] == ["AT11", "AT12", "AT13"]
    assert client.get("/geo/nuts/2021/20M/2.geojson").status_code == 404


def test_fetching_boundaries_changes_the_cached_page(
    regional_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    root = tmp_path / "later"
    monkeypatch.setenv("ZARAGOZA_CACHE", str(root))
    assert "data-geo-hint" in client.get(URL).content.decode()
    (root / "gisco").mkdir(parents=True)
    body = reduce_nuts(json.loads(FIXTURE.read_text(encoding="utf-8")), level=2)
    (root / "gisco" / "nuts-2021-20M-2.geojson").write_text(json.dumps(body), encoding="utf-8")
    assert 'id="regions-data"' in client.get(URL).content.decode()


def test_pages_without_regions_have_no_regional_section(portal: Path, client: Client) -> None:
    html = client.get("/en/indicators/employment_rate/").content
    assert b'id="regions-section"' not in html
    assert b"data-geo-hint" not in html
