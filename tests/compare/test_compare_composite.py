"""Composite-index steps against numbers worked by hand from the JRC/OECD Handbook's
formulas (Nardo et al. 2008: min-max and z-score normalisation, weighted arithmetic and
geometric means, PCA weights), and the framework's bad input.

The tiny table (three countries, three indicators, i2 where less is better)::

        i1  i2  i3        min-max (i2 negated)     z-score (sample SD)
    A   60  10  30        0   50   50              -1   0   0
    B   70   5  20        50 100    0               0   1  -1
    C   80  15  40       100   0  100               1  -1   1

Framework: d1 = 0.5 i1 + 0.5 i2, d2 = i3, index = 0.6 d1 + 0.4 d2. With min-max:
d1 = (25, 75, 50), d2 = (50, 0, 100), index = (35, 45, 70): C, B, A. With z-scores:
d1 = (-0.5, 0.5, 0), index = (-0.3, -0.1, 0.4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from statsmodels.multivariate.factor_rotation import rotate_factors

from zaragoza.catalog.loader import load_catalog
from zaragoza.compare.composite import (
    INDEX_COLUMNS,
    Choices,
    aggregate,
    composite_index,
    index_data,
    normalise,
    pca_weights,
    varimax,
)
from zaragoza.compare.framework import Framework, Tree, bundled_framework, load_framework
from zaragoza.compare.uncertainty import UNCERTAINTY_COLUMNS, uncertainty_analysis
from zaragoza.errors import CatalogError, InputError, UsageError

TABLE = pd.DataFrame(
    {"i1": [60.0, 70.0, 80.0], "i2": [10.0, 5.0, 15.0], "i3": [30.0, 20.0, 40.0]},
    index=pd.Index(["A", "B", "C"], name="geo"),
)
FRAMEWORK = {
    "id": "tiny",
    "title": "A worked example",
    "index": "index",
    "weights_sum": 1,
    "dimensions": [
        {"id": "d1", "parent": "index", "weight": 0.6},
        {"id": "d2", "parent": "index", "weight": 0.4},
    ],
    "indicators": [
        {"id": "i1", "parent": "d1", "weight": 0.5, "target": 90},
        {"id": "i2", "parent": "d1", "weight": 0.5, "direction": "negative", "target": 4},
        {"id": "i3", "parent": "d2", "weight": 1.0, "target": 35},
    ],
}


def _write(tmp_path: Path, fw: dict[str, object], name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(fw), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Framework, Tree]:
    return load_framework(_write(tmp_path, FRAMEWORK))


def _scores(res: pd.DataFrame, node: str) -> list[float]:
    return res[res["node"] == node].set_index("unit").loc[["A", "B", "C"], "score"].tolist()


def test_minmax_arithmetic_by_hand(tiny: tuple[Framework, Tree]) -> None:
    res = composite_index(TABLE, tiny)
    assert list(res.columns) == INDEX_COLUMNS
    assert _scores(res, "i1") == pytest.approx([0, 50, 100])
    assert _scores(res, "i2") == pytest.approx([50, 100, 0])
    assert _scores(res, "d1") == pytest.approx([25, 75, 50])
    assert _scores(res, "d2") == pytest.approx([50, 0, 100])
    assert _scores(res, "index") == pytest.approx([35, 45, 70])
    idx = res[res["kind"] == "index"].set_index("unit")["rank"]
    assert idx.to_dict() == {"A": 3, "B": 2, "C": 1}


def test_zscore_and_equal_weights_by_hand(tiny: tuple[Framework, Tree]) -> None:
    res = composite_index(TABLE, tiny, Choices(normalisation="zscore"))
    assert _scores(res, "i1") == pytest.approx([-1, 0, 1])
    assert _scores(res, "i2") == pytest.approx([0, 1, -1])
    assert _scores(res, "index") == pytest.approx([-0.3, -0.1, 0.4])
    eq = composite_index(TABLE, tiny, Choices(normalisation="zscore", weighting="equal"))
    # index = (d1 + d2) / 2 = ((-0.5 + 0) / 2, (0.5 - 1) / 2, (0 + 1) / 2)
    assert _scores(eq, "index") == pytest.approx([-0.25, -0.25, 0.5])


def test_target_and_rank_normalisation_by_hand() -> None:
    x = TABLE.to_numpy()
    neg = np.array([False, True, False])
    t = normalise(x, "target", neg, np.array([90.0, 4.0, 35.0]))
    # i1: (x - 60) / (90 - 60); i2 negated: (-x + 15) / (-4 + 15); i3 capped at 100
    assert t[:, 0] == pytest.approx([0, 100 / 3, 200 / 3])
    assert t[:, 1] == pytest.approx([500 / 11, 1000 / 11, 0])
    assert t[:, 2] == pytest.approx([200 / 3, 0, 100])
    r = normalise(x, "rank", neg, np.full(3, np.nan))
    assert r[:, 1].tolist() == [2, 3, 1]


def test_geometric_mean_by_hand(tiny: tuple[Framework, Tree]) -> None:
    got = aggregate(np.array([[4.0, 9.0], [1.0, 16.0], [8.0, 27.0]]), np.array([1.0, 1.0]),
                    "geometric")  # fmt: skip
    assert got == pytest.approx([6.0, 4.0, np.sqrt(8 * 27)])
    weighted = aggregate(np.array([[8.0, 27.0]]), np.array([1.0, 2.0]), "geometric")
    assert weighted == pytest.approx([2.0 * 9.0])  # 8^(1/3) 27^(2/3)
    # a missing value is left out and the weights renormalised
    assert aggregate(np.array([[np.nan, 5.0]]), np.array([0.3, 0.7]), "arithmetic") == [5.0]
    with pytest.raises(UsageError, match="positive values"):
        composite_index(TABLE, tiny, Choices(aggregation="geometric"))  # min-max gives a 0
    ranked = composite_index(TABLE, tiny, Choices(normalisation="rank", aggregation="geometric"))
    # ranks: i1 (1,2,3), i2 (2,3,1), i3 (2,1,3): d1 = sqrt(i1 i2), index = d1^.6 d2^.4
    d1 = np.sqrt(np.array([1 * 2, 2 * 3, 3 * 1.0]))
    assert _scores(ranked, "index") == pytest.approx(d1**0.6 * np.array([2, 1, 3.0]) ** 0.4)


def test_pca_weights_one_factor_are_squared_loadings() -> None:
    rng = np.random.default_rng(4)
    f = rng.normal(size=200)
    x = np.column_stack([f + rng.normal(0, s, 200) for s in (0.3, 0.6, 1.0)])
    w = pca_weights(x)
    vals, vecs = np.linalg.eig(np.corrcoef(x, rowvar=False))
    assert (vals > 1).sum() == 1
    v = vecs[:, np.argmax(vals)]
    # one factor: loadings^2 / sum(loadings^2) = v^2 (unit eigenvector)
    assert w == pytest.approx(v**2 / (v**2).sum(), rel=1e-10)
    assert w[0] > w[1] > w[2]


def test_varimax_matches_statsmodels_and_two_factor_weights() -> None:
    rng = np.random.default_rng(5)
    f1, f2 = rng.normal(size=300), rng.normal(size=300)
    x = np.column_stack(
        [
            f1 + rng.normal(0, 0.4, 300),
            f1 + rng.normal(0, 0.5, 300),
            f2 + rng.normal(0, 0.4, 300),
            f2 + rng.normal(0, 0.6, 300),
        ]
    )
    vals, vecs = np.linalg.eigh(np.corrcoef(x, rowvar=False))
    load = vecs[:, ::-1][:, :2] * np.sqrt(vals[::-1][:2])
    ours = varimax(load)
    theirs, _ = rotate_factors(load, "varimax")
    # the same rotation up to the order and sign of the factors
    assert np.sort(np.abs(ours).ravel()) == pytest.approx(np.sort(np.abs(theirs).ravel()), abs=1e-5)
    w = pca_weights(x)
    sq = ours**2
    scaled = sq / sq.sum(axis=0)
    share = sq.sum(axis=0) / sq.sum()
    best = scaled.argmax(axis=1)
    expected = scaled[np.arange(4), best] * share[best]
    assert w == pytest.approx(expected / expected.sum(), rel=1e-8)
    assert w.sum() == pytest.approx(1.0)


def test_imputation_mean_and_median(tiny: tuple[Framework, Tree]) -> None:
    holed = TABLE.copy()
    holed.loc["A", "i3"] = np.nan
    none = composite_index(holed, tiny)
    # no imputation: A's d2 is missing, the index renormalises over d1 alone
    assert _scores(none, "d2")[0] != _scores(none, "d2")[0]  # NaN
    mean = composite_index(holed, tiny, Choices(imputation="mean"))
    # i3 imputed (20 + 40) / 2 = 30: A is back at 50 on min-max
    assert _scores(mean, "i3") == pytest.approx([50, 0, 100])
    assert _scores(mean, "index") == pytest.approx([35, 45, 70])


def test_uncertainty_without_alternatives_is_the_nominal_ranking(
    tiny: tuple[Framework, Tree],
) -> None:
    u = uncertainty_analysis(TABLE, tiny, draws=50, imputation=("none",),
                             normalisation=("minmax",), weighting=("expert",),
                             aggregation=("arithmetic",), weight_noise=0.0)  # fmt: skip
    assert list(u.ranks.columns) == UNCERTAINTY_COLUMNS
    assert (u.ranks["rank_q05"] == u.ranks["rank"]).all()
    assert (u.ranks["rank_q95"] == u.ranks["rank"]).all()
    assert (u.sensitivity["first_order"] == 0).all()


def test_uncertainty_one_factor_explains_everything(tiny: tuple[Framework, Tree]) -> None:
    rng = np.random.default_rng(8)
    skewed = pd.DataFrame(rng.lognormal(3, 1, (12, 3)), columns=["i1", "i2", "i3"])
    u = uncertainty_analysis(skewed, tiny, draws=300, imputation=("none",),
                             normalisation=("minmax", "zscore", "rank"),
                             weighting=("expert",), aggregation=("arithmetic",),
                             weight_noise=0.0)  # fmt: skip
    assert u.draws["mean_rank_shift"].var() > 0
    s = u.sensitivity.set_index("factor")["first_order"]
    # with only the normalisation varying, it explains all the variance of the shifts
    assert s["normalisation"] == pytest.approx(1.0)
    assert s["weighting"] == 0
    a = uncertainty_analysis(skewed, tiny, draws=200, seed=3)
    b = uncertainty_analysis(skewed, tiny, draws=200, seed=3)
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    assert (a.ranks["rank_q05"] <= a.ranks["rank_median"]).all()
    assert (a.ranks["rank_median"] <= a.ranks["rank_q95"]).all()
    assert 0 <= a.sensitivity["first_order"].sum() <= 1 + 1e-9


def test_bundled_framework_on_published_data(default_obs: pd.DataFrame) -> None:
    fw = load_framework(bundled_framework(), load_catalog())
    data = index_data(default_obs, fw[0], time=2023, source="published")
    assert "AT" in data.index
    assert not data.index.str.startswith("EU").any()
    assert (data.notna().mean(axis=1) >= 0.75).all()
    res = composite_index(data, fw)
    top = res[res["kind"] == "index"].sort_values("rank")
    assert top["rank"].iloc[0] == 1
    u = uncertainty_analysis(data, fw, draws=100)
    assert (u.ranks["rank_q05"] <= u.ranks["rank_q95"]).all()


def _bad(tmp_path: Path, **changes: object) -> Path:
    fw = yaml.safe_load(yaml.safe_dump(FRAMEWORK))
    fw.update(changes)
    return _write(tmp_path, fw, "bad.yaml")


def test_framework_with_a_cycle(tmp_path: Path) -> None:
    dims = [
        {"id": "d1", "parent": "index", "weight": 0.6},
        {"id": "d2", "parent": "d3", "weight": 0.4},
        {"id": "d3", "parent": "d2", "weight": 1},
    ]
    with pytest.raises(CatalogError, match=r"cycle: d2 -> d3 -> d2") as err:
        load_framework(_bad(tmp_path, dimensions=dims, weights_sum=None))
    assert str(err.value.file).endswith("bad.yaml")
    assert err.value.column == "dimensions[1].parent"


def test_framework_with_an_unknown_indicator(tmp_path: Path) -> None:
    inds = [
        {"id": "i1", "indicator": "employment_rate", "parent": "d1", "weight": 0.5},
        {"id": "i2", "indicator": "unemployment_rate", "parent": "d1", "weight": 0.5},
        {"id": "i3", "indicator": "happiness", "parent": "d2"},
    ]
    with pytest.raises(CatalogError, match="not in the catalogue") as err:
        load_framework(_bad(tmp_path, indicators=inds), load_catalog())
    assert err.value.value == "happiness"
    assert err.value.column == "indicators[2].indicator"
    assert "employment_rate" in (err.value.hint or "")
    fw = load_framework(_write(tmp_path, FRAMEWORK))
    with pytest.raises(InputError, match="no column for indicator 'i3'"):
        composite_index(TABLE.drop(columns="i3"), fw)


def test_framework_weights_not_summing_as_declared(tmp_path: Path) -> None:
    dims = [{"id": "d1", "parent": "index", "weight": 0.6},
            {"id": "d2", "parent": "index", "weight": 0.5}]  # fmt: skip
    with pytest.raises(CatalogError, match=r"sum to 1\.1, not to 1 as declared") as err:
        load_framework(_bad(tmp_path, dimensions=dims))
    assert err.value.value == ["d1=0.6", "d2=0.5"]
    # without weights_sum the weights are normalised
    fw = load_framework(_bad(tmp_path, dimensions=dims, weights_sum=None))
    assert composite_index(TABLE, fw)["score"].notna().all()


def test_framework_other_structural_errors(tmp_path: Path) -> None:
    orphan = [*FRAMEWORK["indicators"], {"id": "i4", "parent": "nowhere"}]  # type: ignore[misc]
    with pytest.raises(CatalogError, match="unknown parent") as err:
        load_framework(_bad(tmp_path, indicators=orphan, weights_sum=None))
    assert err.value.value == "nowhere"
    twice = [*FRAMEWORK["indicators"], {"id": "i1", "parent": "d2"}]  # type: ignore[misc]
    with pytest.raises(CatalogError, match="used twice"):
        load_framework(_bad(tmp_path, indicators=twice))
    empty = [*FRAMEWORK["dimensions"], {"id": "d3", "parent": "index", "weight": 0}]  # type: ignore[misc]
    with pytest.raises(CatalogError, match="'d3' has no indicators"):
        load_framework(_bad(tmp_path, dimensions=empty))
    with pytest.raises(CatalogError, match="direction"):
        load_framework(_bad(tmp_path, indicators=[{"id": "i1", "parent": "d1",
                                                   "direction": "up"}]))  # fmt: skip
    no_target = [{"id": "i1", "parent": "d1"}, {"id": "i3", "parent": "d2"}]
    fw = load_framework(_bad(tmp_path, indicators=no_target, weights_sum=None))
    with pytest.raises(UsageError, match="needs a target"):
        composite_index(TABLE, fw, Choices(normalisation="target"))


def test_normalisations_as_coinr_tests_them() -> None:
    # COINr tests/testthat/test-normalise.R ("norm_num"): x = 1:10, n_dist2targ with
    # targ = 8 and cap_max gives min 0, max 1 and 1 for every x >= 8 (ours: 0-100);
    # n_zscore gives mean 0 and R's sd (n - 1) of 1; n_dist2targ with direction -1 is
    # (max(x) - x) / (max(x) - targ) (COINr R/normalise.R)
    x = np.arange(1.0, 11.0)[:, None]
    pos = normalise(x, "target", np.array([False]), np.array([8.0]))[:, 0]
    assert (pos.min(), pos.max()) == (0.0, 100.0)
    assert (pos[x[:, 0] >= 8] == 100).all()
    neg = normalise(x, "target", np.array([True]), np.array([3.0]))[:, 0]
    expected = np.minimum((10 - x[:, 0]) / (10 - 3), 1) * 100
    assert neg == pytest.approx(expected)
    z = normalise(x, "zscore", np.array([False]), np.full(1, np.nan))[:, 0]
    assert z.mean() == pytest.approx(0.0, abs=1e-12)
    assert z.std(ddof=1) == pytest.approx(1.0)
