"""Profiles to observations: figures checked by hand, disclosure checked independently.

The crafted caseload (Austria, interviews of 2026; every person aged 20-64):

=====  ==  =========  ===  ======  ===============================================
group   n  citizen    sex  arrived education, work, German, recognition
=====  ==  =========  ===  ======  ===============================================
A      12  SY (NEU)   F    2016    6 ISCED 7 (4 work as building cleaners, ISCO 9;
                                   3 recognised, 3 refused), 6 ISCED 3 (3 clerks,
                                   ISCO 4); German B1 for 8, A2 for 4
B      12  SY (NEU)   M    2021    ISCED 6, not applied; 5 work in ISCO 2, 5 in
                                   ISCO 9, 2 not in work; German not known
C      11  RO (EU)    F    2012    ISCED 5, partly recognised; all in ISCO 5;
                                   German B2
D       3  AT (NAT)   M    2019    ISCED 2, not in work; German native
=====  ==  =========  ===  ======  ===============================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zaragoza.disclosure import recoverable
from zaragoza.errors import ParameterError, UsageError
from zaragoza.observations import check_observations
from zaragoza.skills.aggregate import aggregate, observations
from zaragoza.skills.profile import Language, Profile

from .profiles import BUILDING_CLEANER, Education, Work, german, isco, profile


def group(n: int, **kw: object) -> list[Profile]:
    return [profile(**kw) for _ in range(n)]  # type: ignore[arg-type]


def caseload() -> list[Profile]:
    f_sy = {"sex": "F", "citizenship": "SY", "year_of_arrival": 2016, "year_of_birth": 1990}
    m_sy = {"sex": "M", "citizenship": "SY", "year_of_arrival": 2021, "year_of_birth": 1985}
    ro = {"sex": "F", "citizenship": "RO", "year_of_arrival": 2012, "year_of_birth": 1980}
    at = {"sex": "M", "citizenship": "AT", "year_of_arrival": 2019, "year_of_birth": 2000}
    cleaner = [Work(occupation=BUILDING_CLEANER, current=True)]
    clerk = [Work(occupation=isco(4), current=True)]
    out: list[Profile] = []
    # A: 6 tertiary (4 cleaners: 3 recognised, 1 refused; 2 not in work: refused)
    for i in range(6):
        out.append(
            profile(
                person=f_sy,
                education=[
                    Education(isced_level=7, recognition="recognised" if i < 3 else "refused")
                ],
                work=cleaner if i < 4 else [],
                languages=[german("B1" if i < 2 else "A2")],
            )
        )
    for i in range(6):  # A: 6 upper secondary, 3 clerks
        out.append(
            profile(
                person=f_sy,
                education=[Education(isced_level=3)],
                work=clerk if i < 3 else [],
                languages=[german("B1")],
            )
        )
    for i in range(12):  # B
        job = isco(2) if i < 5 else BUILDING_CLEANER
        out.append(
            profile(
                person=m_sy,
                education=[Education(isced_level=6)],
                work=[Work(occupation=job, current=True)] if i < 10 else [],
            )
        )
    out += group(
        11,
        person=ro,
        education=[Education(isced_level=5, recognition="partial")],
        work=[Work(occupation=isco(5), current=True)],
        languages=[german("B2")],
    )
    out += group(
        3,
        person=at,
        education=[Education(isced_level=2)],
        languages=[Language(language="de", native=True)],
    )
    return out


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """The caseload with the default threshold (10 persons)."""
    return aggregate(caseload(), by=("citizen", "sex", "arrival"))


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    """The caseload with the lowest threshold allowed (3): every figure to check by hand."""
    return aggregate(caseload(), by=("citizen", "sex", "arrival"), threshold=3)


def cell(
    cells: pd.DataFrame, indicator: str, citizen: str = "TOTAL", sex: str = "T", arrival: str = ""
) -> pd.Series:
    row = cells[
        (cells.indicator == indicator) & (cells.citizen == citizen) & (cells.sex == sex)
        & (cells.arrival == arrival)
    ]  # fmt: skip
    assert len(row) == 1
    return row.iloc[0]


def published(c: pd.Series) -> tuple[float, int]:
    assert "c" not in c.flag, "published cell expected"
    return float(c.value), int(c.n)


def test_persons_by_group_sex_and_arrival(figures: pd.DataFrame) -> None:
    assert published(cell(figures, "profiles_persons", "FOR")) == (35.0, 35)
    assert published(cell(figures, "profiles_persons", "NEU27_2020_FOR", "M")) == (12.0, 12)
    assert published(cell(figures, "profiles_persons", "EU27_2020_FOR", "F")) == (11.0, 11)
    # nobody: published as zero, not hidden
    assert published(cell(figures, "profiles_persons", "EU27_2020_FOR", "M")) == (0.0, 0)
    assert published(cell(figures, "profiles_persons", arrival="Y_LE2014")) == (11.0, 11)
    assert published(cell(figures, "profiles_persons", arrival="Y2015-2019")) == (15.0, 15)
    assert published(cell(figures, "profiles_persons", arrival="Y2020-2022")) == (12.0, 12)
    assert published(cell(figures, "profiles_persons", arrival="Y_GE2023")) == (0.0, 0)
    assert set(figures["source"]) == {"profiles"}


def test_small_cells_are_confidential_and_blank(cells: pd.DataFrame) -> None:
    assert set(cells["source"]) == {"profiles"}
    for sex in ("T", "M"):  # 3 national men
        c = cell(cells, "profiles_persons", "NAT", sex)
        assert "c" in c.flag
        assert pd.isna(c.value)
        assert pd.isna(c.n)
    # a confidential cell is never published, whatever the indicator
    hidden = cells[cells.flag.str.contains("c")]
    assert hidden["value"].isna().all()
    assert hidden["n"].isna().all()
    shown = cells[~cells.flag.str.contains("c") & cells.n.notna()]
    assert ((shown.n == 0) | (shown.n >= 10)).all()


def test_subtraction_cannot_reveal_the_small_cell(cells: pd.DataFrame) -> None:
    # NAT = TOTAL - FOR: at least one of them is hidden for each sex
    for sex in ("T", "M"):
        hidden = ["c" in cell(cells, "profiles_persons", g, sex).flag for g in ("TOTAL", "FOR")]
        assert any(hidden), sex


def _determined_counts(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Independent audit of the counts with their true relations (coefficients 1).

    Unknowns: hidden cells. A hidden cell is determined when its unit vector lies in the
    row space of the relations restricted to the unknowns (rank test, numpy's lstsq
    residual), the known cells moved to the right-hand side.
    """
    key = list(zip(table.citizen, table.sex, table.arrival, strict=True))
    hidden = {k for k, f in zip(key, table.flag, strict=True) if "c" in f}
    sums = [("TOTAL", ("NAT", "FOR")), ("FOR", ("EU27_2020_FOR", "NEU27_2020_FOR"))]
    eqs: list[list[tuple[str, str, str]]] = []
    for s in ("T", "M", "F"):
        for margin, parts in sums:
            eqs.append([(margin, s, ""), *[(p, s, "") for p in parts]])
    for g in ("TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR"):
        eqs.append([(g, "T", ""), (g, "M", ""), (g, "F", "")])
    periods = sorted({a for a in table.arrival if a})
    if periods:
        eqs.append([("TOTAL", "T", ""), *[("TOTAL", "T", p) for p in periods]])
    unknown = sorted(hidden)
    if not unknown:
        return []
    a = np.array([[(1.0 if k == eq[0] else -1.0) * (k in eq) for k in unknown] for eq in eqs])
    found = []
    for j, k in enumerate(unknown):
        e = np.zeros(len(unknown))
        e[j] = 1.0
        x, *_ = np.linalg.lstsq(a.T, e, rcond=None)
        if np.allclose(a.T @ x, e, atol=1e-8):
            found.append(k)
    return found


def test_no_hidden_count_can_be_rebuilt(cells: pd.DataFrame) -> None:
    table = cells[cells.indicator == "profiles_persons"]
    assert _determined_counts(table) == []
    # the audit can fail: publish the national men's total again and it finds them
    leaky = table.copy()
    leaky.loc[(leaky.citizen.isin(["TOTAL", "FOR"])) & (leaky.arrival == ""), "flag"] = ""
    assert ("NAT", "M", "") in _determined_counts(leaky)


def test_the_librarys_audit_agrees_for_every_indicator(cells: pd.DataFrame) -> None:
    work = cells.assign(source="computed")
    letters = {a: str(i + 1) for i, a in enumerate(sorted(set(work.arrival) - {""}))}
    work["geo"] = work.geo + work.arrival.map(lambda a: letters.get(a, ""))
    assert recoverable(work, work.flag.str.contains("c")) == []


def test_overqualification_rate_by_hand(figures: pd.DataFrame, cells: pd.DataFrame) -> None:
    # in work with tertiary: A 4 (all ISCO 9), B 10 (5 in ISCO 9), C 11 (all ISCO 5)
    assert published(cell(figures, "overqualification_rate")) == (80.0, 25)  # 20 / 25
    assert published(cell(figures, "overqualification_rate", "NEU27_2020_FOR", "M")) == (50.0, 10)
    assert published(cell(figures, "overqualification_rate", "EU27_2020_FOR")) == (100.0, 11)
    assert published(cell(figures, "overqualification_rate", sex="F")) == (100.0, 15)
    assert published(cell(figures, "overqualification_rate", "NEU27_2020_FOR", "F")) == (
        100.0,
        4,
    )
    # with the default threshold, those 4 are confidential
    assert "c" in cell(cells, "overqualification_rate", "NEU27_2020_FOR", "F").flag
    assert cell(figures, "overqualification_rate").age == "Y20-64"


def test_attainment_language_and_recognition_by_hand(figures: pd.DataFrame) -> None:
    assert published(cell(figures, "profiles_attainment_high")) == (76.3, 38)  # 29 / 38
    assert published(cell(figures, "profiles_attainment_medium")) == (15.8, 38)  # 6 / 38
    assert published(cell(figures, "profiles_attainment_low")) == (7.9, 38)  # 3 / 38
    assert published(cell(figures, "profiles_attainment_high", "NEU27_2020_FOR", "F")) == (50.0, 12)
    assert published(cell(figures, "profiles_host_language_b1")) == (84.6, 26)  # 22 / 26
    assert published(cell(figures, "profiles_host_language_b1", "NEU27_2020_FOR", "F")) == (
        66.7,
        12,
    )  # 8 / 12
    # nobody of B has a known level: not available, not confidential
    nobody = cell(figures, "profiles_host_language_b1", "NEU27_2020_FOR", "M")
    assert nobody.flag == ":"
    assert nobody.n == 0
    assert published(cell(figures, "profiles_recognition_granted", "EU27_2020_FOR")) == (100.0, 11)
    assert published(cell(figures, "profiles_recognition_granted")) == (82.4, 17)  # 14 / 17
    assert published(cell(figures, "profiles_recognition_granted", "NEU27_2020_FOR")) == (50.0, 6)


def test_observations_fit_the_warehouse_contract(cells: pd.DataFrame) -> None:
    obs = observations(cells)
    assert "arrival" not in obs.columns
    assert (obs["source"] == "profiles").all()
    assert len(obs) == 7 * 15  # seven indicators, five groups by three sexes
    checked = check_observations(obs.drop(columns="source"), "profiles", "computed")
    assert len(checked) == len(obs)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ParameterError, match="by"):
        aggregate(caseload(), by=("religion",))
    for bad in (2, 0, 10.5, True):
        with pytest.raises(UsageError, match="threshold"):
            aggregate(caseload(), threshold=bad)  # type: ignore[arg-type]
    assert aggregate([]).empty


def test_a_higher_threshold_hides_more() -> None:
    strict = aggregate(caseload(), threshold=20)
    c = strict[(strict.indicator == "profiles_persons") & (strict.citizen == "EU27_2020_FOR")]
    assert c.flag.str.contains("c").all() or (c.n == 0).any()


# ---------------------------------------------------------------- successive snapshots


def _published_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """What a snapshot published, as the warehouse keeps it: the cells of all periods
    of arrival with their count, confidential ones left out."""
    rows = observations(cells)
    shown = rows[~rows.flag.str.contains("c") & rows.n.notna()]
    return shown.drop(columns=["source"], errors="ignore")


def _persons(cells: pd.DataFrame, citizen: str, sex: str) -> pd.Series:
    return cell(cells, "profiles_persons", citizen, sex)


def _more_syrian_women(n: int) -> list[Profile]:
    f_sy = {"sex": "F", "citizenship": "SY", "year_of_arrival": 2016, "year_of_birth": 1990}
    return group(n, person=f_sy, education=[Education(isced_level=3)])


def test_a_second_snapshot_cannot_reveal_a_handful_by_subtraction() -> None:
    first = aggregate(caseload())
    assert published(_persons(first, "NEU27_2020_FOR", "F"))[1] == 12
    later = caseload() + _more_syrian_women(2)
    # without the earlier counts the two snapshots together say: two Syrian women came
    naive = aggregate(later)
    assert published(_persons(naive, "NEU27_2020_FOR", "F"))[1] == 14
    second = aggregate(later, earlier=_published_counts(first))
    for citizen in ("NEU27_2020_FOR", "FOR", "TOTAL"):
        hidden = _persons(second, citizen, "F")
        assert "c" in hidden.flag, citizen
        assert pd.isna(hidden.n), citizen
        assert pd.isna(hidden.value), citizen
    # every cell both snapshots publish differs by 0 or by the threshold or more
    both = observations(first).merge(
        observations(second), on=["indicator", "citizen", "sex"], suffixes=("_1", "_2")
    )
    shown = both[~both.flag_1.str.contains("c") & ~both.flag_2.str.contains("c")]
    gap = (shown.n_2.astype(float) - shown.n_1.astype(float)).abs()
    assert not ((gap > 0) & (gap < 10)).any()
    # an unchanged cell stays published
    assert published(_persons(second, "EU27_2020_FOR", "M"))[1] == 0


def _difference_table(hidden: pd.Series) -> pd.DataFrame:
    """The differences' table for the audit: ``hidden`` by (citizen, sex)."""
    return pd.DataFrame(
        {
            "citizen": [k[0] for k in hidden.index],
            "sex": [k[1] for k in hidden.index],
            "arrival": "",
            "flag": np.where(hidden, "c", ""),
        }
    )


def test_the_table_of_differences_reveals_no_hidden_difference() -> None:
    """The independent audit on the differences of the counts: a difference is known
    where both snapshots publish the cell; no other difference may be determined."""
    first = aggregate(caseload())
    second = aggregate(caseload() + _more_syrian_women(2), earlier=_published_counts(first))
    a = observations(first)
    b = observations(second)
    for ind in ("profiles_persons", "profiles_attainment_medium"):
        one = a[a.indicator == ind].set_index(["citizen", "sex"])
        two = b[b.indicator == ind].set_index(["citizen", "sex"])
        hidden = one.flag.str.contains("c") | two.flag.str.contains("c")
        assert _determined_counts(_difference_table(hidden)) == [], ind
    # the audit can fail: publish the Syrian women's count again and their difference shows
    one = a[a.indicator == "profiles_persons"].set_index(["citizen", "sex"])
    two = b[b.indicator == "profiles_persons"].set_index(["citizen", "sex"])
    hidden = one.flag.str.contains("c") | two.flag.str.contains("c")
    hidden[("NEU27_2020_FOR", "T")] = False
    hidden[("NEU27_2020_FOR", "M")] = False
    assert ("NEU27_2020_FOR", "F", "") in _determined_counts(_difference_table(hidden))


def test_enough_new_persons_are_published_and_every_earlier_count_is_compared() -> None:
    first = aggregate(caseload())
    second = aggregate(caseload() + _more_syrian_women(12), earlier=_published_counts(first))
    assert published(_persons(second, "NEU27_2020_FOR", "F"))[1] == 24  # 12 more: shown
    # a third snapshot one person from the first and eleven from the second: hidden,
    # since someone may have kept the first download
    earlier = pd.concat([_published_counts(first), _published_counts(second)])
    third = aggregate(caseload() + _more_syrian_women(1), earlier=earlier)
    assert "c" in _persons(third, "NEU27_2020_FOR", "F").flag
    against_second_only = aggregate(
        caseload() + _more_syrian_women(1), earlier=_published_counts(second)
    )
    assert published(_persons(against_second_only, "NEU27_2020_FOR", "F"))[1] == 13
