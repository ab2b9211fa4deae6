"""The grouped totals: summing alike records first changes no total, in any design."""

from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.estimate.design import Design, Replicates
from zaragoza.estimate.domains import dimensions_for
from zaragoza.estimate.totals import (
    Totals,
    indicator_columns,
    looked_up_columns,
    sufficient_totals,
    summed_records,
)

N = 6000
REPS = 4


def _records(seed: int = 5) -> pd.DataFrame:
    """Harmonised EU-LFS-like records with missing values, regions, strata and PSUs."""
    rng = np.random.default_rng(seed)

    def maybe_missing(values: np.ndarray, share: float) -> np.ndarray:
        out = values.astype(float)
        out[rng.random(len(out)) < share] = np.nan
        return out

    d = pd.DataFrame(
        {
            "geo": rng.choice(["AT", "SE"], N),
            "time": 2023,
            "sex": rng.choice(["M", "F"], N),
            "age": rng.integers(14, 80, N).astype(float),
            "citizen": rng.choice(["NAT", "EU27_2020_FOR", "NEU27_2020_FOR", "UNK"], N),
            "w": rng.uniform(50, 400, N),
            "strata": rng.choice(["S1", "S2", "S3"], N),
            "psu": [f"P{i}" for i in rng.integers(0, 400, N)],
            "var_ILOSTAT": maybe_missing(rng.integers(1, 4, N), 0.05),
            "var_STAPRO": maybe_missing(rng.integers(1, 4, N), 0.1),
            "var_TEMP": maybe_missing(rng.integers(1, 3, N), 0.1),
            "var_FTPT": maybe_missing(rng.integers(1, 3, N), 0.1),
            "var_ISCED": maybe_missing(rng.integers(0, 9, N), 0.05),
            "var_ISCO": maybe_missing(rng.integers(0, 10, N), 0.1),
            "var_EDUC4WN": maybe_missing(rng.integers(1, 5, N), 0.1),
            "var_DURUNE": maybe_missing(rng.integers(1, 9, N), 0.2),
            "var_NACE1D": rng.choice(["A", "C", "O", "P", "Q", None], N),
        }
    )
    d["region"] = d["geo"] + rng.choice(["1", "2"], N)
    for r in range(REPS):
        d[f"r{r}"] = d["w"] * rng.uniform(0.5, 1.5, N)
    return d


def _records_table() -> ibis.Table:
    con = duckdb.connect()
    # each record twice, in another PSU and with another weight: the sums must merge them
    first = _records()
    again = first.assign(psu=first["psu"] + "b")
    again[["w", *(f"r{r}" for r in range(REPS))]] *= 1.7
    frame = pd.concat([first, again], ignore_index=True)
    con.register("frame", frame)
    con.execute("CREATE TABLE records AS SELECT * FROM frame")
    return ibis.duckdb.from_connection(con).table("records")


def _both(design: Design, by: list[str]) -> tuple[Totals, Totals, int]:
    catalog = load_catalog()
    inds = [i for i in catalog.values() if i.survey == "EU-LFS" and i.estimator == "ratio"]
    records = _records_table()
    dims = dimensions_for(by)
    t, cols = indicator_columns(records, inds)
    plain = sufficient_totals(t, cols, dims, design)
    rows = summed_records(records, inds, dims, design)
    summed, _ = indicator_columns(rows, inds)
    fast = sufficient_totals(t, cols, dims, design, summed=summed)
    return plain, fast, int(rows.count().to_pandas())


def _same(a: pd.DataFrame | None, b: pd.DataFrame | None, keys: list[str]) -> None:
    assert a is not None
    assert b is not None
    assert sorted(a.columns) == sorted(b.columns)
    a = a.sort_values(keys).reset_index(drop=True)
    b = b[a.columns].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12, atol=1e-9)


DESIGNS = {
    "weights only": Design(),
    "strata": Design(strata=True),
    "strata and PSUs": Design(strata=True, psu=True),
    "replicate weights": Design(replicates=Replicates.build("bootstrap", REPS)),
}


@pytest.mark.parametrize("name", DESIGNS)
@pytest.mark.parametrize("by", [["citizen", "sex"], ["geo", "sex"]])
def test_summed_records_give_the_same_totals(name: str, by: list[str]) -> None:
    plain, fast, rows = _both(DESIGNS[name], by)
    keys = plain.keys
    _same(plain.linear, fast.linear, keys)
    if plain.pairs is not None:
        pair_keys = [c for c in plain.pairs.columns if c[:2] not in ("YY", "YX", "XX")]
        _same(plain.pairs, fast.pairs, pair_keys)
    else:
        assert fast.pairs is None
    if plain.n_h.empty:  # replicate weights need no PSU counts
        assert fast.n_h.empty
    else:
        _same(plain.n_h, fast.n_h, ["geo", "time", "strata"])
    # the counts are whole records, not rows of the summed table
    assert int(fast.linear["N0"].sum()) == int(plain.linear["N0"].sum()) > 0
    assert rows <= N  # of 2N records


def test_summing_really_merges_alike_records() -> None:
    """Records alike in every variable read (ages within one band of every indicator)
    become one row: the summed table is shorter than the records."""
    records = _records()
    records[[c for c in records.columns if c.startswith("var_")]] = 1.0
    records["var_NACE1D"] = "C"
    catalog = load_catalog()
    inds = [i for i in catalog.values() if i.survey == "EU-LFS" and i.estimator == "ratio"]
    dims = dimensions_for(["citizen", "sex"])
    rows = summed_records(ibis.memtable(records), inds, dims, Design())
    got = rows.to_pandas()
    # 2 countries x 4 groups x 2 sexes x the age bands' distinct combinations (<= 15)
    assert len(got) <= 2 * 4 * 2 * 15
    assert int(got["_n"].sum()) == N
    assert got["w"].sum() == pytest.approx(records["w"].sum(), rel=1e-12)
    assert got["ww"].sum() == pytest.approx((records["w"] ** 2).sum(), rel=1e-12)


@pytest.mark.parametrize(
    ("most", "chunk", "wide", "sorts"),
    [
        (None, None, None, None),
        (None, 40 * 9, None, None),
        (None, None, 1, None),
        (None, 40 * 9, None, 3),
        (5, None, None, None),
    ],
)
@pytest.mark.parametrize("by", [["citizen", "sex"], ["geo", "sex"], []])
def test_looked_up_columns_give_the_same_totals(
    by: list[str],
    most: int | None,
    chunk: int | None,
    wide: int | None,
    sorts: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Indicator columns looked up per pattern of the variables read (or, with more
    patterns than allowed, evaluated per record) give every total the columns evaluated
    on each record give, NULLs included. Looked up, the PSU totals and their products
    are made in this process (``estimate.clusters``), the sorted records arriving in
    chunks: with chunks of a few records (some 9 for these indicators' columns), most
    PSUs start in one chunk and end in a later one; with strata of more cells than one
    product of the side-by-side totals takes (forced here), pair by pair of cells; and
    sorted in slices of PSUs, as within a tight memory limit."""
    if most is not None:
        monkeypatch.setattr("zaragoza.estimate.totals.MAX_PATTERNS", most)
    if chunk is not None:
        monkeypatch.setattr("zaragoza.estimate.clusters._CHUNK_CELLS", chunk)
    if wide is not None:
        monkeypatch.setattr("zaragoza.estimate.clusters._WIDE_CELLS", wide)
    if sorts is not None:
        monkeypatch.setattr("zaragoza.estimate.clusters.sort_slices", lambda t, n: sorts)
    inds = [i for i in load_catalog().values() if i.survey == "EU-LFS" and i.estimator == "ratio"]
    records = _records_table()
    dims = dimensions_for(by)
    design = Design(strata=True, psu=True)
    t, cols = indicator_columns(records, inds)
    plain = sufficient_totals(t, cols, dims, design)
    t2, cols2 = looked_up_columns(records, inds)
    # an indicator's column may name an earlier one, where they are equal on every record
    evaluated = t.to_pandas()
    for c, c2 in zip(cols, cols2, strict=True):
        assert c2.m == c.m
        for k, k2 in ((c.y, c2.y), (c.x, c2.x)):
            assert k2 == k or evaluated[k].equals(evaluated[k2]), (k, k2)
    if most is None:
        assert any(c2 != c for c, c2 in zip(cols, cols2, strict=True)), "nothing shared"
    looked_up = sufficient_totals(t2, cols2, dims, design)
    _same(plain.linear, looked_up.linear, plain.keys)
    assert plain.pairs is not None
    pair_keys = [c for c in plain.pairs.columns if c[:2] not in ("YY", "YX", "XX")]
    _same(plain.pairs, looked_up.pairs, pair_keys)
    _same(plain.n_h, looked_up.n_h, ["geo", "time", "strata"])
    # the records' missing values: some left out, all counted
    assert int(looked_up.linear[[f"M{i}" for i in range(len(cols))]].to_numpy().sum()) > 0
    frame = records.to_pandas()
    assert int(looked_up.n_h["n_h"].sum()) == len(frame[["geo", "strata", "psu"]].drop_duplicates())
