"""Answers → question scores → standard, dimension and overall scores, with ranges.

Question scores (0-100):

- ``single`` and ``yes_no``: the chosen option's score (an option without a score is
  "not applicable": answered, left out of the means);
- ``multiple``: the sum of the chosen options' scores, capped at 100 (an empty choice,
  "none of these", scores 0; a choice of unscored options only is not applicable);
- ``number``: ``100 (v - min) / (max - min)`` with ``v`` clamped to ``[min, max]``;
- ``text``: never scored.

Each level aggregates the scores of its children by the framework's rule for that level
(``mean``: unweighted mean of the children that have a score; ``weighted``: ``Σ w s / Σ
w`` over them; ``geometric``: ``exp(Σ w ln s / Σ w)``, a zero taken as 1e-9; a node
whose children have no score has none). ``low`` and ``high`` give the same aggregation
when every missing scored answer takes its lowest, or its highest, possible score: the
range of the score under the missing answers. They equal the score when nothing is
missing; with answers missing the score (of the answers present) can lie outside the
range, since leaving a child out is itself a choice of value for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zaragoza.errors import InputError
from zaragoza.frameworks.model import Aggregation, Framework, Question

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SCORE_COLUMNS",
    "NodeScore",
    "Scores",
    "aggregate",
    "question_range",
    "question_score",
    "score_assessment",
    "score_question_scores",
    "scores_frame",
    "validate_answer",
]

#: Columns of :func:`scores_frame`.
SCORE_COLUMNS = ["entity", "level", "node", "score", "low", "high", "n_answered", "n_scored",
                 "band"]  # fmt: skip
#: Stand-in for a zero score under the geometric mean (its logarithm is -inf).
_GEOMETRIC_FLOOR = 1e-9


@dataclass(frozen=True)
class NodeScore:
    """The score of one node (``level`` question, standard, dimension or overall)."""

    level: str
    node: str
    score: float | None
    low: float | None
    high: float | None
    n_answered: int
    n_scored: int
    band: str | None


class Scores(list[NodeScore]):
    """The result of :func:`score_assessment`: a list of :class:`NodeScore` (overall
    first, then dimensions, standards and questions in framework order) with lookups."""

    @property
    def overall(self) -> NodeScore:
        """The overall score."""
        return self[0]

    def at(self, level: str) -> list[NodeScore]:
        """The scores of one level (``question``, ``standard``, ``dimension``,
        ``overall``), in framework order."""
        return [n for n in self if n.level == level]

    def node(self, node: str, level: str | None = None) -> NodeScore:
        """The score of a node by id (ids are unique across a framework's levels; give
        ``level`` to tell ``overall`` from a node of that name)."""
        for n in self:
            if n.node == node and (level is None or n.level == level):
                return n
        raise KeyError(node)


def _hint(q: Question) -> str:
    ids = ", ".join(o.id for o in q.options)
    if q.type == "single":
        return f"One option id of {ids}"
    if q.type == "yes_no":
        return f"One of {ids or 'yes, no'}"
    if q.type == "multiple":
        return f"A list of option ids from {ids}"
    if q.type == "number":
        scale = f" (scored from {q.number.min:g} to {q.number.max:g})" if q.number else ""
        return f"A finite number{scale}"
    return "Text"


def validate_answer(question: Question, value: Any) -> Any:
    """Return the answer normalised for its question type, or None if it is missing.

    ``single``/``yes_no``: an option id (``yes_no`` also takes True/False); ``multiple``:
    a list of option ids (repeats dropped); ``number``: a finite number (or its text);
    ``text``: text. None or empty text is a missing answer.

    Raises
    ------
    InputError
        ``column`` the question id, ``value`` the answer, ``hint`` what is valid.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None

    def bad(what: str) -> InputError:
        return InputError(what, column=question.id, value=value, hint=_hint(question))

    qt = question.type
    if qt == "text":
        if not isinstance(value, str):
            raise bad("a text answer is text")
        return value.strip()
    if qt == "number":
        if isinstance(value, bool):
            raise bad("a number answer is a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad("a number answer is a number") from None
        if not math.isfinite(number):
            raise bad("a number answer is finite")
        return number
    ids = [o.id for o in question.options] or ["yes", "no"]
    if qt == "yes_no" and isinstance(value, bool):
        value = "yes" if value else "no"
    if qt in ("single", "yes_no"):
        if not isinstance(value, str) or value.strip() not in ids:
            raise bad("the answer is not an option of the question")
        return value.strip()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise bad("a multiple-choice answer is a list of option ids")
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item.strip() not in ids:
            raise bad(f"{item!r} is not an option of the question")
        if item.strip() not in chosen:
            chosen.append(item.strip())
    return chosen


def question_score(question: Question, answer: Any) -> float | None:
    """The score of a normalised answer (None: missing, unscored, or not applicable)."""
    if answer is None or not question.scored:
        return None
    if question.type == "number":
        scale = question.number
        assert scale is not None  # scored number questions have a scale
        v = min(max(float(answer), scale.min), scale.max)
        return 100.0 * (v - scale.min) / (scale.max - scale.min)
    if question.type == "multiple":
        chosen = [o.score for o in question.options if o.id in answer]
        if chosen and all(c is None for c in chosen):
            return None  # only "not applicable" options chosen
        return float(min(100.0, sum(c for c in chosen if c is not None)))
    option = question.option(answer)
    return None if option is None or option.score is None else float(option.score)


def question_range(question: Question) -> tuple[float, float] | None:
    """The lowest and highest score an answer to a scored question can get."""
    if not question.scored:
        return None
    if question.type == "number":
        return (0.0, 100.0)
    scores = [o.score for o in question.options if o.score is not None]
    if question.type == "multiple":
        return (0.0, float(min(100.0, sum(scores))))
    return (float(min(scores)), float(max(scores)))


def aggregate(rule: Aggregation, values: Sequence[tuple[float | None, float]]) -> float | None:
    """Aggregate ``(score, weight)`` pairs by a rule; the pairs without a score are left
    out; None if no pair has one (or the rule is qualitative)."""
    present = [(s, w) for s, w in values if s is not None]
    if rule == "qualitative" or not present:
        return None
    if rule == "mean":
        return sum(s for s, _ in present) / len(present)
    total = sum(w for _, w in present)
    if rule == "geometric":
        return math.exp(sum(w * math.log(max(s, _GEOMETRIC_FLOOR)) for s, w in present) / total)
    return sum(s * w for s, w in present) / total


@dataclass(frozen=True)
class _Agg:
    score: float | None
    low: float | None
    high: float | None
    n_answered: int
    n_scored: int


def _combine(rule: Aggregation, children: Sequence[tuple[_Agg, float]]) -> _Agg:
    return _Agg(
        aggregate(rule, [(c.score, w) for c, w in children]),
        aggregate(rule, [(c.low, w) for c, w in children]),
        aggregate(rule, [(c.high, w) for c, w in children]),
        sum(c.n_answered for c, _ in children),
        sum(c.n_scored for c, _ in children),
    )


def score_question_scores(
    framework: Framework,
    scores: Mapping[str, float | None],
    answered: Mapping[str, bool] | None = None,
) -> Scores:
    """Aggregate given question scores (0-100, None missing) through the framework.

    For indices whose answers are scored outside the engine (a MIPEX-shaped file may
    give a score instead of an answer code). A question without a score has no range
    here (its possible scores are not known); ``answered`` says which questions were
    answered (default: those with a score).
    """
    qs: dict[str, _Agg] = {}
    for _, _, q in framework.questions():
        s = scores.get(q.id)
        done = answered[q.id] if answered is not None and q.id in answered else s is not None
        qs[q.id] = _Agg(s, s, s, int(done), int(q.scored))
    return _nodes(framework, qs)


def score_assessment(framework: Framework, answers: Mapping[str, Any]) -> Scores:
    """Score one entity's answers (question id → value; absent or None is missing).

    Returns overall first, then the dimensions, standards and questions in framework
    order. In a qualitative framework every score is None; ``n_answered`` still counts.

    Raises
    ------
    InputError
        An answer to a question the framework does not have, or an answer that is not
        valid for its question (see :func:`validate_answer`).
    """
    index = {q.id: q for _, _, q in framework.questions()}
    unknown = [k for k in answers if k not in index]
    if unknown:
        names = list(index)
        raise InputError(
            f"answer to a question framework {framework.key} does not have",
            column=str(unknown[0]),
            hint=f"Questions: {', '.join(names[:10])}" + (" …" if len(names) > 10 else ""),
        )
    qs: dict[str, _Agg] = {}
    for qid, q in index.items():
        value = validate_answer(q, answers.get(qid))
        s = question_score(q, value)
        rng = question_range(q) if value is None else None
        if value is not None and s is None:
            low = high = None  # answered, not scored or not applicable
        elif value is None:
            low, high = rng if rng is not None else (None, None)
        else:
            low = high = s
        qs[qid] = _Agg(s, low, high, int(value is not None), int(q.scored))
    return _nodes(framework, qs)


def _nodes(framework: Framework, qs: Mapping[str, _Agg]) -> Scores:
    rule = framework.aggregation
    dims: list[tuple[str, _Agg]] = []
    stds: list[tuple[str, _Agg]] = []
    for d in framework.dimensions:
        under: list[tuple[_Agg, float]] = []
        for s in d.standards:
            agg = _combine(rule["standard"], [(qs[q.id], q.weight) for q in s.questions])
            stds.append((s.id, agg))
            under.append((agg, s.weight))
        dims.append((d.id, _combine(rule["dimension"], under)))
    weights = {d.id: d.weight for d in framework.dimensions}
    overall = _combine(rule["overall"], [(a, weights[i]) for i, a in dims])

    def row(level: str, node: str, a: _Agg) -> NodeScore:
        return NodeScore(level, node, a.score, a.low, a.high, a.n_answered, a.n_scored,
                         framework.band(a.score))  # fmt: skip

    return Scores(
        [
            row("overall", "overall", overall),
            *(row("dimension", i, a) for i, a in dims),
            *(row("standard", i, a) for i, a in stds),
            *(row("question", i, a) for i, a in qs.items()),
        ]
    )


def scores_frame(
    framework: Framework, answers_by_entity: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """:func:`score_assessment` of several entities as one table (:data:`SCORE_COLUMNS`),
    entities in the order given; errors name the entity in ``file``."""
    import pandas as pd

    rows: list[tuple[Any, ...]] = []
    for entity, answers in answers_by_entity.items():
        try:
            nodes = score_assessment(framework, answers)
        except InputError as exc:
            raise InputError(exc.what, file=f"answers of {entity}", column=exc.column,
                             value=exc.value, hint=exc.hint) from None  # fmt: skip
        rows.extend((entity, n.level, n.node, n.score, n.low, n.high, n.n_answered,
                     n.n_scored, n.band) for n in nodes)  # fmt: skip
    frame = pd.DataFrame.from_records(rows, columns=SCORE_COLUMNS)
    for col in ("score", "low", "high"):
        frame[col] = frame[col].astype(float)
    return frame
