"""The country factsheet and the indicator page's charts on the embedded default: one
reference year for every row, chart data equal to the warehouse's figures, the EU
average from Eurostat's EU27_2020 figures only, target lines and breaks where the
catalogue and the flags have them, and a PDF that holds the country's figures."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from test_pages import get, tables, warehouse

from zaragoza.catalog.targets import targets_for
from zaragoza.portal.monitoring import numbers
from zaragoza.portal.monitoring.pages import country_page
from zaragoza.portal.monitoring.pages.country import reference_year

EU = "EU27_2020"


def charts(html: bytes, prefix: str) -> dict[str, Any]:
    """The chart data of the page's ``json_script`` elements whose id starts ``prefix``."""
    found = re.findall(
        rf'<script id="({re.escape(prefix)}[^"]*)" type="application/json">(.*?)</script>',
        html.decode(),
        re.S,
    )
    return {name: json.loads(unescape(body)) for name, body in found}


def level(path: Path, indicator: str, geo: str, year: int, source: str, **group: str) -> Any:
    where = " AND ".join(f"{k} = ?" for k in group)
    rows = warehouse(
        path,
        "SELECT value, flag FROM observations WHERE indicator = ? AND geo = ? AND time = ? "
        f"AND source = ? AND sex = 'T' AND compare_to = '' AND {where}",
        indicator, geo, year, source, *group.values(),
    )  # fmt: skip
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_every_row_of_the_profile_is_of_one_reference_year(portal: Path, client: Client) -> None:
    html = get(client, "/en/countries/AT/")
    assert 'data-reference-year="2023"' in html.decode()
    profile = {k: v for k, v in tables(html).items() if k.startswith("profile-")}
    rows = [r for t in profile.values() for r in t[1:]]
    assert len(rows) > 30
    assert {r[1] for r in rows} == {"2023"}
    # another year, chosen: every row of that year, those without figures say the latest
    html = get(client, "/en/countries/AT/?year=2024")
    rows = [r for k, t in tables(html).items() if k.startswith("profile-") for r in t[1:]]
    assert {r[1] for r in rows} == {"2024"}
    activity = next(r for r in rows if r[0].startswith("Activity rate (20-64)"))
    assert "No figures for 2024; latest: 2023." in activity[3]
    assert "no data" in activity[3]
    # the default is the year with figures for the most indicators, the latest of equals
    from zaragoza.portal.monitoring.pages.country import _Series

    def series(*years: int) -> _Series:
        return _Series(None, "", "", None, None, [], None, list(years), "1")  # type: ignore[arg-type]

    assert reference_year([series(2022, 2023), series(2023, 2024), series(2024)]) == 2024
    assert reference_year([series(2022, 2023), series(2023), series(2024)]) == 2023
    assert reference_year([]) is None
    get(client, "/en/countries/AT/?year=1990", 404)
    get(client, "/en/countries/AT/?year=last", 400)


def test_dot_plot_data_equal_the_warehouse(portal: Path, client: Client) -> None:
    html = get(client, "/en/countries/AT/?year=2023")
    dots = charts(html, "dots-data-")
    assert {"dots-data-employment-pc", "dots-data-social_inclusion-eur"} <= set(dots)
    checked = 0
    for spec in dots.values():
        assert len(spec["lines"]) == len(spec["indicators"]) == len(spec["migrants"])
        for i, ident in enumerate(spec["indicators"]):
            m, n = spec["migrants"][i], spec["nationals"][i]
            assert m["year"] == n["year"] == 2023
            source = spec["sources"][i]
            for dot, role in ((m, "main"), (n, "NAT")):
                if dot["value"] is None:
                    continue
                codes = _codes(portal, ident, source, dot, role)
                row = level(portal, ident, "AT", 2023, source, **codes)
                assert row is not None, (ident, role)
                assert dot["value"] == pytest.approx(row[0], abs=1e-9), (ident, role)
                checked += 1
            if spec["eu"][i] is not None:
                eu = spec["eu"][i]
                codes = _codes(portal, ident, "published", eu, "main", geo=EU)
                row = level(portal, ident, EU, 2023, "published", **codes)
                assert row is not None
                assert eu["value"] == pytest.approx(row[0])
    assert checked > 40
    employment = dots["dots-data-employment-pc"]
    i = employment["indicators"].index("employment_rate")
    assert employment["migrants"][i]["value"] == 62.9  # AT, non-EU citizens, 2023, Eurostat
    assert employment["eu"][i]["value"] == 63.1  # EU27_2020, non-EU citizens, 2023


def _codes(
    path: Path, ident: str, source: str, dot: dict[str, Any], role: str, geo: str = "AT"
) -> dict[str, str]:
    """The warehouse's codes of a dot: its breakdown and group, found by its label."""
    from zaragoza.portal.monitoring.labels import group_label

    for by, other in (("citizen", "c_birth"), ("c_birth", "citizen")):
        for code in ("NEU27_2020_FOR", "FOR", "EU27_2020_FOR", "NAT"):
            if (role == "NAT") != (code == "NAT"):
                continue
            if str(group_label(code, by)) == dot["group"] and level(
                path, ident, geo, 2023, source, **{by: code, other: "TOTAL"}
            ):
                return {by: code, other: "TOTAL"}
    raise AssertionError((ident, dot))


def test_the_eu_average_comes_from_published_eu27_figures_only(
    portal: Path, client: Client
) -> None:
    for query in ("?year=2023", "?year=2023&source=computed"):
        html = get(client, "/en/countries/AT/" + query).decode()
        row = re.search(r'<tr data-indicator="employment_rate">.*?</tr>', html, re.S)
        assert row is not None
        eu = re.search(r'<td class="text" data-eu="(\w+)"[^>]*>(.*?)</td>', row.group(0), re.S)
        assert eu is not None
        assert eu.group(1) == "shown"
        text = " ".join(re.sub(r"<[^>]+>", " ", eu.group(2)).split())
        # Eurostat's EU27_2020 figures of 2023 (lfsa_ergan), whatever the country's source
        assert "Non-EU citizens: 63.1" in text
        assert "Nationals: 76.2" in text
    # an indicator Eurostat's bundled tables do not give for the EU: said, not made up
    html = get(client, "/en/countries/AT/?year=2023").decode()
    row = re.search(r'<tr data-indicator="activity_rate">.*?</tr>', html, re.S)
    assert row is not None
    assert 'data-eu="none"' in row.group(0)
    assert "Eurostat publishes no EU27_2020 figure of this indicator" in row.group(0)
    published_eu = {
        r[0]
        for r in warehouse(
            portal,
            "SELECT DISTINCT indicator FROM observations WHERE geo = ? AND source = 'published'",
            EU,
        )
    }
    shown = set(
        re.findall(r'<tr data-indicator="(\w+)">(?:(?!</tr>).)*data-eu="shown"', html, re.S)
    )
    assert shown
    assert shown <= published_eu
    # the EU's own profile compares with nothing
    html = get(client, "/en/countries/EU27_2020/").decode()
    assert 'data-eu="shown"' not in html


def test_gap_over_time_has_the_warehouse_figures_targets_and_breaks(
    portal: Path, client: Client
) -> None:
    html = get(client, "/en/countries/AT/?year=2023")
    trends = charts(html, "trend-data-")
    assert "trend-data-employment_rate" in trends
    for name, spec in trends.items():
        ident = name.removeprefix("trend-data-")
        assert {t["value"] for t in spec["targets"]} == {t.value for t in targets_for(ident)}
        assert spec["reference"] == 2023
    employment = trends["trend-data-employment_rate"]
    years = employment["traces"][0]["x"]
    assert years == list(range(2015, 2025))
    main, nat, gap = employment["traces"][0], employment["traces"][1], employment["gap"]
    for i, y in enumerate(years):
        m = level(portal, "employment_rate", "AT", y, "published", citizen="NEU27_2020_FOR",
                  c_birth="TOTAL")  # fmt: skip
        n = level(portal, "employment_rate", "AT", y, "published", citizen="NAT", c_birth="TOTAL")
        assert (main["y"][i], nat["y"][i]) == (m[0], n[0])
        assert gap["y"][i] == pytest.approx(m[0] - n[0])
    flagged = warehouse(
        portal,
        "SELECT DISTINCT time FROM observations WHERE indicator = 'employment_rate' AND geo = 'AT' "
        "AND source = 'published' AND sex = 'T' AND citizen IN ('NEU27_2020_FOR', 'NAT') "
        "AND c_birth = 'TOTAL' AND compare_to = '' AND flag LIKE '%b%' ORDER BY time",
    )
    assert employment["breaks"] == [r[0] for r in flagged] == [2021]
    assert {t["value"] for t in employment["targets"]} == {75, 78}
    assert "Break in series: 2021." in html.decode()


def test_indicator_page_gap_chart_targets_and_breaks(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?geo=AT&sex=T")
    series = charts(html, "series-data")["series-data"]
    assert {t["value"] for t in series["targets"]} == {75, 78}
    assert series["breaks"] == [2021]
    gap = charts(html, "gap-data")["gap-data"]
    assert gap["kind"] == "lines"
    assert gap["zeroLine"]
    assert gap["breaks"] == [2021]
    neu = next(t for t in gap["traces"] if t["name"].startswith("Non-EU citizens"))
    for i, year in enumerate(neu["x"]):
        m = level(portal, "employment_rate", "AT", year, "published", citizen="NEU27_2020_FOR",
                  c_birth="TOTAL")  # fmt: skip
        n = level(portal, "employment_rate", "AT", year, "published", citizen="NAT",
                  c_birth="TOTAL")  # fmt: skip
        assert neu["y"][i] == pytest.approx(m[0] - n[0])
    assert "Gap to nationals over time: Austria" in html.decode()
    assert "gap" in tables(html)
    # one year of computed figures: bars, titled with the year, gaps from the warehouse's
    # gap rows with their intervals
    html = get(client, "/en/indicators/employment_rate/?geo=AT&source=computed")
    text = html.decode()
    assert "Austria in 2023" in text
    assert "Over time" not in text
    assert "Gap to nationals: Austria in 2023" in text
    gap = charts(html, "gap-data")["gap-data"]
    assert gap["kind"] == "bars"
    row = warehouse(
        portal,
        "SELECT value, ci_lo, ci_hi FROM observations WHERE indicator = 'employment_rate' "
        "AND geo = 'AT' AND source = 'computed' AND sex = 'T' AND citizen = 'NEU27_2020_FOR' "
        "AND compare_to = 'NAT'",
    )[0]
    bars = gap["traces"][0]
    i = bars["x"].index("Non-EU citizens")
    assert (bars["y"][i], bars["lo"][i], bars["hi"][i]) == pytest.approx(row)
    # an indicator without an EU target draws no target line
    html = get(client, "/en/indicators/unemployment_rate/?geo=AT")
    assert charts(html, "series-data")["series-data"]["targets"] == []


def test_the_factsheet_is_a_pdf_with_the_country_figures(portal: Path, client: Client) -> None:
    from pypdf import PdfReader

    response = client.get("/en/countries/AT/factsheet.pdf?year=2023")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="zaragoza-AT-2023.pdf"' in response["Content-Disposition"]
    body = bytes(response.content)
    assert body.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(body))
    assert len(pdf.pages) >= 2
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Austria (AT)" in text
    assert "Reference year: 2023." in text
    assert "Demonstration figures." in text  # computed rows come from synthetic records
    # the figures of the page, as the page writes them
    data = country_page_data(portal)
    squeezed = re.sub(r"\s+", "", text)  # table cells wrap long titles anywhere
    for section in data["sections"]:
        for row in section["rows"]:
            assert re.sub(r"\s+", "", row["title"]) in squeezed, row["title"]
            for g in row["short"]:
                c = g["cell"]
                if not c["missing"]:
                    shown = numbers.number(c["value"], c["decimals"])
                    assert shown.replace(" ", "") in squeezed, (row["title"], g)
    assert "Non-EU citizens: 63.1" in text  # the EU average, 2023
    # charts drawn into the PDF: one image per dot plot and trend chart (the pages may
    # share one resource dictionary, so images are counted by their object)
    images: set[int] = set()
    for p in pdf.pages:
        _images(p["/Resources"], images)
    assert len(images) == len(data["dots"]) + len(data["trends"])
    # a bad year is the error page, not a PDF
    bad = client.get("/en/countries/AT/factsheet.pdf?year=1990")
    assert bad.status_code == 404
    assert bad["Content-Type"].startswith("text/html")


def _images(resources: Any, found: set[int]) -> None:
    """Add the object numbers of the images in ``resources`` and its forms to ``found``."""
    for ref in resources.get_object().get("/XObject", {}).values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.add(ref.idnum)
        elif obj.get("/Subtype") == "/Form" and "/Resources" in obj:
            _images(obj["/Resources"], found)


def country_page_data(path: Path) -> dict[str, Any]:
    from django.utils import translation

    from zaragoza.warehouse.reader import reader_for

    with translation.override("en"):
        return country_page(reader_for(path), "AT", {"year": "2023"})
