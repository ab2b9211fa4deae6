"""Profiles to observations: counts and shares by group, disclosure-controlled.

Skills profiles are records of people counselled, not a sample: the aggregates describe
those profiled and nobody else (no standard error, interval or CV is given, as there is
no sampling design to derive them from). They leave as observations of the project's
contract (:mod:`zaragoza.observations`) with ``source = profiles``; the monitoring half
never reads the profiles themselves.

Indicators (``docs/skills.md``, "From profiles to monitoring"):

``profiles_persons``
    Number of profiles (persons).
``profiles_attainment_low`` / ``_medium`` / ``_high``
    Percentage of persons whose highest completed level is ISCED 2011 0-2 / 3-4 / 5-8
    (Eurostat's aggregates ED0-2, ED3_4, ED5-8), of those with education recorded (a
    person with levels recorded but none completed is at level 0-2).
``profiles_host_language_b1``
    Percentage at CEFR B1 or above in every skill of the host language, of those whose
    host-language level is known.
``overqualification_rate``
    The catalogue's definition: persons aged 20-64 in work with tertiary attainment
    (ISCED 5-8) whose current occupation is in ISCO-08 major groups 4-9, as a percentage
    of persons aged 20-64 in work with tertiary attainment (age from the year of birth at
    the interview year; persons without a year of birth are left out).
``profiles_recognition_granted``
    Percentage with a tertiary diploma recognised fully or in part, of those with a
    tertiary diploma whose recognition was decided (recognised, partial or refused).

Breakdowns: ``citizen`` (TOTAL; NAT, citizens of the host country; FOR, split into
EU27_2020_FOR and NEU27_2020_FOR, stateless persons with the latter as Eurostat counts
them; unknown citizenship in TOTAL only), ``sex`` (T; M, F; other or not stated in T
only), crossed with each other, and ``arrival`` (periods of :data:`ARRIVAL_PERIODS`;
unknown in the total only), a breakdown of its own for all groups and both sexes: a
three-way table of a few hundred profiles would be suppressed almost whole.
Every combination of the categories asked is written, empty ones included (a count of
0, a share flagged ``:``), so that no cell is missing from the sums an attacker knows.

Disclosure control: a cell of fewer than ``threshold`` persons (default 10) is
confidential (flag ``c``; value and ``n`` blank) and the project's secondary suppression
(:func:`zaragoza.disclosure.protect`) hides further cells until none can be rebuilt from
the published ones, the arrival periods entered as parts of their total in the same way
as regions of a country.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zaragoza.catalog.codes import EU27_2020
from zaragoza.disclosure import differencing_risks, protect
from zaragoza.errors import ParameterError, UsageError
from zaragoza.observations import PUBLIC_COLUMNS
from zaragoza.skills.classifications import cefr_rank
from zaragoza.skills.profile import Profile

__all__ = [
    "ARRIVAL_PERIODS",
    "BREAKDOWNS",
    "DEFAULT_THRESHOLD",
    "INDICATORS",
    "SOURCE",
    "aggregate",
    "observations",
]

SOURCE = "profiles"
DEFAULT_THRESHOLD = 10
BREAKDOWNS = ("citizen", "sex", "arrival")
#: Periods of arrival: code, first year (None: open), last year (None: open).
ARRIVAL_PERIODS: tuple[tuple[str, int | None, int | None], ...] = (
    ("Y_LE2014", None, 2014),
    ("Y2015-2019", 2015, 2019),
    ("Y2020-2022", 2020, 2022),
    ("Y_GE2023", 2023, None),
)
_LAST = 2**52  # more persons than any cell holds
_CITIZEN = ("TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR")
_SEX = ("T", "M", "F")


@dataclass(frozen=True)
class _Indicator:
    """A share: who is counted (denominator) and who of them has the trait (numerator)."""

    id: str
    age: str
    population: Callable[[Profile], bool]
    trait: Callable[[Profile], bool]
    count: bool = False


def _has_education(p: Profile) -> bool:
    return bool(p.education)


def _attainment(p: Profile) -> int:
    top = p.highest_isced()
    return 0 if top is None else top


def _age_20_64(p: Profile) -> bool:
    born = p.person.year_of_birth
    return born is not None and 20 <= p.interview_date.year - born <= 64


def _tertiary_in_work(p: Profile) -> bool:
    top = p.highest_isced()
    return _age_20_64(p) and p.current_work() is not None and top is not None and top >= 5


def _in_isco_4_9(p: Profile) -> bool:
    job = p.current_work()
    return job is not None and job.isco_major >= 4


def _decided(p: Profile) -> bool:
    return any(e.recognition in ("recognised", "partial", "refused") for e in p.tertiary())


def _granted(p: Profile) -> bool:
    return any(e.recognition in ("recognised", "partial") for e in p.tertiary())


def _host_known(p: Profile) -> bool:
    return p.host_language_level() is not None


def _host_b1(p: Profile) -> bool:
    level = p.host_language_level()
    return level is not None and cefr_rank(level) >= cefr_rank("B1")


INDICATORS: tuple[_Indicator, ...] = (
    _Indicator("profiles_persons", "TOTAL", lambda p: True, lambda p: True, count=True),
    _Indicator("profiles_attainment_low", "TOTAL", _has_education, lambda p: _attainment(p) <= 2),
    _Indicator(
        "profiles_attainment_medium", "TOTAL", _has_education, lambda p: 3 <= _attainment(p) <= 4
    ),
    _Indicator("profiles_attainment_high", "TOTAL", _has_education, lambda p: _attainment(p) >= 5),
    _Indicator("profiles_host_language_b1", "TOTAL", _host_known, _host_b1),
    _Indicator("overqualification_rate", "Y20-64", _tertiary_in_work, _in_isco_4_9),
    _Indicator("profiles_recognition_granted", "TOTAL", _decided, _granted),
)


def _citizen_groups(p: Profile) -> set[str]:
    c = p.person.citizenship
    if c == "unknown":
        return {"TOTAL"}
    if c == p.geo:
        return {"TOTAL", "NAT"}
    if c in EU27_2020:
        return {"TOTAL", "FOR", "EU27_2020_FOR"}
    return {"TOTAL", "FOR", "NEU27_2020_FOR"}  # stateless included, as Eurostat counts


def _sexes(p: Profile) -> set[str]:
    return {"T", p.person.sex} if p.person.sex in ("M", "F") else {"T"}


def _arrivals(p: Profile) -> set[str]:
    year = p.person.year_of_arrival
    out = {""}
    if year is not None:
        for code, lo, hi in ARRIVAL_PERIODS:
            if (lo is None or year >= lo) and (hi is None or year <= hi):
                out.add(code)
    return out


def _flag(n: int, threshold: int, count: bool) -> str:
    """``c`` for 1 to threshold - 1 persons; an empty cell is not confidential.

    Nobody is in an empty cell, so it reveals nothing about a person: a count of zero is
    published, a share of nobody is not available (``:``). Published zeros also keep the
    secondary suppression honest: the attacker does know them.
    """
    if n == 0:
        return "" if count else ":"
    return "c" if n < threshold else ""


def aggregate(
    profiles: Iterable[Profile],
    *,
    by: Sequence[str] = ("citizen", "sex"),
    threshold: int = DEFAULT_THRESHOLD,
    earlier: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the disclosure-controlled aggregates of ``profiles``.

    One row per indicator, host country (``geo``), interview year (``time``), group,
    sex and period of arrival (column ``arrival``, empty for all periods): the columns
    of :data:`~zaragoza.observations.PUBLIC_COLUMNS` plus ``arrival``. Confidential
    cells keep their key and flag ``c``, with value and counts blank.

    ``earlier``: the counts earlier snapshots published
    (:meth:`~zaragoza.warehouse.store.Warehouse.published_profiles`). A cell whose count
    differs from one of them by 1 to ``threshold - 1`` persons is confidential too
    (:func:`zaragoza.disclosure.differencing_risks`), and protected like the others.
    Only the cells of all periods of arrival are compared: the warehouse holds only
    those, so only those were published by it.
    """
    unknown = [b for b in by if b not in BREAKDOWNS]
    if unknown:
        raise ParameterError("by", unknown[0], BREAKDOWNS)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 3:
        # one or two persons in a cell are the very disclosure the threshold prevents
        raise UsageError(
            "the disclosure threshold must be a whole number of persons, 3 or more",
            value=threshold,
            hint=f"Use {DEFAULT_THRESHOLD} (the default) or at least 3",
        )
    rows = list(profiles)
    citizens = _CITIZEN if "citizen" in by else ("TOTAL",)
    sexes = _SEX if "sex" in by else ("T",)
    cells = [(c, x, "") for c, x in itertools.product(citizens, sexes)]
    if "arrival" in by:
        # a margin of its own (all groups, both sexes), not crossed with the others
        cells += [("TOTAL", "T", code) for code, _, _ in ARRIVAL_PERIODS]
    # the cells each profile falls in, once
    keys = [
        (p.geo, p.interview_date.year, _citizen_groups(p), _sexes(p), _arrivals(p)) for p in rows
    ]
    tables = sorted({(geo, year) for geo, year, *_ in keys})
    out = []
    for ind in INDICATORS:
        pop = [ind.population(p) for p in rows]
        has = [pop[i] and ind.trait(p) for i, p in enumerate(rows)]
        for (geo, year), (cit, sex, arr) in itertools.product(tables, cells):
            n = k = 0
            for i, (g, t, cs, ss, arrs) in enumerate(keys):
                if g == geo and t == year and cit in cs and sex in ss and arr in arrs and pop[i]:
                    n += 1
                    k += has[i]
            share = round(100.0 * k / n, 1) if n else math.nan
            value = float(n) if ind.count else share
            out.append(
                {
                    "indicator": ind.id, "geo": geo, "time": year, "citizen": cit,
                    "c_birth": "TOTAL", "mig_bg": "TOTAL", "sex": sex, "age": ind.age,
                    "compare_to": "",
                    "value": value, "se": np.nan, "ci_lo": np.nan, "ci_hi": np.nan,
                    "cv": np.nan, "n": n, "n_missing": pd.NA,
                    "flag": _flag(n, threshold, ind.count), "arrival": arr,
                }
            )  # fmt: skip
    frame = pd.DataFrame(out, columns=[*PUBLIC_COLUMNS, "arrival"])
    if frame.empty:
        return frame
    if earlier is not None:
        whole = frame[frame["arrival"] == ""]
        risky = differencing_risks(whole.assign(source=SOURCE), earlier, threshold)
        frame.loc[risky[risky].index, "flag"] = "c"
    return _protect(frame)


def _protect(frame: pd.DataFrame) -> pd.DataFrame:
    """Secondary suppression with the project's rules (:func:`zaragoza.disclosure.protect`).

    Its attacker knows how groups and sexes add up (with any positive weights: the
    population shares behind a share) and that a country is the sum of its regions one
    level down; a period of arrival is a part of its total in the same way, so each
    period enters as a one-letter "region" of its country for the computation and leaves
    under its own code. Cells are ``computed`` for the computation (the rules treat
    those) and ``profiles`` after it.

    The rules hide, first, the published cell of fewest persons; an empty cell would
    always be that one, and hiding zeros spreads suppression through the whole table
    while protecting little, so empty cells count as the largest during the computation.
    """
    periods = sorted(set(frame["arrival"]) - {""})
    letter = {code: str(i + 1) for i, code in enumerate(periods)}
    work = frame.copy()
    work["geo"] = work["geo"] + work["arrival"].map(lambda a: letter.get(a, ""))
    work["source"] = "computed"
    empty = (frame["n"] == 0).to_numpy()
    work.loc[empty, "n"] = _LAST
    protected = protect(work.drop(columns="arrival"))
    still = empty & protected["n"].notna().to_numpy()
    protected.loc[still, "n"] = 0
    protected["geo"] = frame["geo"].to_numpy()
    protected["source"] = SOURCE
    protected["arrival"] = frame["arrival"].to_numpy()
    return protected.reset_index(drop=True)


def observations(aggregates: pd.DataFrame) -> pd.DataFrame:
    """The rows the warehouse's observation contract can hold: all periods of arrival.

    The contract has no period-of-arrival dimension; the rows by period stay in the
    aggregates (and their suppression pattern was computed with them, so none of the
    rows here reveals one of them).
    """
    rows = aggregates[aggregates["arrival"] == ""]
    return rows[PUBLIC_COLUMNS].reset_index(drop=True)
