"""Synthetic skills profiles, for demonstrations and tests only: they describe nobody.

Every name is "Synthetic person N"; the mix of citizenships, education, work and
languages is invented (seeded, reproducible), not estimated from any data, so that the
pages and the aggregates have something to show. Never cite figures computed from them.
"""

from __future__ import annotations

import datetime as dt
import random

from zaragoza.skills.classifications import CEFR_LEVELS, CEFR_SKILLS, occupations
from zaragoza.skills.profile import Profile

__all__ = ["EXAMPLE_ORGANISATION", "SYNTHETIC_NAME", "synthetic_profiles"]

SYNTHETIC_NAME = "Synthetic person"
EXAMPLE_ORGANISATION = "example-counselling-service"
"""The organisation of the synthetic example profiles: an example, not a real service."""
# invented weights, for variety only
_CITIZENSHIPS = {"SY": 6, "AF": 4, "UA": 5, "IQ": 2, "ER": 1, "TR": 2, "RO": 2, "PL": 1,
                 "NG": 1, "stateless": 1}  # fmt: skip
_ISCED = {0: 1, 1: 2, 2: 3, 3: 4, 4: 1, 5: 1, 6: 3, 7: 2, 8: 1}
_RECOGNITION = {"not_applied": 5, "pending": 2, "recognised": 2, "partial": 1, "refused": 1}


def _pick(rng: random.Random, weights: dict[object, int]) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_profiles(
    n: int, *, geo: str = "AT", host_language: str = "de", year: int = 2026, seed: int = 1
) -> list[Profile]:
    """``n`` synthetic profiles interviewed in ``geo`` in ``year`` (reproducible)."""
    rng = random.Random(seed)
    by_major: dict[int, list[str]] = {}
    for occ in occupations().values():
        by_major.setdefault(occ.isco_major, []).append(occ.uri)
    for uris in by_major.values():
        uris.sort()
    out = []
    for i in range(n):
        level = int(str(_pick(rng, _ISCED)))  # type: ignore[arg-type]
        tertiary = level >= 5
        education = [
            {
                "isced_level": level,
                "completed": rng.random() < 0.9,
                "country": "SY",
                "recognition": _pick(rng, _RECOGNITION) if tertiary else "not_applied",  # type: ignore[arg-type]
            }
        ]
        work = []
        if rng.random() < 0.5:
            # invented: tertiary-educated newcomers often in elementary jobs
            major = rng.choice([2, 3, 4, 5, 9, 9] if tertiary else [5, 7, 8, 9, 9])
            work.append({"occupation": rng.choice(by_major[major]), "current": True, "years": 1})
        lowest = rng.randrange(len(CEFR_LEVELS))
        levels = {s: CEFR_LEVELS[min(5, lowest + rng.randrange(2))] for s in CEFR_SKILLS}
        wished = [rng.choice(by_major[2 if tertiary else 7])] if rng.random() < 0.7 else []
        out.append(
            Profile.model_validate(
                {
                    "geo": geo,
                    "host_language": host_language,
                    "interview_date": dt.date(year, 1 + i % 12, 1 + i % 28),
                    "person": {
                        "name": f"{SYNTHETIC_NAME} {i + 1}",
                        "year_of_birth": rng.randint(1965, 2005),
                        "sex": rng.choice("FM"),
                        "citizenship": _pick(rng, _CITIZENSHIPS),  # type: ignore[arg-type]
                        "year_of_arrival": rng.randint(2010, year),
                    },
                    "expectations": {
                        "wished_occupations": wished,
                        "wish_to_start_business": rng.random() < 0.1,
                    },
                    "education": education,
                    "work": work,
                    "languages": [{"language": host_language, "levels": levels}],
                }
            )
        )
    return out
