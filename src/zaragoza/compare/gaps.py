"""Gaps between groups: migrant - native, women - men, and the gap of the gaps.

A gap is a difference of two level observations of the same indicator, country, year,
age band and source, in the indicator's unit (percentage points for rates). Its standard
error comes, in order of preference, from

1. the engine's gap row (``compare_to = NAT``), whose SE is linearised on the same sample
   and so counts the covariance of the two estimates (``se_method = design``);
2. the two levels' SEs, ``sqrt(se_1^2 + se_2^2)``, which assumes the two estimates
   independent (``se_method = independence``; disjoint groups from one clustered sample
   are in fact slightly correlated);
3. none, for published cells, which come without SEs (``se_method = none``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zaragoza.compare._frame import level_rows, prepare
from zaragoza.compare._stats import normal_quantile, normal_two_sided_p
from zaragoza.observations import gap_flags

__all__ = ["GAP_COLUMNS", "GAP_KINDS", "gaps", "gaps_as_observations"]

#: The kinds of gap :func:`gaps` computes.
GAP_KINDS = ("migrant_native", "women_men", "gap_of_gaps")
#: Columns of :func:`gaps`.
GAP_COLUMNS = [
    "gap", "indicator", "geo", "time", "age", "source", "dimension", "citizen", "c_birth",
    "sex", "reference", "value", "se", "ci_lo", "ci_hi", "z", "p_value", "se_method", "flag",
]  # fmt: skip

_KEY = ["indicator", "geo", "time", "age", "source", "dimension", "sex"]
_NOT_MIGRANT = ("TOTAL", "NAT")


def _with_group(df: pd.DataFrame) -> pd.DataFrame:
    """Say which dimension each row breaks down (``citizen``, ``c_birth`` or none)."""
    cit_total = df["c_birth"] == "TOTAL"
    cob_total = df["citizen"] == "TOTAL"
    dim = np.select(
        [cit_total & cob_total, cit_total, cob_total], ["", "citizen", "c_birth"], "both"
    )
    group = np.where(dim == "c_birth", df["c_birth"], df["citizen"])
    out = df.assign(dimension=dim, group=group)
    return out[out["dimension"] != "both"]


def _se_method(se: pd.Series, design: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([design, se.notna()], ["design", "independence"], "none"), index=se.index
    )


def _finish(df: pd.DataFrame, alpha: float) -> pd.DataFrame:
    q = normal_quantile(1 - alpha / 2)
    df = df.assign(ci_lo=df["value"] - q * df["se"], ci_hi=df["value"] + q * df["se"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df["z"] = df["value"] / df["se"]
    df["p_value"] = normal_two_sided_p(df["z"].to_numpy())
    return df


def _migrant_native(levels: pd.DataFrame, engine: pd.DataFrame) -> pd.DataFrame:
    mig = levels[levels["dimension"].ne("") & ~levels["group"].isin(_NOT_MIGRANT)]
    nat = levels[levels["group"] == "NAT"][[*_KEY, "value", "se", "flag"]]
    m = mig.merge(nat, on=_KEY, suffixes=("", "_ref"))
    m = m.merge(engine, on=[*_KEY, "group"], how="left")
    own = m["value"] - m["value_ref"]
    indep = np.sqrt(m["se"] ** 2 + m["se_ref"] ** 2)
    design = m["gap_se"].notna()
    m["value"] = m["gap_value"].where(design, own)
    m["se"] = m["gap_se"].where(design, indep)
    m["se_method"] = _se_method(m["se"], design)
    m["flag"] = gap_flags(m["flag"], m["flag_ref"])
    return m.assign(gap="migrant_native", reference="NAT")


def _female_minus_male(frame: pd.DataFrame, gap: str, reference: str) -> pd.DataFrame:
    """Women's row minus men's, SEs combined as independent (the two are disjoint
    samples only approximately: said in ``se_method``)."""
    key = [c for c in _KEY if c != "sex"] + ["group", "citizen", "c_birth"]
    f = frame[frame["sex"] == "F"][[*key, "value", "se", "flag"]]
    m = frame[frame["sex"] == "M"][[*key, "value", "se", "flag"]]
    out = f.merge(m, on=key, suffixes=("", "_m"))
    out["flag"] = gap_flags(out["flag"], out["flag_m"])
    out["value"] = out["value"] - out["value_m"]
    out["se"] = np.sqrt(out["se"] ** 2 + out["se_m"] ** 2)
    out["se_method"] = _se_method(out["se"], pd.Series(False, index=out.index))
    return out.assign(gap=gap, sex="F", reference=reference)


def _women_men(levels: pd.DataFrame) -> pd.DataFrame:
    return _female_minus_male(levels, "women_men", "M")


def _gap_of_gaps(mn: pd.DataFrame) -> pd.DataFrame:
    return _female_minus_male(mn, "gap_of_gaps", "NAT; M")


def gaps(
    obs: pd.DataFrame, *, kinds: tuple[str, ...] = GAP_KINDS, alpha: float = 0.05
) -> pd.DataFrame:
    """Return the gaps between groups with their SEs and ``1 - alpha`` intervals.

    Parameters
    ----------
    obs
        Observation rows with the warehouse's columns: levels, and optionally the engine's
        gap rows (``compare_to = NAT``), whose SEs are then used.
    kinds
        Any of :data:`GAP_KINDS`.
    alpha
        For the normal intervals ``value -/+ z_{1-alpha/2} se``.

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`, one row per gap:

        * ``migrant_native``: ``x(group) - x(NAT)`` for each group of a ``dimension``
          (``citizen``: ``FOR``, ``EU27_2020_FOR``, ``NEU27_2020_FOR``; ``c_birth`` the
          same), same sex; ``reference = NAT`` (Eurostat's gap to nationals / natives).
        * ``women_men``: ``x(F) - x(M)`` within each group (``TOTAL`` and ``NAT``
          included); ``sex = F``, ``reference = M``.
        * ``gap_of_gaps``: the migrant-native gap of women minus that of men,
          ``(x(group, F) - x(NAT, F)) - (x(group, M) - x(NAT, M))``: negative when migrant
          women lag further behind native women than migrant men behind native men;
          ``sex = F``, ``reference = "NAT; M"``. Its SE treats the two sexes' gaps as
          independent.

        ``z = value / se`` and ``p_value`` (two-sided normal) test a zero gap; every SE
        column is empty for published cells (``se_method = none``). ``flag`` holds the
        letters of both cells' flags (a break, ``b``, in either breaks the gap's series).
    """
    df = prepare(obs, "gaps")
    levels = _with_group(level_rows(df))
    eng = _with_group(df[(df["compare_to"] == "NAT") & df["value"].notna() & df["se"].notna()])
    engine = eng[[*_KEY, "group", "value", "se"]].rename(
        columns={"value": "gap_value", "se": "gap_se"}
    )
    parts: list[pd.DataFrame] = []
    mn = _migrant_native(levels, engine)
    if "migrant_native" in kinds:
        parts.append(mn)
    if "women_men" in kinds:
        parts.append(_women_men(levels))
    if "gap_of_gaps" in kinds:
        parts.append(_gap_of_gaps(mn))
    out = pd.concat([p for p in parts if not p.empty] or [mn.iloc[:0]], ignore_index=True)
    out = _finish(out, alpha)
    order = ["gap", "indicator", "source", "geo", "time", "dimension", "citizen", "c_birth", "sex"]
    return out[GAP_COLUMNS].sort_values(order).reset_index(drop=True)


def gaps_as_observations(gap_rows: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`gaps` rows shaped as observations, so that trends, convergence and
    ranks can be computed on gaps (is the migrant-native gap narrowing?).

    ``compare_to`` takes the gap's ``reference`` (``NAT``, ``M`` or ``NAT; M``), the
    indicator keeps its id, ``citizen``, ``c_birth`` and ``sex`` say whose gap it is
    (``sex = F`` for the women-men gap and the gap of gaps), and the SE goes along.
    """
    cols = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age", "value", "se",
            "flag", "source"]  # fmt: skip
    return gap_rows[cols].assign(compare_to=gap_rows["reference"]).reset_index(drop=True)
