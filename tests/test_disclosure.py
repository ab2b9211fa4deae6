"""Disclosure control: no confidential cell can be rebuilt from what is published.

The attack that found the weakness: on the embedded default, 53 of 94 suppressed cells
were rebuilt from the sex and group margins plus the published ``n`` (median error 0.32
percentage points). It is rerun here independently of the library's own audit: before
protection it recovers cells, after it none.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app, example_file
from zaragoza.disclosure import protect, recoverable, secondary_cells
from zaragoza.observations import blank_confidential, confidential
from zaragoza.pipeline import estimate_files

runner = CliRunner()
# The relations an attacker uses: margin = sum of parts, weighted by the counts.
RELATIONS = {
    "citizen": [("TOTAL", ("NAT", "FOR")), ("FOR", ("EU27_2020_FOR", "NEU27_2020_FOR"))],
    "sex": [("T", ("M", "F"))],
}


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    """Every EU-LFS indicator on the bundled example by citizenship and sex, with gaps."""
    ids = [
        "employment_rate", "unemployment_rate", "activity_rate", "temporary_employment_share",
        "part_time_employment_share", "self_employment_share", "overqualification_rate",
        "long_term_unemployment_share", "youth_unemployment_rate", "neet_rate",
    ]  # fmt: skip
    run = estimate_files([example_file()], ids, by=["citizen", "sex"], gap="citizen=NAT")
    obs = run.observations.assign(source="computed")
    assert confidential(obs["flag"]).sum() >= 20  # enough confidential cells to attack
    return obs


def attack(published: pd.DataFrame, counts: pd.DataFrame) -> dict[tuple[str, ...], float]:
    """Rebuild blank level cells from one relation each, with counts as weights.

    ``counts`` holds the ``n`` the attacker knows (published ones; for a blank cell, the
    margin's count minus the other parts', when those are known).
    """
    levels = published[published["compare_to"] == ""]
    key = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age"]
    cell = {tuple(r[k] for k in key): r for _, r in levels.iterrows()}
    n = {tuple(r[k] for k in key): r["n"] for _, r in counts.iterrows()}
    found: dict[tuple[str, ...], float] = {}
    for k, row in cell.items():
        for dim, rels in RELATIONS.items():
            pos = key.index(dim)
            for margin, parts in rels:
                if row[dim] != margin or pd.isna(row["value"]) or pd.isna(n.get(k)):
                    continue
                members = [(*k[:pos], p, *k[pos + 1 :]) for p in parts]
                if not all(m in cell for m in members):
                    continue
                blank = [m for m in members if pd.isna(cell[m]["value"])]
                if len(blank) != 1:
                    continue
                known = [m for m in members if m not in blank]
                if any(pd.isna(n.get(m)) for m in known):
                    continue
                n_blank = n.get(blank[0])
                if pd.isna(n_blank):
                    n_blank = n[k] - sum(n[m] for m in known)
                if n_blank <= 0:
                    continue
                total = row["value"] * n[k] - sum(cell[m]["value"] * n[m] for m in known)
                found[blank[0]] = total / n_blank
    return found


def truth(obs: pd.DataFrame) -> dict[tuple[str, ...], float]:
    key = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age"]
    lv = obs[obs["compare_to"] == ""]
    return {tuple(r[k] for k in key): r["value"] for _, r in lv.iterrows()}


def test_primary_blanking_alone_can_be_attacked(estimates: pd.DataFrame) -> None:
    """The finding: blank values with published counts give the values back."""
    naive = estimates.copy()
    hidden = confidential(naive["flag"])
    naive.loc[hidden, ["value", "se", "ci_lo", "ci_hi", "cv"]] = np.nan
    rebuilt = attack(naive, naive)
    real = truth(estimates)
    close = [k for k, v in rebuilt.items() if abs(v - real[k]) < 1.0]
    assert len(close) >= 3, (len(rebuilt), len(close))
    assert recoverable(naive, hidden)  # the library's own audit agrees


def test_after_protection_no_cell_is_rebuilt(estimates: pd.DataFrame) -> None:
    published = protect(estimates)
    assert attack(published, published) == {}
    hidden = confidential(published["flag"])
    assert recoverable(published, hidden) == []
    blank = published[hidden]
    assert blank[["value", "se", "ci_lo", "ci_hi", "cv", "n", "n_missing"]].isna().all().all()
    assert hidden.sum() > confidential(estimates["flag"]).sum()  # secondary cells too


def test_a_gap_never_reveals_a_hidden_level(estimates: pd.DataFrame) -> None:
    published = protect(estimates)
    levels = published[published["compare_to"] == ""].set_index(
        ["indicator", "geo", "time", "citizen", "sex"]
    )
    gaps = published[published["compare_to"] == "NAT"]
    for _, gap in gaps.iterrows():
        if pd.isna(gap["value"]):
            continue
        own = levels.loc[(gap["indicator"], gap["geo"], gap["time"], gap["citizen"], gap["sex"])]
        nat = levels.loc[(gap["indicator"], gap["geo"], gap["time"], "NAT", gap["sex"])]
        assert not pd.isna(own["value"])
        assert not pd.isna(nat["value"])


def test_secondary_cells_are_chosen_by_smallest_count(estimates: pd.DataFrame) -> None:
    extra = secondary_cells(estimates)
    levels = estimates[(estimates["compare_to"] == "") & extra]
    # complements are parts, not margins, wherever a part could do
    assert (levels["citizen"] != "TOTAL").mean() > 0.5


def test_published_cells_are_left_as_eurostat_publishes_them(estimates: pd.DataFrame) -> None:
    pub = estimates.assign(source="published")
    assert not secondary_cells(pub).any()


def test_protection_is_deterministic(estimates: pd.DataFrame) -> None:
    a = protect(estimates)
    b = protect(estimates.sample(frac=1.0, random_state=3).sort_index())
    pd.testing.assert_frame_equal(a, b)


def test_blank_confidential_takes_any_case() -> None:
    df = pd.DataFrame(
        {"flag": ["C", "uc", "", "u"], "value": [1.0, 2.0, 3.0, 4.0], "n": [5, 6, 7, 8]}
    )
    out = blank_confidential(df)
    assert out["value"].isna().tolist() == [True, True, False, False]
    assert out["n"].isna().tolist() == [True, True, False, False]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_estimate_suppress_blanks_every_confidential_cell(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"est{suffix}"
    res = runner.invoke(
        app,
        [
            "estimate",
            "--by",
            "citizen,sex",
            "--gap",
            "citizen=NAT",
            "--suppress",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    hidden = confidential(df["flag"].fillna(""))
    assert hidden.any()
    assert df.loc[hidden, ["value", "se", "ci_lo", "ci_hi", "cv", "n"]].isna().all().all()
    assert df.loc[~hidden, "value"].notna().any()
    assert attack(df.assign(source="computed").fillna({"compare_to": ""}), df) == {}


def test_a_cell_dimension_left_empty_is_refused_not_published() -> None:
    # a missing migrant background would match no equation: the small cell's complement
    # would stay published, so the rows are refused instead
    rows = pd.DataFrame(
        {
            "indicator": "x", "geo": "AT", "time": 2023, "citizen": ["TOTAL", "NAT", "FOR"],
            "c_birth": "TOTAL", "mig_bg": np.nan, "sex": "T", "age": "Y15-64",
            "compare_to": "", "value": [38.0, 3.0, 35.0], "se": np.nan, "n": [38, 3, 35],
            "flag": ["", "c", ""], "source": "computed",
        }
    )  # fmt: skip
    with pytest.raises(ValueError, match="'mig_bg' has missing values in 3 row"):
        protect(rows)
    fixed = protect(rows.assign(mig_bg="TOTAL"))
    assert fixed["value"].isna().sum() >= 2  # NAT and one of TOTAL, FOR hidden
