"""The benchmarking endpoints: /api/v1/compare/{targets,gaps,ranks,trends}."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from zaragoza.warehouse.store import sandboxed

BASE = "/api/v1/compare"


def _json(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _value(path: Path, **cell: Any) -> float:
    where = " AND ".join(f"{k} = ?" for k in cell)
    with sandboxed(path) as con:
        row = con.execute(
            f"SELECT value FROM observations WHERE {where} AND compare_to = ''", list(cell.values())
        ).fetchone()
    assert row is not None
    return float(row[0])


def test_gap_equals_the_difference_of_the_published_figures(portal: Path, client: Client) -> None:
    doc = _json(
        client,
        f"{BASE}/gaps?indicator=employment_rate&geo=AT&time=2023&source=published&sex=T",
    )
    gaps = pd.DataFrame(doc["results"])
    row = gaps[(gaps["gap"] == "migrant_native") & (gaps["citizen"] == "NEU27_2020_FOR")].iloc[0]
    cell = {"indicator": "employment_rate", "geo": "AT", "time": 2023, "sex": "T",
            "source": "published", "c_birth": "TOTAL"}  # fmt: skip
    expected = _value(portal, citizen="NEU27_2020_FOR", **cell) - _value(
        portal, citizen="NAT", **cell
    )
    assert row["value"] == pytest.approx(expected)
    assert row["se"] is None  # published without SEs


def test_distance_to_target_is_value_minus_target(portal: Path, client: Client) -> None:
    doc = _json(
        client,
        f"{BASE}/targets?indicator=employment_rate&geo=AT&time=2023&source=published"
        "&citizen=NEU27_2020_FOR&sex=T",
    )
    rows = pd.DataFrame(doc["results"])
    row = rows[rows["target"] == "eu2030_employment"].iloc[0]
    assert row["distance"] == pytest.approx(row["value"] - 78)
    assert bool(row["met"]) == (row["value"] >= 78)


def test_ranks_and_trends_answer_with_their_columns(portal: Path, client: Client) -> None:
    ranks = _json(
        client,
        f"{BASE}/ranks?indicator=employment_rate&time=2023&citizen=NEU27_2020_FOR&sex=T"
        "&source=published",
    )
    assert ranks["count"] > 10
    assert {r["rank_method"] for r in ranks["results"]} == {"plain"}
    trends = _json(client, f"{BASE}/trends?indicator=employment_rate&geo=SE&source=published")
    assert {"slope", "slope_se", "break_in_period"} <= set(trends["columns"])


def test_csv_and_bad_parameters(portal: Path, client: Client) -> None:
    response = client.get(f"{BASE}/gaps?indicator=employment_rate&geo=AT&format=csv")
    assert response.status_code == 200
    assert len(pd.read_csv(io.StringIO(response.content.decode()))) > 0
    for url, parameter in (
        (f"{BASE}/gaps?geo=XX", "geo"),
        (f"{BASE}/ranks?time=1800", "time"),
        (f"{BASE}/trends?format=xlsx", "format"),
        (f"{BASE}/targets?limit=5", "limit"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert json.loads(response.content)["parameter"] == parameter
