"""The open-data API on the embedded default warehouse: values as stored, filters, pages,
caching, every 400, suppressed cells, formats read back by real clients, and a fuzzed
OpenAPI schema that never gets a 5xx."""

from __future__ import annotations

import io
import json
import math
import urllib.parse
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.conf import LazySettings
from django.test import Client
from django.utils.http import http_date

from zaragoza.catalog.loader import load_catalog
from zaragoza.observations import PUBLISHED_COLUMNS
from zaragoza.warehouse.store import Warehouse

OBS = "/api/v1/observations"


def get(client: Client, url: str, **headers: str) -> Any:
    return client.get(url, headers=headers)


def body(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def stored(path: Path, **filters: Any) -> pd.DataFrame:
    """Rows as the warehouse holds them (suppression not applied)."""
    with Warehouse(path, read_only=True) as wh:
        df = wh.observations(**filters)
    return df


# ---------------------------------------------------------------------- catalogue


def test_indicators_are_the_catalogue(portal: Path, client: Client) -> None:
    response = get(client, "/api/v1/indicators")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    entries = body(response)
    cat = load_catalog()
    assert [e["id"] for e in entries] == list(cat)
    emp = next(e for e in entries if e["id"] == "employment_rate")
    assert emp["title"] == cat["employment_rate"].title
    assert emp["population_age"] == {"code": "Y20-64", "min": 20, "max": 64}
    assert emp["unit"] == "PC"
    assert emp["area"] == "employment"
    assert emp["survey"] == "EU-LFS"
    assert emp["eurostat_tables"]["citizen"] == cat["employment_rate"].eurostat_tables.citizen
    assert emp["references"]
    assert "75%" in emp["target"]


def test_one_indicator_and_a_clear_404(portal: Path, client: Client) -> None:
    one = body(get(client, "/api/v1/indicators/unemployment_rate"))
    assert one["id"] == "unemployment_rate"
    response = get(client, "/api/v1/indicators/employment_rat")
    assert response.status_code == 404
    err = body(response)
    assert "did you mean 'employment_rate'" in err["detail"]
    assert err["parameter"] == "indicator_id"
    assert err["value"] == "employment_rat"
    assert "employment_rate" in err["valid"]


def test_codes_with_labels(portal: Path, client: Client) -> None:
    codes = body(get(client, "/api/v1/codes"))
    geo = {c["code"]: c["label"] for c in codes["geo"]}
    assert geo["AT"] == "Austria"
    assert {c["code"] for c in codes["source"]} == {"computed", "published"}
    assert {c["code"] for c in codes["compare_to"]} == {"", "NAT", "NATIVE"}
    assert next(c for c in codes["indicator"] if c["code"] == "employment_rate")["label"] == (
        "Employment rate (20-64)"
    )


# ---------------------------------------------------------------------- values and filters


def test_values_equal_the_warehouse_rows(portal: Path, client: Client) -> None:
    url = f"{OBS}?indicator=employment_rate&geo=AT,SE&limit=10000&precision=full"
    doc = body(get(client, url))
    got = pd.DataFrame(doc["results"])
    want = stored(portal, indicator=["employment_rate"], geo=["AT", "SE"])
    want = want[want["compare_to"] == ""]
    assert doc["count"] == len(want) == len(got)
    assert list(got.columns) == PUBLISHED_COLUMNS
    key = ["source", "geo", "time", "citizen", "c_birth", "sex", "age"]
    merged = got.merge(want, on=key, suffixes=("", "_wh"))
    assert len(merged) == len(want)
    open_cells = ~merged["flag"].str.contains("c")
    for col in ("value", "se", "ci_lo", "ci_hi", "cv"):
        a, b = merged.loc[open_cells, col], merged.loc[open_cells, f"{col}_wh"]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert (merged["flag"] == merged["flag_wh"]).all()
    assert merged["n"].fillna(-1).astype(int).tolist() == (
        merged["n_wh"].fillna(-1).astype(int).tolist()
    )


def test_lists_and_repeated_parameters_agree(portal: Path, client: Client) -> None:
    a = body(get(client, f"{OBS}?indicator=employment_rate&geo=AT,SE&sex=F&time=2022,2023"))
    b = body(
        get(
            client,
            f"{OBS}?indicator=employment_rate&geo=AT&geo=SE&sex=F&time=2022&time=2023",
        )
    )
    assert a["results"] == b["results"]
    assert a["count"] > 0
    rows = pd.DataFrame(a["results"])
    assert set(rows["geo"]) == {"AT", "SE"}
    assert set(rows["sex"]) == {"F"}
    assert set(rows["time"]) == {2022, 2023}


@pytest.mark.parametrize(
    ("query", "dimension", "codes"),
    [
        ("citizen=NAT,NEU27_2020_FOR", "citizen", {"NAT", "NEU27_2020_FOR"}),
        ("c_birth=FOR", "c_birth", {"FOR"}),
        ("age=Y15-64", "age", {"Y15-64"}),
        ("source=published", "source", {"published"}),
    ],
)
def test_each_filter(
    portal: Path, client: Client, query: str, dimension: str, codes: set[str]
) -> None:
    doc = body(get(client, f"{OBS}?{query}&limit=10000"))
    assert doc["count"] > 0
    assert {r[dimension] for r in doc["results"]} == codes


def test_a_valid_code_without_data_is_an_empty_result(portal: Path, client: Client) -> None:
    response = get(client, f"{OBS}?indicator=early_leavers&geo=DE")
    assert response.status_code == 200
    doc = body(response)
    assert doc["count"] == 0
    assert doc["results"] == []
    assert doc["next"] is None


def test_gap_rows(portal: Path, client: Client) -> None:
    base = f"{OBS}?indicator=employment_rate&geo=AT&source=computed&limit=10000&precision=full"
    levels = body(get(client, base))
    only = body(get(client, base + "&gap=only"))
    both = body(get(client, base + "&gap=true"))
    nat = body(get(client, base + "&compare_to=NAT"))
    assert {r["compare_to"] for r in levels["results"]} == {""}
    assert {r["compare_to"] for r in only["results"]} == {"NAT"}
    assert nat["results"] == only["results"]
    assert both["count"] == levels["count"] + only["count"] > levels["count"]
    # a gap is the group minus nationals, in percentage points
    lv = {(r["citizen"], r["c_birth"], r["sex"]): r["value"] for r in levels["results"]}
    for r in only["results"]:
        if r["citizen"] not in ("TOTAL", "NAT") and r["value"] is not None:
            group = lv[(r["citizen"], r["c_birth"], r["sex"])]
            reference = lv[("NAT", r["c_birth"], r["sex"])]
            if group is not None and reference is not None:
                assert math.isclose(r["value"], group - reference, abs_tol=1e-9)


def test_pages_walk_through_the_whole_selection(portal: Path, client: Client) -> None:
    url = f"{OBS}?indicator=unemployment_rate&geo=EL&limit=40"
    whole = body(get(client, f"{OBS}?indicator=unemployment_rate&geo=EL&limit=10000"))
    rows: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        doc = body(get(client, next_url))
        assert doc["count"] == whole["count"]
        rows += doc["results"]
        next_url = doc["next"]
        pages += 1
        assert (doc["previous"] is None) == (pages == 1)
    assert rows == whole["results"]
    assert pages == math.ceil(whole["count"] / 40) > 1


def test_link_header_and_total_count_on_csv(portal: Path, client: Client) -> None:
    response = get(client, f"{OBS}?indicator=unemployment_rate&limit=5&offset=5&format=csv")
    assert response.status_code == 200
    link = response["Link"]
    assert 'rel="next"' in link
    assert 'rel="prev"' in link
    assert "offset=10" in link
    assert "offset=0" in link
    assert int(response["X-Total-Count"]) > 10
    assert response["Content-Disposition"] == 'attachment; filename="zaragoza-observations.csv"'
    assert len(response.content.decode().splitlines()) == 6


def test_labels_add_label_columns(portal: Path, client: Client) -> None:
    doc = body(get(client, f"{OBS}?indicator=employment_rate&geo=AT&limit=1&labels=true"))
    row = doc["results"][0]
    assert row["geo_label"] == "Austria"
    assert row["indicator_label"] == "Employment rate (20-64)"


# ---------------------------------------------------------------------- caching


def test_head_is_get_without_the_body(portal: Path, client: Client) -> None:
    url = f"{OBS}?indicator=employment_rate&geo=AT&format=csv"
    full = get(client, url)
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content)) != "0"
    for header in ("ETag", "Content-Type", "X-Total-Count", "Access-Control-Allow-Origin"):
        assert head[header] == full[header]
    assert client.head(url, headers={"if-none-match": full["ETag"]}).status_code == 304
    assert client.head(f"{OBS}?geo=XX").status_code == 400
    assert client.head("/api/v1/nothing-here").status_code == 404


def test_options_answers_the_cors_preflight(portal: Path, client: Client) -> None:
    preflight = client.options(
        OBS,
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Allow"] == "GET, HEAD, OPTIONS"
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert client.options("/api/v1/nothing-here").status_code == 404
    refused = client.post("/api/v1/indicators")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS"


def test_etag_and_last_modified_give_304(portal: Path, client: Client) -> None:
    url = f"{OBS}?indicator=employment_rate&geo=AT"
    first = get(client, url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=300"
    assert etag.startswith('"')
    again = get(client, url, if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    assert get(client, url, if_modified_since=modified).status_code == 304
    later = get(client, url, if_modified_since=http_date(2_000_000_000))
    assert later.status_code == 304
    earlier = get(client, url, if_modified_since=http_date(0))
    assert earlier.status_code == 200
    # the normalised query: the same cells asked another way share the tag
    same = get(client, f"{OBS}?geo=AT&indicator=employment_rate")
    assert same["ETag"] == etag
    other = get(client, f"{OBS}?indicator=employment_rate&geo=SE")
    assert other["ETag"] != etag
    assert get(client, url + "&format=csv")["ETag"] != etag
    assert get(client, "/api/v1/indicators", if_none_match=get(client, "/api/v1/indicators")[
        "ETag"
    ]).status_code == 304  # fmt: skip


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [
        ("indicator=employment_rat", "indicator", "employment_rat"),
        ("time=20x3", "time", "20x3"),
        ("time=1800", "time", "1800"),
        ("time=2023,3000", "time", "3000"),
        ("geo=at", "geo", "at"),
        ("geo=AT,XX", "geo", "XX"),
        ("citizen=ALIEN", "citizen", "ALIEN"),
        ("c_birth=nat", "c_birth", "nat"),
        ("sex=X", "sex", "X"),
        ("age=Y200", "age", "Y200"),
        ("source=guessed", "source", "guessed"),
        ("compare_to=TOTALS", "compare_to", "TOTALS"),
        ("gap=maybe", "gap", "maybe"),
        ("gap=false&compare_to=NAT", "gap", "false"),
        ("limit=0", "limit", "0"),
        ("limit=100001", "limit", "100001"),
        ("limit=ten", "limit", "ten"),
        ("offset=-1", "offset", "-1"),
        ("offset=1.5", "offset", "1.5"),
        ("format=xml", "format", "xml"),
        ("labels=perhaps", "labels", "perhaps"),
        ("countries=AT", "countries", "AT"),
    ],
)
def test_bad_parameters_are_400_naming_parameter_value_and_valid(
    portal: Path, client: Client, query: str, parameter: str, value: str
) -> None:
    response = get(client, f"{OBS}?{query}")
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    err = body(response)
    assert set(err) == {"detail", "parameter", "value", "valid"}
    assert err["parameter"] == parameter
    assert str(err["value"]) == value
    assert err["detail"]
    if parameter not in ("limit", "offset", "labels"):
        assert err["valid"]


def test_unknown_code_suggests_and_lists_valid_codes(portal: Path, client: Client) -> None:
    err = body(get(client, f"{OBS}?geo=at"))
    assert "did you mean 'AT'" in err["detail"]
    assert "AT" in err["valid"]
    err = body(get(client, f"{OBS}?time=1800"))
    assert err["valid"] == "a year from 1995 to 2024"
    err = body(get(client, f"{OBS}?limit=100001"))
    assert err["valid"] == {"le": 100000}


def test_unknown_parameter_is_refused_but_cache_busters_pass(portal: Path, client: Client) -> None:
    err = body(get(client, f"{OBS}?goe=AT"))
    assert "did you mean 'geo'" in err["detail"]
    assert "geo" in err["valid"]
    assert get(client, f"{OBS}?geo=AT&_=1732538400").status_code == 200


def test_missing_warehouse_is_503(tmp_path: Path, settings: LazySettings, client: Client) -> None:
    settings.ZARAGOZA_WAREHOUSE = tmp_path / "absent.duckdb"
    for url in (OBS, "/api/v1/codes"):
        response = get(client, url)
        assert response.status_code == 503
        err = body(response)
        assert "warehouse not found" in err["detail"]
        assert "zaragoza init" in err["detail"]
        assert str(tmp_path) not in err["detail"]  # no server path shown
    assert get(client, "/api/v1/indicators").status_code == 200  # the catalogue needs none


# ---------------------------------------------------------------------- suppression


@pytest.fixture
def tiny(tmp_path: Path, settings: LazySettings) -> Path:
    """A warehouse of three computed cells, one of them below the publication limit."""
    rows = [
        ["AT", "NAT", 75.5, 0.5, 74.52, 76.48, 0.66, 900, ""],
        ["AT", "NEU27_2020_FOR", 61.25, 6.0, 49.49, 73.01, 9.8, 40, "u"],
        ["AT", "EU27_2020_FOR", 58.75, 9.0, 41.11, 76.39, 15.3, 12, "c"],
    ]
    df = pd.DataFrame(
        rows, columns=["geo", "citizen", "value", "se", "ci_lo", "ci_hi", "cv", "n", "flag"]
    ).assign(
        indicator="employment_rate",
        time=2023,
        c_birth="TOTAL",
        sex="T",
        age="Y20-64",
        compare_to="",
        n_missing=0,
    )
    path = tmp_path / "tiny.duckdb"
    with Warehouse(path) as wh:
        wh.load(df, source="computed", kind="file", inputs=[], options={})
    settings.ZARAGOZA_WAREHOUSE = path
    return path


def test_suppressed_cells_stay_blank_in_every_format(tiny: Path, client: Client) -> None:
    held = stored(tiny)
    assert held.loc[held["flag"] == "c", "value"].item() == 58.75  # the warehouse has it
    doc = body(get(client, OBS))
    cell = next(r for r in doc["results"] if r["flag"] == "c")
    blanked = ("value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing")
    assert [cell[c] for c in blanked] == [None] * 7  # the count too: it helps rebuild
    assert next(r for r in doc["results"] if r["flag"] == "u")["value"] == 61.3  # rounded
    full = body(get(client, f"{OBS}?precision=full"))
    assert next(r for r in full["results"] if r["flag"] == "u")["value"] == 61.25
    table = pd.read_csv(io.BytesIO(get(client, f"{OBS}?format=csv").content))
    assert table.loc[table["flag"] == "c", list(blanked)].isna().all().all()
    sdmx = pd.read_csv(io.BytesIO(get(client, f"{OBS}?format=sdmx-csv").content))
    secret = sdmx[sdmx["CONF_STATUS"] == "C"]
    assert len(secret) == 1
    assert secret[["OBS_VALUE", "SE", "N", "N_MISSING"]].isna().all().all()

    for fmt in ("csv", "sdmx-csv", "jsonstat"):
        text = get(client, f"{OBS}?format={fmt}&precision=full").content.decode()
        for secret in ("58.75", "41.11", "76.39", "15.3"):
            assert secret not in text, fmt
        assert "61.25" in text

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(get(client, f"{OBS}?format=xlsx&precision=full").content))
    cells = [v for row in wb["data"].iter_rows(values_only=True) for v in row]
    assert 58.75 not in cells
    assert 61.25 in cells


# ---------------------------------------------------------------------- formats


def test_accept_header_chooses_the_format(portal: Path, client: Client) -> None:
    url = f"{OBS}?indicator=employment_rate&geo=AT&limit=3"
    csv = get(client, url, accept="text/csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().startswith("indicator,geo,time")
    sdmx = get(client, url, accept="application/vnd.sdmx.data+csv;version=2.0.0")
    assert sdmx.content.decode().startswith("STRUCTURE,STRUCTURE_ID,ACTION")
    assert get(client, url, accept="text/html,*/*;q=0.8")["Content-Type"].startswith(
        "application/json"
    )
    # the format parameter wins over Accept
    assert get(client, url + "&format=json", accept="text/csv")["Content-Type"].startswith(
        "application/json"
    )
    assert csv["Vary"].startswith("Accept")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "json"),
        ("text/csv", "csv"),
        ("text/csv;q=0.5, application/vnd.sdmx.data+csv", "sdmx-csv"),
        ("application/vnd.sdmx.data+csv;version=2.0.0;q=0.9, text/csv;q=0.9", "sdmx-csv"),
        ("text/csv;q=nonsense", "json"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("image/png, */*", "json"),
    ],
)
def test_negotiation(accept: str, chosen: str) -> None:
    from zaragoza.portal.monitoring.api_query import negotiate

    assert negotiate(accept) == chosen


def test_jsonstat_from_the_api_read_by_pyjstat(portal: Path, client: Client) -> None:
    from pyjstat import pyjstat

    url = f"{OBS}?indicator=unemployment_rate&geo=AT&source=published&sex=T&time=2020,2021"
    doc = body(get(client, url))
    response = get(client, url + "&format=jsonstat")
    assert response.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = pyjstat.Dataset.read(response.content.decode())
        cube = ds.write("dataframe", naming="id")
        status = ds.write("dataframe", naming="id", value="status")
    cube["status"] = status["status"]
    cube = cube[cube["statistic"] == "value"]
    assert ds["extension"]["count"] == doc["count"]
    assert ds["label"] == "Unemployment rate (20-64)"
    # the dataset's own URL, in canonical form (parameters sorted)
    href = urllib.parse.urlsplit(ds["href"])
    asked = urllib.parse.urlsplit("http://testserver" + url + "&format=jsonstat")
    assert href.path == asked.path
    assert sorted(urllib.parse.parse_qsl(href.query)) == sorted(urllib.parse.parse_qsl(asked.query))
    assert href.query == "&".join(sorted(asked.query.split("&")))
    for r in doc["results"]:
        hit = cube[
            (cube["citizen"] == r["citizen"])
            & (cube["time"] == str(r["time"]))
            & (cube["age"] == r["age"])
        ]
        assert len(hit) == 1
        value = hit["value"].item()
        assert (value is None or math.isnan(value)) if r["value"] is None else value == r["value"]
        assert (hit["status"].item() or "") == r["flag"]


def test_docs_and_schema(portal: Path, client: Client) -> None:
    docs = get(client, "/api/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content  # no CDN
    schema = body(get(client, "/api/openapi.json"))
    params = {p["name"] for p in schema["paths"][OBS]["get"]["parameters"]}
    assert params >= {"indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "source"}
    assert params >= {"compare_to", "gap", "limit", "offset", "format", "labels"}


# ---------------------------------------------------------------------- fuzzing


def _repeatable(examples: int) -> Any:
    """Hypothesis settings of the fuzz tests: the same cases on every run, no deadline
    (a request's time varies with the machine), no example database."""
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


# Through the WSGI application, as a server runs it. At the start and end of each
# request Django closes connections that are not in autocommit mode, and a test's
# transaction never is: on PostgreSQL that closes the test's own connection, from the
# schema's own request on. As Django's test client does, the handler is disconnected
# for the test.
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_fuzzed_schema_never_gets_a_5xx(portal: Path, mode: str) -> None:
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from hypothesis import given
    from schemathesis import GenerationMode

    from zaragoza.portal.wsgi import application

    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        statuses: Counter[tuple[str, int]] = Counter()

        @_repeatable(120)
        @given(case=schema.as_strategy(GenerationMode(mode)))
        def call(case: Any) -> None:
            response = case.call()
            statuses[(case.path, response.status_code)] += 1
            assert response.status_code < 500, (case.path, case.query, response.text[:300])

        call()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    assert sum(statuses.values()) >= 100


def test_every_parameter_and_format_is_documented() -> None:
    from zaragoza.portal.monitoring.api import OBSERVATION_PARAMETERS
    from zaragoza.publish import formats
    from zaragoza.publish.formats import FORMATS

    page = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for name in OBSERVATION_PARAMETERS:
        assert f"`{name}`" in page, name
    for name in FORMATS:
        assert f"| `{name}` |" in page, name
        assert f"``{name}``" in (formats.__doc__ or ""), name


def test_any_selection_of_valid_codes_answers_its_cells(portal: Path, client: Client) -> None:
    """Property: valid codes in any combination give 200 and only cells they select."""
    from hypothesis import given
    from hypothesis import strategies as st

    from zaragoza.warehouse.reader import reader_for

    present = reader_for(portal).codes()
    dims = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "source"]
    choice = {d: st.lists(st.sampled_from(present[d]), min_size=1, max_size=3) for d in dims}
    query = st.fixed_dictionaries(
        {},
        optional={
            **choice,
            "gap": st.sampled_from(["false", "true", "only"]),
            "limit": st.integers(1, 50),
            "offset": st.integers(0, 200),
            "format": st.sampled_from(["json", "csv", "jsonstat", "sdmx-csv"]),
        },
    )

    @_repeatable(60)
    @given(query=query)
    def check(query: dict[str, Any]) -> None:
        params = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in query.items()}
        response = client.get(OBS, {**params, "format": "json"})
        assert response.status_code == 200, response.content[:300]
        doc = json.loads(response.content)
        assert len(doc["results"]) <= min(doc["limit"], max(doc["count"] - doc["offset"], 0))
        for row in doc["results"]:
            for d in dims:
                if d in query:
                    assert row[d] in query[d]
            gap = query.get("gap", "false")
            if gap == "false":
                assert row["compare_to"] == ""
            elif gap == "only":
                assert row["compare_to"] != ""
            if "c" in row["flag"]:
                assert row["value"] is None
        answered.append(len(doc["results"]))
        if params.get("format", "json") != "json":
            other = client.get(OBS, params)
            assert other.status_code == 200
            assert other["X-Total-Count"] == str(doc["count"])

    answered: list[int] = []
    check()
    assert sum(n > 0 for n in answered) >= 5  # not only empty selections


def test_file_formats_hold_the_whole_selection(portal: Path, client: Client) -> None:
    whole = body(get(client, f"{OBS}?indicator=employment_rate&limit=100000"))["count"]
    assert whole > 1000  # more than one JSON page
    csv_rows = get(client, f"{OBS}?indicator=employment_rate&format=csv").content.decode()
    assert len(csv_rows.strip().splitlines()) == whole + 1
    page = body(get(client, f"{OBS}?indicator=employment_rate"))
    assert len(page["results"]) == 1000


def test_unknown_api_path_is_a_json_404(portal: Path, client: Client) -> None:
    response = get(client, "/api/v2/observations")
    assert response.status_code == 404
    err = body(response)
    assert err["value"] == "/api/v2/observations"
    assert "/api/v1/observations" in err["valid"]


def test_every_format_says_which_figures_are_synthetic(portal: Path, client: Client) -> None:
    """Computed figures of the embedded default come from synthetic records: every format
    says so per figure; Eurostat's published figures are not synthetic."""
    url = f"{OBS}?indicator=employment_rate&geo=AT&time=2023"
    rows = body(get(client, url))["results"]
    by_source = {(r["source"], r["synthetic"]) for r in rows}
    assert by_source == {("computed", True), ("published", False)}
    table = pd.read_csv(io.BytesIO(get(client, url + "&format=csv").content))
    assert (table["synthetic"] == (table["source"] == "computed")).all()
    sdmx = pd.read_csv(io.BytesIO(get(client, url + "&format=sdmx-csv").content))
    assert (sdmx["SYNTHETIC"] == (sdmx["source"] == "computed")).all()
    doc = body(get(client, url + "&format=jsonstat"))
    assert doc["extension"]["synthetic"]
    assert "synthetic records" in doc["note"][0]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(get(client, url + "&format=xlsx").content))
    header = next(wb["data"].iter_rows(values_only=True))
    assert "synthetic" in header
    about = {r[0]: r[1] for r in wb["about"].iter_rows(values_only=True)}
    assert "synthetic records" in about["synthetic"]
    published = body(get(client, f"{OBS}?indicator=employment_rate&source=published&limit=5"))
    assert not any(r["synthetic"] for r in published["results"])
