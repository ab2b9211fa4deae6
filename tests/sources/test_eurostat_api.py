"""Eurostat API client, through ``httpx.MockTransport``: nothing here touches the network.

The JSON-stat answer is ``tests/data/eurostat_api/lfsa_ergan_subset.jsonstat2.json``, a
derived fixture (see the README beside it). Expected values and flags were read off
that JSON by hand (flat index -> codes, row-major over ``id``), and the whole table is
also compared with the same cells of the bundled Eurostat TSV file it was built from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from zaragoza.errors import InputError
from zaragoza.sources.eurostat_api import EurostatClient, parse_jsonstat
from zaragoza.sources.eurostat_files import read_tsv_bulk

DATA = Path(__file__).parent.parent / "data" / "eurostat_api"
FIXTURE = DATA / "lfsa_ergan_subset.jsonstat2.json"
BUNDLED_TSV = (
    Path(__file__).parents[2]
    / "src/zaragoza/data/eurostat/lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv"
)
BASE = "https://eurostat.test/api/dissemination"
Handler = Callable[[httpx.Request], httpx.Response]


def _body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return body


def _error(status: int, label: str) -> dict[str, Any]:
    return {"error": {"status": status, "id": status, "label": label}}


def _subset(body: dict[str, Any], geos: list[str]) -> dict[str, Any]:
    """The JSON-stat ``body`` restricted to ``geos``, re-indexed as Eurostat would."""
    ids, sizes = body["id"], body["size"]
    g = ids.index("geo")
    old = list(body["dimension"]["geo"]["category"]["index"])
    keep = [old.index(c) for c in geos]
    new_sizes = [*sizes[:g], len(keep), *sizes[g + 1 :]]
    out = json.loads(json.dumps(body))
    out["size"] = new_sizes
    out["dimension"]["geo"]["category"]["index"] = {c: i for i, c in enumerate(geos)}
    out["dimension"]["geo"]["category"]["label"] = {
        c: body["dimension"]["geo"]["category"]["label"][c] for c in geos
    }
    for part in ("value", "status"):
        moved = {}
        for k, v in body.get(part, {}).items():
            pos = list(np.unravel_index(int(k), sizes))
            if pos[g] in keep:
                pos[g] = keep.index(pos[g])
                moved[str(int(np.ravel_multi_index(pos, new_sizes)))] = v
        out[part] = moved
    return out


class Recorder:
    """A mock transport handler that records every request it answers."""

    def __init__(self, answers: list[httpx.Response] | Handler) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self.answers):
            return self.answers(request)
        return self.answers.pop(0)


def _client(handler: Recorder, tmp_path: Path, **kw: Any) -> tuple[EurostatClient, list[float]]:
    sleeps: list[float] = []
    client = EurostatClient(
        base_url=BASE,
        cache_dir=tmp_path / "cache",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        **kw,
    )
    return client, sleeps


def _row(df: pd.DataFrame, citizen: str, geo: str, time: int) -> pd.Series:
    hit = df[(df["citizen"] == citizen) & (df["geo"] == geo) & (df["time"] == time)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_fetch_builds_the_statistics_url_and_parses_values_and_flags(tmp_path: Path) -> None:
    rec = Recorder([httpx.Response(200, json=_body())])
    client, _ = _client(rec, tmp_path)
    df = client.fetch(
        "LFSA_ERGAN",
        {"citizen": ["NAT", "EU27_2020_FOR", "NEU27_2020_FOR"], "age": ["Y20-64"]},
        since=2019,
    )
    url = rec.requests[0].url
    assert url.path == "/api/dissemination/statistics/1.0/data/lfsa_ergan"
    assert url.params.get("format") == "JSON"
    assert url.params.get("lang") == "EN"
    assert url.params.get_list("citizen") == ["NAT", "EU27_2020_FOR", "NEU27_2020_FOR"]
    assert url.params.get("sinceTimePeriod") == "2019"

    assert list(df.columns) == [
        "dataset", "freq", "unit", "sex", "age", "citizen", "geo", "time", "value", "flag",
    ]  # fmt: skip
    assert len(df) == 90  # 82 values + 8 positions with a flag and no value
    assert set(df["dataset"]) == {"lfsa_ergan"}
    assert df["time"].dtype == np.int64
    assert df["value"].dtype == np.float64
    # (citizen, geo, time) -> (value, flag), read off the JSON by flat index
    expected = {
        ("NAT", "EU27_2020", 2019): (73.8, ""),  # 0
        ("NAT", "EU27_2020", 2021): (73.9, "b"),  # 2
        ("NAT", "FR", 2021): (74.4, "bd"),  # 14
        ("NAT", "BG", 2019): (75.1, "b"),  # 24
        ("EU27_2020_FOR", "FR", 2022): (74.2, "d"),  # 45
        ("EU27_2020_FOR", "SE", 2024): (83.3, ""),  # 53
        ("EU27_2020_FOR", "BG", 2019): (math.nan, "bu"),  # 54
        ("EU27_2020_FOR", "BG", 2022): (math.nan, "u"),  # 57
        ("NEU27_2020_FOR", "EU27_2020", 2019): (60.0, ""),  # 60
        ("NEU27_2020_FOR", "BG", 2019): (60.9, "bu"),  # 84
        ("NEU27_2020_FOR", "BG", 2020): (math.nan, "u"),  # 85
        ("NEU27_2020_FOR", "BG", 2023): (60.8, "u"),  # 88
        ("NEU27_2020_FOR", "BG", 2024): (56.4, "u"),  # 89
    }
    for (citizen, geo, time), (value, flag) in expected.items():
        row = _row(df, citizen, geo, time)
        if math.isnan(value):
            assert math.isnan(row["value"])
        else:
            assert row["value"] == value
        assert row["flag"] == flag
        assert (row["freq"], row["unit"], row["sex"], row["age"]) == ("A", "PC", "T", "Y20-64")
    assert df["value"].isna().sum() == 8
    assert (df["flag"] != "").sum() == 38


def test_parsed_table_equals_the_bundled_tsv_it_was_derived_from() -> None:
    api = parse_jsonstat(_body(), "lfsa_ergan")
    tsv = read_tsv_bulk(BUNDLED_TSV, "lfsa_ergan")
    keys = ["citizen", "geo", "time"]
    tsv = tsv[
        tsv["geo"].isin(api["geo"].unique())
        & tsv["time"].between(2019, 2024)
        & (tsv["sex"] == "T")
        & tsv["citizen"].isin(api["citizen"].unique())
    ]
    merged = api.merge(tsv, on=keys, suffixes=("", "_tsv"), validate="one_to_one")
    assert len(merged) == len(api)
    pd.testing.assert_series_equal(merged["value"], merged["value_tsv"], check_names=False)
    assert (merged["flag"] == merged["flag_tsv"]).all()


def test_parse_jsonstat_accepts_dense_lists() -> None:
    body = {
        "id": ["geo", "time"],
        "size": [2, 2],
        "dimension": {
            "geo": {"category": {"index": ["AT", "SE"]}},
            "time": {"category": {"index": {"2022": 0, "2023": 1}}},
        },
        "value": [1.5, None, 3.0, 4.0],
        "status": [None, "u", "", "b"],
    }
    df = parse_jsonstat(body, "x")
    assert df["geo"].tolist() == ["AT", "AT", "SE", "SE"]
    assert df["time"].tolist() == [2022, 2023, 2022, 2023]
    assert df["flag"].tolist() == ["", "u", "", "b"]
    assert math.isnan(df["value"].iloc[1])


def test_retries_a_500_with_exponential_backoff(tmp_path: Path) -> None:
    rec = Recorder(
        [
            httpx.Response(500, text="oops"),
            httpx.Response(503, text="busy"),
            httpx.Response(200, json=_body()),
        ]
    )
    client, sleeps = _client(rec, tmp_path, backoff=0.5)
    df = client.fetch("lfsa_ergan", {"geo": ["DE"]})
    assert len(df) == 90
    assert len(rec.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_429_is_retried_then_reported(tmp_path: Path) -> None:
    rec = Recorder(lambda _: httpx.Response(429, json=_error(429, "Too many requests")))
    client, sleeps = _client(rec, tmp_path, retries=2, backoff=1)
    with pytest.raises(InputError, match=r"HTTP 429.*Too many requests"):
        client.fetch("lfsa_ergan")
    assert len(rec.requests) == 3
    assert sleeps == [1, 2]


def test_404_reports_eurostat_message_without_retry(tmp_path: Path) -> None:
    label = "Dataset 'lfsa_nothere' does not exist"
    rec = Recorder(lambda _: httpx.Response(404, json=_error(404, label)))
    client, sleeps = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch("lfsa_nothere", {"geo": ["DE"]})
    message = str(info.value)
    assert "lfsa_nothere" in message
    assert "HTTP 404" in message
    assert label in message
    assert "statistics/1.0/data/lfsa_nothere?format=JSON&lang=EN&geo=DE" in message
    assert len(rec.requests) == 1
    assert sleeps == []
    assert not list((tmp_path / "cache").glob("*.json"))  # errors are not cached


def test_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    rec = Recorder(slow)
    client, sleeps = _client(rec, tmp_path, retries=2, backoff=0.25)
    with pytest.raises(InputError, match=r"lfsa_ergan timed out after 3 tries"):
        client.fetch("lfsa_ergan")
    assert len(rec.requests) == 3
    assert sleeps == [0.25, 0.5]


def test_too_big_request_is_split_along_geo(tmp_path: Path) -> None:
    full = _body()
    limit = 2

    def answer(request: httpx.Request) -> httpx.Response:
        geos = request.url.params.get_list("geo")
        if len(geos) > limit:
            return httpx.Response(
                413,
                json=_error(
                    413,
                    "EXTRACTION_TOO_BIG: The requested extraction is too big, estimated "
                    "90 rows, max authorised is 36, please change your filters",
                ),
            )
        return httpx.Response(200, json=_subset(full, geos))

    rec = Recorder(answer)
    client, _ = _client(rec, tmp_path)
    geos = ["EU27_2020", "DE", "FR", "SE", "BG"]
    df = client.fetch("lfsa_ergan", {"geo": geos})
    asked = [r.url.params.get_list("geo") for r in rec.requests]
    assert asked == [geos, ["EU27_2020", "DE"], ["FR", "SE", "BG"], ["FR"], ["SE", "BG"]]
    whole = parse_jsonstat(full, "lfsa_ergan")
    keys = ["citizen", "geo", "time"]
    pd.testing.assert_frame_equal(
        df.sort_values(keys).reset_index(drop=True),
        whole.sort_values(keys).reset_index(drop=True),
    )

    # The refusal is cached too, so an offline replay splits the same way.
    offline, _ = _client(Recorder([]), tmp_path, offline=True)
    pd.testing.assert_frame_equal(offline.fetch("lfsa_ergan", {"geo": geos}), df)


def test_too_big_without_geo_filter_asks_for_one(tmp_path: Path) -> None:
    rec = Recorder(lambda _: httpx.Response(413, json=_error(413, "EXTRACTION_TOO_BIG")))
    client, _ = _client(rec, tmp_path)
    with pytest.raises(InputError, match=r"too big.*EXTRACTION_TOO_BIG.*geo codes"):
        client.fetch("lfsa_ergan", {"sex": ["T"]})
    assert len(rec.requests) == 1


def test_second_fetch_is_served_from_the_cache(tmp_path: Path) -> None:
    rec = Recorder([httpx.Response(200, json=_body())])
    client, _ = _client(rec, tmp_path)
    first = client.fetch("lfsa_ergan", {"geo": ["DE", "FR"], "sex": ["T"]}, since=2019)
    # the same request, filters given in another order
    second = client.fetch("lfsa_ergan", {"sex": ["T"], "geo": ["DE", "FR"]}, since=2019)
    assert len(rec.requests) == 1
    pd.testing.assert_frame_equal(first, second)
    (kept,) = (tmp_path / "cache").glob("*.json")
    record = json.loads(kept.read_text(encoding="utf-8"))
    assert record["url"] == str(rec.requests[0].url)
    assert record["status"] == 200
    assert record["retrieved"]


def test_offline_miss_names_the_request(tmp_path: Path) -> None:
    rec = Recorder([])
    client, _ = _client(rec, tmp_path, offline=True)
    with pytest.raises(InputError, match=r"offline and no cached answer for dataset lfsa_ergan"):
        client.fetch("lfsa_ergan", {"geo": ["SE"]}, since=2020)
    with pytest.raises(InputError, match=r"geo=SE&sinceTimePeriod=2020"):
        client.fetch("lfsa_ergan", {"geo": ["SE"]}, since=2020)
    assert rec.requests == []


def test_fetch_sdmx_csv_reads_sdmx_csv_2(tmp_path: Path) -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
        "dataflow,ESTAT:LFSA_ERGAN(1.0),A,PC,DE,2023,81.0,b,\n"
        "dataflow,ESTAT:LFSA_ERGAN(1.0),A,PC,SE,2023,,u,\n"
    )
    rec = Recorder([httpx.Response(200, text=text)])
    client, _ = _client(rec, tmp_path)
    df = client.fetch_sdmx_csv("lfsa_ergan", "A.PC.DE+SE", since=2023)
    url = rec.requests[0].url
    assert url.path == "/api/dissemination/sdmx/2.1/data/LFSA_ERGAN/A.PC.DE+SE"
    assert url.params.get("format") == "SDMX-CSV"
    assert url.params.get("startPeriod") == "2023"
    assert df["geo"].tolist() == ["DE", "SE"]
    assert df["flag"].tolist() == ["b", "u"]
    assert df["value"].iloc[0] == 81.0
    assert math.isnan(df["value"].iloc[1])


def test_too_big_told_by_the_error_label_is_split_too(tmp_path: Path) -> None:
    full = _body()

    def answer(request: httpx.Request) -> httpx.Response:
        geos = request.url.params.get_list("geo")
        if len(geos) > 1:
            label = "EXTRACTION_TOO_BIG: The requested extraction is too big"
            return httpx.Response(400, json={"error": [{"status": 400, "label": label}]})
        return httpx.Response(200, json=_subset(full, geos))

    rec = Recorder(answer)
    client, sleeps = _client(rec, tmp_path)
    df = client.fetch("lfsa_ergan", {"geo": ["DE", "SE"]})
    assert [r.url.params.get_list("geo") for r in rec.requests] == [["DE", "SE"], ["DE"], ["SE"]]
    assert df["geo"].unique().tolist() == ["DE", "SE"]
    assert len(df) == 36
    assert sleeps == []


def test_unreadable_cache_file_is_named(tmp_path: Path) -> None:
    rec = Recorder([httpx.Response(200, json=_body())])
    client, _ = _client(rec, tmp_path)
    client.fetch("lfsa_ergan")
    (kept,) = (tmp_path / "cache").glob("*.json")
    kept.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"cached answer for dataset lfsa_ergan cannot be read"):
        client.fetch("lfsa_ergan")


def test_cli_fetch_an_indicator_into_the_warehouse(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zaragoza.cli import app
    from zaragoza.warehouse.store import Warehouse

    # The request the command makes for employment_rate (lfsa_ergan, unit PC, age
    # Y20-64), answered once through the mock transport, then replayed offline.
    cache = tmp_path / "cache"
    online = EurostatClient(
        cache_dir=cache / "eurostat",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=_body())),
    )
    online.fetch("lfsa_ergan", {"geo": ["DE", "SE"], "unit": ["PC"], "age": ["Y20-64"]})
    wh = tmp_path / "w.duckdb"
    res = CliRunner().invoke(
        app,
        [
            "eurostat",
            "fetch",
            "employment_rate",
            "--geo",
            "DE,SE",
            "--offline",
            "--cache",
            str(cache),
            "--warehouse",
            str(wh),
        ],
    )
    assert res.exit_code == 0, res.output
    with Warehouse(wh, read_only=True) as w:
        obs = w.observations(indicator=["employment_rate"])
    # every parsed cell (a value or a flag) of the answer becomes an observation
    assert len(obs) > 0
    assert set(obs["source"]) == {"published"}
    assert set(obs["age"]) == {"Y20-64"}
    body = _body()
    assert len(obs) == len(parse_jsonstat(body, "lfsa_ergan"))
    res = CliRunner().invoke(
        app,
        ["eurostat", "fetch", "employment_rate", "--geo", "AT", "--offline", "--cache", str(cache)],
    )
    assert res.exit_code == 2
    assert "offline and no cached answer" in res.output
