"""Indicator estimates and standard errors against R ``survey`` golden numbers.

The golden file ``tests/reference/lfs_survey_golden.csv`` was made by
``tests/reference/lfs_survey.R`` (R ``survey`` 4.1.1: ``svydesign`` + ``svyby`` +
``svycontrast``; ``svrepdesign(..., mse = TRUE)``) from ``tests/reference/lfs_golden.csv``
(made by ``make_lfs_golden_data.py``). The R script defines the indicators from the
issue's table, independently of the catalogue. Values and SEs must agree to 1e-6
relative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from zaragoza.pipeline import estimate_files

REF = Path(__file__).parents[1] / "reference"
DATA = REF / "lfs_golden.csv"
INDICATORS = [
    "employment_rate",
    "unemployment_rate",
    "overqualification_rate",
    "temporary_employment_share",
    "early_leavers",
    "neet_rate",
]
DESIGNS = {
    "strata_psu_adjust": {"strata": "STRATUM", "psu": "PSU", "lonely_psu": "adjust"},
    "strata_psu_remove": {"strata": "STRATUM", "psu": "PSU", "lonely_psu": "remove"},
    "strata_psu_certainty": {"strata": "STRATUM", "psu": "PSU", "lonely_psu": "certainty"},
    "weights_only": {},
    "strata_only": {"strata": "STRATUM"},
    "psu_only": {"psu": "PSU"},
    "bootstrap": {"replicate_weights": r"RW\d+", "replicate_method": "bootstrap"},
    "fay": {"replicate_weights": r"FAY\d+", "replicate_method": "fay", "fay_rho": 0.5},
    "brr": {"replicate_weights": r"FAY\d+", "replicate_method": "brr"},
    "jk1": {"replicate_weights": r"FAY\d+", "replicate_method": "jk1"},
    "jkn": {
        "replicate_weights": r"FAY\d+",
        "replicate_method": "jkn",
        "replicate_rscales": [0.5, 0.75] * 8,
    },
}
KEY = ["indicator", "geo", "citizen", "sex", "compare_to"]


def golden(design: str) -> pd.DataFrame:
    g = pd.read_csv(REF / "lfs_survey_golden.csv", keep_default_na=False)
    return g[g["design"] == design].drop(columns="design")


def compare(obs: pd.DataFrame, design: str, group: str = "citizen") -> None:
    g = golden(design)
    other = "c_birth" if group == "citizen" else "citizen"
    ours = obs[obs[other] == "TOTAL"].drop(columns=other)
    ours = ours.rename(columns={group: "citizen"})[[*KEY, "value", "se"]]
    m = g.merge(ours, on=KEY, how="left", suffixes=("_r", ""), indicator=True)
    missing = m[m["_merge"] != "both"]
    assert missing.empty, f"cells R has and we lack:\n{missing[KEY]}"
    # every cell we publish for these breakdowns is one R computed too
    assert len(ours) == len(g), (len(ours), len(g))
    assert m["value"].to_numpy() / 100 == pytest.approx(m["value_r"].to_numpy(), rel=1e-6)
    assert m["se"].to_numpy() / 100 == pytest.approx(m["se_r"].to_numpy(), rel=1e-6)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_matches_r_survey(design: str) -> None:
    run = estimate_files(
        [DATA], INDICATORS, by=["citizen", "sex"], gap="citizen=NAT", **DESIGNS[design]
    )  # type: ignore[arg-type]
    compare(run.observations, design)


def test_country_of_birth_matches_r_survey() -> None:
    run = estimate_files(
        [DATA],
        INDICATORS,
        by=["c_birth", "sex"],
        gap="c_birth=NAT",
        **DESIGNS["strata_psu_adjust"],  # type: ignore[arg-type]
    )
    compare(run.observations, "strata_psu_adjust_c_birth", group="c_birth")


@pytest.mark.spark
def test_spark_local_mode_matches_r_survey(spark_available: None) -> None:
    """Spark in local mode, as a user without a cluster runs it."""
    run = estimate_files(
        [DATA], INDICATORS, by=["citizen", "sex"], gap="citizen=NAT", backend="spark",
        **DESIGNS["strata_psu_adjust"],
    )  # type: ignore[arg-type]  # fmt: skip
    compare(run.observations, "strata_psu_adjust")


@pytest.mark.spark
@pytest.mark.parametrize("design", list(DESIGNS))
def test_spark_cluster_matches_r_survey(design: str, spark_cluster: str) -> None:
    """Every reference design on a standalone Spark cluster, the files read by Spark."""
    run = estimate_files(
        [DATA], INDICATORS, by=["citizen", "sex"], gap="citizen=NAT", backend="spark",
        spark_master=spark_cluster, **DESIGNS[design],
    )  # type: ignore[arg-type]  # fmt: skip
    compare(run.observations, design)


def test_lonely_psu_fail_names_the_stratum() -> None:
    from zaragoza.errors import DesignError

    with pytest.raises(DesignError, match=r"AT 2023 stratum 'AT2023-0'"):
        estimate_files([DATA], ["employment_rate"], strata="STRATUM", psu="PSU")


@pytest.mark.spark
@pytest.mark.parametrize("design", ["strata_psu_remove", "bootstrap"])
def test_spark_equals_duckdb_to_1e9(design: str, spark_available: None) -> None:
    kw = {"by": ["citizen", "c_birth", "sex"], "gap": "citizen=NAT", **DESIGNS[design]}
    duck = estimate_files([DATA], INDICATORS, **kw).observations  # type: ignore[arg-type]
    spark = estimate_files([DATA], INDICATORS, backend="spark", **kw).observations  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(spark, duck, check_exact=False, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("design", ["strata_psu_adjust", "psu_only"])
def test_pair_sums_made_in_slices_of_psus_match_r_survey(
    design: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within a tight memory limit the PSU sums are made in slices of PSUs
    (``estimate.totals.psu_slices``); forced here to 3 slices, the figures are R's.
    Those slices are made where the indicator columns are evaluated for each record
    (no table of patterns: forced here too), not where ``estimate.clusters`` sums them."""
    from zaragoza.estimate import totals

    monkeypatch.setattr(totals, "MAX_PATTERNS", 0)

    calls: list[int] = []

    def three(t: object, records: int, indicators: int) -> int:
        calls.append(records)
        return 3

    monkeypatch.setattr(totals, "psu_slices", three)
    run = estimate_files(
        [DATA], INDICATORS, by=["citizen", "sex"], gap="citizen=NAT", **DESIGNS[design]
    )  # type: ignore[arg-type]
    assert calls, "the sliced path was not taken"
    compare(run.observations, design)


@pytest.mark.parametrize("design", ["strata_psu_adjust", "psu_only"])
def test_psu_sums_made_in_this_process_match_r_survey(
    design: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB, with the indicator columns looked up, the PSU totals and their
    products are made in this process from the sorted records (``estimate.clusters``),
    in chunks small enough here that PSUs and strata span several: the figures are R's."""
    from zaragoza.estimate import clusters, totals

    calls: list[int] = []
    made = clusters.psu_sums_here

    def spied(*args: Any, **kwargs: Any) -> clusters.PsuSums:
        calls.append(1)
        return made(*args, **kwargs)

    monkeypatch.setattr(totals, "psu_sums_here", spied)
    monkeypatch.setattr(clusters, "_CHUNK_CELLS", 50 * 40)
    run = estimate_files(
        [DATA], INDICATORS, by=["citizen", "sex"], gap="citizen=NAT", **DESIGNS[design]
    )  # type: ignore[arg-type]
    assert calls, "the PSU sums were not made in this process"
    compare(run.observations, design)


def test_the_slices_follow_the_memory_limit() -> None:
    """The number of slices, worked out by hand: 100M records of 22 indicators (44
    sums) make about 100M / 3 PSU x cell rows of 8 x 44 + 64 = 416 bytes, held twice, and a slice
    may need 1.5 times the limit (DuckDB spills the rest). DuckDB's 4GB is 3.7 GiB:
    2 x 1e8 / 3 x 416 / (1.5 x 3.7 x 2^30) = 4.65, so 5 slices; 1M records fit in one;
    500MB is 476.8 MiB, and 10M records need 2 x 1e7 / 3 x 416 / (1.5 x 476.8 x 2^20)
    = 3.70, so 4 slices."""
    import duckdb
    import ibis

    from zaragoza.estimate.totals import psu_slices

    con = duckdb.connect()
    con.execute("SET memory_limit = '4GB'")
    con.execute("CREATE TABLE r AS SELECT 'p' AS psu")
    t = ibis.duckdb.from_connection(con).table("r")
    assert psu_slices(t, 100_000_000, 44) == 5
    assert psu_slices(t, 1_000_000, 44) == 1
    con.execute("SET memory_limit = '500MB'")
    assert psu_slices(t, 10_000_000, 44) == 4


def test_the_sorts_follow_the_memory_limit() -> None:
    """Records sorted by PSU take up to 100 bytes each in DuckDB, and one sort may take
    60% of the limit: 100M records within 4GB (3.7 GiB) in ceil(1e10 / (0.6 x 3.7 x
    2^30)) = ceil(4.19) = 5 sorts; 10M within 2GB (1.8 GiB) in ceil(1e9 / (0.6 x 1.8 x
    2^30)) = 1; 1M in one."""
    import duckdb
    import ibis

    from zaragoza.estimate.clusters import sort_slices

    con = duckdb.connect()
    con.execute("SET memory_limit = '4GB'")
    con.execute("CREATE TABLE r AS SELECT 'p' AS psu")
    t = ibis.duckdb.from_connection(con).table("r")
    assert sort_slices(t, 100_000_000) == 5
    assert sort_slices(t, 1_000_000) == 1
    con.execute("SET memory_limit = '2GB'")
    assert sort_slices(t, 10_000_000) == 1
