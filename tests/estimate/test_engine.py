"""Engine behaviour beyond the R reference: every definition's value, regions, flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.pipeline import estimate_files
from zaragoza.sources.synthetic import write_lfs

Rule = Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]


@pytest.fixture(scope="module")
def lfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lfs(tmp_path_factory.mktemp("lfs") / "lfs.parquet", 8000, seed=11)


def age(d: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    return (d["AGE"] >= lo) & (d["AGE"] <= hi)


def isced(d: pd.DataFrame) -> pd.Series:
    return d["HATLEVEL"] // 100


# Each indicator written again from the table with pandas, independently of the
# catalogue: (denominator mask, numerator mask) over records with the needed variables.
EMP = lambda d: d["ILOSTAT"] == 1  # noqa: E731
LF = lambda d: d["ILOSTAT"].isin([1, 2])  # noqa: E731
DEFS: dict[str, Rule] = {
    "employment_rate": lambda d: (age(d, 20, 64) & d.ILOSTAT.notna(), EMP(d)),
    "employment_rate_15_64": lambda d: (age(d, 15, 64) & d.ILOSTAT.notna(), EMP(d)),
    "activity_rate": lambda d: (age(d, 20, 64) & d.ILOSTAT.notna(), LF(d)),
    "unemployment_rate": lambda d: (age(d, 20, 64) & LF(d), d.ILOSTAT == 2),
    "unemployment_rate_15_74": lambda d: (age(d, 15, 74) & LF(d), d.ILOSTAT == 2),
    "unemployment_rate_15_64": lambda d: (age(d, 15, 64) & LF(d), d.ILOSTAT == 2),
    "youth_unemployment_rate": lambda d: (age(d, 15, 24) & LF(d), d.ILOSTAT == 2),
    "self_employment_share": lambda d: (
        age(d, 20, 64) & EMP(d) & d.STAPRO.notna(),
        d.STAPRO.isin([1, 2]),
    ),
    "temporary_employment_share": lambda d: (
        age(d, 20, 64) & EMP(d) & (d.STAPRO == 3) & d.TEMP.notna(),
        d.TEMP == 2,
    ),
    "part_time_employment_share": lambda d: (age(d, 20, 64) & EMP(d) & d.FTPT.notna(), d.FTPT == 2),
    "public_sector_employment_share": lambda d: (
        age(d, 20, 64) & EMP(d) & d.NACE1D.notna(),
        d.NACE1D.isin(["O", "P", "Q"]),
    ),
    "long_term_unemployment_share": lambda d: (
        age(d, 20, 64) & (d.ILOSTAT == 2) & d.DURUNE.notna(),
        d.DURUNE >= 5,
    ),
    "long_term_unemployment_rate": lambda d: (
        age(d, 20, 64) & LF(d) & ~((d.ILOSTAT == 2) & d.DURUNE.isna()),
        (d.ILOSTAT == 2) & (d.DURUNE >= 5),
    ),
    "overqualification_rate": lambda d: (
        age(d, 20, 64) & EMP(d) & (isced(d) >= 5) & d.ISCO1D.notna(),
        d.ISCO1D >= 4,
    ),
    "educational_attainment_low": lambda d: (age(d, 25, 64) & d.HATLEVEL.notna(), isced(d) <= 2),
    "educational_attainment_medium": lambda d: (
        age(d, 25, 64) & d.HATLEVEL.notna(),
        isced(d).isin([3, 4]),
    ),
    "educational_attainment_high": lambda d: (age(d, 25, 64) & d.HATLEVEL.notna(), isced(d) >= 5),
    "tertiary_attainment": lambda d: (age(d, 25, 34) & d.HATLEVEL.notna(), isced(d) >= 5),
    "tertiary_attainment_30_34": lambda d: (age(d, 30, 34) & d.HATLEVEL.notna(), isced(d) >= 5),
    # Kleene logic: a record is known when its value is determined by what is present
    "early_leavers": lambda d: (
        age(d, 18, 24)
        & ((isced(d) > 2) | (d.EDUC4WN == 1) | (d.HATLEVEL.notna() & d.EDUC4WN.notna())),
        (isced(d) <= 2) & (d.EDUC4WN == 2),
    ),
    "neet_rate": lambda d: (
        age(d, 15, 29)
        & ((d.ILOSTAT == 1) | (d.EDUC4WN == 1) | (d.ILOSTAT.notna() & d.EDUC4WN.notna())),
        (d.ILOSTAT != 1) & d.ILOSTAT.notna() & (d.EDUC4WN == 2),
    ),
    "adult_learning_participation": lambda d: (age(d, 25, 64) & d.EDUC4WN.notna(), d.EDUC4WN == 1),
}


def test_every_lfs_indicator_is_checked_here() -> None:
    cat = load_catalog()
    assert {i for i in cat if cat[i].survey == "EU-LFS"} == set(DEFS)


def test_values_and_counts_match_an_independent_computation(lfs: Path) -> None:
    d = pd.read_parquet(lfs)
    obs = estimate_files([lfs], list(DEFS)).observations
    for ident, rule in DEFS.items():
        for geo, g in d.groupby("COUNTRY"):
            den, num = rule(g)
            den = den.fillna(False).astype(bool)
            num = num.fillna(False).astype(bool)
            expected = 100 * g.COEFF[den & num].sum() / g.COEFF[den].sum()
            row = obs[(obs.indicator == ident) & (obs.geo == geo)].iloc[0]
            assert row["value"] == pytest.approx(expected, rel=1e-12), ident
            assert row["n"] == int(den.sum()), ident


def test_regions_are_domains_of_their_country(lfs: Path) -> None:
    d = pd.read_parquet(lfs)
    obs = estimate_files([lfs], ["employment_rate"], by=["geo"]).observations
    assert set(obs.geo) == set(d.COUNTRY) | set(d.REGION)
    for region, g in d.groupby("REGION"):
        den = age(g, 20, 64) & g.ILOSTAT.notna()
        expected = 100 * g.COEFF[den & (g.ILOSTAT == 1)].sum() / g.COEFF[den].sum()
        assert obs.set_index("geo").loc[region, "value"] == pytest.approx(expected)


def test_user_indicator_from_a_folder(lfs: Path, tmp_path: Path) -> None:
    (tmp_path / "emp.yaml").write_text(
        "id: employment_rate_women_55_64\narea: employment\ntitle: Older women employed\n"
        "definition: Employed women aged 55-64 as a share of all women aged 55-64.\n"
        "survey: EU-LFS\npopulation:\n  age: {min: 55, max: 64}\n"
        "  filter: {var: SEX, in: [2]}\nnumerator: {var: ILOSTAT, in: [1]}\n"
    )
    obs = estimate_files(
        [lfs], ["employment_rate_women_55_64"], catalog_dirs=[tmp_path], by=["sex"]
    ).observations
    assert set(obs.sex) == {"T", "F"}
    t, f = obs[obs.geo == "AT"].set_index("sex").loc[["T", "F"], "value"]
    assert t == pytest.approx(f)
    assert obs.age.iloc[0] == "Y55-64"


def test_flags_follow_the_rules_file(lfs: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "EU-LFS:\n  not_published: {n_below: 200}\n  low_reliability: {n_below: 400}\n"
        "  countries:\n    SE: {not_published: {n_below: 1}, low_reliability: {n_below: 2}}\n"
    )
    obs = estimate_files([lfs], ["employment_rate"], by=["citizen"], rules=rules).observations
    base = obs[obs.compare_to == ""]
    expected = np.where(base.n < 200, "c", np.where(base.n < 400, "u", ""))
    expected = np.where(base.geo == "SE", "", expected)
    assert list(base.flag) == list(expected)
    assert {"c", "u", ""} <= set(base.flag)


def test_lfs_publication_limits_on_weighted_counts(lfs: Path, tmp_path: Path) -> None:
    limits = tmp_path / "limits.csv"
    limits.write_text("geo,limit_a,limit_b\nAT,20000,60000\n")
    obs = estimate_files([lfs], ["unemployment_rate"], by=["citizen"], limits=limits).observations
    d = pd.read_parquet(lfs)
    at = d[(d.COUNTRY == "AT") & age(d, 20, 64)]
    unemployed = at.COEFF[at.ILOSTAT == 2].sum()  # the numerator decides for a rate
    row = obs[(obs.geo == "AT") & (obs.citizen == "TOTAL")].iloc[0]
    assert row.flag == ("c" if unemployed < 20000 else "u" if unemployed < 60000 else "")
    assert set(obs[obs.geo == "AT"].flag) <= {"", "u", "c"}


def test_gap_rows_take_the_weaker_flag(lfs: Path) -> None:
    obs = estimate_files(
        [lfs], ["unemployment_rate"], by=["citizen"], gap="citizen=NAT"
    ).observations
    gaps = obs[obs.compare_to == "NAT"]
    cells = obs[obs.compare_to == ""].set_index(["geo", "citizen"]).flag
    rank = {"": 0, "u": 1, "c": 2}
    for _, g in gaps.iterrows():
        worst = max(cells[(g.geo, g.citizen)], cells[(g.geo, "NAT")], key=rank.__getitem__)
        assert g.flag == worst
        assert np.isnan(g.cv)


def test_malformed_rules_file_names_the_field(lfs: Path, tmp_path: Path) -> None:
    from zaragoza.errors import CatalogError

    rules = tmp_path / "rules.yaml"
    rules.write_text("EU-LFS:\n  not_published: {n_below: many}\n  low_reliability: {}\n")
    with pytest.raises(CatalogError, match=r"invalid reliability rules.*EU-LFS\.not_published"):
        estimate_files([lfs], ["employment_rate"], rules=rules)
    rules.write_text("EU-LFS: [\n")
    with pytest.raises(CatalogError, match="cannot read the reliability rules"):
        estimate_files([lfs], ["employment_rate"], rules=rules)
