"""Domains: the breakdowns asked for with ``--by`` and their margins.

Every record belongs to one *fine* cell per dimension (its own citizenship group, sex,
region) and to the margins above it: ``FOR`` (``EU27_2020_FOR`` and ``NEU27_2020_FOR``
together), ``TOTAL`` (everyone, unknowns included) and ``T`` (both sexes); a region's
records are also in their country. A *level set* picks one level per dimension; the
output is the union of all level sets, computed from the same grouped totals.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from zaragoza.errors import UsageError

__all__ = ["BY_DIMENSIONS", "Dimension", "LevelSet", "dimensions_for", "level_sets"]

BY_DIMENSIONS = ("citizen", "c_birth", "sex", "geo")


@dataclass(frozen=True)
class Dimension:
    """One breakdown: its record column, levels, and the margin code at the top."""

    name: str  # output column
    column: str  # record column holding the fine value
    levels: tuple[str, ...]  # from finest to the margin
    total: str

    def map_value(self, level: str, value: str) -> str:
        """The code of ``value`` (a fine code) at ``level``."""
        if level == "fine":
            return value
        if level == "mid":
            return "FOR" if value in ("EU27_2020_FOR", "NEU27_2020_FOR") else value
        return self.total

    def keeps(self, level: str, value: str) -> bool:
        """Whether a cell with ``value`` at ``level`` is published (no duplicates)."""
        if level == "fine":
            return value not in ("UNK", "")
        if level == "mid":
            return value == "FOR"
        return True


GROUP_LEVELS = ("fine", "mid", "total")
DIMENSIONS = {
    "citizen": Dimension("citizen", "citizen", GROUP_LEVELS, "TOTAL"),
    "c_birth": Dimension("c_birth", "c_birth", GROUP_LEVELS, "TOTAL"),
    "sex": Dimension("sex", "sex", ("fine", "total"), "T"),
    "geo": Dimension("geo", "region", ("fine", "total"), ""),  # total: the country
}


LevelSet = tuple[tuple[Dimension, str], ...]


def dimensions_for(by: Sequence[str]) -> list[Dimension]:
    """Return the dimensions named in ``--by``, refusing unknown ones."""
    unknown = [b for b in by if b not in DIMENSIONS]
    if unknown:
        raise UsageError(
            f"unknown breakdown {unknown[0]!r}",
            hint=f"--by takes a comma-separated list of {', '.join(BY_DIMENSIONS)}",
        )
    return [DIMENSIONS[b] for b in dict.fromkeys(by)]


def level_sets(dims: Sequence[Dimension]) -> list[LevelSet]:
    """Every combination of one level per dimension."""
    return [
        tuple(zip(dims, combo, strict=True))
        for combo in itertools.product(*(d.levels for d in dims))
    ]
