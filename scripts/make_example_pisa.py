"""Write the bundled synthetic PISA example (src/zaragoza/data/example_pisa.parquet).

PISA-shaped student records (``zaragoza.sources.synthetic_pisa``): AUT, GRC and SWE,
cycle ``08MS`` (2022), 40 schools a country in 20 variance zones, about 20 students a
school, 80 Fay replicate weights (k = 0.5), 10 plausible values in each of reading,
mathematics and science, ``IMMIG`` and ``ST004D01T``. A fixed shape, not PISA results:
synthetic, marked so in the file's metadata, never to be cited.

    uv run python scripts/make_example_pisa.py
"""

from __future__ import annotations

from pathlib import Path

from zaragoza.sources.synthetic_pisa import write_pisa

COUNTRIES, SCHOOLS, STUDENTS_PER_SCHOOL, PLAUSIBLE_VALUES, SEED = (
    ("AUT", "GRC", "SWE"),
    40,
    20,
    10,
    1,
)

if __name__ == "__main__":
    out = Path(__file__).parents[1] / "src" / "zaragoza" / "data" / "example_pisa.parquet"
    write_pisa(
        out,
        countries=COUNTRIES,
        schools=SCHOOLS,
        students_per_school=STUDENTS_PER_SCHOOL,
        plausible_values=PLAUSIBLE_VALUES,
        seed=SEED,
    )
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
