"""EU-LFS microdata variables: names, codes and what counts as valid.

Names and codes follow the EU-LFS anonymised microdata (1998-2020 coding) as listed in
Eurostat's *EU Labour Force Survey database user guide*. Every coded variable may be
blank (missing); a present value must be one of its codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zaragoza.errors import ParameterError

__all__ = [
    "LFS_VARIABLES",
    "REQUIRED",
    "UNKNOWN_GROUP_CODES",
    "VAR_PREFIX",
    "WEIGHT_EXPECTED",
    "WEIGHT_RULE",
    "Variable",
    "replicate_columns",
]

#: Citizenship or birth-country codes meaning "not known" (counted in TOTAL only).
UNKNOWN_GROUP_CODES = frozenset({"NRP"})
#: Prefix of the survey variables in the harmonised records, so that ``SEX`` or ``AGE``
#: used in a definition never collides with the derived ``sex`` or ``age`` columns.
VAR_PREFIX = "var_"
#: The rule refusing a weight, and what a valid one is (EU-LFS and EU-SILC alike).
WEIGHT_RULE = "missing, non-finite or non-positive weight"
WEIGHT_EXPECTED = "a positive finite number"


def replicate_columns(pattern: str | None, columns: Iterable[str]) -> list[str]:
    """The columns whose whole name matches the replicate-weight pattern, in order.

    Raises
    ------
    ParameterError
        The pattern is not a valid regular expression.
    """
    if not pattern:
        return []
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise ParameterError(
            "replicate_weights", pattern, f"a regular expression ({exc})"
        ) from None
    return [c for c in columns if rx.fullmatch(c)]


@dataclass(frozen=True)
class Variable:
    """One input column: numeric codes, string codes, or a free numeric range."""

    name: str
    meaning: str
    codes: frozenset[float] | frozenset[str] | None = None
    range: tuple[float, float] | None = None
    integer: bool = True

    @property
    def numeric(self) -> bool:
        return self.codes is None or all(isinstance(c, float) for c in self.codes)

    def expected(self) -> str:
        if self.codes is not None:
            shown = sorted(
                (f"{c:g}" if isinstance(c, float) else c for c in self.codes),
                key=lambda s: (len(s), s),
            )
            return "one of " + ", ".join(shown) + " or blank"
        assert self.range is not None
        kind = "an integer" if self.integer else "a number"
        return f"{kind} from {self.range[0]:g} to {self.range[1]:g}"


def _num(*codes: int) -> frozenset[float]:
    return frozenset(float(c) for c in codes)


LFS_VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in [
        Variable("YEAR", "reference year", range=(1983, 2100)),
        Variable("AGE", "age in completed years", range=(0, 120)),
        Variable("SEX", "sex: 1 male, 2 female", codes=_num(1, 2)),
        Variable(
            "ILOSTAT",
            "ILO labour status: 1 employed, 2 unemployed, 3 inactive, "
            "4 compulsory military service",
            codes=_num(1, 2, 3, 4),
        ),
        Variable(
            "STAPRO",
            "professional status: 1 self-employed with employees, 2 without, "
            "3 employee, 4 family worker",
            codes=_num(1, 2, 3, 4),
        ),
        Variable("TEMP", "permanency of the job: 1 permanent, 2 temporary", codes=_num(1, 2)),
        Variable("FTPT", "full-time or part-time: 1 full-time, 2 part-time", codes=_num(1, 2)),
        Variable("ISCO1D", "occupation, ISCO-08 major group 0-9", codes=_num(*range(10))),
        Variable(
            "HATLEVEL",
            "highest level of education attained, ISCED 2011",
            codes=_num(0, 100, 200, 300, 302, 303, 304, 400, 500, 600, 700, 800),
        ),
        Variable(
            "EDUC4WN",
            "education or training in the last 4 weeks: 1 yes, 2 no",
            codes=_num(1, 2),
        ),
        Variable(
            "DURUNE",
            "duration of unemployment: 1 <1 month, 2 1-2, 3 3-5, 4 6-11, 5 12-17, "
            "6 18-23, 7 24-47 months, 8 4 years or more",
            codes=_num(*range(1, 9)),
        ),
        Variable(
            "NACE1D",
            "economic activity, NACE Rev. 2 section A-U",
            codes=frozenset("ABCDEFGHIJKLMNOPQRSTU"),
        ),
    ]
}

#: Columns every EU-LFS input must have (the weight column is named by ``--weight``).
REQUIRED = ("COUNTRY", "YEAR", "SEX", "AGE")

#: Variables derived from inputs that indicator definitions may use.
DERIVED = {
    "ISCED": ("HATLEVEL", "ISCED 2011 level 0-8 (HATLEVEL / 100, so 302-304 -> 3)"),
    "ISCO": ("ISCO1D", "ISCO-08 major group 0-9"),
}
