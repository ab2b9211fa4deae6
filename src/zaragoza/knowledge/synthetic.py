"""Synthetic practices for the benchmark only: never shown as real.

Every record says what it is: its id starts with ``synthetic-``, its title with
``[Synthetic]``, its summary says it was generated, and its one source is the project's
benchmark page. The words come from a small vocabulary of the field, so full-text
queries match realistic shares of the records; codes are drawn from the taxonomy.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from zaragoza.knowledge.taxonomy import COUNTRIES, Taxonomy, load_taxonomy

__all__ = ["INDICATORS", "synthetic_practices"]

#: Indicator ids the generator draws from (catalogue ids).
INDICATORS = (
    "employment_rate", "unemployment_rate", "activity_rate", "early_leavers", "neet_rate",
    "at_risk_of_poverty_rate", "overqualification_rate", "naturalisation_rate",
    "housing_cost_overburden", "unmet_medical_needs", "tertiary_attainment",
)  # fmt: skip
_SUBJECTS = (
    "language course", "mentoring scheme", "one-stop shop", "job coaching", "skills check",
    "recognition desk", "civic orientation", "housing support", "health guidance",
    "school bridge class", "parent network", "volunteer buddy programme", "start-up lab",
    "intercultural training", "anti-discrimination helpline", "sports club initiative",
)  # fmt: skip
_FOR = (
    "newly arrived refugees", "migrant women", "young migrants", "unaccompanied minors",
    "low-skilled jobseekers", "highly skilled migrants", "asylum seekers", "parents",
    "employers", "municipal staff",
)  # fmt: skip
_PLACES = (
    "Graz", "Ghent", "Aarhus", "Tampere", "Lyon", "Leipzig", "Patras", "Pécs", "Cork",
    "Bologna", "Kaunas", "Utrecht", "Porto", "Cluj", "Malmö", "Maribor", "Košice",
    "Valencia", "Brno", "Tartu",
)  # fmt: skip
_COMMON = [
    "integration",
    "employment",
    "language",
    "training",
    "mentoring",
    "volunteers",
    "municipality",
    "region",
    "coordination",
    "partnership",
    "outreach",
    "counselling",
    "guidance",
    "qualifications",
    "recognition",
    "vocational",
    "apprenticeship",
    "housing",
    "health",
    "schools",
    "parents",
    "women",
    "youth",
    "refugees",
    "newcomers",
    "participation",
    "citizenship",
    "discrimination",
    "awareness",
    "employers",
    "networking",
    "evaluation",
    "monitoring",
    "outcomes",
    "transferable",
    "digital",
    "online",
    "intercultural",
    "community",
    "neighbourhood",
    "libraries",
    "sport",
    "culture",
    "childcare",
    "literacy",
    "orientation",
    "welcome",
]
_RARER = [
    "accreditation",
    "advocacy",
    "allotment",
    "ambassadors",
    "arrival",
    "assessment",
    "asylum",
    "banking",
    "bilingual",
    "bookkeeping",
    "buddies",
    "bus",
    "caregivers",
    "carpentry",
    "catering",
    "certification",
    "chess",
    "choir",
    "civic",
    "climate",
    "clinics",
    "coaching",
    "cohesion",
    "commuting",
    "compass",
    "cooking",
    "cooperatives",
    "craft",
    "credentials",
    "cycling",
    "dance",
    "dental",
    "diaspora",
    "dialogue",
    "diplomas",
    "driving",
    "elders",
    "electricians",
    "embassy",
    "enrolment",
    "entrepreneurs",
    "exhibitions",
    "families",
    "farming",
    "festivals",
    "film",
    "finance",
    "football",
    "forum",
    "gardening",
    "grandparents",
    "graphic",
    "hairdressing",
    "helpline",
    "heritage",
    "hospitality",
    "hostels",
    "identity",
    "internships",
    "interpreters",
    "journalism",
    "kindergarten",
    "kitchens",
    "landlords",
    "lawyers",
    "leadership",
    "legal",
    "logistics",
    "market",
    "media",
    "mediation",
    "midwives",
    "migration",
    "mothers",
    "museums",
    "music",
    "nurses",
    "nutrition",
    "orchestra",
    "painting",
    "pharmacy",
    "photography",
    "plumbing",
    "podcast",
    "police",
    "prenatal",
    "prisons",
    "radio",
    "reading",
    "rent",
    "retail",
    "robotics",
    "rural",
    "sailing",
    "scholarships",
    "science",
    "sewing",
    "shelters",
    "sign",
    "smartphones",
    "soldering",
    "storytelling",
    "swimming",
    "tailoring",
    "tax",
    "teachers",
    "technicians",
    "theatre",
    "trade",
    "translation",
    "transport",
    "trauma",
    "tutoring",
    "unions",
    "veterans",
    "video",
    "vineyards",
    "walking",
    "weaving",
    "welding",
    "wellbeing",
    "workshops",
    "writing",
    "yoga",
]
#: The vocabulary, most frequent first: words are drawn with Zipf-like weights (1/rank),
#: as in real text, so a query word matches anything from most records to a few.
_WORDS = tuple(_COMMON + _RARER)
_WEIGHTS = tuple(1 / (rank + 1) for rank in range(len(_WORDS)))


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(_WORDS, weights=_WEIGHTS, k=words)).capitalize() + "."


def _sample(rng: random.Random, pool: Sequence[str], lo: int, hi: int) -> list[str]:
    return rng.sample(list(pool), rng.randint(lo, min(hi, len(pool))))


def synthetic_practices(
    n: int, *, seed: int = 1, taxonomy: Taxonomy | None = None
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic practice records (content-format dicts), reproducibly."""
    tax = taxonomy or load_taxonomy()
    rng = random.Random(seed)
    countries = COUNTRIES[:27]
    for i in range(1, n + 1):
        subject, group, place = rng.choice(_SUBJECTS), rng.choice(_FOR), rng.choice(_PLACES)
        start = dt.date(rng.randint(2005, 2023), rng.randint(1, 12), 1)
        ended = rng.random() < 0.4
        end = dt.date(min(start.year + rng.randint(1, 6), 2025), rng.randint(1, 12), 1)
        cs = _sample(rng, countries, 1, 3)
        yield {
            "id": f"synthetic-{i:06d}",
            "title": f"[Synthetic] {subject.capitalize()} for {group} in {place} #{i}",
            "language": rng.choice(("en", "de", "fr", "es", "it", "nl", "pl", "sv")),
            "summary": f"A generated record for the benchmark, not a real practice: a {subject} "
            f"for {group}. " + _text(rng, 25),
            "countries": cs,
            "level": rng.choice(tax.codes("level")),
            "agenda_areas": _sample(rng, tax.codes("agenda_areas"), 0, 2),
            "themes": _sample(rng, tax.codes("themes"), 1, 4),
            "target_groups": _sample(rng, tax.codes("target_groups"), 1, 3),
            "funding": [{"fund": f} for f in _sample(rng, tax.codes("funding"), 1, 2)],
            "start": start.isoformat(),
            "end": end.isoformat() if ended and end > start else None,
            "context": _text(rng, 60),
            "objectives": _text(rng, 40),
            "activities": _text(rng, 80),
            "results": _text(rng, 40),
            "evaluation": _text(rng, 30),
            "evidence_level": rng.choice(tax.codes("evidence")),
            "transferability": _text(rng, 30),
            "indicators": _sample(rng, INDICATORS, 0, 3),
            "sources": [
                {
                    "title": "Synthetic record generated for the knowledge-base benchmark",
                    "url": "https://example.org/zaragoza/benchmarks/synthetic",
                }
            ],
            "checked": "2026-01-01",
        }
