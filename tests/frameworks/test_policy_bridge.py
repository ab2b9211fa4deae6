"""The MIPEX-shaped policy index is a framework of the engine, both ways."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from zaragoza.compare.policy import load_policy_framework, policy_scores
from zaragoza.errors import CatalogError, InputError
from zaragoza.frameworks import bundled_framework, score_assessment

POLICY = Path(__file__).resolve().parents[1] / "data" / "policy" / "framework.yaml"
MIPEX = Path(str(resources.files("zaragoza.frameworks") / "data" / "mipex-shaped.yaml"))


def test_a_policy_file_as_an_engine_framework() -> None:
    fw = load_policy_framework(POLICY).as_framework()
    assert [d.id for d in fw.dimensions] == ["labour", "nationality"]
    assert [s.id for s in fw.dimensions[0].standards] == ["access", "support"]
    assert fw.aggregation == {"standard": "weighted", "dimension": "weighted",
                              "overall": "weighted"}  # fmt: skip
    q1 = fw.question("q1")
    assert [(o.id, o.score) for o in q1.options] == [("A", 100), ("B", 50), ("C", 0)]
    # Austria's answers (tests/data/policy): A B C A A C -> 56.25 overall, as the index gives
    answers = dict(zip(["q1", "q2", "q3", "q4", "q5", "q6"], "ABCAAC", strict=True))
    assert score_assessment(fw, answers)[0].score == pytest.approx(56.25)


def test_the_bundled_mipex_shaped_framework_runs_as_a_policy_index() -> None:
    pol = load_policy_framework(MIPEX)
    assert pol.id == "mipex-shaped"
    assert len(pol.areas) == 8
    # labour market mobility: access 100, general support 50, targeted support 0, workers'
    # rights missing -> (100 + 50 + 0)/3 = 50; family reunification 100; the other six
    # areas missing; overall = (50 + 100)/2 = 75
    lab = "labour-market-mobility"
    rows = [(f"{lab}.access.q", "100"), (f"{lab}.general-support.q", "50"),
            (f"{lab}.targeted-support.q", "0"), ("family-reunification.q", "100")]  # fmt: skip
    answers = pd.DataFrame(
        [("XX", 2020, q, a) for q, a in rows], columns=["geo", "time", "question", "answer"]
    )
    s = policy_scores(answers, pol).set_index("node")["score"]
    assert s[lab] == pytest.approx(50)
    assert s["overall"] == pytest.approx(75)
    # the engine gives the same on the bundled framework itself
    engine = score_assessment(bundled_framework("mipex-shaped"), dict(rows))
    assert engine[0].score == pytest.approx(75)


def test_a_qualitative_framework_is_no_policy_index() -> None:
    inti = Path(str(resources.files("zaragoza.frameworks") / "data" / "inti-cities.yaml"))
    with pytest.raises(CatalogError, match="qualitative") as err:
        load_policy_framework(inti)
    assert err.value.file == str(inti)


def test_an_answer_given_twice() -> None:
    pol = load_policy_framework(POLICY)
    answers = pd.DataFrame({"geo": ["AT", "AT"], "time": [2019, 2019], "question": ["q1", "q1"],
                            "answer": ["A", "B"]})  # fmt: skip
    with pytest.raises(InputError, match="answered twice") as err:
        policy_scores(answers, pol, where="mine.csv")
    assert err.value.file == "mine.csv"
    assert err.value.value == "q1"
