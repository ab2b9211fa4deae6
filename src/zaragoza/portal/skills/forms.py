"""The interview form: its fields as posted, read into a profile record (the library's).

Rows: up to :data:`ROWS` levels of education, jobs and languages. Occupations are typed
as any ESCO label (preferred or alternative, English or French) and stored as the ESCO
URI. Problems are reported per field with what would be valid, never echoing what was
typed (it may be personal).
"""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import QueryDict
from django.utils.translation import gettext as _

from zaragoza.skills.classifications import (
    CEFR_SKILLS,
    DIGCOMP_AREAS,
    fold,
    occupation,
    occupations,
)
from zaragoza.skills.profile import Profile as Record

__all__ = ["ROWS", "FormError", "occupation_by_label", "posted_form", "read_form", "to_form"]

ROWS = 3


class FormError(Exception):
    """The form cannot be read: ``problems`` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


def occupation_by_label(text: str) -> str | None:
    """The ESCO URI of an occupation named exactly by one of its labels, or a URI."""
    text = text.strip()
    if not text:
        return None
    if text in occupations():
        return text
    folded = fold(text)
    for occ in occupations().values():
        if any(fold(label) == folded for label in occ.labels()):
            return occ.uri
    raise ValueError(_("not an ESCO occupation: choose one from the list"))


def _int(v: str) -> int | None:
    v = v.strip()
    return int(v) if v else None


def read_form(post: QueryDict, base: dict[str, Any]) -> Record:
    """A record from the posted form; ``base`` holds geo, host language and date."""
    problems: list[tuple[str, str]] = []

    def get(name: str) -> str:
        return str(post.get(name, "")).strip()

    def number(name: str) -> int | None:
        try:
            return _int(get(name))
        except ValueError:
            problems.append((name, _("a whole number")))
            return None

    def esco(name: str) -> str | None:
        try:
            return occupation_by_label(get(name))
        except ValueError as exc:
            problems.append((name, str(exc)))
            return None

    person = {
        "name": get("name"),
        "year_of_birth": number("year_of_birth"),
        "sex": get("sex") or "not_stated",
        "citizenship": get("citizenship").upper() or "unknown",
        "country_of_birth": get("country_of_birth").upper() or None,
        "year_of_arrival": number("year_of_arrival"),
        "legal_status": get("legal_status") or "not_stated",
        "contact": get("contact") or None,
    }
    if person["citizenship"] in ("STATELESS", "UNKNOWN"):
        person["citizenship"] = person["citizenship"].lower()
    wished = [u for u in (esco(f"wish-{i}") for i in range(ROWS)) if u]
    education = []
    for i in range(ROWS):
        level = number(f"edu-{i}-level")
        if level is None:
            continue
        education.append(
            {
                "isced_level": level,
                "field": get(f"edu-{i}-field") or None,
                "completed": bool(post.get(f"edu-{i}-completed")),
                "country": get(f"edu-{i}-country").upper() or None,
                "year": number(f"edu-{i}-year"),
                "documents": bool(post.get(f"edu-{i}-documents")),
                "recognition": get(f"edu-{i}-recognition") or "not_applied",
            }
        )
    work = []
    for i in range(ROWS):
        uri = esco(f"work-{i}-occupation")
        if uri is None:
            continue
        years = get(f"work-{i}-years").replace(",", ".")
        try:
            years_value = float(years) if years else 0.0
        except ValueError:
            problems.append((f"work-{i}-years", _("a number of years")))
            years_value = 0.0
        work.append(
            {
                "occupation": uri,
                "years": years_value,
                "country": get(f"work-{i}-country").upper() or None,
                "current": bool(post.get(f"work-{i}-current")),
                "tasks": get(f"work-{i}-tasks"),
            }
        )
    languages = []
    for i in range(ROWS):
        code = get(f"lang-{i}-code").lower()
        if not code:
            continue
        levels = {s: get(f"lang-{i}-{s}") for s in CEFR_SKILLS if get(f"lang-{i}-{s}")}
        languages.append(
            {
                "language": code,
                "native": bool(post.get(f"lang-{i}-native")),
                "levels": levels,
                "certificate": get(f"lang-{i}-certificate") or None,
            }
        )
    digital = {a: number(f"digital-{a}") for a in DIGCOMP_AREAS}
    data = {
        **base,
        "person": person,
        "expectations": {
            "wished_occupations": wished,
            "wish_to_study": bool(post.get("wish_to_study")),
            "wish_to_start_business": bool(post.get("wish_to_start_business")),
        },
        "education": education,
        "work": work,
        "languages": languages,
        "digital": {a: v for a, v in digital.items() if v is not None},
        "driving_licence": bool(post.get("driving_licence")),
        "other_skills": get("other_skills"),
        "appraisal": get("appraisal"),
    }
    if problems:
        raise FormError(problems)
    try:
        return Record.model_validate(data)
    except pydantic.ValidationError as exc:
        # the message and where, never the input (it may be personal)
        raise FormError(
            [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None


def to_form(record: Record, lang: str) -> dict[str, Any]:
    """The values of the form's fields for a record (occupations by their label)."""
    p = record.person
    out: dict[str, Any] = {
        "name": p.name,
        "year_of_birth": p.year_of_birth or "",
        "sex": p.sex,
        "citizenship": p.citizenship if p.citizenship != "unknown" else "",
        "country_of_birth": p.country_of_birth or "",
        "year_of_arrival": p.year_of_arrival or "",
        "legal_status": p.legal_status,
        "contact": p.contact or "",
        "wish_to_study": record.expectations.wish_to_study,
        "wish_to_start_business": record.expectations.wish_to_start_business,
        "driving_licence": record.driving_licence,
        "other_skills": record.other_skills,
        "appraisal": record.appraisal,
    }
    wished = list(record.expectations.wished_occupations)
    out["wishes"] = [occupation(u).label(lang) for u in wished] + [""] * (ROWS - len(wished))
    out["education"] = [
        record.education[i].model_dump() if i < len(record.education) else {} for i in range(ROWS)
    ]
    out["work"] = []
    for i in range(ROWS):
        if i < len(record.work):
            w = record.work[i].model_dump()
            w["label"] = occupation(w["occupation"]).label(lang)
            out["work"].append(w)
        else:
            out["work"].append({})
    out["languages"] = [
        record.languages[i].model_dump() if i < len(record.languages) else {} for i in range(ROWS)
    ]
    out["digital"] = dict(record.digital)
    return out


def posted_form(post: QueryDict) -> dict[str, Any]:
    """The values of the form's fields as posted: a form refused keeps every answer."""

    def get(name: str) -> str:
        return str(post.get(name, ""))

    def on(name: str) -> bool:
        return bool(post.get(name))

    plain = ("name", "year_of_birth", "sex", "citizenship", "country_of_birth",
             "year_of_arrival", "legal_status", "contact", "other_skills", "appraisal")  # fmt: skip
    out: dict[str, Any] = {k: get(k) for k in plain}
    out.update(
        wish_to_study=on("wish_to_study"),
        wish_to_start_business=on("wish_to_start_business"),
        driving_licence=on("driving_licence"),
        wishes=[get(f"wish-{i}") for i in range(ROWS)],
        education=[
            {
                "isced_level": get(f"edu-{i}-level"),
                "field": get(f"edu-{i}-field"),
                "completed": on(f"edu-{i}-completed"),
                "country": get(f"edu-{i}-country"),
                "year": get(f"edu-{i}-year"),
                "documents": on(f"edu-{i}-documents"),
                "recognition": get(f"edu-{i}-recognition"),
            }
            for i in range(ROWS)
        ],
        work=[
            {
                "label": get(f"work-{i}-occupation"),
                "years": get(f"work-{i}-years"),
                "country": get(f"work-{i}-country"),
                "current": on(f"work-{i}-current"),
                "tasks": get(f"work-{i}-tasks"),
            }
            for i in range(ROWS)
        ],
        languages=[
            {
                "language": get(f"lang-{i}-code"),
                "native": on(f"lang-{i}-native"),
                "levels": {s: get(f"lang-{i}-{s}") for s in CEFR_SKILLS if get(f"lang-{i}-{s}")},
                "certificate": get(f"lang-{i}-certificate"),
            }
            for i in range(ROWS)
        ],
        digital={a: int(v) for a in DIGCOMP_AREAS if (v := get(f"digital-{a}")).isdigit()},
    )
    return out
