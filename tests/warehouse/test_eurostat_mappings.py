"""The dataset mappings of ``catalog/eurostat_datasets.yaml``, end to end.

For every mapped table, ``zaragoza eurostat fetch INDICATOR`` is answered through
``httpx.MockTransport`` with a small JSON-stat dataset built here from the dimension
codes public sources confirm for that table (``docs/eurostat.md``); the request it makes
and the observations it loads into a warehouse are checked against what this file
expects, independently of the mapping file. Nothing here touches the network.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

import zaragoza.sources.eurostat_api as eurostat_api
from zaragoza.catalog.loader import load_catalog
from zaragoza.cli import app
from zaragoza.errors import CatalogError
from zaragoza.warehouse.published import DatasetMapping, load_mappings, to_observations
from zaragoza.warehouse.store import Warehouse

GROUPS = ("NAT", "EU27_2020_FOR", "NEU27_2020_FOR")
SEXES = ("T", "F", "M")
GEOS = ("AT", "SE")
YEARS = (2022, 2023)


@dataclass(frozen=True)
class Mapped:
    """A mapped table: the query ``eurostat fetch`` must send and the answer's shape."""

    indicator: str
    by: str  # citizen or c_birth
    dataset: str
    query: dict[str, str | tuple[str, ...]]  # the fixed filters (the groups may be several)
    groups: tuple[str, ...] = GROUPS  # codes of the group dimension in the answer
    sexes: tuple[str, ...] = SEXES  # () when the table has no sex dimension
    group_as: dict[str, str] = field(default_factory=dict)  # answer code -> Zaragoza's group


POVERTY = {"unit": "PC", "age": "Y_GE18"}
EARLY_LEAVERS = {"unit": "PC", "age": "Y18-24", "wstatus": "POP"}
HEALTH = {"unit": "PC", "age": "Y_GE16", "lev_perc": "VG_G"}
OVERQUALIFICATION_GROUPS = ("TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR")
MAPPED = [
    Mapped("at_risk_of_poverty_rate", "citizen", "ilc_li31", POVERTY),
    Mapped("at_risk_of_poverty_rate", "c_birth", "ilc_li32", POVERTY),
    Mapped("arope_2030", "citizen", "ilc_peps05n", POVERTY),
    Mapped("arope_2030", "c_birth", "ilc_peps06n", POVERTY),
    Mapped("arope_2020", "citizen", "ilc_peps05", POVERTY),
    Mapped("arope_2020", "c_birth", "ilc_peps06", POVERTY),
    Mapped("early_leavers", "citizen", "edat_lfse_01", EARLY_LEAVERS),
    Mapped("early_leavers", "c_birth", "edat_lfse_02", EARLY_LEAVERS),
    # All non-EU citizens holding a permit: citizen TOTAL in the table, non-EU in Zaragoza.
    Mapped(
        "long_term_residence_share",
        "citizen",
        "migr_resshare",
        {"unit": "PC", "leg_fram": "TOTAL", "citizen": "TOTAL"},
        groups=("TOTAL",),
        sexes=(),
        group_as={"TOTAL": "NEU27_2020_FOR"},
    ),
    # Confirmed by the bundled Eurostat files (docs/eurostat.md): the labelled download
    # of hlth_silc_24 and the recorded answers of lfsa_eoqgan, whose stateless (STLS)
    # and non-response (NRP) groups are not asked for.
    Mapped("good_health_share", "citizen", "hlth_silc_24", HEALTH),
    Mapped(
        "overqualification_rate",
        "citizen",
        "lfsa_eoqgan",
        {"unit": "PC", "age": "Y20-64", "citizen": OVERQUALIFICATION_GROUPS},
        groups=OVERQUALIFICATION_GROUPS,
    ),
]

# The cells of every answer by position in the product of its dimensions: a value with
# flag b, a value Eurostat does not publish (flag u), a confidential cell (status "|C").
SPECIAL = {0: (12.5, "b"), 1: (None, "u"), 2: (None, "|C")}
EXPECTED_FLAG = {"b": "b", "u": ":u", "|C": ":c", "": ""}


def _dimensions(case: Mapped) -> dict[str, tuple[str, ...]]:
    dims: dict[str, tuple[str, ...]] = {"freq": ("A",)}
    dims |= {d: (c,) for d, c in case.query.items() if d != case.by and isinstance(c, str)}
    if case.sexes:
        dims["sex"] = case.sexes
    dims[case.by] = case.groups
    dims["geo"] = GEOS
    dims["time"] = tuple(str(y) for y in YEARS)
    return dims


def _cells(case: Mapped) -> list[tuple[dict[str, str], float | None, str]]:
    """(codes, value, status) of every position, row-major, the last dimension fastest."""
    dims = _dimensions(case)
    out = []
    for i, combo in enumerate(itertools.product(*dims.values())):
        value, status = SPECIAL.get(i, (round(20 + 0.7 * i, 1), ""))
        out.append((dict(zip(dims, combo, strict=True)), value, status))
    return out


def _jsonstat(case: Mapped) -> dict[str, Any]:
    """A JSON-stat 2.0 answer in Eurostat's shape (sparse value and status by index)."""
    dims = _dimensions(case)
    cells = _cells(case)
    return {
        "version": "2.0",
        "class": "dataset",
        "id": list(dims),
        "size": [len(c) for c in dims.values()],
        "dimension": {
            d: {"category": {"index": {c: i for i, c in enumerate(codes)}}}
            for d, codes in dims.items()
        },
        "value": {str(i): v for i, (_, v, _) in enumerate(cells) if v is not None},
        "status": {str(i): s for i, (_, _, s) in enumerate(cells) if s},
    }


def _fetch(
    case: Mapped, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[httpx.Request], pd.DataFrame]:
    """Run ``zaragoza eurostat fetch`` for ``case`` into a warehouse; return the
    requests made and the observations loaded."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=_jsonstat(case))

    client = functools.partial(eurostat_api.EurostatClient, transport=httpx.MockTransport(answer))
    monkeypatch.setattr(eurostat_api, "EurostatClient", client)
    wh = tmp_path / "w.duckdb"
    args = ["eurostat", "fetch", case.indicator, "--by", case.by, "--geo", ",".join(GEOS)]
    args += ["--cache", str(tmp_path / "cache"), "--warehouse", str(wh)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    with Warehouse(wh, read_only=True) as w:
        return requests, w.observations(indicator=[case.indicator])


@pytest.mark.parametrize("case", MAPPED, ids=lambda c: c.dataset)
def test_fetch_asks_the_dataset_with_the_confirmed_filters(
    case: Mapped, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests, _ = _fetch(case, tmp_path, monkeypatch)
    (request,) = requests
    assert request.url.host == "ec.europa.eu"
    assert request.url.path == f"/eurostat/api/dissemination/statistics/1.0/data/{case.dataset}"
    query: dict[str, list[str]] = {}
    for key, value in request.url.params.multi_items():
        query.setdefault(key, []).append(value)
    assert query == {
        "format": ["JSON"],
        "lang": ["EN"],
        "geo": list(GEOS),
        **{
            dim: [code] if isinstance(code, str) else list(code) for dim, code in case.query.items()
        },
    }


@pytest.mark.parametrize("case", MAPPED, ids=lambda c: c.dataset)
def test_every_cell_becomes_an_observation_with_group_sex_value_and_flag(
    case: Mapped, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, obs = _fetch(case, tmp_path, monkeypatch)
    age = load_catalog()[case.indicator].age_code
    assert age == case.query.get("age", "TOTAL")
    other = "c_birth" if case.by == "citizen" else "citizen"
    cells = _cells(case)
    assert len(obs) == len(cells)
    assert set(obs["source"]) == {"published"}
    assert set(obs["age"]) == {age}
    assert set(obs[other]) == {"TOTAL"}
    got = obs.set_index(["geo", "time", case.by, "sex"])
    for codes, value, status in cells:
        group = case.group_as.get(codes[case.by], codes[case.by])
        row = got.loc[(codes["geo"], int(codes["time"]), group, codes.get("sex", "T"))]
        if value is None:
            assert math.isnan(row["value"])
        else:
            assert row["value"] == value
        assert row["flag"] == EXPECTED_FLAG[status]
        assert math.isnan(row["se"])


def test_every_mapped_table_is_the_catalogues_table() -> None:
    # The catalogue's eurostat_tables and the mapping file name the same tables.
    cat = load_catalog()
    mapped = {(m.indicator, m.dataset) for m in load_mappings()}
    for case in MAPPED:
        assert getattr(cat[case.indicator].eurostat_tables, case.by) == case.dataset
        assert (case.indicator, case.dataset) in mapped


def _poverty_rows(**extra: list[str]) -> pd.DataFrame:
    """ilc_li31 rows for AT 2023, T, NAT, with extra dimensions of the given codes."""
    combos = list(itertools.product(*extra.values())) or [()]
    rows = [
        {
            "dataset": "ilc_li31",
            "freq": "A",
            **dict(zip(extra, combo, strict=True)),
            "unit": "PC",
            "age": "Y_GE18",
            "sex": "T",
            "citizen": "NAT",
            "geo": "AT",
            "time": 2023,
            "value": 10.0 + i,
            "flag": "",
        }
        for i, combo in enumerate(combos)
    ]
    return pd.DataFrame(rows)


LI31 = DatasetMapping(
    dataset="ilc_li31", indicator="at_risk_of_poverty_rate", where={"unit": "PC", "age": "Y_GE18"}
)


def test_an_extra_dimension_with_several_codes_stops_the_load_and_says_what_to_add() -> None:
    # Eurostat may have given ilc_li31 the statinfo / rskpovth dimensions of ilc_li02.
    rows = _poverty_rows(statinfo=["MED_EI"], rskpovth=["B_60", "B_50", "B_40"])
    with pytest.raises(CatalogError) as info:
        to_observations(rows, load_catalog(), [LI31])
    message = str(info.value)
    assert "dataset ilc_li31 has 3 codes of dimension rskpovth (B_40, B_50, B_60)" in message
    assert "for indicator at_risk_of_poverty_rate" in message
    assert "catalog/eurostat_datasets.yaml" in message
    assert "where: {..., rskpovth: <one of the codes>}" in message
    assert info.value.column == "rskpovth"


def test_an_extra_dimension_picked_by_where_or_with_one_code_is_loaded() -> None:
    cat = load_catalog()
    rows = _poverty_rows(statinfo=["MED_EI"], rskpovth=["B_60", "B_50"])
    picked = LI31.model_copy(update={"where": {**LI31.where, "rskpovth": "B_60"}})
    obs = to_observations(rows, cat, [picked]).observations
    assert obs[["geo", "time", "citizen", "sex", "value"]].values.tolist() == [
        ["AT", 2023, "NAT", "T", 10.0]
    ]
    one = to_observations(_poverty_rows(statinfo=["MED_EI"], rskpovth=["B_60"]), cat, [LI31])
    assert len(one.observations) == 1


def test_groups_listed_in_where_are_loaded_and_the_others_left_out_and_counted() -> None:
    (mapping,) = [m for m in load_mappings() if m.dataset == "lfsa_eoqgan"]
    rows = pd.DataFrame(
        {
            "dataset": "lfsa_eoqgan",
            "freq": "A",
            "citizen": ["NAT", "STLS", "NRP", "NEU27_2020_FOR"],
            "age": "Y20-64",
            "sex": "T",
            "unit": "PC",
            "geo": "AT",
            "time": 2024,
            "value": [24.3, None, None, 41.2],
            "flag": ["", "u", "u", ""],
        }
    )
    published = to_observations(rows, load_catalog(), [mapping])
    assert published.observations[["citizen", "value"]].values.tolist() == [
        ["NAT", 24.3],
        ["NEU27_2020_FOR", 41.2],
    ]
    assert published.unmapped == {"lfsa_eoqgan": 2}


def test_only_a_group_dimension_may_list_codes() -> None:
    with pytest.raises(ValueError, match="where: unit lists \\['PC', 'THS'\\]: only a group"):
        DatasetMapping(dataset="x", indicator="y", where={"unit": ["PC", "THS"]})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="at least one"):
        DatasetMapping(dataset="x", indicator="y", where={"citizen": []})  # type: ignore[dict-item]
