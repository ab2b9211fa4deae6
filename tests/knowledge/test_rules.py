"""The editorial rules: transitions, eligibility (EWSI's), the review rubric."""

from __future__ import annotations

import datetime as dt

import pytest

from zaragoza.knowledge.rules import (
    TRANSITIONS,
    Rubric,
    State,
    WorkflowAction,
    eligibility,
    target_state,
)
from zaragoza.knowledge.schema import Practice, validation_context

TODAY = dt.date(2026, 6, 15)


def _practice(**fields: object) -> Practice:
    data = {
        "id": "example-p", "title": "Example", "language": "en", "level": "local",
        "countries": ["AT"], "context": "c", "objectives": "o", "activities": "a",
        "start": "2020-01-01",
    } | fields  # fmt: skip
    return Practice.model_validate(data, context=validation_context())


def test_a_complete_practice_running_over_a_year_is_eligible() -> None:
    assert eligibility(_practice(), TODAY) == []


@pytest.mark.parametrize("name", ["context", "objectives", "activities"])
def test_context_objectives_and_activities_are_required(name: str) -> None:
    assert (name, "must be described before submission") in eligibility(
        _practice(**{name: " "}), TODAY
    )


@pytest.mark.parametrize(
    ("start", "end", "eligible"),
    [
        ("2025-06-15", None, True),   # exactly a year
        ("2025-06-16", None, False),  # a day short
        ("2025", None, False),        # "2025" may mean December 2025
        ("2025-05", None, True),      # May 2025 is over a year ago in any reading
        ("2025-06", None, False),     # June 2025 may be 30 June
        ("2026-01-01", "2026-03-01", True),  # short, but finished
        ("2026-01-01", "2026-12-31", False),  # planned to end later: still running
        ("2024-02-29", None, True),
    ],
)  # fmt: skip
def test_running_a_year_or_finished(start: str, end: str | None, eligible: bool) -> None:
    problems = eligibility(_practice(start=start, end=end), TODAY)
    assert (problems == []) is eligible, problems


def test_no_start_and_no_country_are_reported() -> None:
    fields = dict(eligibility(_practice(start=None, countries=[]), TODAY))
    assert "start" in fields
    assert "countries" in fields


def test_transitions_follow_the_workflow() -> None:
    assert target_state("submit", "draft") is State.SUBMITTED
    assert target_state("submit", "returned") is State.SUBMITTED
    assert target_state("start_review", "submitted") is State.IN_REVIEW
    assert target_state("publish", "in_review") is State.PUBLISHED
    assert target_state("publish", "submitted") is State.PUBLISHED
    assert target_state("return", "in_review") is State.RETURNED
    assert target_state("reject", "submitted") is State.REJECTED
    assert target_state("unpublish", "published") is State.IN_REVIEW
    with pytest.raises(
        ValueError, match="publish is not possible in state draft; only from in_review, submitted"
    ):
        target_state("publish", "draft")
    for action, (sources, _) in TRANSITIONS.items():
        for state in State:
            if state not in sources:
                with pytest.raises(ValueError, match="not possible"):
                    target_state(action, state)
    assert set(TRANSITIONS) == set(WorkflowAction)


def test_the_rubric_takes_four_scores_from_one_to_four() -> None:
    r = Rubric.from_mapping(
        {"relevance": "4", "stakeholder_involvement": 3, "transferability": "2", "evidence": 1}
    )
    assert r.total == 10
    with pytest.raises(ValueError, match="relevance") as info:
        Rubric.from_mapping({"relevance": "5", "transferability": "x"})
    text = str(info.value)
    for name in ("relevance", "stakeholder_involvement", "transferability", "evidence"):
        assert name in text
    with pytest.raises(ValueError, match="a score from 1 to 4"):
        Rubric(relevance=True, stakeholder_involvement=1, transferability=1, evidence=1)  # type: ignore[arg-type]
