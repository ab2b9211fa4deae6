"""The bundled Eurostat tables in the warehouse: every figure and flag as published."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.catalog.loader import load_catalog
from zaragoza.cli import app
from zaragoza.warehouse.loads import load_bundled_published
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()
KEY = ["indicator", "geo", "time", "citizen", "c_birth", "sex"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    with Warehouse(path) as wh:
        result, published = load_bundled_published(wh, load_catalog())
        assert not result.already_loaded
        assert result.added == len(published.observations)
        again, _ = load_bundled_published(wh, load_catalog())
        assert again.already_loaded
        return wh.observations(source=["published"]).set_index(KEY)


# Cells copied by hand from the bundled files (the raw lines are quoted in comments).
CELLS = [
    # lfsa_ergan TSV: "A,PC,F,Y20-64,EU27_2020_FOR,AT ... 2021: 70.4 b"
    (("employment_rate", "AT", 2021, "EU27_2020_FOR", "TOTAL", "F"), 70.4, "b"),
    # lfsa_urgan TSV: "A,PC,F,Y20-64,NEU27_2020_FOR,BG  : u ... 2019: : bu"
    (("unemployment_rate", "BG", 2019, "NEU27_2020_FOR", "TOTAL", "F"), None, ":bu"),
    (("unemployment_rate", "BG", 2015, "NEU27_2020_FOR", "TOTAL", "F"), None, ":u"),
    # lfsa_urgan SDMX-CSV: "...,F,Females,Y15-64,...,NAT,Reporting country,SE,Sweden,2020,,6.6"
    (("unemployment_rate_15_64", "SE", 2020, "NAT", "TOTAL", "F"), 6.6, ""),
    # edat_lfs_9912 TSV: "A,PC,T,ED5-8,NEU27_2020_FOR,Y25-64,DE ... 2020: 26.0 b, 2015: :"
    (("educational_attainment_high", "DE", 2020, "TOTAL", "NEU27_2020_FOR", "T"), 26.0, "b"),
    (("educational_attainment_high", "DE", 2015, "TOTAL", "NEU27_2020_FOR", "T"), None, ":"),
    (("educational_attainment_high", "DE", 2024, "TOTAL", "NEU27_2020_FOR", "T"), 31.1, ""),
    # ilc_di15 labelled CSV: "...,EU27 countries (from 2020) except reporting country,
    # Total,18 years or over,Austria,2019,21977"
    (("median_equivalised_income", "AT", 2019, "EU27_2020_FOR", "TOTAL", "T"), 21977.0, ""),
    # "...,Foreign country,Total,18 years or over,Austria,2019,20392"
    (("median_equivalised_income", "AT", 2019, "FOR", "TOTAL", "T"), 20392.0, ""),
    # migr_acqs transcribed CSV: "SE,2020,8.64," and "AT,2009,0.94,"
    (("naturalisation_rate", "SE", 2020, "FOR", "TOTAL", "T"), 8.64, ""),
    (("naturalisation_rate", "AT", 2009, "FOR", "TOTAL", "T"), 0.94, ""),
    # hlth_silc_24 labelled CSV: "...,16 years or over,Reporting country,Very good or
    # good,Percentage,Austria,2023,68.7,,"
    (("good_health_share", "AT", 2023, "NAT", "TOTAL", "T"), 68.7, ""),
    # "...,Non-EU27 countries (from 2020) nor reporting country,Very good or good,
    # Percentage,Austria,2023,67.3,,"
    (("good_health_share", "AT", 2023, "NEU27_2020_FOR", "TOTAL", "T"), 67.3, ""),
    # "...,EU27 countries (from 2020) except reporting country,Very good or good,
    # Percentage,Türkiye,2022,72.6,u,"
    (("good_health_share", "TR", 2022, "EU27_2020_FOR", "TOTAL", "T"), 72.6, "u"),
    # "...,Albania,2017,,u,": not available, low reliability
    (("good_health_share", "AL", 2017, "EU27_2020_FOR", "TOTAL", "T"), None, ":u"),
    # lfsa_eoqgan JSON-stat, the answer for 2024 (flat index 38 * citizen + geo):
    # "135": 24.3 (NAT, AT); "59": 41.2 (NEU27_2020_FOR, AT); "117": 20.9, "b" (NAT, BG);
    # "3": status "bu", no value (EU27_2020_FOR, BG)
    (("overqualification_rate", "AT", 2024, "NAT", "TOTAL", "T"), 24.3, ""),
    (("overqualification_rate", "AT", 2024, "NEU27_2020_FOR", "TOTAL", "T"), 41.2, ""),
    (("overqualification_rate", "BG", 2024, "NAT", "TOTAL", "T"), 20.9, "b"),
    (("overqualification_rate", "BG", 2024, "EU27_2020_FOR", "TOTAL", "T"), None, ":bu"),
    # the answer for the EU (flat index 2 * citizen + time): "6": 20.7, "b" (NAT, 2014)
    (("overqualification_rate", "EU27_2020", 2014, "NAT", "TOTAL", "T"), 20.7, "b"),
]


@pytest.mark.parametrize(("key", "value", "flag"), CELLS)
def test_figures_and_flags_equal_the_files(
    loaded: pd.DataFrame, key: tuple[object, ...], value: float | None, flag: str
) -> None:
    row = loaded.loc[key]
    if value is None:
        assert math.isnan(row["value"])
    else:
        assert row["value"] == value
    assert row["flag"] == flag
    assert math.isnan(row["se"])


def test_rows_per_indicator(loaded: pd.DataFrame) -> None:
    counts = loaded.reset_index().groupby("indicator").size().to_dict()
    # lfsa_ergan/urgan TSV: 324 series at Y20-64 (3 groups x 3 sexes x 36 geos) x 10
    # years = 3,240; their SDMX-CSV files: all 7,983 rows are Y15-64; edat_lfs_9912:
    # 333 series (3 groups x 3 sexes x 37 geos) per ISCED level at Y25-64, and for ED5-8
    # at Y25-34, x 10 years = 3,330; ilc_di15: all 2,151 rows are the median income of
    # persons 18+; migr_acqs: all 478 rows; hlth_silc_24: one of its 7 levels (very
    # good or good), 15,246 / 7 = 2,178; lfsa_eoqgan: its 194 cells less the 22 of
    # stateless persons (STLS) and non-response (NRP), no group of Zaragoza.
    assert counts == {
        "employment_rate": 3240,
        "unemployment_rate": 3240,
        "employment_rate_15_64": 7983,
        "unemployment_rate_15_64": 7983,
        "educational_attainment_low": 3330,
        "educational_attainment_medium": 3330,
        "educational_attainment_high": 3330,
        "tertiary_attainment": 3330,
        "median_equivalised_income": 2151,
        "naturalisation_rate": 478,
        "good_health_share": 2178,
        "overqualification_rate": 172,
    }


def test_cli_load_bundled_and_eurostat_files(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    src = Path(load_catalog.__code__.co_filename).parents[1] / "data" / "eurostat"
    tsv = src / "lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv"
    res = runner.invoke(
        app, ["warehouse", "load", str(tsv), "--dataset", "lfsa_ergan", "--warehouse", str(wh)]
    )
    assert res.exit_code == 0, res.output
    assert "3,240 published observations" in res.output
    res = runner.invoke(app, ["warehouse", "load", "--bundled", "--warehouse", str(wh)])
    assert res.exit_code == 0, res.output
    assert "46,620 rows of edat_lfs_9912 are no catalogue indicator" in res.output
    assert "3,240 replaced" in res.output
    res = runner.invoke(app, ["warehouse", "load", "--warehouse", str(wh)])
    assert res.exit_code == 2
