"""Self-check against a module: its components as a checklist an authority answers.

After the approach of the European Modules' self-assessment (and of EMILL, the
Integration Modules' learning tool): for each measure of a module the authority says
whether it already does it (``yes``, ``partly``, ``no``, or leaves it unanswered); each
component's coverage is the mean of its answered measures (``yes`` 100, ``partly`` 50,
``no`` 0) and the module's the weighted mean of its components'.

The checklist *is* a framework of :mod:`zaragoza.compare.framework` (module = index,
components = dimensions, measures = leaves, equal weights, arithmetic means) and its
scores come from that engine's :func:`zaragoza.compare.composite.scores`, where an
unanswered leaf is left out and its siblings' weights renormalised, so that there is
one framework engine for indices, benchmarks and checklists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from zaragoza.compare.composite import Choices, scores
from zaragoza.compare.framework import Dimension, Framework, FrameworkIndicator, tree_of
from zaragoza.errors import ParameterError
from zaragoza.toolbox.schema import Module

__all__ = ["ANSWERS", "ComponentCheck", "SelfCheck", "checklist_framework", "self_check"]

#: An answer and the points it gives.
ANSWERS = {"yes": 100.0, "partly": 50.0, "no": 0.0}
#: A component counts as covered from this coverage on.
COVERED = 75.0


@dataclass(frozen=True)
class ComponentCheck:
    """One component's result: coverage 0-100 (None when nothing is answered)."""

    component: str
    coverage: float | None
    answered: int
    measures: int

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
    # the framework's ids are one namespace; a component or measure id equal to the
    # module's gets a suffix there (only inside the engine)
    out = ident
    while out in taken:
        out += "_"
    taken.add(out)
    return out


def checklist_framework(module: Module) -> tuple[Framework, dict[str, str]]:
    """Return the module as a framework and the map from measure ids to leaf ids."""
    taken: set[str] = set()
    index = _node(module.id, taken)
    dims = []
    leaves = []
    leaf_of: dict[str, str] = {}
    for c in module.components:
        dim = _node(c.id, taken)
        dims.append(Dimension(id=dim, parent=index, title=c.title["en"]))
        for m in c.measures:
            leaf_of[m.id] = _node(m.id, taken)
            leaves.append(FrameworkIndicator(id=leaf_of[m.id], parent=dim, title=m.title["en"]))
    fw = Framework(
        id=index, title=module.title["en"], index=index, dimensions=dims, indicators=leaves
    )
    return fw, leaf_of


def self_check(module: Module, answers: Mapping[str, str]) -> SelfCheck:
    """Return the coverage of each component of ``module`` from ``answers`` (measure id
    to ``yes``/``partly``/``no``; a measure left out is unanswered).

    Raises
    ------
    ParameterError
        An answer that is not ``yes``, ``partly`` or ``no``, or a measure id not in the
        module.
    """
    fw, leaf_of = checklist_framework(module)
    for ident, answer in answers.items():
        if ident not in leaf_of:
            raise ParameterError("measure", ident, sorted(leaf_of))
        if answer not in ANSWERS:
            raise ParameterError(f"answer for {ident}", answer, list(ANSWERS))
    tree = tree_of(fw, f"self-check of module {module.id}")
    x = np.array([[ANSWERS[answers[m]] if m in answers else np.nan for m in leaf_of]], dtype=float)
    s = scores(x, tree, Choices(aggregation="arithmetic"), {})[0]
    pos = {node: k for k, node in enumerate(tree.nodes)}
    comps = []
    for c, dim in zip(module.components, fw.dimensions, strict=True):
        v = s[pos[dim.id]]
        answered = sum(1 for m in c.measures if m.id in answers)
        comps.append(ComponentCheck(c.id, _points(v), answered, len(c.measures)))
    total = s[pos[fw.index]]
    return SelfCheck(module.id, _points(total), tuple(comps))


def _points(v: float) -> float | None:
    # renormalised weights leave rounding noise (99.99999999999999 for one "yes")
    return None if np.isnan(v) else round(float(v), 6)
