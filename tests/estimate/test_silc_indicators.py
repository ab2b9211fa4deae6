"""EU-SILC indicators end to end: the Belgian public-use file, derived variables, flags."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.errors import UsageError
from zaragoza.estimate.engine import OUTPUT_COLUMNS
from zaragoza.estimate.flags import load_rules
from zaragoza.observations import ESTIMATE_FILE_COLUMNS
from zaragoza.pipeline import estimate_files

PUF = Path(__file__).parents[1] / "data" / "eusilc_puf"
PUF_FILES = [PUF / "BE_2013p_EUSILC.csv.gz", PUF / "BE_2013h_EUSILC.csv.gz"]
GROUPS = ["TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR"]


@pytest.fixture(scope="module")
def puf() -> pd.DataFrame:
    run = estimate_files(PUF_FILES, None, by=["citizen"], drop_invalid=True)
    assert run.n_dropped == 6
    assert any("not Eurostat" in n or "not over the whole population" in n for n in run.notes)
    return run.observations


def test_every_available_indicator_by_citizenship(puf: pd.DataFrame) -> None:
    assert list(puf.columns) == OUTPUT_COLUMNS
    expected = {
        "arope_2020", "arope_2030", "at_risk_of_poverty_rate", "at_risk_of_poverty_threshold",
        "gini", "good_health_share", "housing_cost_overburden", "in_work_poverty",
        "median_equivalised_income", "median_income_ratio", "owner_share", "s80_s20",
        "severe_material_deprivation", "severe_material_social_deprivation",
        "unmet_medical_needs",
    }  # fmt: skip
    assert set(puf["indicator"]) == expected
    for ind in expected - {"at_risk_of_poverty_threshold"}:
        assert list(puf[puf["indicator"] == ind]["citizen"]) == GROUPS, ind
    thr = puf[puf["indicator"] == "at_risk_of_poverty_threshold"]
    assert list(thr["citizen"]) == ["TOTAL"]
    assert (puf["geo"] == "BE").all()
    assert (puf["time"] == 2013).all()


def test_puf_values_hang_together(puf: pd.DataFrame) -> None:
    v = puf.set_index(["indicator", "citizen"])["value"]
    # the threshold is 60% of the median of all persons (here: the P file, 16+)
    assert 0 < v["at_risk_of_poverty_threshold", "TOTAL"] < v["median_equivalised_income", "TOTAL"]
    # the ratio is the group's median over the national one, in percent
    for g in GROUPS:
        ratio = v["median_equivalised_income", g] / v["median_equivalised_income", "TOTAL"]
        assert v["median_income_ratio", g] == pytest.approx(100 * ratio, rel=1e-12)
    # AROPE includes the at-risk-of-poverty rate
    for g in GROUPS:
        assert v["arope_2020", g] >= v["at_risk_of_poverty_rate", g] - 1e-9
    # the SAS-checked figure of SOURCES.md: ARPR of persons 16+, PB040, HY020/HX050
    assert v["at_risk_of_poverty_rate", "NAT"] == pytest.approx(25.0, abs=0.5)
    se = puf.set_index(["indicator", "citizen"])["se"]
    assert se["median_income_ratio", "TOTAL"] == pytest.approx(0.0, abs=1e-9)
    assert (puf["se"].dropna() >= 0).all()


def test_partial_arope_is_flagged_d(puf: pd.DataFrame) -> None:
    arope = puf[puf["indicator"].str.startswith("arope")]
    assert arope["flag"].str.contains("d").all()
    assert not puf[puf["indicator"] == "owner_share"]["flag"].str.contains("d").any()


def test_item_non_response_flags() -> None:
    rules = load_rules()
    from zaragoza.estimate.flags import apply_flags

    df = pd.DataFrame(
        {
            "geo": ["BE"] * 4,
            "n": [100, 100, 100, 30],
            "n_missing": [10, 30, 120, 0],
            "cv": [1.0] * 4,
            "Y": [np.nan] * 4,
            "X": [np.nan] * 4,
        }
    )
    flags = apply_flags(df, pd.Series(["EU-SILC"] * 4), rules)
    # 9% missing: fine; 23%: u; 55%: not published; n = 30: u
    assert list(flags) == ["", "u", "c", "u"]


def test_named_indicator_without_its_variables_is_refused() -> None:
    with pytest.raises(UsageError, match=r"low_work_intensity needs PL073, PL074, PL075, PL076"):
        estimate_files(PUF_FILES, ["low_work_intensity"], drop_invalid=True)
    with pytest.raises(UsageError, match="overcrowding_rate needs RB240"):
        estimate_files(PUF_FILES, ["overcrowding_rate"], drop_invalid=True)


def test_silc_and_lfs_indicators_are_not_mixed() -> None:
    with pytest.raises(UsageError, match="EU-SILC indicator"):
        estimate_files(PUF_FILES, ["employment_rate", "gini"])


def test_estimate_files_dispatches_silc_indicators() -> None:
    run = estimate_files(PUF_FILES, ["gini"], drop_invalid=True)
    assert set(run.observations["indicator"]) == {"gini"}


def test_cli_detects_silc_input(tmp_path: Path) -> None:
    out = tmp_path / "silc.csv"
    args = ["estimate", *map(str, PUF_FILES), "--by", "citizen,sex", "--drop-invalid"]
    res = CliRunner().invoke(
        app, [*args, "--indicators", "at_risk_of_poverty_rate,gini", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(df.columns) == ESTIMATE_FILE_COLUMNS
    assert set(df["sex"]) == {"T", "M", "F"}
    assert "not over the whole population" in res.output
    res = CliRunner().invoke(app, [*args, "--bootstrap", "20", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "bootstrap (20 replicates, seed 3)" in res.output
    res = CliRunner().invoke(app, ["estimate", "--bootstrap", "20"])
    assert res.exit_code == 2
    assert "EU-SILC" in res.output


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_work_intensity_and_overcrowding_from_a_register(tmp_path: Path) -> None:
    """Two households: a jobless couple with two boys (12, 14) and a child in two rooms,
    and a single worker in two rooms."""
    base = {"DB020": "AT", "DB010": 2020}
    people = [
        # hh, id, age, sex, partner, FT months employee, PT months, status
        (1, 101, 40, 1, 102, 0, 0, 5),
        (1, 102, 38, 2, 101, 0, 2, 10),
        (1, 103, 14, 1, None, None, None, None),
        (1, 104, 12, 1, None, None, None, None),
        (1, 105, 5, 2, None, None, None, None),
        (2, 201, 30, 1, None, 12, 0, 1),
    ]
    rows = []
    for hh, pid, age, sex, partner, ft, pt, status in people:
        rows.append(
            base
            | {"DB030": hh, "HH030": 2, "HY020": 20000 * hh,
               "RB030": pid, "RB050": 100, "RB090": sex, "AGE": age,
               "RB240": partner or "", "PB220A": "AT",
               "PL073": "" if ft is None else ft, "PL074": "" if ft is None else 0,
               "PL075": "" if pt is None else pt, "PL076": "" if pt is None else 0,
               "PL031": "" if status is None else status, "PY100G": 0}
        )  # fmt: skip
    f = _write(tmp_path / "merged.csv", rows)
    run = estimate_files(
        [f], ["low_work_intensity", "overcrowding_rate", "arope_2020"], psu="DB030"
    )
    v = run.observations.set_index("indicator")["value"]
    # household 1: (0 + 0.5 * 2) months over 24 = 4% <= 20%: both adults; household 2 works
    assert v["low_work_intensity"] == pytest.approx(100 * 2 / 3)
    # household 1 needs 1 + couple + boys' room + child = 4 rooms, has 2; household 2 fine
    assert v["overcrowding_rate"] == pytest.approx(100 * 2 / 3)
    # n = 3 adults: not published; and without the deprivation items: definition differs
    assert run.observations.set_index("indicator")["flag"]["arope_2020"] == "cd"


def test_cli_survey_option_and_gaps(tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    args = ["estimate", *map(str, PUF_FILES), "--drop-invalid", "--indicators", "gini"]
    res = CliRunner().invoke(
        app, [*args, "--survey", "eu-silc", "--gap", "citizen=NAT", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    gaps = df[df["compare_to"] == "NAT"]
    assert set(gaps["citizen"]) == {"FOR", "EU27_2020_FOR", "NEU27_2020_FOR"}
    lvl = df[df["compare_to"] != "NAT"].set_index("citizen")["value"]
    for g in gaps.itertuples():
        assert g.value == pytest.approx(lvl[g.citizen] - lvl["NAT"], rel=1e-9)
    res = CliRunner().invoke(app, [*args, "--survey", "eu-sil"])
    assert res.exit_code == 2
    assert "invalid --survey (value 'eu-sil'). Valid: auto, eu-lfs, eu-silc" in res.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"replicate_weights": "RW"}, r"invalid replicate_method\. Valid: one of bootstrap"),
        ({"replicate_method": "bootstrap"}, r"invalid replicate_weights\. Valid: a regular"),
    ],
)
def test_replicate_weights_and_method_come_together(options: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        estimate_files(PUF_FILES, None, **options)  # type: ignore[arg-type]
