"""EU-SILC estimators against R laeken 0.5.2 and survey 4.1.1 on laeken's `eusilc` data.

Golden numbers and the R code that made them: tests/reference/silc_laeken.R (run from
the repository root). The data are laeken's own (GPL >= 2): they are not copied into the
repository; the ``eusilc`` fixture exports them with tests/reference/export_eusilc.R,
so these tests need R with laeken (``apt-get install r-base-core r-cran-laeken``).
Point estimates must agree to a relative 1e-6 with laeken's functions
(weightedMedian, incQuintile, arpt, arpr, gini, qsr; national threshold for every
domain). Linearised SEs must agree to a relative 1e-6 with the influence functions
written out in R and evaluated by survey::svytotal under the same design (households as
PSUs, regions as strata), and lie within documented tolerances of independent
estimates: survey's bootstrap with laeken's functions (25%), survey's svyquantile
for medians (25%), and, for the poverty rate, R survey's SE with the threshold held
fixed (within 20%: the estimated threshold's term changes the SE, Osier 2009).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zaragoza.catalog.loader import Catalog
from zaragoza.catalog.schema import Indicator
from zaragoza.pipeline import estimate_files

HERE = Path(__file__).parents[1]
EXPORT = HERE / "reference" / "export_eusilc.R"
GOLDEN = HERE / "reference" / "silc_laeken_golden.csv"
GROUP = {"AT": "NAT", "EU": "EU27_2020_FOR", "Other": "NEU27_2020_FOR"}
UNIT = {"median": "EUR", "arpr": "PC", "gini": "COEF", "qsr": "RT", "arpt": "EUR"}


def _indicator(stat: str, pop: str) -> Indicator:
    return Indicator(
        id=f"{stat}_{'all' if pop == 'all' else 'adults'}",
        area="social_inclusion",
        title=stat,
        definition="laeken's statistic, for the reference test",
        survey="EU-SILC",
        population={"age": {"min": 0 if pop == "all" else 18}},  # type: ignore[arg-type]
        estimator=stat,  # type: ignore[arg-type]
        unit=UNIT[stat],  # type: ignore[arg-type]
    )


INDICATORS = [
    _indicator(s, p) for s in ("median", "arpr", "gini", "qsr") for p in ("all", "18+")
] + [_indicator("arpt", "all")]


# laeken's data, exported by R for this module (the autouse fixture below sets it).
DATA = Path("eusilc-not-exported-yet.csv.gz")


@pytest.fixture(scope="module", autouse=True)
def eusilc(tmp_path_factory: pytest.TempPathFactory, require: Callable[[bool, str], None]) -> Path:
    """laeken's ``eusilc`` with UDB names, exported by R with laeken 0.5.2."""
    global DATA
    rscript = shutil.which("Rscript")
    require(rscript is not None, "R (apt-get install r-base-core r-cran-laeken)")
    assert rscript is not None
    out = tmp_path_factory.mktemp("eusilc") / "eusilc_laeken.csv.gz"
    done = subprocess.run(
        [rscript, str(EXPORT), str(out)], capture_output=True, text=True, check=False
    )
    require(
        done.returncode == 0,
        f"R's laeken 0.5.2 (apt-get install r-cran-laeken): {done.stderr.strip()[-300:]}",
    )
    DATA = out
    return out


def _ours(by: list[str], **kw: object) -> pd.DataFrame:
    cat = Catalog({i.id: i for i in INDICATORS}, {}, "test")
    run = estimate_files(
        [DATA],
        [i.id for i in INDICATORS],
        by=by,
        strata="DB040",
        psu="DB030",
        catalog=cat,
        **kw,  # type: ignore[arg-type]
    )
    return run.observations


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    """Golden rows with our value and SE beside them."""
    gold = pd.read_csv(GOLDEN)
    gold = gold[~gold["statistic"].str.startswith("quintile")]
    gold = gold[gold["dimension"] != "gap_citizen"].copy()
    gold["indicator"] = gold["statistic"] + np.where(gold["population"] == "all", "_all", "_adults")
    a = _ours(["citizen", "geo"])
    b = _ours(["sex"])
    rows = []
    for _, g in gold.iterrows():
        if g["dimension"] == "sex":
            sex = "M" if g["domain"] == "male" else "F"
            m = b[(b["indicator"] == g["indicator"]) & (b["sex"] == sex)]
        else:
            cit = GROUP.get(g["domain"], "TOTAL") if g["dimension"] == "citizen" else "TOTAL"
            geo = str(g["domain"]).upper() if g["dimension"] == "region" else "AT"
            m = a[(a["indicator"] == g["indicator"]) & (a["citizen"] == cit) & (a["geo"] == geo)]
        assert len(m) == 1, g.to_dict()
        rows.append((m["value"].iloc[0], m["se"].iloc[0], m["n"].iloc[0]))
    gold[["ours", "ours_se", "ours_n"]] = rows
    return gold


def test_laeken_documented_values(joined: pd.DataFrame) -> None:
    """Values printed in laeken's vignettes (peers.md 13.1), whole population."""
    tot = joined[(joined["dimension"] == "TOTAL") & (joined["population"] == "all")]
    got = dict(zip(tot["statistic"], tot["ours"], strict=True))
    assert got["median"] == pytest.approx(18098.73, abs=0.01)
    assert got["arpt"] == pytest.approx(10859.24, abs=0.01)
    assert got["arpr"] == pytest.approx(14.44422, abs=1e-5)
    assert got["gini"] == pytest.approx(26.48962, abs=1e-5)
    assert got["qsr"] == pytest.approx(3.970004, abs=1e-6)


def test_point_estimates_equal_laeken(joined: pd.DataFrame) -> None:
    assert len(joined) == 1 + 4 * 2 * 15  # arpt, and 4 statistics x 2 populations x 15 domains
    np.testing.assert_allclose(joined["ours"], joined["value"], rtol=1e-6)
    np.testing.assert_array_equal(joined["ours_n"], joined["n"])


def test_linearised_se_equal_the_influence_functions_in_r(joined: pd.DataFrame) -> None:
    np.testing.assert_allclose(joined["ours_se"], joined["se_lin"], rtol=1e-6)


def test_linearised_se_near_independent_estimates(joined: pd.DataFrame) -> None:
    big = joined[joined["n"] >= 250]  # small domains: bootstrap and kernel both noisy
    ratio = big["ours_se"] / big["se_boot"]
    assert ratio.between(0.75, 1.25).all(), big.assign(ratio=ratio)[ratio.sub(1).abs() > 0.25]
    med = big[big["statistic"] == "median"]
    assert (med["ours_se"] / med["se_svyq"]).between(0.75, 1.25).all()
    arpr = big[big["statistic"] == "arpr"]
    assert (arpr["ours_se"] / arpr["se_fixed"]).between(0.8, 1.2).all()


def test_bootstrap_option_is_reproducible_and_close() -> None:
    one = _ours([], bootstrap=60, seed=7)
    two = _ours([], bootstrap=60, seed=7)
    pd.testing.assert_frame_equal(one, two)
    lin = _ours([])
    np.testing.assert_allclose(one["value"], lin["value"], rtol=1e-12)
    ratio = one["se"].to_numpy() / lin["se"].to_numpy()
    assert ((ratio > 0.6) & (ratio < 1.5)).all(), ratio


def _gini(x: np.ndarray, w: np.ndarray) -> float:
    """laeken::gini written out plainly, for one domain."""
    o = np.argsort(x, kind="stable")
    x, w = x[o], w[o]
    c = np.cumsum(w)
    return float(
        100 * ((2 * np.sum(w * x * c) - np.sum(w * w * x)) / (w.sum() * np.sum(w * x)) - 1)
    )


def test_user_replicate_weights(tmp_path: Path) -> None:
    """Replicate-weight columns: each statistic recomputed with each column."""
    d = pd.read_csv(DATA, keep_default_na=False, na_values=[""])
    rng = np.random.default_rng(5)
    households = d["DB030"].to_numpy()
    factors = rng.gamma(4.0, 0.25, size=(households.max() + 1, 12))
    for r in range(12):
        d[f"RW{r + 1}"] = d["RB050"] * factors[households, r]
    path = tmp_path / "eusilc_rw.csv"
    d.to_csv(path, index=False)
    cat = Catalog({i.id: i for i in INDICATORS}, {}, "test")
    run = estimate_files(
        [path],
        ["gini_all"],
        replicate_weights=r"RW\d+",
        replicate_method="bootstrap",
        catalog=cat,
    )
    got = run.observations.iloc[0]
    x = d["HX090"].to_numpy(dtype=float)
    theta = _gini(x, d["RB050"].to_numpy(dtype=float))
    reps = np.array([_gini(x, d[f"RW{r + 1}"].to_numpy(dtype=float)) for r in range(12)])
    assert got["value"] == pytest.approx(theta, rel=1e-9)
    assert got["se"] == pytest.approx(np.sqrt(np.sum((reps - theta) ** 2) / 11), rel=1e-9)
    assert run.variance == "replicate:bootstrap"


def test_gaps_to_nationals_equal_r() -> None:
    """Group - AT, with the SE of the difference of the linearised values (R)."""
    gold = pd.read_csv(GOLDEN)
    gold = gold[gold["dimension"] == "gap_citizen"].copy()
    ours = _ours(["citizen"], gap="citizen=NAT")
    gaps = ours[ours["compare_to"] == "NAT"]
    assert set(gaps["citizen"]) == {"FOR", "EU27_2020_FOR", "NEU27_2020_FOR"}
    gold["indicator"] = gold["statistic"] + np.where(gold["population"] == "all", "_all", "_adults")
    gold["citizen"] = gold["domain"].map(GROUP)
    m = gold.merge(gaps, on=["indicator", "citizen"], suffixes=("_r", ""))
    assert len(m) == 16
    np.testing.assert_allclose(m["value"], m["value_r"], rtol=1e-6)
    np.testing.assert_allclose(m["se"], m["se_lin"], rtol=1e-6)
    np.testing.assert_array_equal(m["n"], m["n_r"])
    # the covariance counts: the gap's SE differs from the independent sqrt(se1^2 + se0^2)
    cells = ours[ours["compare_to"] == ""].set_index(["indicator", "citizen"])["se"]
    indep = np.hypot(
        cells.loc[list(zip(m["indicator"], m["citizen"], strict=True))].to_numpy(),
        cells.loc[[(i, "NAT") for i in m["indicator"]]].to_numpy(),
    )
    assert np.abs(m["se"].to_numpy() / indep - 1).max() > 0.01
    boot = _ours(["citizen"], gap="citizen=NAT", bootstrap=40, seed=2)
    bgap = boot[boot["compare_to"] == "NAT"].reset_index(drop=True)
    np.testing.assert_allclose(bgap["value"], gaps["value"].reset_index(drop=True), rtol=1e-12)
    assert (bgap["se"] > 0).all()


def test_ratio_on_poverty_status_carries_the_threshold_term() -> None:
    """A ratio reading POOR (as AROPE does) is the poverty rate, SE and all."""
    poor = Indicator(
        id="poor_ratio",
        area="social_inclusion",
        title="poor",
        definition="the poverty status as a ratio, for the test",
        survey="EU-SILC",
        population={"age": {"min": 18}},  # type: ignore[arg-type]
        numerator={"any": [{"var": "POOR", "in": [1]}]},  # type: ignore[arg-type]
    )
    cat = Catalog({i.id: i for i in [*INDICATORS, poor]}, {}, "test")
    for kw in ({}, {"bootstrap": 25, "seed": 4}):
        run = estimate_files(
            [DATA],
            ["arpr_adults", "poor_ratio"],
            by=["citizen"],
            strata="DB040",
            psu="DB030",
            catalog=cat,
            **kw,  # type: ignore[arg-type]
        )
        o = run.observations
        a = o[o["indicator"] == "arpr_adults"].reset_index(drop=True)
        b = o[o["indicator"] == "poor_ratio"].reset_index(drop=True)
        np.testing.assert_allclose(b["value"], a["value"], rtol=1e-12)
        np.testing.assert_allclose(b["se"], a["se"], rtol=1e-9)
