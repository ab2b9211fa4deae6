"""Write the bundled synthetic EU-SILC example (src/zaragoza/data/example_silc.csv.gz).

The same records as ``zaragoza synth silc --countries AT,EL,SE --years 2023 --persons
12000 --seed 1``, as one gzipped CSV file: synthetic, calibrated to Eurostat's median
equivalised income by citizenship (ilc_di15), not statistics.

    uv run python scripts/make_example_silc.py
"""

from __future__ import annotations

from pathlib import Path

from zaragoza.sources.synthetic_silc import published_income_targets, write_silc

COUNTRIES, YEARS, PERSONS, SEED = ["AT", "EL", "SE"], [2023], 12_000, 1

if __name__ == "__main__":
    out = Path(__file__).parents[1] / "src" / "zaragoza" / "data" / "example_silc.csv.gz"
    targets = published_income_targets(COUNTRIES, YEARS)
    write_silc(out, PERSONS, countries=COUNTRIES, years=YEARS, seed=SEED, targets=targets)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
