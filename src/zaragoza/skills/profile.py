"""The skills profile as validated data (pydantic): minimal personal data, then skills.

After the EU Skills Profile Tool's blocks (personal information, expectations, skills
identification, appraisal and next steps) and the issue's data-minimisation rule: a name
or pseudonym, year of birth, sex, citizenship, country of birth, year of arrival, legal
status category and, only if the person wants, a contact. No health data, no religion,
no ethnic origin (GDPR Article 9 categories are not asked).

Codes: countries are ISO 3166-1 alpha-2 as Eurostat writes them (``EL`` Greece, ``UK``
United Kingdom); languages ISO 639-1; ISCED 2011 levels and ISCED-F 2013 fields, CEFR
levels, DigComp levels and ESCO URIs from :mod:`zaragoza.skills.classifications`. An
unknown field or code is an error naming the field and what is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zaragoza.skills.classifications import (
    CEFR_LEVELS,
    CEFR_SKILLS,
    DIGCOMP_AREAS,
    ISCED_FIELDS,
    occupation,
)

__all__ = [
    "LEGAL_STATUSES",
    "RECOGNITION_STATUSES",
    "SCHEMA_VERSION",
    "Education",
    "Expectations",
    "Language",
    "Person",
    "Profile",
    "Work",
]

#: Changes when the JSON export's shape changes (``docs/skills.md``, "The JSON export").
SCHEMA_VERSION: Final = "1"
#: Categories of legal status, broad enough to say nothing beyond what the counselling needs.
LEGAL_STATUSES = (
    "international_protection",
    "temporary_protection",
    "asylum_seeker",
    "family",
    "work",
    "study",
    "eu_citizen",
    "host_citizen",
    "other",
    "not_stated",
)
#: Recognition of a foreign diploma (Lisbon Recognition Convention, 1997: an assessment
#: leads to full, partial or no recognition).
RECOGNITION_STATUSES = (
    "not_applied",
    "pending",
    "recognised",
    "partial",
    "refused",
    "not_needed",
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANG = re.compile(r"^[a-z]{2}$")
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
Year = Annotated[int, Field(ge=1900, le=2100)]
Country = Annotated[str, Field(pattern=_COUNTRY.pattern)]
CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
assert CEFR_LEVELS == ("A1", "A2", "B1", "B2", "C1", "C2")


class Person(BaseModel):
    """Personal information: the minimum, each field optional except what counselling needs."""

    model_config = _STRICT
    name: Annotated[str, Field(min_length=1, max_length=200)]
    year_of_birth: Year | None = None
    sex: Literal["F", "M", "X", "not_stated"] = "not_stated"
    citizenship: Country | Literal["stateless", "unknown"] = "unknown"
    country_of_birth: Country | None = None
    year_of_arrival: Year | None = None
    legal_status: Literal[LEGAL_STATUSES] = "not_stated"  # type: ignore[valid-type]
    contact: Annotated[str, Field(max_length=200)] | None = None


class Expectations(BaseModel):
    """What the person wishes: occupations (ESCO URIs), to study, to start a business."""

    model_config = _STRICT
    wished_occupations: tuple[str, ...] = ()
    wish_to_study: bool = False
    wish_to_start_business: bool = False

    @field_validator("wished_occupations")
    @classmethod
    def _esco(cls, uris: tuple[str, ...]) -> tuple[str, ...]:
        for uri in uris:
            occupation(uri)  # raises naming the URI
        return uris


class Education(BaseModel):
    """One level of education (ISCED 2011), completed or not, where, when, recognised or not."""

    model_config = _STRICT
    isced_level: Annotated[int, Field(ge=0, le=8)]
    field: str | None = None
    completed: bool = True
    country: Country | None = None
    year: Year | None = None
    documents: bool = False
    recognition: Literal[RECOGNITION_STATUSES] = "not_applied"  # type: ignore[valid-type]

    @field_validator("field")
    @classmethod
    def _field(cls, code: str | None) -> str | None:
        if code is not None and code not in ISCED_FIELDS:
            raise ValueError(f"not an ISCED-F 2013 broad or narrow field: {code!r}")
        return code


class Work(BaseModel):
    """One job: an ESCO occupation (its ISCO-08 group follows), years, country, tasks."""

    model_config = _STRICT
    occupation: str
    isco_group: str | None = None
    years: Annotated[float, Field(ge=0, le=70, allow_inf_nan=False)] = 0
    country: Country | None = None
    current: bool = False
    tasks: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _isco(self) -> Work:
        occ = occupation(self.occupation)
        if self.isco_group is None:
            object.__setattr__(self, "isco_group", occ.isco_group)
        elif self.isco_group != occ.isco_group:
            raise ValueError(
                f"isco_group {self.isco_group!r} differs from ESCO's {occ.isco_group!r} "
                f"for {self.occupation}"
            )
        return self

    @property
    def isco_major(self) -> int:
        assert self.isco_group is not None
        return int(self.isco_group[0])


class Language(BaseModel):
    """One language: native, or a CEFR self-assessment per skill, or a certificate level."""

    model_config = _STRICT
    language: Annotated[str, Field(pattern=_LANG.pattern)]
    native: bool = False
    levels: dict[str, CefrLevel] = Field(default_factory=dict)
    certificate: CefrLevel | None = None

    @field_validator("levels")
    @classmethod
    def _skills(cls, levels: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(levels) - set(CEFR_SKILLS))
        if unknown:
            raise ValueError(
                f"unknown CEFR skill(s) {', '.join(unknown)}; valid: {', '.join(CEFR_SKILLS)}"
            )
        return levels

    def lowest(self) -> str | None:
        """The lowest level over the skills (``None``: no skill assessed, no certificate).

        A native speaker is C2. A certificate stands for every skill: a skill's level is
        the higher of its self-assessment and the certificate. Without a certificate,
        the lowest of the skills assessed (a skill not assessed says nothing).
        """
        if self.native:
            return "C2"
        rank = CEFR_LEVELS.index
        if self.certificate is not None:
            cert = self.certificate
            return min(
                (max(self.levels.get(s, cert), cert, key=rank) for s in CEFR_SKILLS), key=rank
            )
        return min(self.levels.values(), key=rank) if self.levels else None


class Profile(BaseModel):
    """A person's skills profile: who, what they wish, education, work, languages, skills."""

    model_config = _STRICT
    schema_version: Literal["1"] = SCHEMA_VERSION
    geo: Country
    host_language: Annotated[str, Field(pattern=_LANG.pattern)]
    interview_date: dt.date
    person: Person
    expectations: Expectations = Expectations()
    education: tuple[Education, ...] = ()
    work: tuple[Work, ...] = ()
    languages: tuple[Language, ...] = ()
    digital: dict[str, Annotated[int, Field(ge=1, le=8)]] = Field(default_factory=dict)
    driving_licence: bool = False
    other_skills: Annotated[str, Field(max_length=2000)] = ""
    appraisal: Annotated[str, Field(max_length=4000)] = ""

    @field_validator("digital")
    @classmethod
    def _areas(cls, levels: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(levels) - set(DIGCOMP_AREAS))
        if unknown:
            raise ValueError(f"unknown DigComp area(s) {unknown}; valid: {sorted(DIGCOMP_AREAS)}")
        return levels

    def highest_isced(self) -> int | None:
        """The highest ISCED 2011 level completed (None: none recorded)."""
        done = [e.isced_level for e in self.education if e.completed]
        return max(done) if done else None

    def tertiary(self) -> tuple[Education, ...]:
        """The completed tertiary levels (ISCED 5-8)."""
        return tuple(e for e in self.education if e.completed and e.isced_level >= 5)

    def current_work(self) -> Work | None:
        """The current job (the first marked current), or None."""
        return next((w for w in self.work if w.current), None)

    def host_language_level(self) -> str | None:
        """The lowest CEFR level over the skills in the host language (None: not known)."""
        for lang in self.languages:
            if lang.language == self.host_language:
                return lang.lowest()
        return None
