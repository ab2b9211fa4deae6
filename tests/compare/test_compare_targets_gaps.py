"""Distance to target and gaps, recomputed by hand from bundled Eurostat figures.

The published figures quoted are Eurostat's employment rate 20-64 by citizenship
(``lfsa_ergan``) and tertiary attainment 25-34 by country of birth (``edat_lfs_9912``)
for Austria, as bundled in ``zaragoza/data``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from zaragoza.catalog.targets import bundled_targets
from zaragoza.compare.gaps import GAP_COLUMNS, gaps
from zaragoza.compare.targets import TARGET_COLUMNS, distance_to_target, year_reached

TARGETS = {t.id: t for t in bundled_targets()}


def _one(df: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for k, v in where.items():
        mask &= (df[k] == v).to_numpy()
    rows = df[mask]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_distance_to_2030_employment_target_by_hand(default_obs: pd.DataFrame) -> None:
    d = distance_to_target(default_obs)
    assert list(d.columns) == TARGET_COLUMNS
    row = _one(d, target="eu2030_employment", geo="AT", time=2023, citizen="NEU27_2020_FOR",
               sex="T", source="published")  # fmt: skip
    # Austria 2023, non-EU citizens 20-64: 62.9% employed; target 78%
    assert row.value == pytest.approx(62.9)
    assert row.distance == pytest.approx(62.9 - 78.0)
    assert not row.met
    # trend on the segment from the 2021 break: 61.9, 64.9, 62.9, 63.0 (2021-2024)
    t = np.array([2021, 2022, 2023, 2024.0])
    v = np.array([61.9, 64.9, 62.9, 63.0])
    slope = ((t - t.mean()) * (v - v.mean())).sum() / ((t - t.mean()) ** 2).sum()
    assert slope == pytest.approx(0.13)
    crossing = 2024 + (78 - (v.mean() + slope * 1.5)) / slope
    assert row.trend_slope == pytest.approx(slope)
    assert row.year_reached == math.ceil(crossing) == 2137
    nat = _one(d, target="eu2030_employment", geo="AT", time=2023, citizen="NAT", sex="T",
               source="published")  # fmt: skip
    assert nat.distance == pytest.approx(78.9 - 78.0)
    assert nat.met


def test_distance_to_tertiary_target_by_country_of_birth(default_obs: pd.DataFrame) -> None:
    d = distance_to_target(default_obs)
    row = _one(d, target="eu2030_tertiary", geo="AT", time=2023, c_birth="NEU27_2020_FOR",
               sex="T", source="published")  # fmt: skip
    assert row.distance == pytest.approx(37.9 - 45.0)
    # computed cells (AT, EL, SE 2023) are set against the targets too
    assert {"computed", "published"} <= set(d["source"])


def test_year_reached_rules() -> None:
    target = TARGETS["eu2030_early_leavers"]  # below 9%, not inclusive
    t = np.array([2020, 2021, 2022])
    slope, year = year_reached(t, np.array([12.0, 11.0, 10.0]), target)
    assert slope == pytest.approx(-1.0)
    assert year == 2024  # 9.0 in 2023 is not below 9
    _, away = year_reached(t, np.array([10.0, 11.0, 12.0]), target)
    assert math.isnan(away)
    _, met = year_reached(t, np.array([8.0, 7.5, 7.0]), target)
    assert met == 2022
    short, _ = year_reached(t[:2], np.array([8.0, 7.5]), target)
    assert math.isnan(short)


def test_distance_sign_for_at_most_target() -> None:
    obs = pd.DataFrame(
        {
            "indicator": "early_leavers",
            "geo": ["AT", "EL"],
            "time": 2023,
            "citizen": "FOR",
            "c_birth": "TOTAL",
            "sex": "T",
            "value": [12.5, 7.0],
        }
    )
    d = distance_to_target(obs, [TARGETS["eu2030_early_leavers"]])
    assert d["distance"].tolist() == pytest.approx([12.5 - 9.0, 7.0 - 9.0])
    assert d["met"].tolist() == [False, True]


def test_published_gaps_by_hand(default_obs: pd.DataFrame) -> None:
    g = gaps(default_obs)
    assert list(g.columns) == GAP_COLUMNS
    pub = g[(g.source == "published") & (g.indicator == "employment_rate") & (g.geo == "AT")
            & (g.time == 2023)]  # fmt: skip
    mn = _one(pub, gap="migrant_native", citizen="NEU27_2020_FOR", sex="T")
    assert mn.value == pytest.approx(62.9 - 78.9)
    assert math.isnan(mn.se)
    assert mn.se_method == "none"
    assert mn.dimension == "citizen"
    wm = _one(pub, gap="women_men", citizen="NEU27_2020_FOR")
    assert wm.value == pytest.approx(54.0 - 71.6)
    gg = _one(pub, gap="gap_of_gaps", citizen="NEU27_2020_FOR")
    assert gg.value == pytest.approx((54.0 - 75.7) - (71.6 - 82.1))
    tert = g[(g.source == "published") & (g.indicator == "tertiary_attainment") & (g.geo == "AT")
             & (g.time == 2024)]  # fmt: skip
    cob = _one(tert, gap="migrant_native", c_birth="NEU27_2020_FOR", sex="F")
    assert cob.dimension == "c_birth"
    assert cob.value == pytest.approx(45.7 - 50.4)


def test_computed_gaps_use_the_engines_se(default_obs: pd.DataFrame) -> None:
    g = gaps(default_obs)
    row = _one(g, gap="migrant_native", source="computed", indicator="employment_rate",
               geo="SE", citizen="FOR", sex="T", age="Y20-64")  # fmt: skip
    o = default_obs
    cells = o[(o.source == "computed") & (o.compare_to == "NAT")]
    engine = _one(cells, indicator="employment_rate", geo="SE", citizen="FOR",
                  c_birth="TOTAL", sex="T", age="Y20-64")  # fmt: skip
    assert row.se_method == "design"
    assert row.se == engine.se
    assert row.value == pytest.approx(engine.value)
    assert row.ci_lo == pytest.approx(row.value - 1.959963984540054 * row.se)
    wm = _one(g, gap="women_men", source="computed", indicator="employment_rate", geo="SE",
              citizen="FOR", c_birth="TOTAL", age="Y20-64")  # fmt: skip
    lv = o[(o.source == "computed") & (o.compare_to == "")]
    f = _one(lv, indicator="employment_rate", geo="SE", citizen="FOR", c_birth="TOTAL",
             sex="F", age="Y20-64")  # fmt: skip
    m = _one(lv, indicator="employment_rate", geo="SE", citizen="FOR", c_birth="TOTAL",
             sex="M", age="Y20-64")  # fmt: skip
    assert wm.value == pytest.approx(f.value - m.value)
    assert wm.se == pytest.approx(math.hypot(f.se, m.se))
    assert wm.se_method == "independence"


def test_gaps_without_engine_rows_assume_independence() -> None:
    obs = pd.DataFrame(
        {
            "indicator": "x",
            "geo": "AT",
            "time": 2023,
            "citizen": ["FOR", "NAT"],
            "c_birth": "TOTAL",
            "sex": "T",
            "value": [60.0, 75.0],
            "se": [3.0, 4.0],
        }
    )
    g = gaps(obs, kinds=("migrant_native",))
    assert len(g) == 1
    assert g.iloc[0].value == pytest.approx(-15.0)
    assert g.iloc[0].se == pytest.approx(5.0)
    assert g.iloc[0].se_method == "independence"
    assert g.iloc[0].z == pytest.approx(-3.0)
