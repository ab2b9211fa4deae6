"""Synthetic EU-LFS records: deterministic, and calibrated to Eurostat's published rates."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from zaragoza.errors import UsageError
from zaragoza.pipeline import estimate_files
from zaragoza.sources.eurostat_bundled import read_bundled
from zaragoza.sources.synthetic import (
    draw,
    lookup_table,
    psu_layout,
    published_targets,
    uniforms,
    write_lfs,
    write_lfs_dataset,
)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_lfs_dataset(tmp_path / "a", 20_000, ["AT", "SE"], [2022, 2023], seed=9)
    b = write_lfs_dataset(tmp_path / "b", 20_000, ["AT", "SE"], [2022, 2023], seed=9)
    c = write_lfs_dataset(tmp_path / "c", 20_000, ["AT", "SE"], [2022, 2023], seed=10)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert a[0].read_bytes() != c[0].read_bytes()
    assert sum(len(pd.read_parquet(p)) for p in a) == 20_000


def test_unknown_country_year_is_refused_unless_uncalibrated(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no published lfsa_ergan figure for XK 2023"):
        write_lfs_dataset(tmp_path / "x", 1000, ["XK"], [2023])
    files = write_lfs_dataset(tmp_path / "x", 1000, ["XK"], [2023], calibrated=False)
    assert len(pd.read_parquet(files[0])) == 1000


@pytest.mark.slow
def test_margins_reproduce_published_rates_within_sampling_error(tmp_path: Path) -> None:
    files = write_lfs_dataset(tmp_path / "s", 240_000, ["AT", "EL"], [2023], seed=2026)
    obs = estimate_files(
        files,
        [
            "employment_rate",
            "unemployment_rate",
            "educational_attainment_low",
            "educational_attainment_high",
            "overqualification_rate",
        ],
        by=["citizen", "c_birth", "sex"],
    ).observations
    pub = read_bundled()
    pub = pub[pub["time"] == 2023]
    checks = [
        ("employment_rate", "lfsa_ergan", "citizen", {"age": "Y20-64"}),
        ("unemployment_rate", "lfsa_urgan", "citizen", {"age": "Y20-64"}),
        (
            "educational_attainment_low",
            "edat_lfs_9912",
            "c_birth",
            {"age": "Y25-64", "isced11": "ED0-2"},
        ),
        (
            "educational_attainment_high",
            "edat_lfs_9912",
            "c_birth",
            {"age": "Y25-64", "isced11": "ED5-8"},
        ),
    ]
    compared = 0
    for ind, dataset, dim, where in checks:
        other = "c_birth" if dim == "citizen" else "citizen"
        o = obs[
            (obs.indicator == ind)
            & (obs[other] == "TOTAL")
            & (obs.compare_to == "")
            & obs[dim].isin(["NAT", "EU27_2020_FOR", "NEU27_2020_FOR"])
            & obs.sex.isin(["M", "F"])
        ]
        p = pub[pub.dataset == dataset]
        for k, v in where.items():
            p = p[p[k] == v]
        m = o.merge(
            p[["geo", "sex", dim, "value"]].dropna(), on=["geo", "sex", dim], suffixes=("", "_pub")
        )
        z = (m.value_pub - m.value) / m.se
        # 4 standard errors: a fixed seed, and about 50 cells compared
        assert (z.abs() < 4).all(), m.assign(z=z)[["geo", "sex", dim, "value", "value_pub"]]
        compared += len(m)
    assert compared >= 40
    # over-qualification by citizenship, both sexes: the bundled 2024 figures serve 2023
    oq = obs[
        (obs.indicator == "overqualification_rate")
        & (obs.c_birth == "TOTAL")
        & (obs.compare_to == "")
        & (obs.sex == "T")
        & obs.citizen.isin(["NAT", "EU27_2020_FOR", "NEU27_2020_FOR"])
    ]
    p = read_bundled({"lfsa_eoqgan"})
    p = p[(p.time == 2024) & (p.sex == "T")]
    m = oq.merge(
        p[["geo", "citizen", "value"]].dropna(), on=["geo", "citizen"], suffixes=("", "_pub")
    )
    assert len(m) == 6
    z = (m.value_pub - m.value) / m.se
    assert (z.abs() < 4).all(), m.assign(z=z)[["geo", "citizen", "value", "value_pub"]]


def test_lookup_tables_draw_codes_with_their_probabilities() -> None:
    table = lookup_table([0.04, 0.10, 0.84, 0.02], [1, 2, 3, 4])
    assert len(table) == 2**16
    shares = np.bincount(table, minlength=5)[1:] / 2**16
    assert np.abs(shares - [0.04, 0.10, 0.84, 0.02]).max() <= 2**-16
    rng = np.random.default_rng(4)
    drawn = draw(table, uniforms(rng, 1, 400_000)[0])
    assert abs(np.mean(drawn == 3) - 0.84) < 4 * np.sqrt(0.84 * 0.16 / 400_000)


def test_psu_layout_continues_a_partial_psu_across_chunks() -> None:
    ids, index, counts = psu_layout(5, 20, 8, 3)
    assert ids.tolist() == [0, 1, 2, 3]
    assert counts.tolist() == [3, 8, 8, 1]
    assert index.tolist() == [0] * 3 + [1] * 8 + [2] * 8 + [3]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "writer", "files_per_chunk"),
    [("synthetic", "write_lfs_dataset", 1), ("synthetic_silc", "write_silc_dataset", 4)],
)
def test_memory_stays_bounded_at_20_million_persons(
    tmp_path: Path, module: str, writer: str, files_per_chunk: int
) -> None:
    """20M persons (two country-years, chunks of a million) in well under 1 GB.

    The peak is VmHWM, the peak of the writing process's own memory, read from /proc:
    ru_maxrss would carry over the test runner's peak, which Linux keeps across fork
    and exec.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory read from /proc (Linux)")
    code = (
        "import re, sys\n"
        f"from zaragoza.sources.{module} import {writer}\n"
        f"{writer}(sys.argv[1], 20_000_000, ['AT', 'EL'], [2023])\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "big")],
        check=True,
        capture_output=True,
        text=True,
    )
    peak_mb = int(out.stdout.split()[-1]) / 1024
    files = sorted((tmp_path / "big").glob("*/*/*.parquet"))
    assert len(files) == 20 * files_per_chunk
    persons = [p for p in files if re.fullmatch(r"part-\d+(-R)?", p.stem)]
    assert all(pq.read_metadata(p).num_rows <= 1_000_000 for p in files)
    assert sum(pq.read_metadata(p).num_rows for p in persons) == 20_000_000
    assert peak_mb < 1000, f"peak RSS {peak_mb:.0f} MB"


def test_the_bundled_example_is_the_generators_output(tmp_path: Path) -> None:
    """``scripts/make_example_lfs.py`` made the bundled example with this generator."""
    import gzip

    from zaragoza.cli import example_file

    out = write_lfs(
        tmp_path / "e.csv.gz",
        30_000,
        countries=["AT", "EL", "SE"],
        years=[2023],
        seed=1,
        targets=published_targets(["AT", "EL", "SE"], [2023]),
    )
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(example_file().read_bytes())
