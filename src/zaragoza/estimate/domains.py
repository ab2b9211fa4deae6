"""Domains: the breakdowns asked for with ``--by`` and their margins.

Every record belongs to one *fine* cell per dimension (its own citizenship group,
sex, region, migrant background) and to the margins above it: ``FOR`` (``EU27_2020_FOR`` and
``NEU27_2020_FOR`` together), ``IMMIGRANT`` (second- and first-generation immigrant
students together, PISA's ``IMMIG`` 2 and 3), ``TOTAL`` (everyone, unknowns included)
and ``T`` (both sexes); a region's records are also in their country. PISA's plausible
values are a dimension of fine cells only (``pv``): every estimate is made once per
plausible value and pooled afterwards (``estimate.plausible``). A *level set* picks one
level per dimension; the output is the union of all level sets, computed from the same
grouped totals.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from zaragoza.errors import UsageError

__all__ = [
    "BY_DIMENSIONS",
    "MIG_BG_CODES",
    "PISA_BY_DIMENSIONS",
    "PLAUSIBLE_VALUE",
    "Dimension",
    "LevelSet",
    "dimensions_for",
    "level_sets",
]

BY_DIMENSIONS = ("citizen", "c_birth", "sex", "geo")
#: The breakdowns of PISA student records.
PISA_BY_DIMENSIONS = ("mig_bg", "sex")


@dataclass(frozen=True)
class Dimension:
    """One breakdown: its record column, levels, and the margin code at the top.

    ``mid`` is the code of the intermediate margin and ``mid_members`` the fine codes
    it unites (``FOR`` = the two foreign groups), for a dimension with a ``mid`` level.
    """

    name: str  # output column
    column: str  # record column holding the fine value
    levels: tuple[str, ...]  # from finest to the margin
    total: str
    mid: str = ""
    mid_members: tuple[str, ...] = ()

    def map_value(self, level: str, value: str) -> str:
        """The code of ``value`` (a fine code) at ``level``."""
        if level == "fine":
            return value
        if level == "mid":
            return self.mid if value in self.mid_members else value
        return self.total

    def keeps(self, level: str, value: str) -> bool:
        """Whether a cell with ``value`` at ``level`` is published (no duplicates)."""
        if level == "fine":
            return value not in ("UNK", "")
        if level == "mid":
            return value == self.mid
        return True


GROUP_LEVELS = ("fine", "mid", "total")
_FOREIGN = ("EU27_2020_FOR", "NEU27_2020_FOR")
#: PISA's migrant background (``IMMIG``): 1 native, 2 second generation, 3 first.
MIG_BG_CODES = ("NATIVE", "SECOND_GEN", "FIRST_GEN")
DIMENSIONS = {
    "citizen": Dimension("citizen", "citizen", GROUP_LEVELS, "TOTAL", "FOR", _FOREIGN),
    "c_birth": Dimension("c_birth", "c_birth", GROUP_LEVELS, "TOTAL", "FOR", _FOREIGN),
    "sex": Dimension("sex", "sex", ("fine", "total"), "T"),
    "geo": Dimension("geo", "region", ("fine", "total"), ""),  # total: the country
    "mig_bg": Dimension(
        "mig_bg", "mig_bg", GROUP_LEVELS, "TOTAL", "IMMIGRANT", ("SECOND_GEN", "FIRST_GEN")
    ),
}
#: One cell per plausible value, no margin: the estimates are pooled across them.
PLAUSIBLE_VALUE = Dimension("pv", "pv", ("fine",), "")


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
