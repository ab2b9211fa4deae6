"""Core questions across two versions, and peers, worked by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from zaragoza.errors import CatalogError, InputError, UsageError
from zaragoza.frameworks import PEER_COLUMNS, core_changes, peers, scores_frame

from .conftest import build, choice, dim, framework, std


def versions() -> tuple[dict[str, Any], dict[str, Any]]:
    # v1: q1, q2, q4 core; v2: q1 and q4 core, q2 no longer core, q3 new and core, q5 new
    v1 = framework(
        [
            dim(
                "D",
                std(
                    "S",
                    choice("q1", 100, 0, core=True),
                    choice("q2", 100, 0, core=True),
                    choice("q4", 100, 0, core=True),
                ),
            )
        ]
    )
    v2 = framework([dim("D", std("S", choice("q1", 100, 0, core=True), choice("q2", 100, 0),
                                 choice("q3", 100, 0, core=True), choice("q4", 100, 0, core=True),
                                 choice("q5", 100, 0)))], version="2")  # fmt: skip
    return v1, v2


def test_core_questions_across_two_versions() -> None:
    v1, v2 = versions()
    # core in both: q1 and q4 (q2 dropped from the core, q3 is new)
    assert core_changes(build(v1), build(v2)) == ["q1", "q4"]
    assert core_changes(build(v2), build(v1)) == ["q1", "q4"]


def test_a_core_question_that_changed_its_scale() -> None:
    v1, v2 = versions()
    v2["dimensions"][0]["standards"][0]["questions"][3]["options"][0]["score"] = 50
    with pytest.raises(CatalogError, match="core question 'q4' changed") as err:
        core_changes(build(v1), build(v2))
    assert err.value.column == "q4"
    other = dict(v2, id="other")
    with pytest.raises(CatalogError, match="versions of one framework"):
        core_changes(build(v1), build(other))


def test_peers_by_hand() -> None:
    # one question per dimension; scores: option o0 100, o1 50, o2 0
    #            D1   D2
    #   Alpha     0  100
    #   Beta     50   50
    #   Gamma   100    0
    #   Delta   100   50
    # D1 median = 75: Alpha (0) and Beta (50) below; Alpha's best peers Gamma, Delta (100)
    # then Beta (50); D2 median 50: Gamma (0) below; its peers Alpha (100), Beta, Delta (50)
    fw = build(framework([dim("D1", std("S1", choice("q1", 100, 50, 0)))
                          , dim("D2", std("S2", choice("q2", 100, 50, 0)))]))  # fmt: skip
    answers = {"Alpha": {"q1": "o2", "q2": "o0"}, "Beta": {"q1": "o1", "q2": "o1"},
               "Gamma": {"q1": "o0", "q2": "o2"}, "Delta": {"q1": "o0", "q2": "o1"}}  # fmt: skip
    frame = scores_frame(fw, answers)
    alpha = peers(frame, "Alpha")
    assert list(alpha.columns) == PEER_COLUMNS
    assert alpha.values.tolist() == [["D1", 0, "Gamma", 100], ["D1", 0, "Delta", 100],
                                     ["D1", 0, "Beta", 50]]  # fmt: skip
    assert peers(frame, "Alpha", n=1).values.tolist() == [["D1", 0, "Gamma", 100]]
    gamma = peers(frame, "Gamma", level="dimension", n=2)
    assert gamma.values.tolist() == [["D2", 0, "Alpha", 100], ["D2", 0, "Beta", 50]]
    assert peers(frame, "Delta").empty  # at or above the median everywhere
    # Beta at the median of D2 (50) is not below it; below in D1: Gamma and Delta
    assert peers(frame, "Beta").values.tolist() == [["D1", 50, "Gamma", 100],
                                                    ["D1", 50, "Delta", 100]]  # fmt: skip
    with pytest.raises(InputError, match="no scores"):
        peers(frame, "Omega")
    with pytest.raises(UsageError, match="unknown level"):
        peers(frame, "Alpha", level="area")
    with pytest.raises(UsageError):
        peers(frame, "Alpha", n=0)
    assert isinstance(alpha, pd.DataFrame)
