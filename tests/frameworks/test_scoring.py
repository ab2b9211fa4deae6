"""Scores of small made-up frameworks, worked out by hand in the comments."""

from __future__ import annotations

import math

import pytest

from zaragoza.errors import InputError
from zaragoza.frameworks import (
    SCORE_COLUMNS,
    Framework,
    NodeScore,
    score_assessment,
    scores_frame,
    validate_answer,
)

from .conftest import build, choice, dim, framework, std

COMPLETE = {"qa1": "mid", "qa2": "yes", "qa3": ["x", "z"], "qa4": 5, "qb1": "hi", "qb2": "ok"}


def by_node(nodes: list[NodeScore]) -> dict[str, NodeScore]:
    return {n.node: n for n in nodes}


def test_weighted_means_by_hand(small: Framework) -> None:
    # small-weighted.yaml, weighted at every level; complete answers:
    #   qa1 mid = 50 (weight 2), qa2 yes = 100 (weight 1)   A1 = (2*50 + 100)/3 = 66.667
    #   qa3 x+z = 40+30 = 70, qa4 5 on 0..20 = 25           A2 = (70 + 25)/2   = 47.5
    #   A = (66.667 + 47.5)/2 = 57.0833 (standard weights 1)
    #   qb1 hi = 100, qb2 text (not scored)                 B1 = 100, B = 100
    #   overall = (3*57.0833 + 1*100)/4 = 67.8125 (A weighs 3)
    nodes = score_assessment(small, COMPLETE)
    assert [n.level for n in nodes[:3]] == ["overall", "dimension", "dimension"]
    assert [n.node for n in nodes] == [
        "overall", "A", "B", "A1", "A2", "B1", "qa1", "qa2", "qa3", "qa4", "qb1", "qb2",
    ]  # fmt: skip
    s = by_node(nodes)
    expected = {"A1": 200 / 3, "A2": 47.5, "A": (200 / 3 + 47.5) / 2, "B1": 100, "B": 100,
                "overall": 67.8125, "qa3": 70, "qa4": 25}  # fmt: skip
    for node, value in expected.items():
        assert s[node].score == pytest.approx(value), node
        # complete answers: the range is the score itself
        assert s[node].low == pytest.approx(value)
        assert s[node].high == pytest.approx(value)
    assert s["qb2"].score is None
    assert s["qb2"].n_answered == 1
    assert s["qb2"].n_scored == 0
    assert (s["overall"].n_answered, s["overall"].n_scored) == (6, 5)
    assert (s["B"].n_answered, s["B"].n_scored) == (2, 1)


def test_bands(small: Framework) -> None:
    # bands: 0 low, 50 medium, 80 high; the largest min <= score
    s = by_node(score_assessment(small, COMPLETE))
    assert s["overall"].band == "medium"  # 67.8
    nodes = score_assessment(small, COMPLETE)
    assert nodes.overall.band == "medium"
    assert nodes.node("A2").band == "low"
    assert [n.node for n in nodes.at("dimension")] == ["A", "B"]
    with pytest.raises(KeyError):
        nodes.node("A2", level="dimension")
    assert s["A2"].band == "low"  # 47.5
    assert s["B"].band == "high"  # 100
    assert s["qa1"].band == "medium"  # exactly 50: the band starting at 50
    assert s["qb2"].band is None
    assert small.band(79.999) == "medium"
    assert small.band(80) == "high"
    assert small.band(0) == "low"


def test_missing_answers_and_their_ranges(small: Framework) -> None:
    # qa1 and qb1 missing; qa2 no = 0; qa3 x+y+z = 110 capped at 100; qa4 30 > max 20 -> 100
    #   qa1 range [0, 100] (its scored options; 'na' has no score)
    #   A1 score = qa2 only = 0; low (2*0+0)/3 = 0; high (2*100+0)/3 = 66.667
    #   A2 = (100+100)/2 = 100
    #   A  = (0+100)/2 = 50; low 50; high (66.667+100)/2 = 83.333
    #   B1 = B: no score; range [0, 100]
    #   overall = A alone = 50; low (3*50 + 0)/4 = 37.5; high (3*83.333 + 100)/4 = 87.5
    s = by_node(score_assessment(small, {"qa2": "no", "qa3": ["x", "y", "z"], "qa4": 30}))
    assert (s["qa1"].score, s["qa1"].low, s["qa1"].high) == (None, 0, 100)
    assert s["qa3"].score == 100
    assert s["qa4"].score == 100
    assert (s["A1"].score, s["A1"].low, s["A1"].high) == pytest.approx((0, 0, 200 / 3))
    assert (s["A"].score, s["A"].low, s["A"].high) == pytest.approx((50, 50, (200 / 3 + 100) / 2))
    assert s["B"].score is None
    assert (s["B"].low, s["B"].high) == (0, 100)
    assert s["B"].band is None
    ov = s["overall"]
    assert (ov.score, ov.low, ov.high) == pytest.approx((50, 37.5, 87.5))
    assert (ov.n_answered, ov.n_scored) == (3, 5)
    # None and empty text are missing, like an absent answer
    same = score_assessment(small, {"qa1": None, "qa2": "no", "qa3": ["x", "y", "z"],
                                    "qa4": 30, "qb1": "  "})  # fmt: skip
    assert by_node(same)["overall"] == ov


def test_not_applicable_option_is_answered_but_not_scored(small: Framework) -> None:
    # qa1 'na': answered (n_answered 1) but out of the means and without a range
    #   A1 = qa2 = 100 exactly (low = high = 100)
    s = by_node(score_assessment(small, {**COMPLETE, "qa1": "na"}))
    assert (s["qa1"].score, s["qa1"].low, s["qa1"].high, s["qa1"].n_answered) == (
        None,
        None,
        None,
        1,
    )
    assert (s["A1"].score, s["A1"].low, s["A1"].high) == (100, 100, 100)


def test_multiple_choice_and_number_scale(small: Framework) -> None:
    # multiple: sum of chosen, capped at 100; none chosen = 0. number: 100 (v-0)/(20-0), clamped
    for value, score in ((["y"], 40), (["x", "y"], 80), (["x", "y", "z"], 100), ([], 0),
                         (["x", "x"], 40)):  # fmt: skip
        assert by_node(score_assessment(small, {"qa3": value}))["qa3"].score == score, value
    for number, score in ((0, 0), (10, 50), ("15", 75), (20, 100), (-4, 0), (25.5, 100)):
        assert by_node(score_assessment(small, {"qa4": number}))["qa4"].score == score, number
    # a missing multiple ranges over [0, min(100, 40+40+30)] = [0, 100]; a number over [0, 100]
    s = by_node(score_assessment(small, {}))
    assert (s["qa3"].low, s["qa3"].high, s["qa4"].low, s["qa4"].high) == (0, 100, 0, 100)


def test_multiple_choice_of_not_applicable_options() -> None:
    # options a = 60, b = 60, n/a without a score: [a, b] = 100 (capped), [a, n/a] = 60,
    # [n/a] alone is not applicable (answered, no score), [] is "none of these" = 0
    q = {"id": "m", "text": "Which?", "type": "multiple", "options": [
        {"id": "a", "label": "A", "score": 60}, {"id": "b", "label": "B", "score": 60},
        {"id": "na", "label": "Not applicable"}]}  # fmt: skip
    fw = build(framework([dim("D", std("S", q))]))
    for value, score in ((["a", "b"], 100), (["a", "na"], 60), (["na"], None), ([], 0)):
        node = score_assessment(fw, {"m": value}).node("m")
        assert node.score == score, value
        assert node.n_answered == 1


def test_unweighted_mean_is_a_mean_of_means() -> None:
    # mean at every level (MIPEX): D1 has S1 (q1 = 100, q2 = 0) and S2 (q3 = 50); D2 has S3 (q4)
    #   S1 = 50, S2 = 50, D1 = 50 (not the mean of its three questions, 50 too here: so
    #   take q3 = 100: S2 = 100, D1 = (50 + 100)/2 = 75, while the questions' mean is 66.7)
    #   q4 missing: D2 none, range [0, 100]; overall = D1 = 75; low (75+0)/2 = 37.5; high 87.5
    fw = build(framework([
        dim("D1", std("S1", choice("q1", 100, 50, 0), choice("q2", 100, 50, 0)),
            std("S2", choice("q3", 100, 50, 0))),
        dim("D2", std("S3", choice("q4", 100, 50, 0))),
    ]))  # fmt: skip
    s = by_node(score_assessment(fw, {"q1": "o0", "q2": "o2", "q3": "o0"}))
    assert (s["S1"].score, s["S2"].score, s["D1"].score) == (50, 100, 75)
    assert (s["overall"].score, s["overall"].low, s["overall"].high) == (75, 37.5, 87.5)


def test_geometric_overall() -> None:
    # weighted means below, geometric overall: D1 = 50 (weight 3), D2 = 100 (weight 1)
    #   overall = exp((3 ln 50 + ln 100)/4) = 50^0.75 * 100^0.25 = 59.46
    fw = build(framework(
        [dim("D1", std("S1", choice("q1", 100, 50, 0)), weight=3),
         dim("D2", std("S2", choice("q2", 100, 50, 0)))],
        aggregation={"standard": "mean", "dimension": "mean", "overall": "geometric"},
    ))  # fmt: skip
    s = by_node(score_assessment(fw, {"q1": "o1", "q2": "o0"}))
    assert s["overall"].score == pytest.approx(50**0.75 * 100**0.25)
    assert s["overall"].score == pytest.approx(59.4604, abs=1e-4)


def test_qualitative_framework_has_no_scores() -> None:
    # INTI/DIVE-like: options without scores, yes/no without options, free text
    fw = build(framework(
        [dim("D", std("S", choice("q1", None, None),
                      {"id": "q2", "text": "A strategy?", "type": "yes_no", "evidence": True},
                      {"id": "q3", "text": "Describe it", "type": "text"}))],
        aggregation="qualitative",
    ))  # fmt: skip
    assert fw.qualitative
    nodes = score_assessment(fw, {"q1": "o1", "q2": "yes"})
    assert all(n.score is None and n.low is None and n.high is None and n.band is None
               for n in nodes)  # fmt: skip
    s = by_node(nodes)
    assert (s["overall"].n_answered, s["overall"].n_scored) == (2, 0)
    with pytest.raises(InputError):
        score_assessment(fw, {"q2": "maybe"})


def test_validate_answer_errors(small: Framework) -> None:
    qa1, qa3, qa4, qb2 = (small.question(i) for i in ("qa1", "qa3", "qa4", "qb2"))
    assert validate_answer(qa1, " hi ") == "hi"
    assert validate_answer(small.question("qa2"), True) == "yes"
    assert validate_answer(qa3, ("z", "x", "z")) == ["z", "x"]
    assert validate_answer(qa4, "2.5") == 2.5
    with pytest.raises(InputError, match="not an option") as err:
        validate_answer(qa1, "top")
    assert err.value.column == "qa1"
    assert err.value.value == "top"
    assert "hi, mid, lo, na" in (err.value.hint or "")
    with pytest.raises(InputError, match="list of option ids"):
        validate_answer(qa3, "x")
    with pytest.raises(InputError, match="'w' is not an option"):
        validate_answer(qa3, ["x", "w"])
    for bad in (math.nan, math.inf, "abc", True):
        with pytest.raises(InputError, match="number") as err:
            validate_answer(qa4, bad)
        assert "0 to 20" in (err.value.hint or "")
    with pytest.raises(InputError, match="text"):
        validate_answer(qb2, 3)


def test_unknown_question_is_refused(small: Framework) -> None:
    with pytest.raises(InputError, match="does not have") as err:
        score_assessment(small, {"qa9": "hi"})
    assert err.value.column == "qa9"
    assert "qa1" in (err.value.hint or "")


def test_scores_frame(small: Framework) -> None:
    frame = scores_frame(small, {"E1": COMPLETE, "E2": {"qa2": "no"}})
    assert list(frame.columns) == SCORE_COLUMNS
    assert len(frame) == 2 * 12
    row = frame[(frame.entity == "E1") & (frame.node == "overall")].iloc[0]
    assert row.score == pytest.approx(67.8125)
    assert row.band == "medium"
    assert math.isnan(frame[(frame.entity == "E2") & (frame.node == "B")]["score"].iloc[0])
    with pytest.raises(InputError) as err:
        scores_frame(small, {"E1": COMPLETE, "E3": {"qa1": "top"}})
    assert err.value.file == "answers of E3"
    assert err.value.column == "qa1"
