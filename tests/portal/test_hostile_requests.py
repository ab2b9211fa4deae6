"""Hostile requests to the portal: bounded memory, strict lists, the right status codes.

Found by hand-written and fuzzed requests: an ignored parameter (``_=N``) made a new cache
entry each time, empty lists (``geo=,,,``) meant "everything", pages answered TRACE and
OPTIONS with 200 and PUT with 403, failed logins were never throttled, the portal's
SQLite file was world-readable and every bad Host header logged a traceback.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth import get_user_model
from django.test import Client

from zaragoza.portal.monitoring import caching

OBS = "/api/v1/observations?indicator=employment_rate&geo=AT&format=sdmx-csv"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    caching.clear()


def _entries() -> int:
    return len(caching._store())


def test_an_ignored_parameter_adds_no_cache_entry(portal: Path, client: Client) -> None:
    first = client.get(OBS + "&_=0")
    assert first.status_code == 200
    held = _entries()
    for i in range(1, 30):
        again = client.get(f"{OBS}&_={i}")
        assert again.status_code == 200
        assert again.content == first.content
    assert _entries() == held
    page = "/en/indicators/employment_rate/?geo=AT"
    client.get(page)
    held = _entries()
    for i in range(10):
        assert client.get(f"{page}&utm_source=x{i}&_={i}").status_code == 200
    assert _entries() == held


def test_list_forms_share_one_entry_and_links_are_canonical(portal: Path, client: Client) -> None:
    a = client.get("/api/v1/observations?indicator=employment_rate&geo=AT,SE&limit=5&_=1")
    b = client.get("/api/v1/observations?geo=AT&geo=SE&indicator=employment_rate&limit=5")
    assert a.json() == b.json()
    assert "_=" not in a.json()["next"]
    assert "geo=AT,SE" in a.json()["next"]


def test_the_cache_keeps_to_its_byte_budget(
    portal: Path, client: Client, settings: LazySettings
) -> None:
    settings.ZARAGOZA_CACHE_MB = 1
    caching.clear()
    for geo in ("AT", "SE", "EL", "DE", "FR", "IT", "ES", "PL", "NL", "BE"):
        res = client.get(f"/api/v1/observations?geo={geo}&format=csv")
        assert res.status_code == 200
    store = caching._store()
    assert store.currsize <= store.maxsize == 2**20


@pytest.mark.parametrize("value", [",,,", "%0a", ",", "AT,,SE", "%20"])
def test_an_empty_list_is_a_400_not_everything(portal: Path, client: Client, value: str) -> None:
    res = client.get(f"/api/v1/observations?geo={value}")
    assert res.status_code == 400
    body = res.json()
    assert body["parameter"] == "geo"
    assert "empty code" in body["detail"]
    res = client.get(f"/api/v1/compare/gaps?indicator=employment_rate&geo={value}")
    assert res.status_code == 400
    res = client.get(f"/en/data/?geo={value}")
    assert res.status_code == 400


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options", "trace"])
def test_pages_answer_405_to_methods_they_do_not_serve(
    portal: Path, client: Client, method: str
) -> None:
    client_method = getattr(client, method) if method != "trace" else client.trace
    for path in ("/en/", "/en/indicators/employment_rate/", "/en/data/"):
        res = client_method(path)
        assert res.status_code == 405, (method, path, res.status_code)
        assert res["Allow"] == "GET, HEAD"


def test_head_still_works_on_pages(portal: Path, client: Client) -> None:
    assert client.head("/en/").status_code == 200


@pytest.mark.django_db
def test_logins_are_throttled(portal: Path, client: Client) -> None:
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-pass")
    for _ in range(4):
        res = client.post("/admin/login/", {"username": "chief", "password": "wrong"})
        assert res.status_code == 200  # the login form again, with its error
    res = client.post("/admin/login/", {"username": "chief", "password": "wrong"})
    assert res.status_code == 429  # the fifth failure locks the login out
    res = client.post("/admin/login/", {"username": "chief", "password": "a-long-pass"})
    assert res.status_code == 429  # locked out, even with the right password
    assert not client.session.get("_auth_user_id")
    assert user.pk is not None


def test_the_portal_database_is_owner_only(tmp_path: Path) -> None:
    from zaragoza.portal.settings import owner_only

    path = owner_only(tmp_path / "portal.sqlite3")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    owner_only(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_settings_database_file_is_owner_only() -> None:
    from django.conf import settings

    name = Path(str(settings.DATABASES["default"]["NAME"]))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name.exists():
        assert stat.S_IMODE(name.stat().st_mode) == 0o600


def test_a_bad_host_logs_one_line(
    portal: Path, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from zaragoza.portal.logs import OneLine

    handler_filter = OneLine()
    with caplog.at_level(logging.WARNING, logger="django.security"):
        res = client.get("/en/", HTTP_HOST="evil.example")
    assert res.status_code == 400
    records = [r for r in caplog.records if r.name.startswith("django.security")]
    assert records
    for record in records:
        handler_filter.filter(record)
        assert record.exc_info is None
        assert "evil.example" in record.getMessage()
        assert "\n" not in record.getMessage()


def test_openapi_lists_errors_and_codes_of_the_compare_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    for kind in ("targets", "gaps", "ranks", "trends"):
        op = schema["paths"][f"/api/v1/compare/{kind}"]["get"]
        assert {"200", "400", "503"} <= set(op["responses"])
        params = {p["name"]: p["schema"] for p in op["parameters"]}
        assert params["format"]["anyOf"][0]["enum"] == ["json", "csv"]
        assert "pattern" in params["sex"]["anyOf"][0]["items"]
    obs = schema["paths"]["/api/v1/observations"]["get"]
    params = {p["name"]: p["schema"] for p in obs["parameters"]}
    assert params["gap"]["anyOf"][0]["enum"] == ["false", "true", "only"]
    assert "xlsx" in params["format"]["anyOf"][0]["enum"]


def test_a_large_download_waits_its_turn(
    portal: Path, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one large download renders, another is told to retry, not rendered at once."""
    from zaragoza.portal.monitoring import api

    monkeypatch.setattr(api, "HEAVY_ROWS", 10)
    monkeypatch.setattr(caching, "HEAVY_WAIT", 0.01)
    with caching.heavy():
        res = client.get("/api/v1/observations?indicator=employment_rate&format=xlsx")
    assert res.status_code == 503
    assert res["Retry-After"] == "30"
    assert "large download" in res.json()["detail"]
    res = client.get("/api/v1/observations?indicator=employment_rate&format=xlsx")
    assert res.status_code == 200


def test_a_non_finite_value_in_an_old_warehouse_is_served_as_missing(
    tmp_path: Path, settings: LazySettings, client: Client
) -> None:
    """A file written before loads checked numbers may hold infinity: never a 500."""
    import duckdb
    import pandas as pd

    from zaragoza.warehouse.store import Warehouse

    path = tmp_path / "old.duckdb"
    row = {
        "indicator": "employment_rate", "geo": "AT", "time": 2023, "citizen": "TOTAL",
        "c_birth": "TOTAL", "sex": "T", "age": "Y20-64", "compare_to": "", "value": 70.0,
        "se": 1.0, "ci_lo": 68.0, "ci_hi": 72.0, "cv": 1.4, "n": 500, "n_missing": 0,
        "flag": "",
    }  # fmt: skip
    with Warehouse(path) as wh:
        wh.load(pd.DataFrame([row]), source="computed", kind="file", inputs=[], options={})
    with duckdb.connect(str(path)) as con:  # as an older version could have written it
        con.execute("UPDATE observations SET value = 'inf'::DOUBLE, se = 'nan'::DOUBLE")
    settings.ZARAGOZA_WAREHOUSE = path
    caching.clear()
    for fmt in ("json", "jsonstat", "csv", "sdmx-csv"):
        res = client.get(f"/api/v1/observations?format={fmt}")
        assert res.status_code == 200, fmt
    assert client.get("/api/v1/observations").json()["results"][0]["value"] is None
    assert client.get("/en/data/?indicator=employment_rate&geo=AT").status_code == 200
