"""The API for people: values at the published precision in every format (every digit
with ``precision=full``), year ranges, ISO's GR and GB answered with Eurostat's EL and
UK, and the OpenAPI schema documenting them."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from zaragoza.catalog.loader import load_catalog
from zaragoza.publish.precision import round_half_up, round_observations

OBS = "/api/v1/observations"
#: Computed cells (with SEs, intervals and CVs of many digits) and published ones.
SELECTION = f"{OBS}?indicator=employment_rate,naturalisation_rate&geo=AT&time=2019,2023"
KEY = ("indicator", "source", "geo", "time", "citizen", "c_birth", "sex", "age", "compare_to")


def _json(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _places(x: float | None) -> int:
    """Decimal places of a number as written in its shortest form."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return 0
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _rows_json(client: Client, url: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    doc = _json(client.get(url + "&limit=100000"))
    return {tuple(r[k] for k in KEY): r for r in doc["results"]}


def _rows_csv(client: Client, url: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    df = pd.read_csv(
        io.BytesIO(client.get(url + "&format=csv").content),
        keep_default_na=False,
        float_precision="round_trip",
    )
    return {
        tuple(r[k] for k in KEY): {c: (None if r[c] == "" else float(r[c])) for c in STATS}
        for r in df.to_dict("records")
    }


def _rows_xlsx(client: Client, url: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    rows = list(wb["data"].iter_rows(values_only=True))
    header = list(rows[0])
    out = {}
    for row in rows[1:]:
        rec = {h: ("" if v is None and h in KEY else v) for h, v in zip(header, row, strict=True)}
        out[tuple(rec[k] for k in KEY)] = {c: rec[c] for c in STATS}
    return out


def _rows_sdmx(client: Client, url: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    df = pd.read_csv(
        io.BytesIO(client.get(url + "&format=sdmx-csv").content), keep_default_na=False, dtype=str
    )
    names = {"value": "OBS_VALUE", "se": "SE", "ci_lo": "CI_LO", "ci_hi": "CI_HI", "cv": "CV"}
    out = {}
    for r in df.to_dict("records"):
        key = (
            r["indicator"], r["source"], r["geo"], int(r["TIME_PERIOD"]), r["citizen"],
            r["c_birth"], r["sex"], r["age"], "" if r["compare_to"] == "_Z" else r["compare_to"],
        )  # fmt: skip
        out[key] = {c: (None if r[n] == "" else float(r[n])) for c, n in names.items()}
    return out


def _rows_jsonstat(client: Client, url: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    doc = _json(client.get(url + "&format=jsonstat"))
    ids, size = doc["id"], doc["size"]
    cats = {d: list(doc["dimension"][d]["category"]["index"]) for d in ids}
    value = doc["value"]
    cells = value.items() if isinstance(value, dict) else enumerate(value)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for flat, v in cells:
        idx, rest = [], int(flat)
        for n in reversed(size):
            idx.append(rest % n)
            rest //= n
        pos = dict(zip(ids, reversed(idx), strict=True))
        code = {d: cats[d][pos[d]] for d in ids}
        key = tuple(
            int(code[k]) if k == "time" else ("" if code[k] == "_Z" else code[k]) for k in KEY
        )
        if v is not None:
            out.setdefault(key, {})[code["statistic"]] = v
    return out


STATS = ("value", "se", "ci_lo", "ci_hi", "cv")
READERS = {
    "json": _rows_json,
    "csv": _rows_csv,
    "xlsx": _rows_xlsx,
    "jsonstat": _rows_jsonstat,
    "sdmx-csv": _rows_sdmx,
}


@pytest.mark.parametrize("fmt", list(READERS))
def test_values_at_the_published_precision_in_every_format(
    portal: Path, client: Client, fmt: str
) -> None:
    """By default every format carries the figures rounded to the indicator's published
    decimals (employment 1, naturalisation 2), SEs to one more, CVs to one; with
    ``precision=full`` every digit the warehouse holds."""
    cat = load_catalog()
    full = _rows_json(client, SELECTION + "&precision=full")
    want = round_observations(pd.DataFrame(list(full.values())), {i: cat[i].precision for i in cat})
    want_by_key = {tuple(r[k] for k in KEY): r for r in want.to_dict("records")}
    got = READERS[fmt](client, SELECTION)
    got_full = READERS[fmt](client, SELECTION + "&precision=full")
    assert set(got) == set(want_by_key) == set(got_full)
    many_digits = 0
    for key, row in got.items():
        places = cat[key[0]].precision
        for stat, limit in (("value", places), ("ci_lo", places), ("se", places + 1)):
            shown = row.get(stat)
            expected = want_by_key[key][stat]
            if expected is None or (isinstance(expected, float) and math.isnan(expected)):
                assert shown is None, (fmt, key, stat)
                continue
            assert shown == expected, (fmt, key, stat, shown, expected)
            assert _places(shown) <= limit, (fmt, key, stat, shown)
            exact = full[key][stat]
            if fmt == "xlsx":  # openpyxl writes 15 significant digits, as Excel holds
                assert math.isclose(got_full[key][stat], exact, rel_tol=1e-14), (key, stat)
            else:
                assert got_full[key].get(stat) == exact, (fmt, key, stat)
            many_digits += _places(exact) > limit
    assert many_digits > 50  # the full figures do have more digits than are published


def test_precision_follows_the_catalogue_per_indicator(portal: Path, client: Client) -> None:
    doc = _json(client.get(f"{OBS}?indicator=median_equivalised_income&source=computed&limit=50"))
    values = [r["value"] for r in doc["results"] if r["value"] is not None]
    assert values
    assert all(v == round(v) for v in values)  # euro amounts: whole euros
    nat = _json(client.get(f"{OBS}?indicator=naturalisation_rate&geo=AT&time=2009"))
    assert nat["results"][0]["value"] == 0.94  # two decimals, as Eurostat publishes
    stat = _json(client.get(f"{SELECTION}&format=jsonstat"))
    units = stat["dimension"]["indicator"]["category"]["unit"]
    assert units["employment_rate"]["decimals"] == 1
    assert units["naturalisation_rate"]["decimals"] == 2
    assert stat["extension"]["precision"] == "published"
    assert any("precision=full" in n for n in stat["note"])


def test_rounding_is_half_up_on_the_shortest_form() -> None:
    assert round_half_up(2.675, 2) == 2.68  # 2.675 is 2.67499999... in binary
    assert round_half_up(0.05, 1) == 0.1
    assert round_half_up(-0.05, 1) == -0.1
    assert round_half_up(72.34016336420636, 1) == 72.3
    assert round_half_up(24999.5, 0) == 25000.0


def test_unknown_precision_is_a_400(portal: Path, client: Client) -> None:
    response = client.get(f"{OBS}?precision=exact")
    assert response.status_code == 400
    err = json.loads(response.content)
    assert err["parameter"] == "precision"
    assert err["value"] == "exact"
    assert err["valid"] == ["published", "full"]


# ---------------------------------------------------------------------- years


def _years(client: Client, time: str, endpoint: str = OBS) -> list[int]:
    url = f"{endpoint}?indicator=naturalisation_rate&geo=AT&time={time}"
    doc = _json(client.get(url + ("&limit=1000" if endpoint == OBS else "")))
    return sorted({r["time"] for r in doc["results"]})


def test_year_ranges(portal: Path, client: Client) -> None:
    assert _years(client, "2015-2020") == list(range(2015, 2021))
    assert _years(client, "2015-2020") == _years(client, "2015,2016,2017,2018,2019,2020")
    assert _years(client, "2021-") == [2021, 2022, 2023]
    assert _years(client, "-2010") == [2009, 2010]
    assert _years(client, "2009,2021-2022") == [2009, 2021, 2022]
    assert _years(client, "2018-2018") == [2018]
    # a range reaching past the warehouse's years takes the years it holds
    assert _years(client, "1990-2010") == [2009, 2010]
    # the benchmarking endpoints read time the same way
    assert _years(client, "2015-2016", "/api/v1/compare/ranks") == [2015, 2016]


@pytest.mark.parametrize(
    ("time", "says"),
    [
        ("2020-2015", "reversed: give the earlier year first (2015-2020)"),
        ("2015-20x", "a range (2015-2020) or an open range"),
        ("2015..2020", "a range (2015-2020)"),
        ("-", "no year at either end"),
        ("2015-2020-2022", "a range (2015-2020)"),
        ("1900-1950", "holds none of the warehouse's years"),
        ("2150", "outside the warehouse's years"),
    ],
)
def test_bad_ranges_are_a_400_naming_time_and_the_valid_forms(
    portal: Path, client: Client, time: str, says: str
) -> None:
    response = client.get(f"{OBS}?time={time}")
    assert response.status_code == 400
    err = json.loads(response.content)
    assert err["parameter"] == "time"
    assert err["value"] == time
    assert says in err["detail"]
    assert err["valid"]


# ---------------------------------------------------------------------- Eurostat's codes


@pytest.mark.parametrize(("iso", "eurostat"), [("GR", "EL"), ("GB", "UK"), ("gr", "EL")])
def test_iso_codes_get_a_hint_to_eurostats(
    portal: Path, client: Client, iso: str, eurostat: str
) -> None:
    for url in (f"{OBS}?geo={iso}", f"/api/v1/compare/gaps?geo=AT,{iso}"):
        response = client.get(url)
        assert response.status_code == 400
        err = json.loads(response.content)
        assert err["parameter"] == "geo"
        assert err["value"] == iso
        assert f"did you mean {eurostat!r}?" in err["detail"]
        assert "Eurostat writes" in err["detail"]
        assert eurostat in err["valid"]
    assert _json(client.get(f"{OBS}?geo={eurostat}&limit=1"))["results"]


# ---------------------------------------------------------------------- OpenAPI


def test_the_schema_documents_precision_and_ranges(portal: Path, client: Client) -> None:
    import re

    schema = _json(client.get("/api/openapi.json"))
    params = {p["name"]: p for p in schema["paths"][OBS]["get"]["parameters"]}
    precision = params["precision"]
    assert "full" in precision["description"]
    branches = precision["schema"].get("anyOf", [precision["schema"]])
    assert any(b.get("enum") == ["published", "full"] for b in branches)
    time = params["time"]
    assert "2015-2020" in time["description"]
    items = [b["items"] for b in time["schema"].get("anyOf", [time["schema"]]) if "items" in b]
    pattern = re.compile(items[0]["pattern"])
    for ok in ("2023", "2015-2020", "2015-", "-2020", "2010,2015-2020"):
        assert pattern.match(ok), ok
    for bad in ("20x3", "2015..2020", "2015-2020-2022"):
        assert not pattern.match(bad), bad


# ---------------------------------------------------------------------- languages


def test_label_columns_in_the_language_asked(portal: Path, client: Client) -> None:
    from django.utils import translation

    from zaragoza.portal.monitoring.labels import country_name, group_label

    url = f"{OBS}?indicator=employment_rate&geo=AT&time=2023&citizen=NAT&sex=T&labels=true"
    english = _json(client.get(url))["results"][0]
    french = _json(client.get(url + "&lang=fr"))["results"][0]
    assert english["geo_label"] == "Austria"
    with translation.override("fr"):
        assert french["geo_label"] == country_name("AT", "fr") != "Austria"
        assert french["citizen_label"] == group_label("NAT")
    assert french["indicator_label"] != english["indicator_label"]
    german = pd.read_csv(io.BytesIO(client.get(url + "&lang=de&format=csv").content))
    assert german["geo_label"].iloc[0] == "Österreich"
    stat = _json(
        client.get(f"{OBS}?indicator=employment_rate&geo=AT&time=2023&format=jsonstat&lang=de")
    )
    assert stat["dimension"]["geo"]["category"]["label"]["AT"] == "Österreich"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("lang=es&labels=true", "unknown language"),
        ("lang=fr", "give labels=true"),
        ("lang=fr&labels=true&format=sdmx-csv", "codes only"),
    ],
)
def test_lang_where_it_changes_nothing_is_a_400(
    portal: Path, client: Client, query: str, says: str
) -> None:
    response = client.get(f"{OBS}?{query}")
    assert response.status_code == 400
    err = json.loads(response.content)
    assert err["parameter"] == "lang"
    assert says in err["detail"]
