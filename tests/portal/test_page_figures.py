"""The compare and indicator pages' downloads are exactly their figures (issue: both linked
to the API selection they drew from, every year of the groups shown, and the compare
page's gaps of published figures were not in it), and the indicator page's series table
gives each figure's 95% interval, SE and n (it gave none).

Each test reads the page as HTML (the ``data-`` attributes the templates put on each
table), follows the page's own "download these figures" links and compares the rows with
the figures shown, or the intervals shown with the warehouse's value and SE.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.test import Client
from test_honest_figures import (
    FORMATS,
    csv_rows,
    download_links,
    get,
    number,
    one_row,
    shown_interval,
    shown_value,
)
from test_regional_map import URL as REGIONAL_URL
from test_regional_map import regional_warehouse  # noqa: F401 (a fixture)

from zaragoza.catalog.loader import load_catalog
from zaragoza.portal.monitoring.pages.common import cell

Key = tuple[str, str, int, str, str, str, str]
Shown = dict[Key, tuple[float, float] | None]


def key_of(row: dict[str, Any]) -> Key:
    return (row["indicator"], row["geo"], int(row["time"]), row["citizen"], row["c_birth"],
            row["sex"], row["compare_to"] or "")  # fmt: skip


def key(ind: str, geo: str, year: int, by: str, group: str, sex: str, compare_to: str) -> Key:
    return (ind, geo, year, group if by == "citizen" else "TOTAL",
            group if by == "c_birth" else "TOTAL", sex, compare_to)  # fmt: skip


def table(html: str, name: str) -> tuple[dict[str, str], str]:
    """A table's ``data-`` attributes and its markup."""
    match = re.search(rf'<table data-table="{name}"([^>]*)>(.*?)</table>', html, re.S)
    assert match, name
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1))), match.group(2)


def tds(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def add(shown: Shown, k: Key, inner: str) -> None:
    """Note a figure shown; a figure shown twice (a latest figure is in the series too)
    shows the same value."""
    value = shown_value(inner)
    assert shown.get(k, value) == value, k
    shown[k] = value


def year_columns(html: str, name: str) -> tuple[dict[str, str], list[tuple[int, str, str, str]]]:
    """A table of years by series (columns ``data-group``, ``data-sex`` or ``data-geo``):
    each cell as (year, column attribute, second attribute, markup)."""
    attrs, body = table(html, name)
    head = re.findall(r'<th scope="col" data-([a-z]+)="([^"]+)"(?: data-sex="([^"]+)")?', body)
    out = []
    for row in re.findall(r"<tr><th scope=\"row\">(\d+)</th>(.*?)</tr>", body, re.S):
        cells = tds(row[1])
        assert len(cells) == len(head), row
        for (_, first, second), inner in zip(head, cells, strict=True):
            out.append((int(row[0]), first, second, inner))
    return attrs, out


def compare_shown(html: str) -> Shown:
    """Every figure of the compare page: each place's latest figure, nationals' and the gap
    in the first table, the series in the second."""
    shown: Shown = {}
    attrs, body = table(html, "compare-latest")
    ind, by, group, sex = attrs["indicator"], attrs["by"], attrs["group"], attrs["sex"]
    for geo, row in re.findall(r'<tr data-geo="([^"]+)">(.*?)</tr>', body, re.S):
        value, year, nationals, gap, _n = tds(row)
        if "data-missing" in value and not re.search(r"\d{4}", year):
            continue
        y = int(re.sub(r"<[^>]+>", "", year))
        add(shown, key(ind, geo, y, by, group, sex, ""), value)
        if 'class="na"' not in nationals:
            add(shown, key(ind, geo, y, by, "NAT", sex, ""), nationals)
            add(shown, key(ind, geo, y, by, group, sex, "NAT"), gap)
    attrs, cells = year_columns(html, "compare-series")
    for year, geo, _, inner in cells:
        add(shown, key(ind, geo, year, by, group, sex, ""), inner)
    return shown


def indicator_shown(html: str, part: str | None = None) -> Shown:
    """Every figure of the indicator page (or of one part: ``series``, ``ranking``)."""
    shown: Shown = {}
    if part in (None, "series"):
        for name, compare_to in (("series", ""), ("gap", "NAT")):
            if f'data-table="{name}"' not in html:
                continue
            attrs, cells = year_columns(html, name)
            for year, group, sex, inner in cells:
                k = key(attrs["indicator"], attrs["geo"], year, attrs["by"], group, sex, compare_to)
                add(shown, k, inner)
    if part in (None, "ranking"):
        attrs, body = table(html, "ranking")
        ind, by, group, sex, time = (attrs[a] for a in ("indicator", "by", "group", "sex", "time"))
        for geo, row in re.findall(r'<tr data-geo="([^"]+)">(.*?)</tr>', body, re.S):
            cells = tds(row)
            add(shown, key(ind, geo, int(time), by, group, sex, ""), cells[1])
            if 'class="na"' not in cells[-1]:
                add(shown, key(ind, geo, int(time), by, group, sex, "NAT"), cells[-1])
        for geo, inner in re.findall(r'data-reference="([^"]+)">(.*?)</p>', html, re.S):
            add(shown, key(ind, geo, int(time), by, group, sex, ""), inner)
        if 'data-table="regions"' in html:
            _, body = table(html, "regions")
            for geo, row in re.findall(r'<tr data-geo="([^"]+)">(.*?)</tr>', body, re.S):
                add(shown, key(ind, geo, int(time), by, group, sex, ""), tds(row)[2])
    return shown


def assert_download_is(shown: Shown, rows: list[dict[str, str]]) -> None:
    """The download's rows are the figures shown, one row each, with the value shown."""
    assert shown
    by_key: dict[Key, dict[str, str]] = {}
    for r in rows:
        assert key_of(r) not in by_key, f"one row a figure: {key_of(r)}"
        by_key[key_of(r)] = r
    for k, value in shown.items():
        if value is None:
            assert by_key.get(k, {}).get("value", "") == "", k
            continue
        assert k in by_key, k
        # rounded to the indicator's precision, as the page writes it: the same number
        assert float(by_key[k]["value"]) == pytest.approx(value[0], abs=1e-9), (k, value)
    assert set(by_key) <= set(shown), sorted(set(by_key) - set(shown))[:5]
    assert {k for k, r in by_key.items() if r["value"] != ""} == {
        k for k, v in shown.items() if v is not None
    }


COMPARE_PAGES = [
    # computed figures: the warehouse's gap rows, with their intervals
    "indicator=employment_rate&geo=AT,SE&source=computed&sex=T&group=NEU27_2020_FOR",
    # published figures: gaps the page computes from two published values
    "indicator=employment_rate&geo=AT,SE,DE&source=published",
    # an indicator where lower is better, women
    "indicator=unemployment_rate&geo=SE,AT&source=computed&sex=F",
]


@pytest.mark.parametrize("query", COMPARE_PAGES)
def test_compare_download_gives_exactly_the_figures_on_the_page(
    portal: Path, client: Client, query: str
) -> None:
    html = get(client, f"/en/compare/?{query}").decode()
    links = download_links(html)
    assert set(links) == set(FORMATS)
    assert all(u.startswith("/api/v1/compare/figures?") for u in links.values())
    rows = csv_rows(get(client, links["csv"]))
    shown = compare_shown(html)
    assert_download_is(shown, rows)
    assert any(k[6] == "NAT" for k in shown)
    # the other formats hold the same cells
    assert json.loads(get(client, links["json"]))["count"] == len(rows)
    assert len(csv_rows(get(client, links["sdmx-csv"]))) == len(rows)
    book = openpyxl.load_workbook(io.BytesIO(get(client, links["xlsx"])), read_only=True)
    assert len(list(book["data"].iter_rows(values_only=True))) == len(rows) + 1


INDICATOR_PAGES = [
    "/en/indicators/employment_rate/?geo=AT&sex=T,F&source=computed",
    "/en/indicators/employment_rate/?geo=AT&source=published",
    # an indicator where lower is better (its ranking runs the other way)
    "/en/indicators/unemployment_rate/?geo=SE&source=computed&group=NAT",
    "/en/indicators/unemployment_rate/?source=published",
]


@pytest.mark.parametrize("url", INDICATOR_PAGES)
def test_indicator_downloads_give_exactly_the_figures_on_the_page(
    portal: Path, client: Client, url: str
) -> None:
    html = get(client, url).decode()
    blocks = re.findall(r'<p class="downloads" data-downloads>(.*?)</p>', html, re.S)
    assert len(blocks) == 2  # beside the series and beside the ranking
    for part, block in zip(("series", "ranking"), blocks, strict=True):
        links = {
            fmt: unescape(u)
            for u, fmt in re.findall(r'<a href="([^"]+)" data-format="([^"]+)"', block)
        }
        assert set(links) == set(FORMATS)
        ident = url.split("/")[3]
        assert all(u.startswith(f"/api/v1/indicators/{ident}/figures?") for u in links.values())
        assert all(f"part={part}" in u for u in links.values())
        assert_download_is(indicator_shown(html, part), csv_rows(get(client, links["csv"])))
        if part == "series":
            whole = links["csv"].replace(f"&part={part}", "").replace(f"part={part}&", "")
    # without a part: the whole page, each figure once
    assert_download_is(indicator_shown(html), csv_rows(get(client, whole)))


def test_ranking_download_holds_the_regions_table(
    regional_warehouse: Path,  # noqa: F811 (the fixture)
    client: Client,
) -> None:
    html = get(client, REGIONAL_URL).decode()
    assert 'data-table="regions"' in html
    block = re.findall(r'<p class="downloads" data-downloads>(.*?)</p>', html, re.S)[1]
    url = unescape(re.search(r'<a href="([^"]+)" data-format="csv"', block).group(1))  # type: ignore[union-attr]
    rows = csv_rows(get(client, url))
    assert {"AT11", "AT12", "AT13"} <= {r["geo"] for r in rows}
    assert_download_is(indicator_shown(html, "ranking"), rows)


def test_published_gaps_are_in_the_downloads_as_the_difference_shown(
    portal: Path, client: Client
) -> None:
    pages = [
        "/en/compare/?indicator=employment_rate&geo=AT,SE,DE&source=published",
        "/en/indicators/employment_rate/?geo=AT&source=published",
    ]
    for page in pages:
        links = download_links(get(client, page).decode())
        rows = json.loads(get(client, links["json"]))["results"]
        gaps = [r for r in rows if r["compare_to"] == "NAT"]
        assert gaps, page
        levels = {key_of(r): r for r in rows if r["compare_to"] == ""}
        checked = 0
        for g in gaps:
            assert g["source"] == "published"
            assert g["se"] is None
            assert g["ci_lo"] is None
            assert g["ci_hi"] is None
            mine = levels.get((*key_of(g)[:6], ""))
            nat_key = [*key_of(g)[:6], ""]
            nat_key[3 if g["citizen"] != "TOTAL" else 4] = "NAT"
            nat = levels.get(tuple(nat_key))  # type: ignore[arg-type]
            if mine is not None and nat is not None:
                assert g["value"] == pytest.approx(mine["value"] - nat["value"], abs=1e-9)
                checked += 1
        assert checked, page
        notes = " ".join(json.loads(get(client, links["jsonstat"]))["note"])
        assert "difference of Eurostat's two published values, computed by Zaragoza" in notes
        about = openpyxl.load_workbook(io.BytesIO(get(client, links["xlsx"])), read_only=True)
        text = " ".join(str(c) for r in about["about"].iter_rows(values_only=True) for c in r if c)
        assert "computed by Zaragoza" in text


@pytest.mark.parametrize(
    "page",
    [
        "/en/compare/?indicator=unemployment_rate&geo=AT,SE&source=computed",
        "/en/indicators/unemployment_rate/?geo=AT&source=computed",
    ],
)
def test_every_format_of_the_figures_says_which_are_synthetic(
    portal: Path, client: Client, page: str
) -> None:
    links = download_links(get(client, page).decode())
    rows = csv_rows(get(client, links["csv"]))
    assert rows
    assert {r["synthetic"] for r in rows} == {"True"}
    assert all(r["synthetic"] for r in json.loads(get(client, links["json"]))["results"])
    doc = json.loads(get(client, links["jsonstat"]))
    assert "synthetic records" in doc["note"][0]
    assert doc["extension"]["synthetic"]
    assert {r["SYNTHETIC"] for r in csv_rows(get(client, links["sdmx-csv"]))} == {"true"}
    book = openpyxl.load_workbook(io.BytesIO(get(client, links["xlsx"])), read_only=True)
    header = next(book["data"].iter_rows(max_row=1, values_only=True))
    assert "synthetic" in header
    about = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True) if r and r[0]}
    assert "synthetic records" in about["synthetic"]
    ml = get(client, links["csv"].replace("format=csv", "format=sdmx-ml")).decode()
    assert ml.count('SYNTHETIC="true"') == len(rows)
    assert 'SYNTHETIC="false"' not in ml
    # Eurostat's figures are not synthetic, and the files say so
    published = links["json"].replace("source=computed", "source=published")
    results = json.loads(get(client, published))["results"]
    assert results
    assert not any(r["synthetic"] for r in results)
    ml = get(client, published.replace("format=json", "format=sdmx-ml")).decode()
    assert 'SYNTHETIC="true"' not in ml


def test_figures_are_rounded_as_shown_unless_asked_for_every_digit(
    portal: Path, client: Client
) -> None:
    base = "/api/v1/indicators/employment_rate/figures?geo=AT&source=computed&part=series"
    rounded = json.loads(get(client, base))["results"]
    full = json.loads(get(client, base + "&precision=full"))["results"]
    assert len(rounded) == len(full)
    digits = [len(repr(r["value"]).split(".")[1]) for r in full if r["value"] is not None]
    assert max(digits) > 1
    for r, f in zip(rounded, full, strict=True):
        assert r["value"] == pytest.approx(round(f["value"], 1), abs=1e-9)
        assert r["se"] == pytest.approx(round(f["se"], 2), abs=1e-9)


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/v1/indicators/nope/figures", 404, "indicator_id"),
        ("/api/v1/indicators/employment_rate/figures?part=map", 400, "part"),
        ("/api/v1/indicators/employment_rate/figures?time=1900", 404, "time"),
        ("/api/v1/indicators/employment_rate/figures?geo=XX", 404, "geo"),
        ("/api/v1/indicators/employment_rate/figures?sex=X", 400, "sex"),
        ("/api/v1/indicators/employment_rate/figures?year=2023", 400, "year"),
        ("/api/v1/compare/figures?geo=AT", 400, "geo"),
        ("/api/v1/compare/figures?geo=AT,AT", 400, "geo"),
        ("/api/v1/compare/figures?geo=AT,SE&indicator=nope", 404, "indicator"),
        ("/api/v1/compare/figures?geo=AT,SE&group=XX", 400, "group"),
        ("/api/v1/compare/figures?geo=AT,SE&format=pdf", 400, "format"),
        ("/api/v1/compare/figures?geo=AT,SE&precision=some", 400, "precision"),
    ],
)
def test_page_figures_refuse_what_the_page_refuses(
    portal: Path, client: Client, url: str, status: int, parameter: str
) -> None:
    err = json.loads(get(client, url, status))
    assert err["parameter"] == parameter, err
    assert err["detail"]


# ------------------------------------------------------------ the series table's intervals


@pytest.mark.parametrize(
    "url", ["/en/indicators/employment_rate/?geo=AT&sex=T,F&source=computed",
            "/en/indicators/median_equivalised_income/?geo=AT&source=computed"],
)  # fmt: skip
def test_series_table_shows_value_plus_or_minus_196_se_and_n(
    portal: Path, client: Client, default_warehouse: Path, url: str
) -> None:
    html = get(client, url).decode()
    assert "plus or minus 1.96 standard errors" in html
    attrs, cells = year_columns(html, "series")
    ind = load_catalog()[attrs["indicator"]]
    checked = 0
    for year, group, sex, inner in cells:
        if "data-missing" in inner:
            continue
        row = one_row(
            default_warehouse, indicator=ind.id, geo=attrs["geo"], time=year,
            citizen=group if attrs["by"] == "citizen" else "TOTAL",
            c_birth=group if attrs["by"] == "c_birth" else "TOTAL",
            sex=sex, age=ind.age_code, compare_to="", source="computed",
        )  # fmt: skip
        value = shown_value(inner)
        assert value is not None
        assert value[0] == pytest.approx(row["value"], abs=value[1])
        interval = shown_interval(inner)
        assert interval is not None, inner
        (lo, half), (hi, _) = interval
        # the 95% interval from the SE, at the indicator's precision (1.96 against the
        # warehouse's 1.959964: a difference far below the last digit shown)
        slack = half + 1e-4 * row["se"]
        assert lo == pytest.approx(row["value"] - 1.96 * row["se"], abs=slack)
        assert hi == pytest.approx(row["value"] + 1.96 * row["se"], abs=slack)
        # written at the indicator's precision, like the value
        assert half == pytest.approx(0.5 * 10**-ind.precision, abs=1e-8)
        assert value[1] == pytest.approx(half, abs=1e-8)
        se = re.search(r'<span class="se" data-se>SE ([^<]+)</span>', inner)
        assert se, inner
        se_value, se_half = number(se.group(1))
        assert se_value == pytest.approx(row["se"], abs=se_half)
        assert se_half == pytest.approx(0.5 * 10 ** -(ind.precision + 1), abs=1e-8)
        n = re.search(r'<span class="n" data-n>n = ([^<]+)</span>', inner)
        assert n, inner
        assert int(unescape(n.group(1)).replace(",", "")) == row["n"]
        checked += 1
    assert checked >= 5


def test_series_table_of_published_figures_says_they_have_no_interval(
    portal: Path, client: Client
) -> None:
    html = get(client, "/en/indicators/employment_rate/?geo=AT&source=published").decode()
    _, body = table(html, "series")
    assert 'class="value"' in body
    assert 'class="ci"' not in body
    assert 'class="se"' not in body
    assert "Eurostat publishes these figures without standard errors" in html


def test_a_computed_cell_without_se_says_it_has_no_interval() -> None:
    row = {"value": 71.25, "time": 2023, "flag": "", "se": None, "ci_lo": None, "n": 250}
    with_se = row | {"se": 1.5, "ci_lo": 68.31, "ci_hi": 74.19}
    template = "monitoring/_cell_se.html"
    bare = render_to_string(template, {"c": cell(row, "1"), "show_no_ci": True})
    assert "no interval (no standard error)" in bare
    assert 'class="ci"' not in bare
    assert "n = 250" in bare
    full = render_to_string(template, {"c": cell(with_se, "1"), "show_no_ci": True})
    assert "[68.3; 74.2]" in full
    assert "SE 1.50" in full
    assert "no interval" not in full


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("fr", ["sa valeur plus ou moins 1,96 erreur type", '<span class="se" data-se>ET ']),
        ("de", ["ihr Wert plus oder minus 1,96 Standardfehler", '<span class="se" data-se>SE ']),
    ],
)
def test_series_table_intervals_are_translated(
    portal: Path, client: Client, lang: str, texts: list[str]
) -> None:
    html = get(client, f"/{lang}/indicators/employment_rate/?geo=AT&source=computed").decode()
    for text in texts:
        assert text in html
    # the decimal comma of the language, in the interval as in the value
    assert re.search(r'<span class="ci" data-ci[^>]*>\[\d+,\d; \d+,\d\]</span>', html)


def test_openapi_describes_the_page_figures(portal: Path, client: Client) -> None:
    schema = json.loads(get(client, "/api/openapi.json"))
    formats = ["json", "csv", "xlsx", "jsonstat", "sdmx-csv", "sdmx-ml"]
    expected = {
        "/api/v1/countries/{geo}/figures": {"geo", "source", "year"},
        "/api/v1/compare/figures": {"indicator", "geo", "source", "sex", "group"},
        "/api/v1/indicators/{indicator_id}/figures": {
            "indicator_id", "source", "by", "geo", "sex", "group", "time", "part",
        },
    }  # fmt: skip
    for path, own in expected.items():
        operation = schema["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == own | {"format", "labels", "precision"}, path
        assert all(p.get("description") for p in params.values() if p["in"] == "query"), path
        enums = [b.get("enum") for b in params["format"]["schema"].get("anyOf", [])]
        assert sorted(formats) in [sorted(e) for e in enums if e], path
        assert "text/csv" in operation["responses"]["200"]["content"], path
    part = schema["paths"]["/api/v1/indicators/{indicator_id}/figures"]["get"]["parameters"]
    enums = [b.get("enum") for p in part if p["name"] == "part" for b in p["schema"]["anyOf"]]
    assert ["series", "ranking", "profiles"] in enums
