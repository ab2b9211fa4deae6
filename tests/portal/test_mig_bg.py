"""PISA's migrant background in the embedded default: the synthetic PISA example's cells
in the warehouse, marked synthetic; the API's ``mig_bg`` filter, codes and labels in
English, French and German; every format; the SDMX codelist; the indicator page."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from zaragoza.catalog.loader import load_catalog
from zaragoza.observations import MIG_BG
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader
from zaragoza.warehouse.store import sandboxed

OBS = "/api/v1/observations"
PISA = "mean_score_reading"
#: The labels of the migrant background in the portal's three languages.
LABELS = {
    "en": {"NATIVE": "Non-immigrant students",
           "SECOND_GEN": "Second-generation immigrant students"},
    "fr": {"NATIVE": "Élèves non issus de l'immigration",
           "SECOND_GEN": "Élèves immigrés de deuxième génération"},
    "de": {"NATIVE": "Schülerinnen und Schüler ohne Zuwanderungshintergrund",
           "SECOND_GEN": "Schülerinnen und Schüler der zweiten Zuwanderergeneration"},
}  # fmt: skip


def body(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def test_init_holds_the_pisa_example_marked_synthetic(portal: Path) -> None:
    cat = load_catalog()
    pisa = {i for i in cat if cat[i].survey == "PISA"}
    con = sandboxed(portal)
    try:
        rows = con.execute(
            "SELECT DISTINCT indicator, geo, time, mig_bg, compare_to, source FROM observations "
            "WHERE mig_bg <> 'TOTAL' OR indicator IN (SELECT unnest(?))",
            [sorted(pisa)],
        ).df()
        others = con.execute(
            "SELECT DISTINCT mig_bg FROM observations WHERE indicator NOT IN (SELECT unnest(?))",
            [sorted(pisa)],
        ).fetchall()
    finally:
        con.close()
    assert set(rows["indicator"]) == pisa  # every PISA indicator, and only they
    assert set(rows["geo"]) == {"AT", "EL", "SE"}
    assert set(rows["time"]) == {2022}
    assert set(rows["mig_bg"]) == set(MIG_BG)
    assert set(rows["compare_to"]) == {"", "NATIVE"}
    assert set(rows["source"]) == {"computed"}
    assert others == [("TOTAL",)]  # TOTAL on every other observation
    # the reader marks them synthetic: the load's provenance says so
    cells = WarehouseReader(portal).observations(
        ObservationFilter(indicator=tuple(sorted(pisa)), compare_to=())
    )
    assert len(cells) > 0
    assert cells["synthetic"].all()


@pytest.mark.parametrize("code", MIG_BG)
def test_the_mig_bg_filter(portal: Path, client: Client, code: str) -> None:
    doc = body(client.get(f"{OBS}?indicator={PISA}&mig_bg={code}&limit=10000"))
    assert doc["count"] > 0
    assert {r["mig_bg"] for r in doc["results"]} == {code}
    assert {r["synthetic"] for r in doc["results"]} == {True}


def test_other_indicators_are_mig_bg_total(portal: Path, client: Client) -> None:
    everything = body(client.get(f"{OBS}?indicator=employment_rate&geo=AT&limit=10000"))
    total = body(client.get(f"{OBS}?indicator=employment_rate&geo=AT&mig_bg=TOTAL&limit=10000"))
    assert everything["count"] == total["count"] > 0
    assert {r["mig_bg"] for r in everything["results"]} == {"TOTAL"}
    native = body(client.get(f"{OBS}?indicator=employment_rate&mig_bg=NATIVE"))
    assert native["count"] == 0


def test_an_unknown_mig_bg_code_is_a_400(portal: Path, client: Client) -> None:
    res = client.get(f"{OBS}?mig_bg=NATIVES")
    assert res.status_code == 400
    err = json.loads(res.content)
    assert err["parameter"] == "mig_bg"
    assert "NATIVE" in err["detail"]  # did you mean


def test_gaps_to_non_immigrant_students(portal: Path, client: Client) -> None:
    base = f"{OBS}?indicator={PISA}&geo=AT&sex=T&precision=full&limit=10000"
    levels = {r["mig_bg"]: r for r in body(client.get(base))["results"]}
    gaps = body(client.get(base + "&compare_to=NATIVE"))["results"]
    assert {r["compare_to"] for r in gaps} == {"NATIVE"}
    assert {r["mig_bg"] for r in gaps} == {"IMMIGRANT", "SECOND_GEN", "FIRST_GEN"}
    for r in gaps:
        group, native = levels[r["mig_bg"]]["value"], levels["NATIVE"]["value"]
        if r["value"] is not None:
            # the gap is taken within each plausible value: its mean over them is the
            # difference of the pooled means (its SE is not)
            assert math.isclose(r["value"], group - native, abs_tol=1e-9)


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_labels_in_three_languages(portal: Path, client: Client, lang: str) -> None:
    url = f"{OBS}?indicator={PISA}&geo=AT&sex=T&labels=true&lang={lang}&gap=true"
    rows = body(client.get(url))["results"]
    got = {r["mig_bg"]: r["mig_bg_label"] for r in rows}
    for code, label in LABELS[lang].items():
        assert got[code] == label
    refs = {r["compare_to"]: r["compare_to_label"] for r in rows if r["compare_to"]}
    assert refs["NATIVE"] == LABELS[lang]["NATIVE"]
    jsonstat = body(client.get(url.replace("labels=true", "format=jsonstat")))
    named = jsonstat["dimension"]["mig_bg"]["category"]["label"]
    assert named["SECOND_GEN"] == LABELS[lang]["SECOND_GEN"]


def test_codes_list_the_migrant_background(portal: Path, client: Client) -> None:
    codes = body(client.get("/api/v1/codes"))
    mig = {c["code"]: c["label"] for c in codes["mig_bg"]}
    assert set(mig) == set(MIG_BG)
    assert mig["NATIVE"] == LABELS["en"]["NATIVE"]
    assert {c["code"] for c in codes["compare_to"]} == {"", "NAT", "NATIVE"}


@pytest.mark.parametrize("fmt", ["csv", "sdmx-csv", "xlsx", "sdmx-ml"])
def test_every_file_format_of_the_api_has_mig_bg(portal: Path, client: Client, fmt: str) -> None:
    url = f"{OBS}?indicator={PISA}&geo=SE&gap=true&format={fmt}"
    res = client.get(url)
    assert res.status_code == 200
    want = pd.DataFrame(body(client.get(url.replace(f"format={fmt}", "format=json")))["results"])
    if fmt in ("csv", "sdmx-csv"):
        got = pd.read_csv(io.BytesIO(res.content), keep_default_na=False)
        assert got["mig_bg"].tolist() == want["mig_bg"].tolist()
        assert set(got["compare_to"]) == ({"", "NATIVE"} if fmt == "csv" else {"_Z", "NATIVE"})
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(res.content))["data"].values)
        col = rows[0].index("mig_bg")
        assert [r[col] for r in rows[1:]] == want["mig_bg"].tolist()
    else:
        import sdmx

        flow = sdmx.read_sdmx(
            io.BytesIO(
                client.get(
                    "/api/v1/sdmx/dataflow/ZARAGOZA/MIGRANT_INTEGRATION/1.0?references=descendants"
                ).content
            )
        )
        dsd = flow.structure["MIGRANT_INTEGRATION"]
        msg = sdmx.read_sdmx(io.BytesIO(res.content), structure=dsd)
        keys = sorted(o.dimension.values["mig_bg"].value for o in msg.data[0].obs)
        assert keys == sorted(want["mig_bg"])


def test_the_sdmx_codelist_names_every_code_in_three_languages(
    portal: Path, client: Client
) -> None:
    import sdmx

    res = client.get("/api/v1/sdmx/codelist/ZARAGOZA/CL_MIG_BG/1.0")
    assert res.status_code == 200, res.content[:300]
    cl = sdmx.read_sdmx(io.BytesIO(res.content)).codelist["CL_MIG_BG"]
    assert {c.id for c in cl} == set(MIG_BG)
    for lang, labels in LABELS.items():
        for code, label in labels.items():
            assert cl[code].name.localizations[lang] == label


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_the_indicator_page_shows_pisa_by_migrant_background(
    portal: Path, client: Client, lang: str
) -> None:
    from html import unescape

    res = client.get(f"/{lang}/indicators/{PISA}/?geo=AT")
    assert res.status_code == 200
    html = unescape(res.content.decode())
    assert 'name="by" value="mig_bg"' in html
    for label in LABELS[lang].values():
        assert label in html
    gap = {
        "en": "Gap to non-immigrant students",
        "fr": "Écart avec les élèves non issus de l'immigration",
        "de": "Abstand zu Schülerinnen und Schülern ohne Zuwanderungshintergrund",
    }[lang]
    assert gap in html
    assert "data-synthetic" in html  # the page says its figures are a demonstration


def test_the_employment_page_is_unchanged_by_the_pisa_breakdown(
    portal: Path, client: Client
) -> None:
    html = client.get("/en/indicators/employment_rate/?geo=AT").content.decode()
    assert 'value="mig_bg"' not in html
    assert "Gap to nationals" in html


def test_the_data_page_filters_and_shows_the_migrant_background(
    portal: Path, client: Client
) -> None:
    from html import unescape

    res = client.get(f"/fr/data/?indicator={PISA}&geo=AT&mig_bg=SECOND_GEN&gap=true")
    assert res.status_code == 200
    html = unescape(res.content.decode())
    assert "Statut au regard de l'immigration" in html
    assert LABELS["fr"]["SECOND_GEN"] in html
    # the preview holds the level and the gap to non-immigrant students of that group
    assert "NATIVE</span>" in html
    assert "mig_bg=SECOND_GEN" in html  # the downloads ask the API for the same cells
    assert client.get("/en/data/?mig_bg=NATIVES").status_code == 400
