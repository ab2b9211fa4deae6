"""EU-SILC variables: the layout of Eurostat's files and the derived indicator variables.

File layouts follow the EU-SILC user database (UDB) and public-use files (PUF): a
household register (D file), household data (H), a personal register (R, every
household member) and personal data (P, members aged 16 and over). Each record is
identified by country (``xB020``), year (``xB010``) and its id (``xB030``).

Derived variables are what the catalogue's definitions read besides the survey's own
variables. Each is SQL over the linked person record (a ``pick`` function returns the
SQL of an input variable) and names the input variables it needs, so that an indicator
whose variables are absent is refused with their names. Codes are those of the EU-SILC
*Methodological guidelines and description of target variables* (DocSILC065) up to the
2020 operation:

* deprivation items: ``2`` = cannot afford (``HS040`` holiday, ``HS050`` meal,
  ``HS060`` unexpected expenses, ``HH050`` keep home warm, ``HS070`` telephone, ``HS080``
  colour TV, ``HS100`` washing machine, ``HS110`` car, ``HD080`` replace furniture, and
  the personal items ``PD020``-``PD080``); arrears ``HS011``/``HS021``/``HS031``: ``1``/
  ``2`` = in arrears (once / twice or more), blank = none or not applicable.
* ``SMD`` (Europe 2020): at least 4 of the 9 items; ``SMSD`` (2030): at least 7 of 13.
  With some items missing the count decides when it can (4 lacking already, or too few
  left to reach 4); otherwise the person's status is missing.
* ``LWI`` (Europe 2020): persons aged 0-59 in a household where the members aged 18-59
  (students aged 18-24, ``PL031`` = 6, left out) worked at most 20% of their potential:
  months worked full time (``PL073`` employee, ``PL074`` self-employed) plus half the
  months part time (``PL075``, ``PL076``), over 12 months per member. Eurostat converts
  part-time months by usual hours; the factor 0.5 is Zaragoza's simplification.
  ``LWI2030`` also leaves out the retired (``PL031`` = 7) and old-age pensioners
  (``PY100G`` > 0) and covers ages 0-64 (members 18-64); Eurostat's further exclusion of
  inactive persons aged 60-64 in pension households is not made.
* ``OVERCROWDED``: fewer rooms (``HH030``) than one for the household, one per couple
  (``RB240`` partner id given), one per single person 18+, one per pair of single
  persons of the same sex aged 12-17 (one for an odd one left), one per pair of
  children under 12 (Eurostat's definition); it needs every household member (R file).
* ``HCOB``: housing costs net of allowances over 40% of disposable income net of
  allowances, by Eurostat's algorithm (``lvho25.sas``): monthly ``HH070`` x 12,
  allowances ``HY070G`` (``HY070N`` when only that is present), income ``HY020``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SILC_DERIVED", "Context", "DerivedVariable", "FileKind"]

FileKind = str  # "D", "H", "P", "R" or "M" (an already-merged person file)


@dataclass(frozen=True)
class Context:
    """What the SQL of a derived variable may use besides the input variables."""

    num: Callable[[str], str]  # SQL of an input variable as a number
    age: str  # SQL of the person's age at the end of the income reference period
    sex: str  # SQL of 'M' / 'F'
    household: str  # window partition of the person's household


@dataclass(frozen=True)
class DerivedVariable:
    """A variable computed from input variables: what it needs and its SQL."""

    name: str
    meaning: str
    needs: tuple[str, ...]
    sql: Callable[[Context], str]
    #: needs every member of the household (an R file or a merged file of all ages)
    roster: bool = False


def _deprived(num: Callable[[str], str], col: str) -> str:
    return f"CAST({num(col)} = 2 AS INTEGER)"


def _arrears(num: Callable[[str], str]) -> str:
    # a blank arrears item means "no arrears or not applicable" in the PUF (flags removed)
    parts = [f"coalesce({num(c)} IN (1, 2), false)" for c in ("HS011", "HS021", "HS031")]
    return f"CAST(({' OR '.join(parts)}) AS INTEGER)"


def _count_rule(items: list[str], at_least: int) -> str:
    count = " + ".join(f"coalesce({i}, 0)" for i in items)
    unknown = " + ".join(f"CAST({i} IS NULL AS INTEGER)" for i in items)
    return (
        f"(CASE WHEN ({count}) >= {at_least} THEN 1 "
        f"WHEN ({count}) + ({unknown}) < {at_least} THEN 0 END)"
    )


SMD_ITEMS = ("HS040", "HS050", "HS060", "HH050", "HS070", "HS080", "HS100", "HS110")
SMSD_HOUSEHOLD = ("HS060", "HS040", "HS050", "HH050", "HS110", "HD080")
SMSD_PERSONAL = ("PD020", "PD030", "PD050", "PD060", "PD070", "PD080")
ARREARS = ("HS011", "HS021", "HS031")


def _smd(c: Context) -> str:
    return _count_rule([_arrears(c.num), *(_deprived(c.num, i) for i in SMD_ITEMS)], 4)


def _smsd(c: Context) -> str:
    items = [_arrears(c.num), *(_deprived(c.num, i) for i in SMSD_HOUSEHOLD + SMSD_PERSONAL)]
    return _count_rule(items, 7)


def _work_intensity(c: Context, top: int, excluded: str) -> str:
    """1 when the person (aged 0 to ``top``) lives in a household whose members of
    working age (18 to ``top``, students 18-24 and ``excluded`` left out) worked at
    most 20% of their potential months; 0 otherwise; missing when a member's months
    are missing."""
    num = c.num
    months = f"({num('PL073')} + {num('PL074')} + 0.5 * ({num('PL075')} + {num('PL076')}))"
    student = f"({c.age} BETWEEN 18 AND 24 AND coalesce({num('PL031')} = 6, false))"
    eligible = f"({c.age} BETWEEN 18 AND {top} AND NOT {student} AND NOT ({excluded}))"
    over = f"OVER (PARTITION BY {c.household})"
    worked = f"sum(CASE WHEN {eligible} THEN {months} ELSE 0 END) {over}"
    missing = f"sum(CASE WHEN {eligible} AND {months} IS NULL THEN 1 ELSE 0 END) {over}"
    potential = f"(12 * sum(CASE WHEN {eligible} THEN 1 ELSE 0 END) {over})"
    return (
        f"(CASE WHEN {c.age} > {top} OR {potential} = 0 THEN 0 "
        f"WHEN {missing} > 0 THEN NULL "
        f"ELSE CAST({worked} / {potential} <= 0.2 AS INTEGER) END)"
    )


def _lwi(c: Context) -> str:
    return _work_intensity(c, 59, "false")


def _lwi_2030(c: Context) -> str:
    retired = f"coalesce({c.num('PL031')} = 7, false) OR coalesce({c.num('PY100G')} > 0, false)"
    return _work_intensity(c, 64, retired)


def _overcrowded(c: Context) -> str:
    over = f"OVER (PARTITION BY {c.household})"
    couple = f"({c.num('RB240')} IS NOT NULL)"
    single = f"NOT {couple}"

    def n(cond: str) -> str:
        return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END) {over}"

    teens = f"{c.age} BETWEEN 12 AND 17 AND {single}"
    needed = (
        f"(1 + ceil({n(couple)} / 2) + {n(f'{c.age} >= 18 AND {single}')} "
        f"+ ceil({n(f'{teens} AND {c.sex} = ' + repr('M'))} / 2) "
        f"+ ceil({n(f'{teens} AND {c.sex} = ' + repr('F'))} / 2) "
        f"+ ceil({n(f'{c.age} < 12')} / 2))"
    )
    rooms = c.num("HH030")
    return f"(CASE WHEN {rooms} IS NULL THEN NULL ELSE CAST({rooms} < {needed} AS INTEGER) END)"


def _hcob(c: Context) -> str:
    num = c.num
    cost = f"(12 * {num('HH070')} - {num('HY070G')})"
    inc = f"({num('HY020')} - {num('HY070G')})"
    return (
        f"(CASE WHEN {num('HH070')} IS NULL OR {num('HY070G')} IS NULL "
        f"OR {num('HY020')} IS NULL THEN NULL "
        f"WHEN {cost} <= 0 THEN 0 WHEN {inc} <= 0 THEN 1 WHEN {inc} < {cost} THEN 1 "
        f"ELSE CAST(100 * {cost} / {inc} > 40 AS INTEGER) END)"
    )


SILC_DERIVED: dict[str, DerivedVariable] = {
    v.name: v
    for v in [
        DerivedVariable(
            "SMD",
            "severely materially deprived (Europe 2020): lacks at least 4 of 9 items",
            (*ARREARS, *SMD_ITEMS),
            _smd,
        ),
        DerivedVariable(
            "SMSD",
            "severely materially and socially deprived (2030): lacks at least 7 of 13 items",
            (*ARREARS, *SMSD_HOUSEHOLD, *SMSD_PERSONAL),
            _smsd,
        ),
        DerivedVariable(
            "LWI",
            "very low work intensity (Europe 2020): persons 0-59 in households whose "
            "members aged 18-59 (students 18-24 aside) worked at most 20% of their "
            "potential months",
            ("PL073", "PL074", "PL075", "PL076", "PL031"),
            _lwi,
        ),
        DerivedVariable(
            "LWI2030",
            "very low work intensity (2030): persons 0-64, members 18-64 (students 18-24, "
            "the retired and pensioners aside) at most 20% of their potential",
            ("PL073", "PL074", "PL075", "PL076", "PL031", "PY100G"),
            _lwi_2030,
        ),
        DerivedVariable(
            "OVERCROWDED",
            "fewer rooms (HH030) than Eurostat's minimum for the household's members",
            ("HH030", "RB240"),
            _overcrowded,
            roster=True,
        ),
        DerivedVariable(
            "HCOB",
            "housing costs over 40% of disposable income, both net of housing allowances",
            ("HH070", "HY070G", "HY020"),
            _hcob,
        ),
    ]
}

#: Variables computed by the estimator itself, not from the input: ``POOR`` (income
#: below the national at-risk-of-poverty threshold, 1/0) needs equivalised income.
ESTIMATOR_VARIABLES = {"POOR": "equivalised disposable income (HX090, or HY020 and HX050)"}
