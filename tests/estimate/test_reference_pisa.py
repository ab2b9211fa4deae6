"""PISA achievement against R ``survey`` + ``mitools`` golden numbers.

The golden file ``tests/reference/pisa_survey_golden.csv`` was made by
``tests/reference/pisa_survey.R`` (R 4.2.2, survey 4.1.1, mitools 2.4:
``svrepdesign(type = "Fay", rho = 0.5, mse = TRUE)`` over an ``imputationList`` of the
plausible values, ``svyby`` + ``svycontrast`` per plausible value, pooled by
``MIcombine``) from the records of ``make_pisa_golden_data.py`` (the project's
synthetic PISA-shaped generator, seed 7: two countries, 80 schools, 5 plausible values)::

    uv run python tests/reference/make_pisa_golden_data.py /tmp/pisa.csv
    Rscript tests/reference/pisa_survey.R /tmp/pisa.csv tests/reference/pisa_survey_golden.csv

The R script defines the indicators (cut-offs, margins, gaps to native students) itself,
independently of the catalogue. Values and SEs must agree to 1e-6 relative, on DuckDB and
on a standalone Spark cluster.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from zaragoza.pipeline import estimate_files
from zaragoza.sources.synthetic_pisa import write_pisa

REF = Path(__file__).parents[1] / "reference"
sys.path.insert(0, str(REF))
from make_pisa_golden_data import GOLDEN  # noqa: E402

KEY = ["indicator", "geo", "mig_bg", "sex", "compare_to"]


@pytest.fixture(scope="module")
def pisa_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pisa(tmp_path_factory.mktemp("pisa") / "students.csv", **GOLDEN)


def compare(obs: pd.DataFrame) -> None:
    g = pd.read_csv(REF / "pisa_survey_golden.csv", keep_default_na=False)
    m = g.merge(
        obs[[*KEY, "value", "se"]], on=KEY, how="outer", suffixes=("_r", ""), indicator=True
    )
    odd = m[m["_merge"] != "both"]
    assert odd.empty, f"cells on one side only:\n{odd[[*KEY, '_merge']]}"
    assert m["value"].to_numpy() == pytest.approx(m["value_r"].astype(float).to_numpy(), rel=1e-6)
    assert m["se"].to_numpy() == pytest.approx(m["se_r"].astype(float).to_numpy(), rel=1e-6)


def test_matches_r_survey_mitools(pisa_file: Path) -> None:
    run = estimate_files([pisa_file], by=["mig_bg", "sex"], gap="mig_bg=NATIVE")
    assert run.options["survey"] == "pisa"
    assert len(run.observations) == 432
    compare(run.observations)


@pytest.mark.spark
def test_spark_cluster_matches_r_survey_mitools(pisa_file: Path, spark_cluster: str) -> None:
    run = estimate_files(
        [pisa_file], by=["mig_bg", "sex"], gap="mig_bg=NATIVE", backend="spark",
        spark_master=spark_cluster,
    )  # fmt: skip
    compare(run.observations)
