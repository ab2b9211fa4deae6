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
* ``HCOB``: housing costs net of allowances over 40% of disposable income net of
  allowances, by Eurostat's algorithm (``lvho25.sas``): monthly ``HH070`` x 12,
  allowances ``HY070G`` (``HY070N`` when only that is present), income ``HY020``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SILC_DERIVED", "DerivedVariable", "FileKind"]

FileKind = str  # "D", "H", "P", "R" or "M" (an already-merged person file)


@dataclass(frozen=True)
class DerivedVariable:
    """A variable computed from input variables: what it needs and its SQL."""

    name: str
    meaning: str
    needs: tuple[str, ...]
    sql: Callable[[Callable[[str], str]], str]


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


def _smd(num: Callable[[str], str]) -> str:
    return _count_rule([_arrears(num), *(_deprived(num, c) for c in SMD_ITEMS)], 4)


def _smsd(num: Callable[[str], str]) -> str:
    items = [_arrears(num), *(_deprived(num, c) for c in SMSD_HOUSEHOLD + SMSD_PERSONAL)]
    return _count_rule(items, 7)


def _hcob(num: Callable[[str], str]) -> str:
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
