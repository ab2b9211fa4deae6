"""Hand-made profiles for the skills tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zaragoza.skills.profile import Education, Language, Person, Profile, Work

#: ESCO URIs of the bundled subset used by the tests (checked in test_classifications).
BUILDING_CLEANER = "http://data.europa.eu/esco/occupation/303a1e34-cb16-4054-b323-81e5eec17397"
DOMESTIC_CLEANER = "http://data.europa.eu/esco/occupation/cbad55a4-c7cf-4ab6-9540-eac72b26729b"


def isco(major: int) -> str:
    """An ESCO occupation of the bundled subset in ISCO-08 major group ``major``."""
    from zaragoza.skills.classifications import occupations

    return next(o.uri for o in occupations().values() if o.isco_major == major)


def profile(**kw: Any) -> Profile:
    """A profile in Austria (host language German), interviewed in 2026."""
    person = {"name": "Example person", "year_of_birth": 1990, **kw.pop("person", {})}
    return Profile(
        geo=kw.pop("geo", "AT"),
        host_language=kw.pop("host_language", "de"),
        interview_date=kw.pop("interview_date", dt.date(2026, 3, 1)),
        person=Person(**person),
        **kw,
    )


def german(level: str) -> Language:
    """German at ``level`` in every skill."""
    skills = ("listening", "reading", "spoken_interaction", "spoken_production", "writing")
    return Language(language="de", levels=dict.fromkeys(skills, level))


__all__ = [
    "BUILDING_CLEANER",
    "DOMESTIC_CLEANER",
    "Education",
    "Language",
    "Work",
    "german",
    "isco",
    "profile",
]
