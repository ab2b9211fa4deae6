"""From profiles to monitoring: ``zaragoza profiles aggregate --warehouse`` and what the
monitoring half (reader, API, pages, downloads) shows of the loaded cells."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from django.test import Client
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.observations import CELL_KEY, confidential
from zaragoza.skills.aggregate import aggregate, observations
from zaragoza.skills.synthetic import synthetic_profiles
from zaragoza.warehouse.loads import load_profiles
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()
LABEL = {
    "en": "Skills profiles, not a representative survey",
    "fr": "Profils de compétences, pas une enquête représentative",
    "de": "Kompetenzprofile, keine repräsentative Erhebung",
}


@pytest.fixture(scope="module")
def monitored(default_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default (computed and published figures) with the aggregates of 300
    synthetic profiles loaded, as ``zaragoza init`` then ``zaragoza profiles aggregate``
    leave it (the session's default warehouse is copied, not rebuilt)."""
    path = tmp_path_factory.mktemp("monitored") / "zaragoza.duckdb"
    shutil.copyfile(default_warehouse, path)
    rows = observations(aggregate(synthetic_profiles(300)))
    with Warehouse(path) as wh:
        load_profiles(
            wh, rows, by=("citizen", "sex"), threshold=10, profiles=300,
            synthetic_profiles=300,
        )  # fmt: skip
    return path


@pytest.fixture
def site(monitored: Path, settings: Any) -> Path:
    settings.ZARAGOZA_WAREHOUSE = monitored
    return monitored


def _profiles_rows(path: Path) -> pd.DataFrame:
    with Warehouse(path, read_only=True) as wh:
        return wh.observations(source=["profiles"])


def test_aggregate_loads_the_cells_into_an_initialised_warehouse(
    db: None, keys: list[str], default_warehouse: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    warehouse = tmp_path / "zaragoza.duckdb"
    shutil.copyfile(default_warehouse, warehouse)
    monkeypatch.setenv("ZARAGOZA_WAREHOUSE", str(warehouse))  # restored after the test
    with Warehouse(warehouse, read_only=True) as wh:
        before = wh.summary().groupby("source")["rows"].sum().to_dict()
    made = runner.invoke(app, ["profiles", "example", "--organisation", "example-org"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "cells.csv"
    args = ["profiles", "aggregate", "--warehouse", str(warehouse), "--by", "citizen,sex,arrival"]
    r = runner.invoke(app, [*args, "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "300 of the 300 profiles counted are synthetic" in r.output
    assert f"105 profiles cells loaded into {warehouse}" in r.output
    assert "synthetic profiles counted" in r.output
    cells = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert "arrival" in cells.columns
    assert (cells["arrival"] != "").any()
    # the warehouse holds the CSV's cells of all periods of arrival, exactly
    wanted = cells[cells["arrival"] == ""].sort_values(CELL_KEY).reset_index(drop=True)
    stored = _profiles_rows(warehouse).sort_values(CELL_KEY).reset_index(drop=True)
    assert len(stored) == len(wanted) == 105
    assert stored[CELL_KEY].astype(str).equals(wanted[CELL_KEY])
    assert stored["flag"].tolist() == wanted["flag"].tolist()
    as_text = stored["value"].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    assert as_text.tolist() == wanted["value"].map(lambda v: v and repr(float(v))).tolist()
    hidden = confidential(stored["flag"])
    assert hidden.any()
    assert stored.loc[hidden, ["value", "n"]].isna().all(axis=None)
    # the survey's figures are as they were
    with Warehouse(warehouse, read_only=True) as wh:
        after = wh.summary().groupby("source")["rows"].sum().to_dict()
    assert {k: v for k, v in after.items() if k != "profiles"} == before
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert len(_profiles_rows(warehouse)) == 105


def test_aggregate_refuses_combinations_that_make_no_sense(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "w.duckdb"
    r = runner.invoke(app, ["profiles", "aggregate", "--example", "50", "--load"])
    assert r.exit_code != 0
    assert "--warehouse" in r.output
    r = runner.invoke(
        app,
        ["profiles", "aggregate", "--example", "50", "--no-load", "--warehouse", str(warehouse)],
    )
    assert r.exit_code != 0
    assert "--no-load" in r.output
    assert not warehouse.exists()
    # --example alone: CSV on standard output, no warehouse touched
    r = runner.invoke(app, ["profiles", "aggregate", "--example", "50"])
    assert r.exit_code == 0
    assert "indicator,geo,time" in r.output
    assert "loaded" not in r.output
    # --example with a warehouse named: loaded, the CSV to standard output only on '-'
    r = runner.invoke(
        app, ["profiles", "aggregate", "--example", "50", "--warehouse", str(warehouse), "-o", "-"]
    )
    assert r.exit_code == 0, r.output
    assert "indicator,geo,time" in r.output
    assert "profiles cells loaded" in r.output
    assert len(_profiles_rows(warehouse)) > 0


def test_a_later_snapshot_hides_what_subtraction_would_reveal(tmp_path: Path) -> None:
    """The command compares with the counts the warehouse published before: two more
    profiles hide the cells they changed, and the load passes the warehouse's audit."""
    warehouse = tmp_path / "w.duckdb"
    base = ["profiles", "aggregate", "--warehouse", str(warehouse), "--example"]
    first = runner.invoke(app, [*base, "300"])
    assert first.exit_code == 0, first.output
    assert "compared with" not in first.output  # nothing published before
    hidden_first = (_profiles_rows(warehouse)["flag"] == "c").sum()
    second = runner.invoke(app, [*base, "302"])
    assert second.exit_code == 0, second.output
    assert "compared with 79 counts published before" in second.output
    assert "within 1 to 9 persons" in second.output
    assert (_profiles_rows(warehouse)["flag"] == "c").sum() > hidden_first


def test_the_api_filters_and_marks_the_profiles_figures(site: Path, client: Client) -> None:
    r = client.get("/api/v1/observations?source=profiles&format=csv&limit=1000")
    assert r.status_code == 200
    df = pd.read_csv(io.StringIO(r.content.decode()), keep_default_na=False)
    assert len(df) == 105
    assert set(df["source"]) == {"profiles"}
    assert set(df["synthetic"]) == {True}
    hidden = df[df["flag"].str.contains("c")]
    assert len(hidden) > 0
    assert (hidden[["value", "se", "ci_lo", "ci_hi", "n"]] == "").all(axis=None)
    assert (df[["se", "ci_lo", "ci_hi"]] == "").all(axis=None)  # no survey, no interval
    # the same indicator of the survey is another cell: the source keeps them apart
    both = client.get("/api/v1/observations?indicator=overqualification_rate&limit=5000").json()
    sources = {row["source"] for row in both["results"]}
    assert {"profiles", "computed", "published"} <= sources
    codes = {c["code"]: c["label"] for c in client.get("/api/v1/codes").json()["source"]}
    assert "not a representative survey" in codes["profiles"]
    # comparisons are of survey figures only
    assert client.get("/api/v1/compare/gaps?source=profiles").status_code == 400
    gaps = client.get("/api/v1/compare/gaps?indicator=overqualification_rate&format=csv")
    assert gaps.status_code == 200
    assert "profiles" not in gaps.content.decode()


def test_the_indicator_page_sets_them_apart_in_every_language(site: Path, client: Client) -> None:
    for lang, label in LABEL.items():
        html = client.get(f"/{lang}/indicators/overqualification_rate/").content.decode()
        section = html[html.index('id="profiles"') :]
        assert label in section
        assert 'data-table="profiles"' in section
        assert "data-synthetic" in section
    html = client.get("/en/indicators/overqualification_rate/").content.decode()
    # the survey's series, ranking and map hold none of them
    survey = html[html.index('id="series"') : html.index('<section aria-labelledby="h-profiles"')]
    assert "profiles" not in survey


def test_the_data_page_labels_them(site: Path, client: Client) -> None:
    for lang, label in LABEL.items():
        html = client.get(f"/{lang}/data/?source=profiles").content.decode()
        assert label in html
        assert 'data-source="profiles"' in html
        assert 'data-source="computed"' not in html
    html = client.get("/en/data/?source=profiles").content.decode()
    assert "none: not a survey" in html  # no SE, no interval
    assert "Skills profiles: persons profiled" in html


def test_the_page_downloads_carry_the_source_and_keep_suppressed_cells_blank(
    site: Path, client: Client
) -> None:
    base = "/api/v1/indicators/overqualification_rate/figures?part=profiles&format="
    csv = pd.read_csv(io.StringIO(client.get(base + "csv").content.decode()), dtype=str,
                      keep_default_na=False)  # fmt: skip
    assert len(csv) == 15
    assert set(csv["source"]) == {"profiles"}
    hidden = csv[csv["flag"].str.contains("c")]
    assert len(hidden)
    assert (hidden[["value", "n"]] == "").all(axis=None)
    book = openpyxl.load_workbook(io.BytesIO(client.get(base + "xlsx").content))
    sheet = list(book.worksheets[0].values)
    head = list(sheet[0])
    rows = [dict(zip(head, r, strict=True)) for r in sheet[1:]]
    assert {r["source"] for r in rows} == {"profiles"}
    assert all(r["value"] is None for r in rows if "c" in (r["flag"] or ""))
    about = " ".join(str(v) for r in book["about"].values for v in r)
    assert "not a representative survey" in about
    stat = json.loads(client.get(base + "jsonstat").content)
    assert "profiles" in stat["dimension"]["source"]["category"]["index"]
    assert any("not a representative survey" in n for n in stat["note"])
    sdmx = client.get(base + "sdmx-csv").content.decode()
    assert ",profiles," in sdmx
    # the whole page's download holds them too, apart by their source
    whole = client.get("/api/v1/indicators/overqualification_rate/figures?format=csv")
    assert ",profiles," in whole.content.decode()
