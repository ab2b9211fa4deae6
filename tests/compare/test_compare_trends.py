"""Change, trend and beta/sigma convergence, checked against statsmodels and SciPy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from zaragoza.compare._stats import normal_two_sided_p, t_two_sided_p
from zaragoza.compare.gaps import gaps, gaps_as_observations
from zaragoza.compare.trends import (
    beta_convergence,
    change,
    segments,
    sigma_convergence,
    trend,
)
from zaragoza.errors import UsageError


def _panel(seed: int = 3, countries: int = 12, years: range = range(2015, 2025)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(countries):
        level = rng.uniform(40, 80)
        for t in years:
            level += 0.3 * (70 - level) / 10 + rng.normal(0, 0.5)
            rows.append(("employment_rate", f"C{chr(65 + i)}", t, "FOR", "TOTAL", "T", level))
    return pd.DataFrame(
        rows, columns=["indicator", "geo", "time", "citizen", "c_birth", "sex", "value"]
    )


@pytest.mark.parametrize(("t", "df"), [(0.3, 2), (2.1, 7), (-4.5, 30), (1.0, 1), (12.0, 5)])
def test_t_p_value_matches_scipy(t: float, df: int) -> None:
    assert t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9)


def test_normal_p_value_matches_scipy() -> None:
    z = np.array([0.0, 1.0, -1.96, 3.5, np.nan])
    got = normal_two_sided_p(z)
    assert got[:4] == pytest.approx(2 * stats.norm.sf(np.abs(z[:4])), rel=1e-12)
    assert math.isnan(got[4])


def test_beta_convergence_matches_statsmodels() -> None:
    panel = _panel()
    res = beta_convergence(panel, 2015, 2024)
    assert len(res) == 1
    row = res.iloc[0]
    wide = panel.pivot(index="geo", columns="time", values="value")
    x0 = wide[2015].to_numpy()
    y = (wide[2024].to_numpy() - x0) / 9
    fit = sm.OLS(y, sm.add_constant(x0)).fit()
    assert row.beta == pytest.approx(fit.params[1], rel=1e-10)
    assert row.intercept == pytest.approx(fit.params[0], rel=1e-10)
    assert row.beta_se == pytest.approx(fit.bse[1], rel=1e-10)
    assert row.p_value == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert row.r2 == pytest.approx(fit.rsquared, rel=1e-10)
    assert row.n == 12
    assert row.beta < 0
    logged = beta_convergence(panel, 2015, 2024, log=True).iloc[0]
    ly = (np.log(wide[2024].to_numpy()) - np.log(x0)) / 9
    lfit = sm.OLS(ly, sm.add_constant(np.log(x0))).fit()
    assert logged.beta == pytest.approx(lfit.params[1], rel=1e-10)
    assert logged.speed == pytest.approx(-math.log(1 + lfit.params[1] * 9) / 9)


def test_beta_convergence_leaves_out_breaks_and_aggregates() -> None:
    panel = _panel()
    panel["flag"] = ""
    panel.loc[(panel.geo == "CA") & (panel.time == 2021), "flag"] = "b"
    eu = panel[panel.geo == "CB"].assign(geo="EU27_2020")
    res = beta_convergence(pd.concat([panel, eu]), 2015, 2024).iloc[0]
    assert res.n == 11
    assert res.n_left_out_breaks == 1


def test_sigma_convergence_by_hand() -> None:
    panel = _panel()
    res = sigma_convergence(panel)
    for year in (2015, 2024):
        vals = panel[panel.time == year]["value"]
        row = res[res.time == year].iloc[0]
        assert row.sd == pytest.approx(vals.std(ddof=1))
        assert row.cv == pytest.approx(vals.std(ddof=1) / abs(vals.mean()))
        assert row.n == 12
    fit = sm.OLS(res["sd"].to_numpy(), sm.add_constant(res["time"].to_numpy(float))).fit()
    assert res["sd_slope"].iloc[0] == pytest.approx(fit.params[1], rel=1e-9)
    assert res["sd_slope_p"].iloc[0] == pytest.approx(fit.pvalues[1], rel=1e-6)
    # a country missing one year is left out of a balanced panel
    holed = panel[~((panel.geo == "CA") & (panel.time == 2018))]
    assert set(sigma_convergence(holed)["n"]) == {11}
    assert sigma_convergence(holed, balanced=False)["n"].min() == 11


def test_change_with_z_test_and_break() -> None:
    obs = pd.DataFrame(
        {
            "indicator": "x", "geo": ["AT", "AT", "AT", "EL", "EL"],
            "time": [2019, 2021, 2023, 2019, 2023],
            "citizen": "FOR", "c_birth": "TOTAL", "sex": "T",
            "value": [60.0, 61.0, 64.0, 50.0, 50.5], "se": [1.5, 1.5, 2.0, np.nan, np.nan],
            "flag": ["", "b", "", "", ""],
        }
    )  # fmt: skip
    ch = change(obs, 2019, 2023)
    at = ch[ch.geo == "AT"].iloc[0]
    assert at.change == pytest.approx(4.0)
    assert at.se == pytest.approx(2.5)
    assert at.z == pytest.approx(1.6)
    assert at.p_value == pytest.approx(2 * stats.norm.sf(1.6))
    assert not at.significant
    assert at.break_between
    el = ch[ch.geo == "EL"].iloc[0]
    assert el.change == pytest.approx(0.5)
    assert math.isnan(el.se)
    assert not el.break_between
    with pytest.raises(UsageError, match="end year"):
        change(obs, 2023, 2019)


def test_trend_uses_the_latest_segment() -> None:
    years = np.arange(2010, 2021)
    values = np.where(years < 2015, 50 + 0.5 * (years - 2010), 40 + 1.0 * (years - 2015))
    values = values + np.array([0.1, -0.1, 0.2, 0, -0.2, 0.1, -0.1, 0.05, 0, -0.05, 0.1])
    flags = ["b" if y == 2015 else "" for y in years]
    obs = pd.DataFrame(
        {
            "indicator": "x",
            "geo": "AT",
            "time": years,
            "citizen": "FOR",
            "c_birth": "TOTAL",
            "sex": "T",
            "value": values,
            "flag": flags,
        }
    )
    assert segments(obs).tolist() == [0] * 5 + [1] * 6
    row = trend(obs).iloc[0]
    fit = sm.OLS(values[5:], sm.add_constant(years[5:].astype(float))).fit()
    assert row.first_year == 2015
    assert row.n_years == 6
    assert row.break_in_period
    assert row.slope == pytest.approx(fit.params[1], rel=1e-9)
    assert row.slope_se == pytest.approx(fit.bse[1], rel=1e-9)
    assert row.p_value == pytest.approx(fit.pvalues[1], rel=1e-6)
    early = trend(obs, 2010, 2014).iloc[0]
    assert not early.break_in_period
    assert early.first_year == 2010


def test_published_trend_after_the_2021_break(default_obs: pd.DataFrame) -> None:
    at = default_obs[(default_obs.indicator == "employment_rate") & (default_obs.geo == "AT")
                     & (default_obs.citizen == "NEU27_2020_FOR") & (default_obs.sex == "T")
                     & (default_obs.source == "published")]  # fmt: skip
    row = trend(at).iloc[0]
    assert row.first_year == 2021  # Eurostat flags the 2021 EU-LFS break with b
    assert row.slope == pytest.approx(0.13)


def test_is_the_published_gap_narrowing(default_obs: pd.DataFrame) -> None:
    pub = default_obs[(default_obs.source == "published")
                      & (default_obs.indicator == "employment_rate")]  # fmt: skip
    g = gaps_as_observations(gaps(pub, kinds=("migrant_native",)))
    at = g[(g.geo == "AT") & (g.citizen == "NEU27_2020_FOR") & (g.sex == "T")]
    row = trend(at).iloc[0]
    # AT, non-EU citizens minus nationals, 2021-2024 (after the break):
    # 61.9-77.1, 64.9-78.6, 62.9-78.9, 63.0-79.2 = -15.2, -13.7, -16.0, -16.2
    y = np.array([-15.2, -13.7, -16.0, -16.2])
    t = np.arange(4.0)
    assert row.compare_to == "NAT"
    assert row.first_year == 2021
    assert row.slope == pytest.approx(((t - t.mean()) * (y - y.mean())).sum() / 5)
    beta = beta_convergence(g, 2021, 2024)
    assert (beta["n"] > 15).any()
