"""The anonymous resident questionnaire that can run beside the official one.

A few statements in the spirit of the intercultural-city index's perception questions,
written by the project; residents say how far they agree. Nothing personal is asked, and
a response keeps only its answers and its day (:class:`~.models.ResidentResponse`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["RESIDENT_OPTIONS", "resident_questions", "tallies"]

RESIDENT_OPTIONS = {
    "agree": _("agree"),
    "partly": _("partly agree"),
    "disagree": _("disagree"),
    "dont_know": _("don't know"),
}


def resident_questions() -> list[tuple[str, Any]]:
    """The statements, by id (their texts in the current language)."""
    return [
        ("welcome", _("People who move to this city are made welcome.")),
        ("services", _("The city's services serve residents of every origin equally well.")),
        ("mixing", _("In my neighbourhood, people of different origins meet and mix.")),
        ("voice", _("Residents of every origin have a say in the city's decisions.")),
    ]


def tallies(survey: Any) -> list[dict[str, Any]]:
    """Per statement, the count of each answer and the number of responses."""
    texts = dict(resident_questions())
    responses = [r.answers for r in survey.responses.all()]
    out = []
    for q in survey.questions:
        counts = {o: sum(1 for r in responses if r.get(q) == o) for o in RESIDENT_OPTIONS}
        out.append(
            {
                "id": q,
                "text": texts.get(q, q),
                "counts": [(RESIDENT_OPTIONS[o], counts[o]) for o in RESIDENT_OPTIONS],
                "n": sum(counts.values()),
            }
        )
    return out
