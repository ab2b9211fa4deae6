"""Policy-index scores worked by hand on a made-up MIPEX-shaped file, its bad input, and
the correlation of scores with outcomes checked against SciPy.

Hand scores (answers A = 100, B = 50, C = 0; arithmetic means at every level)::

          access  support  labour  eligibility  conditions  nationality  overall
    AT      75       0      37.5       100          50          75        56.25
    EL      50     100      75           0          50          25        50
    SE     100     100     100         100          75          87.5      93.75
    ES       0      50      25          50         100 (q6 empty) 75      50
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats

from zaragoza.compare.policy import (
    CORRELATION_COLUMNS,
    POLICY_COLUMNS,
    load_policy_framework,
    policy_outcome_correlation,
    policy_scores,
    read_mipex,
)
from zaragoza.errors import CatalogError, InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "policy"


@pytest.fixture
def scores() -> pd.DataFrame:
    fw = load_policy_framework(DATA / "framework.yaml")
    return policy_scores(read_mipex(DATA / "mipex_shaped.csv", fw), fw)


def _score(df: pd.DataFrame, geo: str, node: str) -> float:
    return float(df[(df.geo == geo) & (df.node == node)]["score"].iloc[0])


def test_scores_by_hand(scores: pd.DataFrame) -> None:
    assert list(scores.columns) == POLICY_COLUMNS
    assert set(scores["geo"]) == {"AT", "EL", "SE", "ES"}
    expected = {
        "AT": (75, 0, 37.5, 100, 50, 75, 56.25),
        "EL": (50, 100, 75, 0, 50, 25, 50),
        "SE": (100, 100, 100, 100, 75, 87.5, 93.75),
        "ES": (0, 50, 25, 50, 100, 75, 50),
    }
    nodes = ("access", "support", "labour", "eligibility", "conditions", "nationality", "overall")
    for geo, values in expected.items():
        assert [_score(scores, geo, n) for n in nodes] == pytest.approx(values), geo
    es = scores[(scores.geo == "ES") & (scores.node == "conditions")].iloc[0]
    assert es.n_answers == 1
    assert set(scores["level"]) == {"question", "dimension", "area", "overall"}


def test_geometric_and_weighted_rules(tmp_path: Path) -> None:
    fw = yaml.safe_load((DATA / "framework.yaml").read_text())
    fw["aggregation"]["overall"] = "geometric"
    fw["areas"][0]["weight"] = 3
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(fw))
    f = load_policy_framework(path)
    s = policy_scores(read_mipex(DATA / "mipex_shaped.csv", f), f)
    # SE: 100^(3/4) * 87.5^(1/4)
    assert _score(s, "SE", "overall") == pytest.approx(100**0.75 * 87.5**0.25)


def test_unexpected_column(tmp_path: Path) -> None:
    fw = load_policy_framework(DATA / "framework.yaml")
    bad = tmp_path / "mipex.csv"
    raw = pd.read_csv(DATA / "mipex_shaped.csv", dtype=str)
    raw.insert(3, "q99", "A")
    raw.to_csv(bad, index=False)
    with pytest.raises(InputError, match="unexpected column") as err:
        read_mipex(bad, fw)
    assert err.value.column == "q99"
    assert err.value.file == str(bad)
    assert "q1, q2, q3" in (err.value.hint or "")
    raw.drop(columns=["q99", "Country"]).to_csv(bad, index=False)
    with pytest.raises(InputError, match="no country column"):
        read_mipex(bad, fw)


def test_unknown_answer_and_question() -> None:
    fw = load_policy_framework(DATA / "framework.yaml")
    answers = pd.DataFrame({"geo": ["AT"], "time": [2019], "question": ["q1"], "answer": ["D"]})
    with pytest.raises(InputError, match="neither an answer code") as err:
        policy_scores(answers, fw, where="mine.csv")
    assert err.value.value == "D"
    assert "A, B, C" in (err.value.hint or "")
    answers["question"] = "q7"
    with pytest.raises(InputError, match="not in framework"):
        policy_scores(answers, fw)


def test_framework_errors(tmp_path: Path) -> None:
    fw = yaml.safe_load((DATA / "framework.yaml").read_text())
    fw["areas"][1]["dimensions"][0]["questions"] = [{"id": "q1"}]
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(fw))
    with pytest.raises(CatalogError, match="used twice"):
        load_policy_framework(path)
    fw["aggregation"]["area"] = "median"
    path.write_text(yaml.safe_dump(fw))
    with pytest.raises(CatalogError, match=r"aggregation\.area"):
        load_policy_framework(path)


def test_correlation_with_outcomes_matches_scipy(scores: pd.DataFrame) -> None:
    outcomes = pd.DataFrame(
        {
            "geo": ["AT", "EL", "SE", "ES", "DE"],
            "indicator": "employment_rate",
            "time": 2023,
            "value": [62.9, 50.1, 64.0, 55.2, 60.9],
        }
    )
    res = policy_outcome_correlation(scores, outcomes)
    assert list(res.columns) == CORRELATION_COLUMNS
    row = res[res.node == "overall"].iloc[0]
    x = [56.25, 50, 93.75, 50]  # AT, EL, SE, ES
    y = [62.9, 50.1, 64.0, 55.2]
    r, p = stats.pearsonr(x, y)
    assert row.n == 4
    assert row.r == pytest.approx(r)
    assert row.p_value == pytest.approx(p)
    sp = policy_outcome_correlation(scores, outcomes, method="spearman")
    rho, p_rho = stats.spearmanr(x, y)
    srow = sp[sp.node == "overall"].iloc[0]
    assert srow.r == pytest.approx(rho)
    assert srow.p_value == pytest.approx(p_rho)


def test_xlsx_with_iso_codes(tmp_path: Path) -> None:
    fw = load_policy_framework(DATA / "framework.yaml")
    raw = pd.read_csv(DATA / "mipex_shaped.csv", dtype=str)
    raw["Country"] = ["AT", "GR", "SE", "ES"]
    book = tmp_path / "mipex.xlsx"
    raw.to_excel(book, index=False)
    s = policy_scores(read_mipex(book, fw), fw, where=str(book))
    assert set(s["geo"]) == {"AT", "EL", "SE", "ES"}  # ISO GR is Eurostat's EL
    assert _score(s, "EL", "overall") == pytest.approx(50.0)
