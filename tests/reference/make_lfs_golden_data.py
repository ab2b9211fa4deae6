"""Make ``lfs_golden.csv``: the synthetic EU-LFS-shaped file behind the R golden numbers.

Run from the repository root: ``uv run python tests/reference/make_lfs_golden_data.py``.
The committed file was made with the generator of commit 5f4d779; the generator has
changed since, so rerunning this script makes other records, and then
``lfs_survey.R`` must be rerun too for its golden numbers.
Two countries, strata and PSUs (stratum ``AT2023-0`` holds a single PSU, to exercise the
lonely-PSU rules), 20 bootstrap replicate weights ``RW1..RW20`` (Poisson bootstrap of
records) and 16 Fay replicate weights ``FAY1..FAY16`` (rho = 0.5: in each stratum one
random half of the PSUs gets 1.5 times its weight, the other half 0.5 times).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from zaragoza.sources.synthetic import lfs_batches

OUT = Path(__file__).with_name("lfs_golden.csv")


def main() -> None:
    t = pa.concat_tables(
        lfs_batches(
            6000,
            countries=("AT", "EL"),
            years=(2023,),
            seed=20261125,
            n_strata=12,
            psu_size=8,
            replicates=20,
        )
    )
    strat = t["STRATUM"].to_numpy(zero_copy_only=False)
    psu = t["PSU"].to_numpy(zero_copy_only=False).astype(object)
    psu[strat == "AT2023-0"] = "AT2023-0-only"
    t = t.set_column(t.schema.get_field_index("PSU"), "PSU", pa.array(psu.astype(str)))
    rng = np.random.default_rng(7)
    w = t["COEFF"].to_numpy()
    for r in range(16):
        factor = np.empty(len(t))
        for s in np.unique(strat):
            in_s = strat == s
            psus = np.unique(psu[in_s])
            half = set(rng.permutation(psus)[: max(1, len(psus) // 2)])
            factor[in_s] = np.where(np.isin(psu[in_s], list(half)), 1.5, 0.5)
        t = t.append_column(f"FAY{r + 1}", pa.array(np.round(w * factor, 4)))
    t = t.append_column("ROWID", pc.add(pa.array(np.arange(len(t))), 1))
    pacsv.write_csv(t, OUT)
    print(f"wrote {OUT} ({len(t)} rows)")


if __name__ == "__main__":
    main()
