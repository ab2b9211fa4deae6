"""Composite indices: imputation, normalisation, weighting, aggregation, uncertainty.

The steps follow the JRC/OECD *Handbook on Constructing Composite Indicators:
Methodology and User Guide* (Nardo, Saisana, Saltelli, Tarantola, Hoffmann and
Giovannini, OECD 2008; "the Handbook") and the JRC's COINr (Becker et al., JOSS 7(78),
2022), on a table of units (countries) x indicators and a framework
(:mod:`zaragoza.compare.framework`):

* imputation (Handbook step 3): ``none`` (a missing value is left out of its node's
  aggregate, whose weights are renormalised over what is present, as COINr's
  ``a_amean``), ``mean`` or ``median`` of the indicator across units;
* normalisation (step 5; an indicator with ``direction: negative`` is negated first so
  that more is always better): ``minmax`` ``100 (x - min) / (max - min)`` (Handbook
  step 5); ``zscore`` ``(x - mean) / sd`` with the sample SD; ``target``
  ``100 (x - min) / (target - min)`` capped at 100 (distance to target, COINr
  ``n_dist2targ``); ``rank`` (ties averaged);
* weighting (step 6): ``expert`` (the framework's weights), ``equal``, or ``pca``
  (Handbook, step 6: principal components of the children's correlation matrix with
  eigenvalue above 1, varimax-rotated when more than one, squared loadings scaled to
  unit sum per factor, each child weighted by its largest scaled squared loading times
  its factor's share of the explained variance);
* aggregation: ``arithmetic`` ``sum w x / sum w`` or ``geometric``
  ``prod x^(w / sum w)`` (Handbook, step 6); geometric aggregation
  needs positive values;
* uncertainty and sensitivity (step 7): :mod:`zaragoza.compare.uncertainty`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from zaragoza.compare._frame import is_country, prepare
from zaragoza.compare.framework import Framework, Tree
from zaragoza.errors import InputError, UsageError

__all__ = [
    "AGGREGATIONS",
    "IMPUTATIONS",
    "INDEX_COLUMNS",
    "NORMALISATIONS",
    "WEIGHTINGS",
    "Choices",
    "aggregate",
    "composite_index",
    "impute",
    "index_data",
    "leaf_matrix",
    "normalise",
    "pca_weights",
    "rank_desc",
    "scores",
    "target_values",
    "varimax",
]

FloatArray = npt.NDArray[np.float64]
IMPUTATIONS = ("none", "mean", "median")
NORMALISATIONS = ("minmax", "zscore", "target", "rank")
WEIGHTINGS = ("expert", "equal", "pca")
AGGREGATIONS = ("arithmetic", "geometric")
#: Columns of :func:`composite_index` (long: one row per unit and node).
INDEX_COLUMNS = ["unit", "node", "kind", "score", "rank"]


@dataclass(frozen=True)
class Choices:
    """The methodological choices of one index computation.

    ``aggregation`` None keeps each node's aggregation from the framework.
    ``shift_nonpositive`` translates a node's children to a minimum of 1 before a
    geometric mean when any is zero or negative (used by the uncertainty analysis; a
    single computation refuses such values instead).
    """

    imputation: Literal["none", "mean", "median"] = "none"
    normalisation: Literal["minmax", "zscore", "target", "rank"] = "minmax"
    weighting: Literal["expert", "equal", "pca"] = "expert"
    aggregation: Literal["arithmetic", "geometric"] | None = None
    shift_nonpositive: bool = False


def impute(x: FloatArray, method: str) -> FloatArray:
    """Return ``x`` (units x indicators) with missing values imputed column-wise."""
    if method == "none":
        return x
    fill = np.nanmean(x, axis=0) if method == "mean" else np.nanmedian(x, axis=0)
    return np.where(np.isnan(x), fill[None, :], x)


def _rank_columns(x: FloatArray) -> FloatArray:
    return pd.DataFrame(x).rank(axis=0, method="average").to_numpy(float)


def normalise(
    x: FloatArray, method: str, negative: npt.NDArray[np.bool_], targets: FloatArray
) -> FloatArray:
    """Return ``x`` normalised column-wise so that higher is better (module docstring).

    A constant column normalises to 50 (``minmax``, ``target``) or 0 (``zscore``):
    it does not tell the units apart.
    """
    sign = np.where(negative, -1.0, 1.0)
    y = x * sign[None, :]
    lo, hi = np.nanmin(y, axis=0), np.nanmax(y, axis=0)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "minmax":
            # clipped: rounding can put the maximum a hair above 100
            out = np.where(span > 0, np.clip(100 * (y - lo) / span, 0.0, 100.0), 50.0)
        elif method == "zscore":
            sd = np.nanstd(y, axis=0, ddof=1)
            out = np.where(sd > 0, (y - np.nanmean(y, axis=0)) / sd, 0.0)
        elif method == "target":
            t = targets * sign
            reach = t - lo
            out = np.where(reach > 0, np.minimum(100 * (y - lo) / reach, 100.0), 100.0)
        elif method == "rank":
            out = _rank_columns(y)
        else:
            raise UsageError(
                "unknown normalisation", value=method, hint=f"Valid: {', '.join(NORMALISATIONS)}"
            )
    return np.where(np.isnan(x), np.nan, out)


def varimax(loadings: FloatArray, *, tol: float = 1e-12, max_sweeps: int = 1000) -> FloatArray:
    """Return the varimax rotation of ``loadings`` (raw, without Kaiser's row weights).

    Kaiser's (Psychometrika 23, 1958) pairwise algorithm: each pair of factors is turned
    by the angle that maximises the criterion in closed form, sweeping over the pairs
    until no angle exceeds ``tol``.
    """
    lam = np.array(loadings, dtype=float)
    p, k = lam.shape
    for _ in range(max_sweeps):
        largest = 0.0
        for i in range(k - 1):
            for j in range(i + 1, k):
                x, y = lam[:, i], lam[:, j]
                u, v = x**2 - y**2, 2 * x * y
                a, b = u.sum(), v.sum()
                num = 2 * (u * v).sum() - 2 * a * b / p
                den = (u**2 - v**2).sum() - (a**2 - b**2) / p
                phi = np.arctan2(num, den) / 4
                largest = max(largest, abs(phi))
                c, s = np.cos(phi), np.sin(phi)
                lam[:, i], lam[:, j] = x * c + y * s, -x * s + y * c
        if largest < tol:
            break
    return lam


def pca_weights(x: FloatArray) -> FloatArray:
    """Return weights (summing to 1) of the columns of ``x`` from principal components.

    The Handbook's weighting by principal components (step 6): the correlation matrix's
    components with eigenvalue above 1 (at least the first) are kept, rotated by varimax
    when more than one; each factor's squared loadings are scaled to sum to 1; each column
    takes its largest scaled squared loading times that factor's share of the variance the
    kept factors explain; the weights are then scaled to sum to 1. Rows with a missing value
    are left out; with fewer than three complete rows, or a constant column, the weights are
    equal.
    """
    k = x.shape[1]
    ok = ~np.isnan(x).any(axis=1)
    xc = x[ok]
    if k == 1:
        return np.ones(1)
    if len(xc) < 3 or (np.nanstd(xc, axis=0) == 0).any():
        return np.full(k, 1.0 / k)
    corr = np.corrcoef(xc, rowvar=False)
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    keep = max(int((vals > 1).sum()), 1)
    loadings = varimax(vecs[:, :keep] * np.sqrt(vals[:keep]))
    sq = loadings**2
    explained = sq.sum(axis=0)
    scaled = sq / explained
    best = scaled.argmax(axis=1)
    w = scaled[np.arange(k), best] * (explained / explained.sum())[best]
    return np.asarray(w / w.sum(), dtype=float)


def aggregate(
    values: FloatArray, weights: FloatArray, method: str, *, shift: bool = False
) -> FloatArray:
    """Return the weighted ``arithmetic`` or ``geometric`` mean of each row of ``values``.

    Missing values are left out and the weights renormalised over those present; a row
    with nothing present is NaN.
    """
    present = ~np.isnan(values)
    w = np.where(present, weights[None, :], 0.0)
    wsum = w.sum(axis=1)
    v = np.where(present, values, 0.0)
    if method == "arithmetic":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where(wsum > 0, (w * v).sum(axis=1) / wsum, np.nan))
    if (v[present] <= 0).any():
        if not shift:
            raise UsageError(
                "geometric aggregation needs positive values",
                value=float(v[present].min()),
                hint="Normalise with minmax or target (they are 0-100; a 0 is refused too), "
                "or aggregate arithmetically",
            )
        v = np.where(present, v - np.nanmin(np.where(present, v, np.nan), axis=0) + 1, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(wsum > 0, np.exp((w * np.log(v)).sum(axis=1) / wsum), np.nan))


def leaf_matrix(data: pd.DataFrame, fw: Framework) -> FloatArray:
    """Return the framework's indicator columns of ``data`` as a units x indicators array."""
    for leaf in fw.indicators:
        if leaf.id not in data.columns:
            raise InputError(
                f"the data have no column for indicator {leaf.id!r} of framework {fw.id!r}",
                column=leaf.id,
                hint=f"Columns present: {', '.join(map(str, data.columns))}",
            )
    return data[[leaf.id for leaf in fw.indicators]].to_numpy(float)


def target_values(fw: Framework, method: str) -> FloatArray:
    """Return each indicator's target (NaN without); all are needed for ``target``."""
    missing = [leaf.id for leaf in fw.indicators if leaf.target is None]
    if method == "target" and missing:
        raise UsageError(
            "distance-to-target normalisation needs a target for every indicator",
            column=missing[0],
            hint="Add `target:` to each indicator of the framework, or normalise otherwise",
        )
    return np.array([np.nan if t.target is None else t.target for t in fw.indicators])


def scores(
    xn: FloatArray, tree: Tree, choices: Choices, node_weights: dict[int, FloatArray]
) -> FloatArray:
    """Return the units x nodes scores, filled bottom-up from the normalised leaves ``xn``.

    ``node_weights`` maps an internal node's position to its children's weights; a node
    missing there gets the weights of ``choices.weighting``, which are stored in it.
    """
    s = np.full((xn.shape[0], len(tree.nodes)), np.nan)
    s[:, : tree.n_leaves] = xn
    for k in tree.internal:
        cols = list(tree.children[k])
        if k not in node_weights:
            if choices.weighting == "equal":
                w = np.full(len(cols), 1.0 / len(cols))
            elif choices.weighting == "pca":
                w = pca_weights(s[:, cols])
            else:
                w = np.asarray(tree.weights[k], dtype=float)
                w = w / w.sum()
            node_weights[k] = w
        method = choices.aggregation or tree.aggregation[k]
        s[:, k] = aggregate(s[:, cols], node_weights[k], method, shift=choices.shift_nonpositive)
    return s


def rank_desc(scores: FloatArray) -> FloatArray:
    """Return ranks, 1 = highest score, ties sharing the best rank, NaN for NaN."""
    return np.asarray(pd.Series(scores).rank(method="min", ascending=False), dtype=np.float64)


def composite_index(
    data: pd.DataFrame, framework: tuple[Framework, Tree], choices: Choices = Choices()
) -> pd.DataFrame:
    """Return every unit's normalised indicators, dimension scores and index, ranked.

    Parameters
    ----------
    data
        One row per unit (the index names it, e.g. ``geo``), one column per framework
        indicator ``id`` (raw values; see :func:`index_data` for the warehouse's).
    framework
        ``(Framework, Tree)`` from :func:`zaragoza.compare.framework.load_framework`.
    choices
        Imputation, normalisation, weighting and aggregation (module docstring).

    Returns
    -------
    pandas.DataFrame
        :data:`INDEX_COLUMNS`: ``kind`` is ``indicator`` (normalised value),
        ``dimension`` or ``index``; ``rank`` within the node, 1 = best (ties share it).
    """
    fw, tree = framework
    x = impute(leaf_matrix(data, fw), choices.imputation)
    negative = np.array([leaf.direction == "negative" for leaf in fw.indicators])
    xn = normalise(x, choices.normalisation, negative, target_values(fw, choices.normalisation))
    s = scores(xn, tree, choices, {})
    units = np.asarray(data.index.astype(str))
    parts = [
        pd.DataFrame(
            {
                "unit": units,
                "node": node,
                "kind": tree.kinds[k],
                "score": s[:, k],
                "rank": rank_desc(s[:, k]),
            }
        )
        for k, node in enumerate(tree.nodes)
    ]
    return pd.concat(parts, ignore_index=True)[INDEX_COLUMNS]


def index_data(
    obs: pd.DataFrame,
    framework: Framework,
    *,
    time: int,
    source: str,
    min_coverage: float = 0.75,
) -> pd.DataFrame:
    """Return the units x indicators table of a framework from warehouse observations.

    Each framework indicator takes the cells of its catalogue ``indicator`` with its
    ``citizen``, ``c_birth``, ``sex``, ``compare_to`` (and ``age`` when given) for the
    year ``time`` and the ``source``; units are countries (aggregates left out), one row
    each, a missing cell NaN. A unit with values for less than ``min_coverage`` of the
    indicators is left out (the Handbook's step 2, data selection; COINr's
    ``dat_thresh``), so that a country is not ranked on one or two indicators.

    Raises
    ------
    InputError
        No cell at all for one of the framework's indicators (the column named is the
        framework indicator's id).
    """
    df = prepare(obs, "composite index")
    df = df[(df["time"] == time) & (df["source"] == source) & is_country(df["geo"])]
    cols = {}
    for leaf in framework.indicators:
        sel = (
            (df["indicator"] == leaf.catalogue_id)
            & (df["citizen"] == leaf.citizen)
            & (df["c_birth"] == leaf.c_birth)
            & (df["sex"] == leaf.sex)
            & (df["compare_to"] == leaf.compare_to)
        )
        if leaf.age is not None:
            sel &= df["age"] == leaf.age
        cells = df[sel & df["value"].notna()]
        if cells.empty:
            raise InputError(
                f"no {source} observation for indicator {leaf.id!r} in {time}",
                column=leaf.id,
                value=f"{leaf.catalogue_id} citizen={leaf.citizen} c_birth={leaf.c_birth} "
                f"sex={leaf.sex} compare_to={leaf.compare_to or '-'}",
                hint="Choose another year or source, or change the framework's cell",
            )
        cols[leaf.id] = cells.groupby("geo")["value"].first()
    out = pd.DataFrame(cols)
    out.index.name = "geo"
    covered = out.notna().mean(axis=1) >= min_coverage
    return out[covered].sort_index()
