"""EU headline targets (Europe 2020, 2030) as data: which indicator, what level, which way.

The targets live in ``catalog/targets.yaml``; :func:`load_targets` validates them and
checks that each names an indicator of the catalogue. Benchmarking reads them to say how
far a value lies from a target and whether it meets it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.errors import CatalogError

__all__ = [
    "TARGETS_FILE",
    "Target",
    "TargetPopulation",
    "bundled_targets",
    "load_targets",
    "targets_for",
]

TARGETS_FILE = "targets.yaml"
#: The verdicts of a figure against a target.
MET, NOT_MET, INDISTINGUISHABLE = "met", "not met", "not distinguishable"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetPopulation(_Strict):
    """Whom the target is set for, as Eurostat codes (default: all persons)."""

    citizen: str = "TOTAL"
    c_birth: str = "TOTAL"
    sex: Literal["T", "M", "F"] = "T"


class Target(_Strict):
    """One headline target: ``indicator`` must reach (or stay under) ``value``.

    ``direction`` ``at_least``: met when the value is ``>= value``; ``at_most``: met when
    it is ``<= value``, or ``< value`` with ``inclusive: false`` ("below 10%").
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    framework: Literal["europe_2020", "eu_2030"]
    year: Annotated[int, Field(ge=2000, le=2100)]
    indicator: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    value: float
    direction: Literal["at_least", "at_most"]
    inclusive: bool = True
    population: TargetPopulation = TargetPopulation()
    source: Annotated[str, Field(min_length=10)]

    @field_validator("source")
    @classmethod
    def _one_line(cls, v: str) -> str:
        return " ".join(v.split())

    def met(self, observed: float) -> bool:
        """Return whether ``observed`` meets the target."""
        if self.direction == "at_least":
            return observed >= self.value
        return observed <= self.value if self.inclusive else observed < self.value

    def verdict(
        self, observed: float, ci_lo: float | None = None, ci_hi: float | None = None
    ) -> str:
        """Return ``met``, ``not met`` or ``not distinguishable`` (at the interval's level).

        With an interval (``ci_lo``, ``ci_hi``; a computed figure's 95% interval) the
        target is met only when the whole interval lies on its met side, missed only when
        the whole interval lies on the other side; otherwise the figure cannot tell. A
        figure without an interval (a published one) is judged by its value.
        """
        if ci_lo is None or ci_hi is None or math.isnan(ci_lo) or math.isnan(ci_hi):
            return MET if self.met(observed) else NOT_MET
        if self.met(ci_lo) and self.met(ci_hi):
            return MET
        if not self.met(ci_lo) and not self.met(ci_hi):
            return NOT_MET
        return INDISTINGUISHABLE

    def distance(self, observed: float) -> float:
        """Return how far ``observed`` lies from the target, positive on the met side.

        In the indicator's unit (percentage points for rates): ``observed - value`` for an
        ``at_least`` target, ``value - observed`` for an ``at_most`` one.
        """
        gap = observed - self.value
        return gap if self.direction == "at_least" else -gap


_TARGET_LIST = TypeAdapter(list[Target])


def _bundled() -> Path:
    return Path(str(resources.files("zaragoza.catalog") / TARGETS_FILE))


def _build(raw: Any) -> list[Target]:
    if not isinstance(raw, list):
        raise TypeError("the file must hold a list of targets")
    return _TARGET_LIST.validate_python(raw)


def load_targets(path: str | Path | None = None, catalog: Catalog | None = None) -> list[Target]:
    """Return the targets of ``path`` (default the bundled file), checked against the catalogue.

    Raises
    ------
    CatalogError
        The file is malformed (the message names the file and the field, e.g.
        ``[2].direction``), two targets share an id, or a target names an indicator the
        catalogue does not have.
    """
    src = Path(path) if path is not None else _bundled()
    targets = read_yaml_data(src, "targets", _build)
    cat = catalog if catalog is not None else load_catalog()
    seen: set[str] = set()
    for i, target in enumerate(targets):
        if target.id in seen:
            raise CatalogError(
                f"target {target.id!r} is defined twice", file=str(src), column=f"{i}.id"
            )
        seen.add(target.id)
        if target.indicator not in cat.indicators:
            raise CatalogError(
                f"target {target.id!r} names an unknown indicator",
                file=str(src),
                column=f"{i}.indicator",
                value=target.indicator,
                hint=f"Known indicators: {', '.join(sorted(cat.indicators))}",
            )
    return targets


@cache
def bundled_targets() -> tuple[Target, ...]:
    """Return the bundled targets (read once per process)."""
    return tuple(load_targets())


def targets_for(indicator: str, targets: Iterable[Target] | None = None) -> list[Target]:
    """Return the targets measured by ``indicator``, earliest year first."""
    pool = bundled_targets() if targets is None else targets
    return sorted((t for t in pool if t.indicator == indicator), key=lambda t: t.year)
