"""Honest figures: downloads that are exactly the page's figures, every answer saying which
figures are synthetic, intervals beside every level and gap (issue: the country profile's
download gave every year and source of the country; the benchmarking answers did not say
which rows came from synthetic records; the profile, compare and data pages showed no
interval, SE or n for levels).

Pages are read as HTML (the ``data-`` attributes the templates put on each figure) and
checked against the warehouse, or against the download the page links to.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from django.test import Client

from zaragoza.warehouse.store import sandboxed

MINUS = "\u2212"
FORMATS = ("csv", "xlsx", "jsonstat", "sdmx-csv", "json")


def get(client: Client, url: str, status: int = 200) -> bytes:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return bytes(response.content)


def number(text: str) -> tuple[float, float]:
    """A number as the pages write it, and half its last shown digit (its rounding)."""
    text = unescape(text).strip().replace(MINUS, "-").replace(",", "").replace("+", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return float(text), 0.5 * 10**-decimals + 1e-9


def shown_value(html: str) -> tuple[float, float] | None:
    """The value of one figure's markup, ``None`` when it reads "no data"."""
    if "data-missing" in html:
        return None
    match = re.search(r'<span class="value">([^<]+)</span>', html)
    assert match, html
    return number(match.group(1))


def shown_interval(html: str) -> tuple[tuple[float, float], tuple[float, float]] | None:
    match = re.search(r'<span class="ci"[^>]*>\[([^;]+); ([^\]]+)\]</span>', html)
    return (number(match.group(1)), number(match.group(2))) if match else None


def profile_figures(html: str, geo: str) -> list[dict[str, Any]]:
    """Every figure the country profile shows: its cell key, the value and interval shown."""
    out = []
    for row in re.finditer(r'<tr data-indicator="([^"]+)">(.*?)</tr>', html, re.S):
        indicator, body = row.groups()
        year_match = re.search(r"<td data-year>(\d+)</td>", body)
        assert year_match, body
        year = int(year_match.group(1))
        found = [
            (g, by, geo, "", inner)
            for g, by, inner in re.findall(
                r'<li data-group="([^"]+)" data-by="([^"]+)">(.*?)</li>', body, re.S
            )
        ]
        gap = re.search(
            r'<td class="text" data-gap="([^"]+)" data-by="([^"]+)">(.*?)</td>', body, re.S
        )
        if gap:
            found.append((gap.group(1), gap.group(2), geo, "NAT", gap.group(3)))
        # the EU average Eurostat publishes, one item a group (data-eu="shown")
        eu = re.search(r'<td class="text" data-eu="shown" data-by="([^"]+)">(.*?)</td>', body, re.S)
        if eu:
            for g, inner in re.findall(r'<li data-group="([^"]+)">(.*?)</li>', eu.group(2), re.S):
                found.append((g, eu.group(1), "EU27_2020", "", inner))
        for group, by, place, compare_to, inner in found:
            out.append(
                {
                    "key": (
                        indicator, place, year,
                        group if by == "citizen" else "TOTAL",
                        group if by == "c_birth" else "TOTAL",
                        compare_to,
                    ),
                    "value": shown_value(inner),
                    "interval": shown_interval(inner),
                }
            )  # fmt: skip
    return out


def download_links(html: str) -> dict[str, str]:
    block = re.search(r"<p class=\"downloads\" data-downloads>(.*?)</p>", html, re.S)
    assert block
    return {
        fmt: unescape(url)
        for url, fmt in re.findall(r'<a href="([^"]+)" data-format="([^"]+)"', block.group(1))
    }


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["indicator"], row["geo"], int(row["time"]), row["citizen"], row["c_birth"],
            row["compare_to"] or "")  # fmt: skip


@pytest.mark.parametrize("source", ["", "computed", "published"])
def test_profile_download_gives_exactly_the_figures_on_the_page(
    portal: Path, client: Client, source: str
) -> None:
    url = "/en/countries/AT/" + (f"?source={source}" if source else "")
    html = get(client, url).decode()
    figures = profile_figures(html, "AT")
    assert len(figures) > 20
    links = download_links(html)
    assert set(links) == set(FORMATS)
    assert all(u.startswith("/api/v1/countries/AT/figures?") for u in links.values())
    rows = csv_rows(get(client, links["csv"]))
    by_key: dict[tuple[Any, ...], dict[str, str]] = {}
    for r in rows:
        assert key_of(r) not in by_key, f"one row a figure: {key_of(r)}"
        assert r["sex"] == "T"
        by_key[key_of(r)] = r
    # every figure shown is in the download, with the value shown ...
    for fig in figures:
        if fig["value"] is None:
            assert by_key.get(fig["key"], {}).get("value", "") == "", fig
            continue
        assert fig["key"] in by_key, fig["key"]
        shown, half = fig["value"]
        assert float(by_key[fig["key"]]["value"]) == pytest.approx(shown, abs=half), fig
    # ... and the download holds nothing else (it held 2,174 rows: every year and source)
    shown_keys = {f["key"] for f in figures}
    assert set(by_key) <= shown_keys, sorted(set(by_key) - shown_keys)[:5]
    with_values = {k for k, r in by_key.items() if r["value"] != ""}
    assert with_values == {f["key"] for f in figures if f["value"] is not None}
    # the other formats hold the same cells
    assert json.loads(get(client, links["json"]))["count"] == len(rows)
    sdmx = list(csv.DictReader(io.StringIO(get(client, links["sdmx-csv"]).decode("utf-8-sig"))))
    assert len(sdmx) == len(rows)
    book = openpyxl.load_workbook(io.BytesIO(get(client, links["xlsx"])), read_only=True)
    assert len(list(book["data"].iter_rows(values_only=True))) == len(rows) + 1


def test_profile_download_says_which_figures_are_synthetic_in_every_format(
    portal: Path, client: Client
) -> None:
    links = download_links(get(client, "/en/countries/AT/?source=computed").decode())
    rows = csv_rows(get(client, links["csv"]))
    assert rows
    # the computed figures are synthetic; the EU average beside them is Eurostat's
    assert all(r["synthetic"] == "True" for r in rows if r["geo"] != "EU27_2020")
    eu = [r for r in rows if r["geo"] == "EU27_2020"]
    assert eu
    assert all(r["synthetic"] == "False" and r["source"] == "published" for r in eu)
    doc = json.loads(get(client, links["jsonstat"]))
    assert "synthetic records" in doc["note"][0]
    assert doc["extension"]["synthetic"]
    sdmx = list(csv.DictReader(io.StringIO(get(client, links["sdmx-csv"]).decode("utf-8-sig"))))
    assert {r["SYNTHETIC"] for r in sdmx if r["geo"] != "EU27_2020"} == {"true"}
    assert {r["SYNTHETIC"] for r in sdmx if r["geo"] == "EU27_2020"} == {"false"}
    book = openpyxl.load_workbook(io.BytesIO(get(client, links["xlsx"])), read_only=True)
    header = next(book["data"].iter_rows(max_row=1, values_only=True))
    assert "synthetic" in header
    about = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True) if r and r[0]}
    assert "synthetic records" in about["synthetic"]
    published = json.loads(get(client, "/api/v1/countries/AT/figures?source=published"))
    assert published["results"]
    assert not any(r["synthetic"] for r in published["results"])


def test_profile_download_of_published_gaps_is_the_difference_shown(
    portal: Path, client: Client, default_warehouse: Path
) -> None:
    rows = json.loads(get(client, "/api/v1/countries/AT/figures?source=published"))["results"]
    gaps = [r for r in rows if r["compare_to"] == "NAT"]
    assert gaps
    levels = {(r["indicator"], r["time"], r["citizen"], r["c_birth"]): r for r in rows
              if r["compare_to"] == "" and r["geo"] == "AT"}  # fmt: skip
    for g in gaps:
        nat = levels[(g["indicator"], g["time"], "NAT" if g["citizen"] != "TOTAL" else "TOTAL",
                      "NAT" if g["c_birth"] != "TOTAL" else "TOTAL")]  # fmt: skip
        mine = levels[(g["indicator"], g["time"], g["citizen"], g["c_birth"])]
        assert g["value"] == pytest.approx(mine["value"] - nat["value"], abs=1e-9)
        assert g["ci_lo"] is None
        assert g["se"] is None
    assert "difference of Eurostat's two published values" in " ".join(
        json.loads(get(client, "/api/v1/countries/AT/figures?source=published&format=jsonstat"))[
            "note"
        ]
    )


def test_profile_figures_refuse_what_they_cannot_answer(portal: Path, client: Client) -> None:
    err = json.loads(get(client, "/api/v1/countries/XX/figures", 404))
    assert err["parameter"] == "geo"
    assert "AT" in err["valid"]
    err = json.loads(get(client, "/api/v1/countries/AT/figures?source=survey", 400))
    assert err["parameter"] == "source"
    assert err["valid"] == ["published", "computed"]
    err = json.loads(get(client, "/api/v1/countries/AT/figures?year=1900", 404))
    assert err["parameter"] == "year"
    assert "1900" in err["detail"]
    err = json.loads(get(client, "/api/v1/countries/AT/figures?time=2023", 400))
    assert err["parameter"] == "time"
    err = json.loads(get(client, "/api/v1/countries/AT/figures?format=pdf", 400))
    assert err["parameter"] == "format"


@pytest.mark.parametrize("kind", ["targets", "gaps", "ranks", "trends"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_every_benchmarking_answer_says_which_rows_are_synthetic(
    portal: Path, client: Client, kind: str, fmt: str
) -> None:
    query = "indicator=employment_rate&geo=AT,SE,DE&sex=T&citizen=NEU27_2020_FOR,NAT"
    if kind != "trends":
        query += "&time=2023"
    body = get(client, f"/api/v1/compare/{kind}?{query}&format={fmt}")
    if fmt == "json":
        table = pd.DataFrame(json.loads(body)["results"])
    else:
        table = pd.read_csv(io.BytesIO(body), keep_default_na=False)
        table["synthetic"] = table["synthetic"].astype(str).map({"True": True, "False": False})
    assert set(table["source"]) == {"computed", "published"}
    # the embedded default computes from the synthetic example; Eurostat's figures are real
    assert (table["synthetic"] == (table["source"] == "computed")).all(), table
    if kind == "targets":
        demo = table[table["synthetic"]]
        assert demo["met"].map(lambda v: v in (None, "")).all()
        assert demo["verdict"].map(lambda v: v in (None, "")).all()
        assert set(table.loc[~table["synthetic"], "verdict"]) <= {"met", "not met"}


# ------------------------------------------------------------------ intervals


def warehouse_rows(path: Path, **cell: Any) -> list[dict[str, Any]]:
    where = " AND ".join(f"{k} = ?" for k in cell)
    with sandboxed(path) as con:
        df = con.execute(f"SELECT * FROM observations WHERE {where}", list(cell.values())).df()
    return [dict(r) for r in df.to_dict("records")]


def one_row(path: Path, **cell: Any) -> dict[str, Any]:
    rows = warehouse_rows(path, **cell)
    assert len(rows) == 1, (cell, rows)
    return rows[0]


def assert_interval(shown: Any, row: dict[str, Any]) -> None:
    assert shown is not None, row
    (lo, half_lo), (hi, half_hi) = shown
    assert lo == pytest.approx(row["ci_lo"], abs=half_lo)
    assert hi == pytest.approx(row["ci_hi"], abs=half_hi)


def test_profile_shows_the_interval_of_every_computed_level_and_gap(
    portal: Path, client: Client, default_warehouse: Path
) -> None:
    html = get(client, "/en/countries/AT/?source=computed").decode()
    figures = [f for f in profile_figures(html, "AT") if f["value"] is not None]
    assert len(figures) > 20
    for fig in figures:
        indicator, geo, year, citizen, c_birth, compare_to = fig["key"]
        # the EU average is Eurostat's published figure, whatever the country's source
        source = "published" if geo == "EU27_2020" else "computed"
        row = one_row(
            default_warehouse, indicator=indicator, geo=geo, time=year, citizen=citizen,
            c_birth=c_birth, sex="T", compare_to=compare_to, source=source,
        )  # fmt: skip
        if pd.isna(row["ci_lo"]):
            assert fig["interval"] is None
        else:
            assert_interval(fig["interval"], row)
    assert sum(f["interval"] is not None for f in figures if f["key"][5] == "") > 20
    assert "95% confidence interval" in html


def test_published_figures_say_that_eurostat_publishes_no_interval(
    portal: Path, client: Client
) -> None:
    for url in (
        "/en/countries/AT/?source=published",
        "/en/compare/?indicator=employment_rate&geo=AT,SE&source=published",
        "/en/data/?indicator=employment_rate&geo=AT&source=published",
    ):
        html = get(client, url).decode()
        assert "Eurostat publishes these figures without standard errors" in html, url
        assert 'class="ci"' not in html, url


def test_compare_page_shows_intervals_gaps_with_intervals_and_n(
    portal: Path, client: Client, default_warehouse: Path
) -> None:
    html = get(
        client, "/en/compare/?indicator=employment_rate&geo=AT,SE&source=computed&sex=T"
        "&group=NEU27_2020_FOR",
    ).decode()  # fmt: skip
    latest = re.search(r'<table data-table="compare-latest"[^>]*>(.*?)</table>', html, re.S)
    assert latest
    checked = 0
    for geo, body in re.findall(r'<tr data-geo="([^"]+)">(.*?)</tr>', latest.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        value, year, nationals, gap, n = cells
        key = {
            "indicator": "employment_rate", "geo": geo, "time": int(year), "c_birth": "TOTAL",
            "sex": "T", "source": "computed",
        }  # fmt: skip
        mine = one_row(default_warehouse, **key, citizen="NEU27_2020_FOR", compare_to="")
        nat = one_row(default_warehouse, **key, citizen="NAT", compare_to="")
        gap_row = one_row(default_warehouse, **key, citizen="NEU27_2020_FOR", compare_to="NAT")
        assert_interval(shown_interval(value), mine)
        assert_interval(shown_interval(nationals), nat)
        # the gap is the warehouse's gap row, with its own interval (not a bare difference)
        shown_gap = shown_value(gap)
        assert shown_gap is not None
        assert shown_gap[0] == pytest.approx(gap_row["value"], abs=shown_gap[1])
        assert_interval(shown_interval(gap), gap_row)
        assert int(re.sub(r"<[^>]+>", "", n)) == mine["n"]
        checked += 1
    assert checked == 2
    # the chart draws the same intervals as error bars
    spec = json.loads(
        unescape(re.search(r'id="compare-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    )
    for trace in spec["traces"]:
        assert any(lo is not None for lo in trace["lo"]), trace
        for y, lo, hi in zip(trace["y"], trace["lo"], trace["hi"], strict=True):
            if y is not None:
                assert lo < y < hi
    series = re.search(r'<table data-table="compare-series"[^>]*>(.*?)</table>', html, re.S)
    assert series
    assert series.group(1).count('class="ci"') >= 2


def test_data_page_shows_se_interval_and_n(
    portal: Path, client: Client, default_warehouse: Path
) -> None:
    html = get(client, "/en/data/?indicator=employment_rate&geo=AT&source=computed&time=2023")
    text = html.decode()
    body = re.search(r'<table data-table="data" id="table-data">(.*?)</table>', text, re.S)
    assert body
    head = re.findall(r'<th scope="col">([^<]+)</th>', body.group(1))
    for column in ("Standard error", "95% confidence interval", "Sample size (n)"):
        assert column in head
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)[1:]
    assert len(rows) > 5
    for row in rows:
        cells = [
            re.sub(r"<[^>]+>", " ", c).split()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        indicator, geo, year, citizen, c_birth, mig_bg, sex, age = (c[-1] for c in cells[:8])
        se, ci, n = (" ".join(c) for c in cells[9:12])
        stored = one_row(
            default_warehouse, indicator=indicator, geo=geo, time=int(year), citizen=citizen,
            c_birth=c_birth, mig_bg=mig_bg, sex=sex, age=age, compare_to="", source="computed",
        )  # fmt: skip
        se_value, se_half = number(se)
        assert se_value == pytest.approx(stored["se"], abs=se_half)
        lo_text, hi_text = ci.split(" \u2013 ")
        assert_interval((number(lo_text), number(hi_text)), stored)
        assert int(n) == stored["n"]
