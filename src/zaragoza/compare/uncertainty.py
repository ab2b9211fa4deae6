"""Uncertainty and sensitivity analysis of a composite index's ranks (Monte Carlo).

Handbook step 7 (Nardo et al., *Handbook on Constructing Composite Indicators*, OECD
2008, ch. 7; Saisana, Saltelli and Tarantola, JRSS A 168, 2005): the methodological
choices are drawn at random, the index recomputed, and the spread of every unit's rank
reported, with first-order sensitivity indices of the choices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from zaragoza.compare.composite import (
    AGGREGATIONS,
    IMPUTATIONS,
    NORMALISATIONS,
    WEIGHTINGS,
    Choices,
    FloatArray,
    composite_index,
    impute,
    leaf_matrix,
    normalise,
    rank_desc,
    scores,
    target_values,
)
from zaragoza.compare.framework import Framework, Tree
from zaragoza.errors import UsageError

__all__ = ["SENSITIVITY_COLUMNS", "UNCERTAINTY_COLUMNS", "Uncertainty", "uncertainty_analysis"]

#: Columns of :attr:`Uncertainty.ranks`.
UNCERTAINTY_COLUMNS = [
    "unit", "score", "rank", "rank_median", "rank_q05", "rank_q95", "rank_mean",
]  # fmt: skip
#: Columns of :attr:`Uncertainty.sensitivity`.
SENSITIVITY_COLUMNS = ["factor", "first_order", "choices"]


@dataclass(frozen=True)
class Uncertainty:
    """Result of :func:`uncertainty_analysis`.

    ``ranks`` (:data:`UNCERTAINTY_COLUMNS`): each unit's nominal score and rank, and the
    median, 5th and 95th percentiles and mean of its rank over the draws. ``sensitivity``
    (:data:`SENSITIVITY_COLUMNS`): each factor's first-order sensitivity index on the
    mean absolute shift of the ranks from the nominal ones. ``draws``: the choices and
    the unit ranks of every draw (one row per draw).
    """

    ranks: pd.DataFrame
    sensitivity: pd.DataFrame
    draws: pd.DataFrame


def uncertainty_analysis(
    data: pd.DataFrame,
    framework: tuple[Framework, Tree],
    *,
    draws: int = 1000,
    seed: int = 20261125,
    nominal: Choices | None = None,
    imputation: tuple[str, ...] = IMPUTATIONS,
    normalisation: tuple[str, ...] = ("minmax", "zscore", "rank"),
    weighting: tuple[str, ...] = WEIGHTINGS,
    aggregation: tuple[str, ...] = AGGREGATIONS,
    weight_noise: float = 0.25,
) -> Uncertainty:
    """Return the Monte Carlo uncertainty and sensitivity analysis of an index's ranks.

    Each draw picks, uniformly and independently, an imputation, a normalisation, a
    weighting and an aggregation from the given alternatives, multiplies every weight
    by an independent ``U(1 - weight_noise, 1 + weight_noise)`` factor (renormalised
    within each node), recomputes the index and ranks the units (Handbook step 7,
    uncertainty and sensitivity analysis; Saisana, Saltelli and
    Tarantola, JRSS A 168, 2005). Geometric draws translate a node's children to a
    minimum of 1 when any is not positive. PCA weights are computed once per
    combination of the other choices, on the unperturbed tree, then perturbed.

    The first-order index of factor *i* is ``Var(E[R | X_i]) / Var(R)`` for the output
    ``R`` = mean over units of ``|rank - nominal rank|`` (the Handbook's average shift in
    ranks), estimated from the draws grouped by the factor's choice (exact
    conditional means for discrete factors). What the four factors leave unexplained is
    the weights' perturbation and the interactions.
    """
    fw, tree = framework
    nominal = nominal or Choices()
    if draws < 10:
        raise UsageError("too few draws for an uncertainty analysis", value=draws)
    if not 0 <= weight_noise < 1:
        raise UsageError("weight_noise must lie in [0, 1)", value=weight_noise)
    for name, options, valid in (
        ("imputation", imputation, IMPUTATIONS),
        ("normalisation", normalisation, NORMALISATIONS),
        ("weighting", weighting, WEIGHTINGS),
        ("aggregation", aggregation, AGGREGATIONS),
    ):
        bad = [o for o in options if o not in valid]
        if bad or not options:
            raise UsageError(
                f"unknown {name} choice", value=bad or options, hint=f"Valid: {', '.join(valid)}"
            )
    raw = leaf_matrix(data, fw)
    negative = np.array([leaf.direction == "negative" for leaf in fw.indicators])
    targets = target_values(fw, "target" if "target" in normalisation else "minmax")
    base = composite_index(data, framework, nominal)
    root = base[base["kind"] == "index"]
    nominal_rank = root["rank"].to_numpy(float)
    rng = np.random.default_rng(seed)
    n_units = raw.shape[0]
    picks = {
        "imputation": rng.integers(0, len(imputation), draws),
        "normalisation": rng.integers(0, len(normalisation), draws),
        "weighting": rng.integers(0, len(weighting), draws),
        "aggregation": rng.integers(0, len(aggregation), draws),
    }
    noise = rng.uniform(1 - weight_noise, 1 + weight_noise, (draws, len(tree.nodes)))
    normalised: dict[tuple[str, str], FloatArray] = {}
    weight_cache: dict[tuple[str, str, str, str], dict[int, FloatArray]] = {}
    ranks = np.empty((draws, n_units))
    for d in range(draws):
        imp = imputation[picks["imputation"][d]]
        nor = normalisation[picks["normalisation"][d]]
        wei = weighting[picks["weighting"][d]]
        agg = aggregation[picks["aggregation"][d]]
        if (imp, nor) not in normalised:
            normalised[imp, nor] = normalise(impute(raw, imp), nor, negative, targets)
        xn = normalised[imp, nor]
        ch = replace(
            nominal, imputation=imp, normalisation=nor, weighting=wei, aggregation=agg,
            shift_nonpositive=True,
        )  # fmt: skip
        key = (imp, nor, wei, agg)
        if key not in weight_cache:
            weight_cache[key] = {}
            scores(xn, tree, ch, weight_cache[key])
        perturbed = {}
        for k, w in weight_cache[key].items():
            cols = tree.children[k]
            pw = w * noise[d, list(cols)]
            perturbed[k] = pw / pw.sum()
        s = scores(xn, tree, ch, perturbed)
        ranks[d] = rank_desc(s[:, -1])
    out = pd.DataFrame(
        {
            "unit": root["unit"].to_numpy(),
            "score": root["score"].to_numpy(),
            "rank": nominal_rank,
            "rank_median": np.nanmedian(ranks, axis=0),
            "rank_q05": np.nanquantile(ranks, 0.05, axis=0),
            "rank_q95": np.nanquantile(ranks, 0.95, axis=0),
            "rank_mean": np.nanmean(ranks, axis=0),
        }
    )
    shift = np.nanmean(np.abs(ranks - nominal_rank[None, :]), axis=1)
    total = float(np.var(shift))
    rows = []
    for name, options in (
        ("imputation", imputation),
        ("normalisation", normalisation),
        ("weighting", weighting),
        ("aggregation", aggregation),
    ):
        level = picks[name]
        means = pd.Series(shift).groupby(level).transform("mean").to_numpy()
        first = float(np.var(means)) / total if total > 0 else 0.0
        rows.append((name, first, ",".join(options)))
    sens = pd.DataFrame.from_records(rows, columns=SENSITIVITY_COLUMNS)
    record = pd.DataFrame(
        {
            "draw": np.arange(draws),
            **{
                n: np.asarray(o)[picks[n]]
                for n, o in (
                    ("imputation", imputation),
                    ("normalisation", normalisation),
                    ("weighting", weighting),
                    ("aggregation", aggregation),
                )
            },
            "mean_rank_shift": shift,
        }
    )
    unit_ranks = pd.DataFrame(ranks, columns=[f"rank_{u}" for u in out["unit"]])
    return Uncertainty(
        ranks=out[UNCERTAINTY_COLUMNS],
        sensitivity=sens,
        draws=pd.concat([record, unit_ranks], axis=1),
    )
