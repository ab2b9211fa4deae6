"""Eurostat API client, through ``httpx.MockTransport``: nothing here touches the network.

Two kinds of answers are served (``tests/data/eurostat_api/README.md`` says where each
comes from):

* bodies Eurostat really gave, in ``recorded/``, served byte for byte: JSON-stat data,
  SDMX-CSV data, a confidential cell, an unknown code, an empty time range, errors
  (400, 404), ``ASYNCHRONOUS_RESPONSE`` and ``EXTRACTION_TOO_BIG``; expected values are
  read from those bodies in the test, independently of the client;
* ``lfsa_ergan_subset.jsonstat2.json``, a JSON-stat dataset derived from a bundled
  Eurostat TSV file (not recorded), and parts of it built in code, where the tests need
  flags, several groups and countries, or a split along ``geo``. Its expected values
  and flags were read off that JSON by hand (flat index -> codes, row-major over
  ``id``), and the whole table is compared with the TSV it was built from.
"""

from __future__ import annotations

import csv
import io
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
RECORDED = DATA / "recorded"
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
    """An error body in the shape the live API answers: ``error`` is an array."""
    return {"error": [{"status": status, "label": label}]}


def _recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def _answer(status: int, name: str) -> httpx.Response:
    """A recorded body, byte for byte, with the status Eurostat answered it with."""
    kind = "application/xml" if name.endswith(".xml") else "application/json"
    if name.endswith(".csv"):
        kind = "text/csv"
    return httpx.Response(status, content=_recorded(name), headers={"content-type": kind})


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
        "conf_status",
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
    assert set(df["conf_status"]) == {""}


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


def test_recorded_404_names_dataset_url_status_and_eurostat_label(tmp_path: Path) -> None:
    rec = Recorder(lambda _: _answer(404, "not-a-dataset-404-err-not-found.json"))
    client, sleeps = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch("NOT_A_DATASET", {"geo": ["DE"]})
    message = str(info.value)
    assert "dataset not_a_dataset (HTTP 404, Eurostat fault 100)" in message
    label = json.loads(_recorded("not-a-dataset-404-err-not-found.json"))["error"][0]["label"]
    assert label.startswith("ERR_NOT_FOUND_4: NOT_A_DATASET")
    assert label in message
    assert "statistics/1.0/data/not_a_dataset?format=JSON&lang=EN&geo=DE" in message
    assert "check the dataset code" in message
    assert len(rec.requests) == 1
    assert sleeps == []
    assert not list((tmp_path / "cache").glob("*.json"))  # errors are not cached


def test_recorded_400_invalid_query_dimension_is_reported(tmp_path: Path) -> None:
    # Recorded for TIPSHO40?fromTimePeriod=2020&untilTimePeriod=2021: a parameter that
    # is no dimension. The client sends filters as dimensions, so the same mistake
    # through it asks for dimension FROMTIMEPERIOD.
    rec = Recorder(lambda _: _answer(400, "tipsho40-400-invalid-query-dimension.json"))
    client, sleeps = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch("TIPSHO40", {"fromTimePeriod": ["2020"]})
    message = str(info.value)
    assert "Eurostat answered with an error for dataset tipsho40" in message
    assert "(HTTP 400, Eurostat fault 150)" in message
    assert 'INVALID_QUERY_DIMENSION: Query is invalid as per its structure\'s definition. ' \
        'Dimension "FROMTIMEPERIOD" is not defined' in message  # fmt: skip
    assert "statistics/1.0/data/tipsho40?format=JSON&lang=EN&fromtimeperiod=2020" in message
    assert "check the filters" in message
    assert len(rec.requests) == 1
    assert sleeps == []


def test_an_error_object_instead_of_an_array_is_read_too(tmp_path: Path) -> None:
    # The object form, as quoted from Eurostat's API guide (the live API answers arrays).
    label = (
        "'geo' parameter and 'geoLevel' parameter cannot be set at the same time. "
        "Please choose one or the other."
    )
    body = {"error": {"status": "400", "label": label}}
    rec = Recorder(lambda _: httpx.Response(400, json=body))
    client, _ = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch("lfsa_ergan", {"geo": ["DE"], "geolevel": ["country"]})
    assert f"for dataset lfsa_ergan (HTTP 400): {label}" in str(info.value)


def test_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    rec = Recorder(slow)
    client, sleeps = _client(rec, tmp_path, retries=2, backoff=0.25)
    with pytest.raises(InputError, match=r"lfsa_ergan timed out after 3 tries"):
        client.fetch("lfsa_ergan")
    assert len(rec.requests) == 3
    assert sleeps == [0.25, 0.5]


def test_recorded_extraction_too_big_splits_the_request_along_geo(tmp_path: Path) -> None:
    # Eurostat's recorded refusal (HTTP 413, EXTRACTION_TOO_BIG) for more than two geos.
    full = _body()
    limit = 2

    def answer(request: httpx.Request) -> httpx.Response:
        geos = request.url.params.get_list("geo")
        if len(geos) > limit:
            return _answer(413, "comext-ds-045409-extraction-too-big.json")
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
    rec = Recorder(lambda _: _answer(413, "comext-ds-045409-extraction-too-big.json"))
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


def test_fetch_sdmx_csv_reads_an_sdmx_csv_2_answer_too(tmp_path: Path) -> None:
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


# -- recorded answers -------------------------------------------------------------------


def _flat_index_to_codes(body: dict[str, Any], flat: int) -> dict[str, str]:
    """The codes of JSON-stat flat index ``flat``, computed by hand: row-major over
    ``id``, the last dimension fastest (stride of a dimension = product of the sizes
    after it)."""
    out = {}
    for d, dim in enumerate(body["id"]):
        stride = math.prod(body["size"][d + 1 :])
        position = (flat // stride) % body["size"][d]
        index = body["dimension"][dim]["category"]["index"]
        out[dim] = next(code for code, pos in index.items() if pos == position)
    return out


def test_recorded_jsonstat_ilc_di11_is_parsed_as_published(tmp_path: Path) -> None:
    name = "ilc_di11-IT-2014-2025.json"
    rec = Recorder([_answer(200, name)])
    client, _ = _client(rec, tmp_path)
    filters = {"geo": ["IT"], "sex": ["T"], "age": ["TOTAL"], "unit": ["RAT"]}
    df = client.fetch("ilc_di11", filters)

    body = json.loads(_recorded(name))
    published = {int(k): v for k, v in body["value"].items() if v is not None}
    assert len(df) == len(published) == 12
    assert body.get("status", {}) == {}
    assert list(df.columns) == [
        "dataset", "freq", "age", "sex", "unit", "geo", "time", "value", "flag", "conf_status",
    ]  # fmt: skip
    for flat in (0, 6, 11):  # 2014, 2020, 2025
        codes = _flat_index_to_codes(body, flat)
        row = df[df["time"] == int(codes["time"])]
        assert len(row) == 1
        for dim in ("freq", "age", "sex", "unit", "geo"):
            assert row[dim].item() == codes[dim]
        assert row["value"].item() == published[flat]
        assert (row["flag"].item(), row["conf_status"].item()) == ("", "")
    assert df.set_index("time")["value"].to_dict() == {
        2014: 5.78, 2015: 5.84, 2016: 6.27, 2017: 5.92, 2018: 6.09, 2019: 6.01,
        2020: 5.75, 2021: 5.86, 2022: 5.62, 2023: 5.27, 2024: 5.53, 2025: 5.13,
    }  # fmt: skip


def test_recorded_sdmx_csv_ilc_peps01n_is_read_with_its_flags(tmp_path: Path) -> None:
    # Recorded for .../sdmx/2.1/data/ilc_peps01n/A.PC+THS_PER.TOTAL.T.IT?format=SDMX-CSV
    # &startPeriod=2015&endPeriod=2025: SDMX-CSV 1.0 (DATAFLOW, LAST UPDATE, codes).
    name = "ilc_peps01n-IT-TOTAL-T-2015-2025.sdmx.csv"
    rec = Recorder([_answer(200, name)])
    client, _ = _client(rec, tmp_path)
    df = client.fetch_sdmx_csv("ilc_peps01n", "A.PC+THS_PER.TOTAL.T.IT", since=2015)
    url = rec.requests[0].url
    assert url.path == "/api/dissemination/sdmx/2.1/data/ILC_PEPS01N/A.PC+THS_PER.TOTAL.T.IT"
    assert dict(url.params) == {"format": "SDMX-CSV", "startPeriod": "2015"}

    rows = list(csv.DictReader(io.StringIO(_recorded(name).decode("utf-8"))))
    assert len(df) == len(rows) == 22
    assert list(df.columns) == [
        "dataset", "freq", "unit", "age", "sex", "geo", "time", "value", "flag", "conf_status",
    ]  # fmt: skip
    assert set(df["dataset"]) == {"ilc_peps01n"}
    for got, row in zip(df.itertuples(), rows, strict=True):
        assert (got.unit, got.geo, got.time) == (row["unit"], row["geo"], int(row["TIME_PERIOD"]))
        assert got.value == float(row["OBS_VALUE"])
        assert got.flag == row["OBS_FLAG"]
        assert got.conf_status == row["CONF_STATUS"]
    pc = df[df["unit"] == "PC"].set_index("time")["value"]
    assert (pc[2015], pc[2025]) == (28.4, 22.6)
    assert df[(df["unit"] == "THS_PER") & (df["time"] == 2025)]["value"].item() == 13265.0


def test_recorded_sdmx_fault_413_is_reported_with_its_text(tmp_path: Path) -> None:
    rec = Recorder([_answer(413, "comext-ds-045409-fault-413.xml")])
    client, _ = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch_sdmx_csv("ds-045409", "M.....")
    message = str(info.value)
    assert "the extraction is too big" in message
    assert "(HTTP 413, Eurostat fault 413)" in message
    assert "EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 17348292 rows, " \
        "max authorised is 5000000" in message  # fmt: skip
    assert "narrow the key" in message


def test_recorded_confidential_cells_keep_their_status(tmp_path: Path) -> None:
    # Every cell of the answer is confidential: no value, status "|C", which the answer
    # labels "|confidential" (the observation flags before "|", the status after).
    name = "sts-inpr-m-ie-confidential.json"
    body = json.loads(_recorded(name))
    assert body["value"] == {}
    assert body["extension"]["status"]["label"] == {"|C": "|confidential"}
    filters = {"geo": ["IE"], "indic_bt": ["PRD"], "nace_r2": ["B"], "s_adj": ["CA"]}
    rec = Recorder(lambda _: _answer(200, name))
    client, _ = _client(rec, tmp_path)
    df = client.fetch("sts_inpr_m", filters, periods="any")
    assert len(df) == len(body["status"]) == 6
    assert df["time"].tolist() == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    assert df["value"].isna().all()
    assert set(df["flag"]) == {""}
    assert set(df["conf_status"]) == {"C"}
    assert set(df["geo"]) == {"IE"}
    # Monthly periods are not years: the default (annual) reading says so.
    with pytest.raises(InputError, match=r"time code is not a year.*periods='any'"):
        client.fetch("sts_inpr_m", filters)


def test_recorded_unknown_geo_is_an_error_naming_the_code(tmp_path: Path) -> None:
    # Eurostat answers geo=XX with HTTP 200, "value": {} and geo of size 0.
    name = "une-rt-m-geo-xx-last1.json"
    body = json.loads(_recorded(name))
    assert body["value"] == {}
    assert body["size"][body["id"].index("geo")] == 0
    rec = Recorder([_answer(200, name)])
    client, _ = _client(rec, tmp_path)
    with pytest.raises(InputError) as info:
        client.fetch("une_rt_m", {"geo": ["XX"]})
    message = str(info.value)
    assert "Eurostat's answer for dataset une_rt_m has no geo XX" in message
    assert "column geo" in message
    assert "statistics/1.0/data/une_rt_m?format=JSON&lang=EN&geo=XX" in message
    assert "the answer's geo codes: none" in message


def test_a_code_absent_next_to_present_ones_is_named_too(tmp_path: Path) -> None:
    rec = Recorder([httpx.Response(200, json=_subset(_body(), ["DE", "SE"]))])
    client, _ = _client(rec, tmp_path)
    with pytest.raises(InputError, match=r"has no geo GR .*the answer's geo codes: DE, SE"):
        client.fetch("lfsa_ergan", {"geo": ["de", "GR", "SE"]})  # Eurostat ignores case


def test_recorded_time_range_without_data_is_an_empty_table(tmp_path: Path) -> None:
    rec = Recorder([_answer(200, "nama-10-gdp-de-since-2030.json")])
    client, _ = _client(rec, tmp_path)
    df = client.fetch("nama_10_gdp", {"geo": ["DE"], "unit": ["CP_MEUR"]}, since=2030)
    assert df.empty
    assert list(df.columns) == [
        "dataset", "freq", "unit", "na_item", "geo", "time", "value", "flag", "conf_status",
    ]  # fmt: skip
    assert rec.requests[0].url.params.get("sinceTimePeriod") == "2030"


def test_recorded_asynchronous_413_is_retried_then_reported(tmp_path: Path) -> None:
    name = "413-asynchronous-response.json"
    rec = Recorder(lambda _: _answer(413, name))
    client, sleeps = _client(rec, tmp_path, retries=2, backoff=0.5, async_wait=5)
    with pytest.raises(InputError) as info:
        client.fetch("lfsa_ergan", {"geo": ["DE", "FR", "SE"]})
    message = str(info.value)
    assert "Eurostat is still preparing this extraction" in message
    assert "(HTTP 413, Eurostat fault 413)" in message
    assert "ASYNCHRONOUS_RESPONSE. Your request will be treated asynchronously." in message
    assert "try again later" in message
    # asked again, not split: the same geo codes three times, waits of async_wait doubling
    assert [r.url.params.get_list("geo") for r in rec.requests] == [["DE", "FR", "SE"]] * 3
    assert sleeps == [5, 10]
    assert not list((tmp_path / "cache").glob("*.json"))


def test_asynchronous_answer_then_data_is_served_and_only_the_data_cached(
    tmp_path: Path,
) -> None:
    # The HTTP-200 form is documented by Eurostat but was not recorded: built here.
    warning = {
        "warning": {
            "status": 413,
            "label": "ASYNCHRONOUS_RESPONSE. Your request will be treated asynchronously. "
            "Please try again later.",
        }
    }
    rec = Recorder(
        [
            httpx.Response(200, json=warning),
            _answer(413, "413-asynchronous-response.json"),
            httpx.Response(200, json=_body()),
        ]
    )
    client, sleeps = _client(rec, tmp_path, async_wait=2)
    df = client.fetch("lfsa_ergan", {"geo": ["DE"]})
    assert len(df) == 90
    assert sleeps == [2, 4]
    (kept,) = (tmp_path / "cache").glob("*.json")
    record = json.loads(kept.read_text(encoding="utf-8"))
    assert (record["status"], json.loads(record["text"])) == (200, _body())


def test_a_warning_answer_is_not_cached(tmp_path: Path) -> None:
    warning = {"warning": {"status": 413, "label": "ASYNCHRONOUS_RESPONSE. Try later."}}
    rec = Recorder(lambda _: httpx.Response(200, json=warning))
    client, _ = _client(rec, tmp_path, retries=1, async_wait=1)
    with pytest.raises(InputError, match=r"still preparing.*\(HTTP 200\): ASYNCHRONOUS"):
        client.fetch("lfsa_ergan", {"geo": ["DE"]})
    assert len(rec.requests) == 2
    offline, _ = _client(Recorder([]), tmp_path, offline=True)
    with pytest.raises(InputError, match="offline and no cached answer"):
        offline.fetch("lfsa_ergan", {"geo": ["DE"]})


def test_a_deferred_answer_found_in_the_cache_is_asked_again(tmp_path: Path) -> None:
    # A cache written before deferred answers were left out of it.
    url = f"{BASE}/statistics/1.0/data/lfsa_ergan?format=JSON&lang=EN&geo=DE"
    client, _ = _client(Recorder([httpx.Response(200, json=_body())]), tmp_path)
    kept = client._cache_file("lfsa_ergan", url)
    assert kept is not None
    kept.parent.mkdir(parents=True)
    text = _recorded("413-asynchronous-response.json").decode()
    kept.write_text(json.dumps({"url": url, "status": 413, "text": text}), encoding="utf-8")
    assert len(client.fetch("lfsa_ergan", {"geo": ["DE"]})) == 90
    assert json.loads(kept.read_text(encoding="utf-8"))["status"] == 200
