"""Synthetic EU-SILC persons: deterministic, linked, read by the EU-SILC layer, calibrated
to Eurostat's median equivalised income by citizenship (ilc_di15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from zaragoza.catalog.loader import load_catalog
from zaragoza.cli import app
from zaragoza.errors import UsageError
from zaragoza.pipeline import estimate_files
from zaragoza.sources.silc import SilcSpec, prepare_silc
from zaragoza.sources.synthetic_silc import (
    group_mixture,
    household_log_medians,
    published_income_targets,
    silc_batches,
    write_silc_dataset,
)

GROUPS = ["NAT", "EU27_2020_FOR", "NEU27_2020_FOR"]


def person_files(files: list[Path]) -> list[Path]:
    """The personal registers (``part-K-R.parquet``) of a UDB-layout dataset."""
    return [p for p in files if p.stem.endswith("-R")]


def test_udb_files_hold_the_records_of_the_merged_file(tmp_path: Path) -> None:
    udb = write_silc_dataset(tmp_path / "u", 5_000, ["AT", "EL"], [2023], seed=3)
    merged = write_silc_dataset(
        tmp_path / "m", 5_000, ["AT", "EL"], [2023], seed=3, layout="merged"
    )
    m = pd.concat([pd.read_parquet(p) for p in merged], ignore_index=True)
    kind = {
        k: pd.concat([pd.read_parquet(p) for p in udb if p.stem.endswith(f"-{k}")]) for k in "DHRP"
    }
    # the UDB's own identifiers: households in D and H, persons in R, persons 16+ in P
    assert list(kind["H"]["HB030"]) == list(kind["D"]["DB030"])
    assert len(kind["R"]) == len(m) == 5_000
    key = ["DB020", "RB030"]
    adults = m.loc[m["RX020"] >= 16, key].astype(str)
    p_ids = kind["P"][["PB020", "PB030"]].astype(str).set_axis(key, axis=1)
    assert sorted(map(tuple, p_ids.to_numpy())) == sorted(map(tuple, adults.to_numpy()))
    # joined back on household id = person id // 100 (country and year too), they are
    # the merged file
    r = kind["R"].assign(DB030=kind["R"]["RB030"] // 100, DB020=kind["R"]["RB020"])
    joined = (
        r.merge(kind["D"], on=["DB020", "DB030"])
        .merge(
            kind["H"].rename(columns={"HB020": "DB020", "HB030": "DB030"}), on=["DB020", "DB030"]
        )
        .merge(
            kind["P"].rename(columns={"PB030": "RB030", "PB020": "DB020"}),
            on=["DB020", "RB030"],
            how="left",
        )
    )
    joined = joined.sort_values(["DB020", "RB030"]).reset_index(drop=True)
    m = m.sort_values(["DB020", "RB030"]).reset_index(drop=True)
    for col in m.columns:
        a, b = joined[col], m[col]
        if col in ("DB020", "DB040", "PB220A", "PB210"):
            a, b = (x.astype(object).fillna("").astype(str) for x in (a, b))
        pd.testing.assert_series_equal(a, b, check_dtype=False, check_names=False, obj=col)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_silc_dataset(tmp_path / "a", 20_000, ["AT", "SE"], [2022, 2023], seed=9)
    b = write_silc_dataset(tmp_path / "b", 20_000, ["AT", "SE"], [2022, 2023], seed=9)
    c = write_silc_dataset(tmp_path / "c", 20_000, ["AT", "SE"], [2022, 2023], seed=10)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    assert [p.relative_to(tmp_path / "a").as_posix() for p in a][:5] == [
        "AT/2022/part-0-D.parquet",
        "AT/2022/part-0-H.parquet",
        "AT/2022/part-0-R.parquet",
        "AT/2022/part-0-P.parquet",
        "AT/2023/part-0-D.parquet",
    ]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert a[0].read_bytes() != c[0].read_bytes()
    assert sum(pq.read_metadata(p).num_rows for p in person_files(a)) == 20_000


def test_unknown_country_year_is_refused_unless_uncalibrated(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no published ilc_di15 figure for XK 2030"):
        write_silc_dataset(tmp_path / "x", 1000, ["XK"], [2030])
    files = write_silc_dataset(tmp_path / "x", 1000, ["XK"], [2030], calibrated=False)
    assert pq.read_metadata(person_files(files)[0]).num_rows == 1000
    with pytest.raises(UsageError, match="unknown EU-SILC layout"):
        write_silc_dataset(tmp_path / "y", 1000, ["AT"], [2023], layout="wide")
    with pytest.raises(UsageError, match="unknown Parquet compression"):
        write_silc_dataset(tmp_path / "y", 1000, ["AT"], [2023], compression="gzip9")


def test_household_medians_solve_the_group_medians() -> None:
    # the lognormal mixture of each group has exactly the target median
    target = published_income_targets(["EL"], [2023])[("EL", 2023)].median
    assert list(target) == [10291.0, 10190.0, 8056.0]  # ilc_di15, EUR, 18+
    mu = household_log_medians(target)
    pi = group_mixture()
    assert np.allclose(pi.sum(axis=1), 1)
    assert (np.diag(pi) > 0.75).all()  # a group lives mostly in its own households
    from zaragoza.sources.synthetic_silc import _mixture_median

    assert np.allclose(np.exp(_mixture_median(mu, pi)), target, rtol=1e-9)
    # the widest ratios to nationals among the published ilc_di15 figures (0.49-2.16)
    for extreme in ([10_000.0, 21_600.0, 4_900.0], [10_000.0, 6_100.0, 16_000.0]):
        mu = household_log_medians(np.array(extreme))
        assert np.allclose(np.exp(_mixture_median(mu, pi)), extreme, rtol=1e-9)


def test_households_link_and_hang_together(tmp_path: Path) -> None:
    files = write_silc_dataset(
        tmp_path / "s", 30_000, ["AT", "EL"], [2023], seed=4, layout="merged"
    )
    df = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    key = ["DB020", "DB010"]
    assert not df.duplicated([*key, "RB030"]).any()  # person ids unique
    assert (df["RB030"] // 100 == df["DB030"]).all()  # the person's household, UDB style
    size = df.groupby([*key, "DB030"]).size()
    assert size.between(1, 6).all()
    assert size.max() == 6
    # household variables are one value per household; PSUs nest in strata
    per_hh = df.groupby([*key, "DB030"])[["DB050", "DB060", "DB090", "HY020", "HH030"]].nunique()
    assert (per_hh == 1).all().all()
    assert (df.groupby([*key, "DB060"])["DB050"].nunique() == 1).all()
    assert (df["RB050"] == df["DB090"]).all()
    # partners point at each other, within the household
    pairs = df.dropna(subset=["RB240"])[[*key, "RB030", "RB240"]].astype({"RB240": "int64"})
    both = pairs.merge(pairs, left_on=[*key, "RB240"], right_on=[*key, "RB030"])
    assert len(both) == len(pairs) > 0
    assert (both["RB240_y"] == both["RB030_x"]).all()
    assert (pairs["RB240"] // 100 == pairs["RB030"] // 100).all()
    # HX050 is the modified OECD scale of the ages; HX090 x HX050 is HY020
    g = df.groupby([*key, "DB030"])["RX020"]
    n14 = g.transform(lambda a: (a >= 14).sum())
    kids = g.transform("size") - n14
    scale = np.where(n14 > 0, 1 + 0.5 * (n14 - 1) + 0.3 * kids, 1 + 0.3 * (kids - 1))
    assert np.allclose(df["HX050"], scale)
    assert np.allclose(df["HX090"] * df["HX050"], df["HY020"], atol=0.01)
    # mixed households exist: a foreign adult with a national reference person
    adults = df[df["RX020"] >= 18]
    mixed = adults.groupby([*key, "DB030"])["PB220A"].nunique() > 1
    assert 0.01 < mixed.mean() < 0.2
    # children are in the household register, not in the personal (16+) variables
    young = df["RX020"] < 16
    assert df.loc[young, ["PB040", "PB220A", "PL031"]].isna().all().all()
    assert df.loc[~young, ["PB040", "PB220A", "PL031", "PH010"]].notna().all().all()


def test_read_by_the_silc_layer_without_problems(tmp_path: Path) -> None:
    files = write_silc_dataset(tmp_path / "s", 10_000, ["SE"], [2023], seed=5)
    spec = SilcSpec(strata="DB050", psu="DB060", variables=frozenset({"SMSD", "LWI2030"}))
    prep = prepare_silc(files, spec)
    assert prep.problems == []
    assert prep.n_dropped == 0
    assert prep.full_population
    con = prep.con
    n_hh = con.execute("SELECT count(DISTINCT hh) FROM silc_records").fetchall()[0][0]
    assert n_hh == pq.read_table(files[0], columns=["DB030"])["DB030"].unique().__len__()
    cit = dict(con.execute("SELECT citizen, count(*) FROM silc_records GROUP BY 1").fetchall())
    assert set(cit) == {"NAT", "EU27_2020_FOR", "NEU27_2020_FOR", "UNK"}  # UNK: under 16


def test_estimate_computes_every_silc_indicator_end_to_end(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "synth"
    res = runner.invoke(app, ["synth", "silc", "--out", str(out), "--persons", "12000"])
    assert res.exit_code == 0, res.output
    files = sorted(str(p) for p in out.glob("*/*/*.parquet"))
    assert len(files) == 12  # the D, H, R and P files of AT, EL, SE 2023
    est = tmp_path / "est.csv"
    args = ["estimate", *files, "--strata", "DB050", "--psu", "DB060", "--by", "citizen,sex"]
    res = runner.invoke(app, [*args, "--gap", "citizen=NAT", "--out", str(est)])
    assert res.exit_code == 0, res.output
    obs = pd.read_csv(est, keep_default_na=False, na_values=[""])
    cat = load_catalog()
    silc = {i for i in cat if cat[i].survey == "EU-SILC" and cat[i].estimator != "published"}
    assert set(obs["indicator"]) == silc  # every variable an indicator reads is there
    assert set(obs["geo"]) == {"AT", "EL", "SE"}
    assert not obs["flag"].str.contains("d", na=False).any()  # no component left out
    cells = obs[(obs["compare_to"].isna()) & (obs["sex"] == "T")]
    assert cells["value"].notna().all()
    gaps = obs[obs["compare_to"] == "NAT"]
    assert set(gaps["citizen"]) >= {"EU27_2020_FOR", "NEU27_2020_FOR"}


@pytest.mark.slow
def test_median_income_reproduces_ilc_di15_within_sampling_error(tmp_path: Path) -> None:
    """Weighted medians by country, year and citizenship against Eurostat's figures.

    The tolerance is the design-based standard error of the weighted median (Taylor
    linearisation of the quantile through its influence function, strata DB050 and PSUs
    DB060 with the households' shared PSU effect), from the EU-SILC estimator; 18 cells
    with a fixed seed, all within 3.5 standard errors (a two-sided 5% Bonferroni bound
    for 18 cells is 3.0).
    """
    countries, years = ["AT", "EL", "SE"], [2019, 2023]
    files = write_silc_dataset(tmp_path / "s", 360_000, countries, years, seed=2026)
    run = estimate_files(
        files, ["median_equivalised_income"], by=["citizen"], strata="DB050", psu="DB060"
    )
    obs = run.observations
    obs = obs[obs["citizen"].isin(GROUPS) & (obs["compare_to"] == "")]
    targets = published_income_targets(countries, years)
    pub = [
        {"geo": c, "time": y, "citizen": g, "published": targets[(c, y)].median[j]}
        for (c, y) in targets
        for j, g in enumerate(GROUPS)
    ]
    m = obs.merge(pd.DataFrame(pub), on=["geo", "time", "citizen"])
    assert len(m) == 18
    z = (m["value"] - m["published"]) / m["se"]
    assert (z.abs() < 3.5).all(), m.assign(z=z)[["geo", "time", "citizen", "value", "published"]]
    # and the nationals' medians, of tens of thousands of persons each, are close in
    # relative terms too (the foreign groups' few hundred persons are judged by z alone)
    nationals = m[m["citizen"] == "NAT"]
    assert ((nationals["value"] / nationals["published"] - 1).abs() < 0.015).all()


def test_good_health_share_is_hlth_silc_24s(tmp_path: Path) -> None:
    """Persons 16+ in very good or good health by citizenship against Eurostat's table,
    read here straight from the bundled file: each chunk's cut is the weighted quantile
    at Eurostat's share, so the sample meets it to a few hundredths of a point."""
    from zaragoza.sources.eurostat_bundled import read_bundled

    files = write_silc_dataset(tmp_path / "s", 30_000, ["AT", "EL"], [2023], seed=7)
    run = estimate_files(files, ["good_health_share"], by=["citizen"], strata="DB050", psu="DB060")
    obs = run.observations
    obs = obs[obs["citizen"].isin(GROUPS) & (obs["compare_to"] == "")]
    pub = read_bundled({"hlth_silc_24"})
    pub = pub[(pub["lev_perc"] == "VG_G") & (pub["time"] == 2023)]
    m = obs.merge(pub[["geo", "citizen", "value"]], on=["geo", "citizen"], suffixes=("", "_pub"))
    assert len(m) == 6
    assert ((m["value"] - m["value_pub"]).abs() < 0.3).all(), m[
        ["geo", "citizen", "value", "value_pub"]
    ]


@pytest.mark.slow
def test_chunks_hold_whole_households_and_at_most_a_million_persons() -> None:
    sizes = [b.num_rows for b in silc_batches(2_300_000, ["AT"], [2023], chunk=1_000_000)]
    assert sizes == [1_000_000, 1_000_000, 300_000]


def test_the_bundled_example_is_the_generators_output(tmp_path: Path) -> None:
    import gzip
    from importlib import resources

    from zaragoza.sources.synthetic_silc import write_silc

    bundled = Path(str(resources.files("zaragoza") / "data" / "example_silc.csv.gz"))
    countries, years = ["AT", "EL", "SE"], [2023]
    again = write_silc(
        tmp_path / "example_silc.csv.gz",
        12_000,
        countries=countries,
        years=years,
        seed=1,
        targets=published_income_targets(countries, years),
    )
    assert gzip.decompress(again.read_bytes()) == gzip.decompress(bundled.read_bytes())


def test_a_small_sample_has_no_stratum_with_a_single_psu(tmp_path: Path) -> None:
    files = write_silc_dataset(
        tmp_path / "s", 900, ["AT", "EL", "SE"], [2023], seed=6, layout="merged"
    )
    df = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    psus = df.groupby(["DB020", "DB050"])["DB060"].nunique()
    assert (psus >= 2).all()
    run = estimate_files(
        files, ["at_risk_of_poverty_rate"], strata="DB050", psu="DB060"
    )  # lonely_psu="fail" by default
    assert run.observations["se"].notna().all()
