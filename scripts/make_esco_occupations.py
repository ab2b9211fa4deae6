"""Write the bundled subset of ESCO occupations from ESCO's own CSV files.

Usage::

    uv run python scripts/make_esco_occupations.py \
        /path/to/occupations_en.csv /path/to/occupations_fr.csv \
        [src/zaragoza/skills/content/esco_occupations.csv]

Input: ESCO's classification export (``conceptType, conceptUri, iscoGroup,
preferredLabel, altLabels, description``), one file per language, alternative labels
one per line. ESCO is published by the European Commission (© European Union) for
free reuse with attribution (Commission Decision 2011/833/EU).

The subset keeps one occupation per ISCO-08 unit group: the one with the most English
alternative labels (the occupation people most often name in many ways; ties broken
by URI), so that every unit group, and so every ISCO major group, can be coded and
the over-qualification rule (ISCO major groups 4-9) sees every kind of work. Labels are
kept as ESCO gives them; descriptions are left out (the file stays small).

Output columns: ``uri, isco_group, lang, preferred, alternatives`` (alternatives joined
by `` | ``), one row per occupation and language, sorted by ISCO group, then language.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HEADER = ["uri", "isco_group", "lang", "preferred", "alternatives"]


def _read(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = {r["conceptUri"]: r for r in csv.DictReader(f) if r["conceptType"] == "Occupation"}
    if not rows:
        raise SystemExit(f"{path}: no occupation rows (is it ESCO's occupations_xx.csv?)")
    return rows


def _alts(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.splitlines():
        label = " ".join(line.split())
        if label and label not in seen:
            seen.append(label)
    return seen


def main(argv: list[str]) -> None:
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__)
    en, fr = _read(Path(argv[0])), _read(Path(argv[1]))
    out = Path(argv[2] if len(argv) == 3 else "src/zaragoza/skills/content/esco_occupations.csv")
    best: dict[str, tuple[int, str]] = {}
    for uri, row in en.items():
        group = row["iscoGroup"].strip()
        if len(group) != 4 or not group.isdigit() or uri not in fr:
            continue
        key = (-len(_alts(row["altLabels"])), uri)
        if group not in best or key < best[group]:
            best[group] = key
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for group in sorted(best):
            uri = best[group][1]
            for lang, rows in (("en", en), ("fr", fr)):
                row = rows[uri]
                pref = " ".join(row["preferredLabel"].split())
                alts = [a for a in _alts(row["altLabels"]) if a != pref]
                w.writerow([uri, group, lang, pref, " | ".join(alts)])
    print(f"{out}: {len(best)} occupations, languages en, fr")


if __name__ == "__main__":
    main(sys.argv[1:])
