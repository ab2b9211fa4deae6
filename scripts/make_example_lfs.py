"""Write the bundled synthetic EU-LFS example (src/zaragoza/data/example_lfs.csv.gz).

30,000 synthetic persons (AT, EL, SE, 2023, seed 1) as one gzipped CSV file, calibrated
to the bundled Eurostat tables (employment, unemployment, attainment, over-qualification;
``zaragoza.sources.synthetic.published_targets``): synthetic, not statistics.

    uv run python scripts/make_example_lfs.py
"""

from __future__ import annotations

from pathlib import Path

from zaragoza.sources.synthetic import published_targets, write_lfs

COUNTRIES, YEARS, PERSONS, SEED = ["AT", "EL", "SE"], [2023], 30_000, 1

if __name__ == "__main__":
    out = Path(__file__).parents[1] / "src" / "zaragoza" / "data" / "example_lfs.csv.gz"
    targets = published_targets(COUNTRIES, YEARS)
    write_lfs(out, PERSONS, countries=COUNTRIES, years=YEARS, seed=SEED, targets=targets)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
