"""Self-check against a module: its components as a checklist an authority answers.

After the approach of the European Modules' self-assessment (and of EMILL, the
Integration Modules' learning tool): for each measure of a module the authority says
whether it already does it (``yes``, ``partly``, ``no``, or leaves it unanswered); each
component's coverage is the mean of its answered measures (``yes`` 100, ``partly`` 50,
``no`` 0) and the module's the mean of its components' coverages.

The checklist *is* a framework of the one framework engine, :mod:`zaragoza.frameworks`,
that also scores the local policy benchmarks and the policy indices: the module is the
framework, each component a dimension with one standard, each measure a single-choice
question; every level aggregates by the unweighted ``mean`` of the answered children, so
an unanswered measure is left out (not counted as ``no``), and the engine's range under
the missing answers tells how far the coverage could still move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zaragoza.errors import ParameterError
from zaragoza.frameworks import (
    LEVELS,
    Dimension,
    Framework,
    Option,
    Question,
    Source,
    Standard,
    score_assessment,
)
from zaragoza.toolbox.schema import Module

__all__ = ["ANSWERS", "ComponentCheck", "SelfCheck", "checklist_framework", "self_check"]

#: An answer and the points it gives.
ANSWERS = {"yes": 100.0, "partly": 50.0, "no": 0.0}
#: A component counts as covered from this coverage on.
COVERED = 75.0
_LABELS = {"yes": "Yes, we do this", "partly": "Partly", "no": "No"}


@dataclass(frozen=True)
class ComponentCheck:
    """One component's result: coverage 0-100 (None when nothing is answered) and its
    range if the unanswered measures were all ``no`` (``low``) or all ``yes`` (``high``)."""

    component: str
    coverage: float | None
    answered: int
    measures: int
    low: float | None = None
    high: float | None = None

    @property
    def status(self) -> str:
        """``covered``, ``partly``, ``not_covered`` or ``unanswered``."""
        if self.coverage is None:
            return "unanswered"
        if self.coverage >= COVERED:
            return "covered"
        return "partly" if self.coverage > 0 else "not_covered"


@dataclass(frozen=True)
class SelfCheck:
    """A module's checklist result."""

    module: str
    coverage: float | None
    components: tuple[ComponentCheck, ...]

    def covered(self) -> list[str]:
        return [c.component for c in self.components if c.status == "covered"]


def _node(ident: str, taken: set[str]) -> str:
    # the framework's ids are one namespace; a component or measure id equal to another
    # node's gets a suffix there (only inside the engine)
    out = ident
    while out in taken:
        out += "_"
    taken.add(out)
    return out


def checklist_framework(module: Module) -> tuple[Framework, dict[str, str]]:
    """Return the module as an engine framework and the map from measure ids to the
    framework's question ids."""
    taken: set[str] = {"overall"}
    _node(module.id, taken)
    options = [Option(id=a, label=_LABELS[a], score=points) for a, points in ANSWERS.items()]
    question_of: dict[str, str] = {}
    dims = []
    for c in module.components:
        questions = []
        for m in c.measures:
            question_of[m.id] = _node(m.id, taken)
            text = f"Does the authority already do this: {m.title['en']}?"
            questions.append(
                Question(id=question_of[m.id], text=text, type="single", options=options)
            )
        dim = _node(c.id, taken)
        standard = Standard(id=_node(f"{c.id}.measures", taken), title=c.title["en"],
                            questions=questions)  # fmt: skip
        dims.append(Dimension(id=dim, title=c.title["en"], standards=[standard]))
    fw = Framework(
        id=module.id,
        version=str(module.version),
        title=f"Self-check: {module.title['en']}",
        rendering="The toolbox's own checklist of this module's measures",
        sources=[Source(title=s.title, url=s.url, note=s.publisher) for s in module.sources],
        aggregation=dict.fromkeys(LEVELS, "mean"),
        dimensions=dims,
    )
    return fw, question_of


def self_check(module: Module, answers: Mapping[str, str]) -> SelfCheck:
    """Return the coverage of each component of ``module`` from ``answers`` (measure id
    to ``yes``/``partly``/``no``; a measure left out is unanswered).

    Raises
    ------
    ParameterError
        An answer that is not ``yes``, ``partly`` or ``no``, or a measure id not in the
        module.
    """
    fw, question_of = checklist_framework(module)
    for ident, answer in answers.items():
        if ident not in question_of:
            raise ParameterError("measure", ident, sorted(question_of))
        if answer not in ANSWERS:
            raise ParameterError(f"answer for {ident}", answer, list(ANSWERS))
    result = score_assessment(fw, {question_of[m]: a for m, a in answers.items()})
    comps = []
    for c, dim in zip(module.components, fw.dimensions, strict=True):
        node = result.node(dim.id, "dimension")
        answered = sum(1 for m in c.measures if m.id in answers)
        comps.append(ComponentCheck(c.id, _points(node.score), answered, len(c.measures),
                                    _points(node.low), _points(node.high)))  # fmt: skip
    return SelfCheck(module.id, _points(result.overall.score), tuple(comps))


def _points(v: float | None) -> float | None:
    # means of 100, 50 and 0 leave rounding noise (66.66666666666667): 6 decimals are
    # more than the page shows
    return None if v is None else round(float(v), 6)
