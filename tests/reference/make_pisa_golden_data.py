"""Write the PISA-shaped records of the R survey + mitools reference test.

``uv run python tests/reference/make_pisa_golden_data.py OUT.csv`` writes the records
``tests/reference/pisa_survey.R`` reads; the test makes the same records in memory
(same generator, same seed), so the golden numbers need no data file in the repository.
"""

from __future__ import annotations

import sys

from zaragoza.sources.synthetic_pisa import write_pisa

#: The reference case: two countries, 5 plausible values (as PISA 2000-2012), small
#: enough for R to pool every cell and gap in seconds.
GOLDEN = {"countries": ("AUT", "SWE"), "schools": 40, "students_per_school": 20,
          "plausible_values": 5, "seed": 7}  # fmt: skip

if __name__ == "__main__":
    write_pisa(sys.argv[1], **GOLDEN)
