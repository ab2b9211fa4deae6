"""Published rows to observations: a mapping must pick one cell per indicator, country,
year, group and sex; an extra dimension with several codes stops the load."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.errors import CatalogError
from zaragoza.warehouse.published import DatasetMapping, to_observations


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
    assert "where: {..., rskpovth: B_40}" in message
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
