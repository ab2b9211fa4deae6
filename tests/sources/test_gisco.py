"""GISCO NUTS boundaries through ``httpx.MockTransport``: nothing here touches the network.

The answer is ``tests/data/gisco/nuts_rg_level2_handmade.geojson``: three hand-made
rectangles shaped like GISCO's NUTS_RG files (never GISCO's data).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from zaragoza.errors import InputError, UsageError
from zaragoza.sources.gisco import (
    GiscoClient,
    cache_dir,
    cache_stamp,
    find_cached,
    is_nuts_id,
    list_cached,
    nuts_level,
    read_cached,
    reduce_nuts,
)

FIXTURE = Path(__file__).parent.parent / "data" / "gisco" / "nuts_rg_level2_handmade.geojson"
BASE = "https://gisco.test/distribution/v2"
URL = f"{BASE}/nuts/geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson"


def _body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return body


class Recorder:
    """A mock transport handler answering from a list and recording the requests."""

    def __init__(self, answers: list[httpx.Response | Exception]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _client(
    tmp_path: Path, answers: list[Any], **kw: Any
) -> tuple[GiscoClient, Recorder, list[float]]:
    rec = Recorder(answers)
    waits: list[float] = []
    client = GiscoClient(
        BASE,
        cache_dir=tmp_path / "gisco",
        transport=httpx.MockTransport(rec),
        sleep=waits.append,
        **kw,
    )
    return client, rec, waits


def test_fetch_reduces_to_ids_names_and_rounded_coordinates(tmp_path: Path) -> None:
    client, rec, _ = _client(tmp_path, [httpx.Response(200, json=_body())])
    kept = client.fetch(2)
    assert [str(r.url) for r in rec.requests] == [URL]
    assert (kept.year, kept.scale, kept.level) == (2021, "20M", 2)
    assert kept.path == tmp_path / "gisco" / "nuts-2021-20M-2.geojson"
    body = read_cached(kept)
    assert [f["id"] for f in body["features"]] == ["AT12", "AT13", "EL30"]
    wien = body["features"][1]
    assert wien["properties"] == {"name": "Wien", "level": 2, "country": "AT"}
    assert wien["geometry"]["coordinates"][0][0] == [16.1235, 48.1]
    assert body["features"][0]["properties"]["name"] == "Niederösterreich"
    # The fixture's rings run counter-clockwise (RFC 7946); plotly.js needs them clockwise.
    ring = wien["geometry"]["coordinates"][0]
    assert ring == [[16.1235, 48.1], [16.1235, 48.35], [16.6, 48.35], [16.6, 48.1], [16.1235, 48.1]]
    outer = body["features"][0]["geometry"]["coordinates"][0][0]
    assert outer[1] == [14.5, 49.0]
    assert body["features"][2]["properties"]["name"] == "Attiki"
    assert body["zaragoza"]["url"] == URL
    assert "NUTS_ID" not in json.dumps(body)


def test_cached_regions_are_served_without_a_request_and_offline(tmp_path: Path) -> None:
    client, rec, _ = _client(tmp_path, [httpx.Response(200, json=_body())])
    first = client.fetch(2)
    again = client.fetch(2)
    assert again == first
    assert len(rec.requests) == 1
    offline, rec2, _ = _client(tmp_path, [], offline=True)
    assert offline.fetch(2) == first
    assert rec2.requests == []
    with pytest.raises(InputError, match=r"offline and NUTS 2021 level 3 \(20M\) is not cached"):
        offline.fetch(3)
    with pytest.raises(InputError, match=r"zaragoza geo fetch --level 1"):
        offline.fetch(1)


def test_refresh_downloads_again(tmp_path: Path) -> None:
    client, rec, _ = _client(
        tmp_path, [httpx.Response(200, json=_body()), httpx.Response(200, json=_body())]
    )
    client.fetch(2)
    client.fetch(2, refresh=True)
    assert len(rec.requests) == 2


def test_404_names_the_url_and_status_and_is_not_retried(tmp_path: Path) -> None:
    client, rec, waits = _client(tmp_path, [httpx.Response(404, text="Not Found")])
    with pytest.raises(InputError, match=r"HTTP 404") as info:
        client.fetch(2, 2024, "60M")
    assert info.value.file == f"{BASE}/nuts/geojson/NUTS_RG_60M_2024_4326_LEVL_2.geojson"
    assert len(rec.requests) == 1
    assert waits == []
    assert list_cached(tmp_path / "gisco") == []


def test_500_is_retried_with_back_off_then_reported(tmp_path: Path) -> None:
    client, rec, waits = _client(tmp_path, [httpx.Response(500) for _ in range(4)])
    with pytest.raises(InputError, match=r"HTTP 500") as info:
        client.fetch(2)
    assert info.value.file == URL
    assert len(rec.requests) == 4
    assert waits == [0.5, 1.0, 2.0]


def test_500_then_success(tmp_path: Path) -> None:
    client, _rec, waits = _client(
        tmp_path, [httpx.Response(503), httpx.Response(200, json=_body())]
    )
    assert client.fetch(2).path.exists()
    assert waits == [0.5]


def test_time_out_after_every_try(tmp_path: Path) -> None:
    request = httpx.Request("GET", URL)
    answers = [httpx.ReadTimeout("read timed out", request=request) for _ in range(3)]
    client, _rec, waits = _client(tmp_path, answers, retries=2)
    with pytest.raises(InputError, match=r"NUTS 2021 level 2 boundaries timed out after 3 tries"):
        client.fetch(2)
    assert waits == [0.5, 1.0]


def test_bad_answers_and_options(tmp_path: Path) -> None:
    client, _, _ = _client(tmp_path, [httpx.Response(200, text="<html>")])
    with pytest.raises(InputError, match="not JSON"):
        client.fetch(2)
    client, _, _ = _client(tmp_path, [httpx.Response(200, json={"type": "Feature"})])
    with pytest.raises(InputError, match="not a GeoJSON FeatureCollection"):
        client.fetch(2)
    with pytest.raises(UsageError, match="unknown NUTS level"):
        client.fetch(4)
    with pytest.raises(UsageError, match="unknown scale"):
        client.fetch(2, scale="5M")
    with pytest.raises(UsageError, match="unknown NUTS version"):
        client.fetch(2, year=2020)
    with pytest.raises(InputError, match="no NUTS regions"):
        reduce_nuts(_body(), level=3)
    broken = _body()
    del broken["features"][0]["properties"]["NUTS_ID"]
    with pytest.raises(InputError, match="feature 0 is not a NUTS region"):
        reduce_nuts(broken)


def test_list_find_and_stamp(tmp_path: Path) -> None:
    folder = tmp_path / "gisco"
    assert list_cached(folder) == []
    assert cache_stamp(folder) == ""
    client, _, _ = _client(
        tmp_path, [httpx.Response(200, json=_body()), httpx.Response(200, json=_body())]
    )
    old = client.fetch(2, 2016, "60M")
    new = client.fetch(2, 2021, "20M")
    assert list_cached(folder) == [new, old]
    assert find_cached(2, ["AT13"], folder) == new
    assert find_cached(3, ["AT130"], folder) is None
    assert "nuts-2021-20M-2.geojson" in cache_stamp(folder)
    new.path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read"):
        read_cached(new)
    assert find_cached(2, ["AT13"], folder) == old


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZARAGOZA_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path / "gisco"
    assert GiscoClient().cache_dir == tmp_path / "gisco"


def test_nuts_ids() -> None:
    assert all(is_nuts_id(g) for g in ["AT1", "AT13", "AT130", "EL30", "DEA2"])
    assert not any(is_nuts_id(g) for g in ["AT", "EU27_2020", "EA20", "EU28", "EFTA", "EEA"])
    assert [nuts_level(g) for g in ["AT1", "AT13", "AT130"]] == [1, 2, 3]
