"""The editorial rules: workflow states and transitions, eligibility, the review rubric.

Workflow (after EWSI's editorial process)::

    draft ──submit──► submitted ──start_review──► in_review ──publish──► published
      ▲                  │  │                        │  │                  │
      │                  │  └──────publish───────────┼──┘                  │
      └── submit ── returned ◄──return── (submitted, in_review)            │
                                rejected ◄──reject── (submitted, in_review) │
                               in_review ◄──unpublish───────────────────────┘

``submit`` requires the eligibility check (:func:`eligibility`); ``return`` and
``reject`` require a comment; ``publish`` requires a complete record and a review rubric
(:class:`Rubric`). Who may take each step is decided by the portal's one permission
function (``zaragoza.portal.accounts.permissions``), not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from zaragoza.knowledge.schema import Practice

__all__ = [
    "RUBRIC_CRITERIA",
    "TRANSITIONS",
    "Rubric",
    "State",
    "WorkflowAction",
    "eligibility",
    "target_state",
]


class State(StrEnum):
    """A practice's state in the editorial workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETURNED = "returned"
    REJECTED = "rejected"


class WorkflowAction(StrEnum):
    """A step of the workflow."""

    SUBMIT = "submit"
    START_REVIEW = "start_review"
    RETURN = "return"
    PUBLISH = "publish"
    REJECT = "reject"
    UNPUBLISH = "unpublish"


#: ``action: (states it may start from, state it leads to)``.
TRANSITIONS: Mapping[WorkflowAction, tuple[frozenset[State], State]] = {
    WorkflowAction.SUBMIT: (frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED),
    WorkflowAction.START_REVIEW: (frozenset({State.SUBMITTED}), State.IN_REVIEW),
    WorkflowAction.RETURN: (frozenset({State.SUBMITTED, State.IN_REVIEW}), State.RETURNED),
    WorkflowAction.PUBLISH: (frozenset({State.SUBMITTED, State.IN_REVIEW}), State.PUBLISHED),
    WorkflowAction.REJECT: (frozenset({State.SUBMITTED, State.IN_REVIEW}), State.REJECTED),
    WorkflowAction.UNPUBLISH: (frozenset({State.PUBLISHED}), State.IN_REVIEW),
}
#: Actions whose comment is required (the contributor must learn why).
NEEDS_COMMENT = frozenset({WorkflowAction.RETURN, WorkflowAction.REJECT, WorkflowAction.UNPUBLISH})


def target_state(action: WorkflowAction | str, current: State | str) -> State:
    """Return the state ``action`` leads to from ``current``.

    Raises
    ------
    ValueError
        When the action does not apply in that state, naming the states it applies in.
    """
    act = WorkflowAction(action)
    sources, target = TRANSITIONS[act]
    if State(current) not in sources:
        valid = ", ".join(sorted(s.value for s in sources))
        raise ValueError(f"{act.value} is not possible in state {current}; only from {valid}")
    return target


def _latest(partial: str) -> dt.date:
    """The last day a partial date (``2017``, ``2017-09``) may stand for."""
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def eligibility(practice: Practice, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Return ``(field, reason)`` for each eligibility rule the practice breaks (none: it
    may be submitted).

    Notes
    -----
    EWSI's eligibility rules for good practices: a clear context, clear objectives,
    clearly described activities, and a practice at least one year old. "A year old" is
    read as *running for at least a year, or finished*; a start given as a year or a
    month counts from its last day, so a practice is never taken as older than it is.
    """
    today = today or dt.date.today()
    out = [
        (name, "must be described before submission")
        for name in ("context", "objectives", "activities")
        if not getattr(practice, name).strip()
    ]
    if not practice.countries:
        out.append(("countries", "name at least one implementing country"))
    if practice.start is None:
        out.append(("start", "the start date is needed to check that it has run a year"))
    else:
        finished = practice.end is not None and _latest(practice.end) <= today
        begun = _latest(practice.start)
        # 29 February plus a year is 1 March.
        year_on = (
            dt.date(begun.year + 1, 3, 1)
            if (begun.month, begun.day) == (2, 29)
            else (begun.replace(year=begun.year + 1))
        )
        if not finished and year_on > today:
            why = f"must have run for at least a year (since {practice.start}) or be finished"
            out.append(("start", why))
    return out


#: The review rubric's criteria (EWSI's selection rules), each scored 1 (weak) to 4.
RUBRIC_CRITERIA = ("relevance", "stakeholder_involvement", "transferability", "evidence")
RUBRIC_SCALE = (1, 2, 3, 4)


@dataclass(frozen=True)
class Rubric:
    """A reviewer's scores on :data:`RUBRIC_CRITERIA`, each 1-4."""

    relevance: int
    stakeholder_involvement: int
    transferability: int
    evidence: int

    def __post_init__(self) -> None:
        for name in RUBRIC_CRITERIA:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value not in RUBRIC_SCALE:
                raise ValueError(f"rubric {name}: a score from 1 to 4, got {value!r}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Rubric:
        """Return the rubric of ``{criterion: score}`` (scores as numbers or digits).

        Raises
        ------
        ValueError
            Naming every missing or malformed criterion.
        """
        problems = []
        values: dict[str, int] = {}
        for name in RUBRIC_CRITERIA:
            raw = data.get(name)
            try:
                value = int(str(raw)) if raw not in (None, "") else None
            except ValueError:
                value = None
            if value is None or value not in RUBRIC_SCALE:
                problems.append(f"{name}: a score from 1 to 4 is required, got {raw!r}")
            else:
                values[name] = value
        if problems:
            raise ValueError("; ".join(problems))
        return cls(**values)

    @property
    def total(self) -> int:
        """Return the sum of the scores (4 to 16)."""
        return sum(getattr(self, n) for n in RUBRIC_CRITERIA)
