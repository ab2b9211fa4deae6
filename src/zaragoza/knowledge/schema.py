"""The records of the knowledge base, validated strictly (pydantic).

A :class:`Practice`, an :class:`Organisation` and a :class:`CountryProfile` hold exactly
the fields of the content format (``docs/knowledge.md``): an unknown field is an error, a
code outside the taxonomy is an error naming the field and the valid codes, text is
Markdown without HTML, every URL is ``http(s)``, and numbers are finite.

Codes are checked against the taxonomy and the indicator catalogue given in the
validation context (:func:`validation_context`), so the same models validate the bundled
seed files, an import and a form of the portal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from zaragoza.knowledge.taxonomy import COUNTRIES, NUTS_PATTERN, Taxonomy, load_taxonomy

__all__ = [
    "PRACTICE_TEXT_FIELDS",
    "TRANSLATABLE_FIELDS",
    "TRANSLATION_LANGUAGES",
    "City",
    "Contact",
    "CountryProfile",
    "Funding",
    "Link",
    "Organisation",
    "Practice",
    "ProfileSection",
    "Source",
    "validation_context",
]

#: The Markdown fields of a practice.
PRACTICE_TEXT_FIELDS = (
    "summary", "context", "objectives", "activities", "results", "evaluation",
    "transferability",
)  # fmt: skip
#: Fields a practice may carry in other languages, and those languages (the portal's
#: besides English, the language of the record itself).
TRANSLATABLE_FIELDS = ("title", *PRACTICE_TEXT_FIELDS)
TRANSLATION_LANGUAGES = ("fr", "de")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_LANG = re.compile(r"^[a-z]{2}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def validation_context(
    taxonomy: Taxonomy | None = None, indicators: Iterable[str] | None = None
) -> dict[str, Any]:
    """Return the context the models validate codes against (default: the bundled
    taxonomy and the bundled indicator catalogue)."""
    if indicators is None:
        from zaragoza.catalog.loader import load_catalog

        indicators = list(load_catalog())
    return {"taxonomy": taxonomy or load_taxonomy(), "indicators": frozenset(indicators)}


def _context(info: ValidationInfo) -> dict[str, Any]:
    ctx = info.context
    if not isinstance(ctx, dict) or "taxonomy" not in ctx:
        ctx = validation_context()
    return ctx


def _check_codes(values: Iterable[str], valid: Iterable[str], what: str) -> None:
    allowed = tuple(valid)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(
            f"unknown {what} {', '.join(repr(b) for b in bad)}; valid: {', '.join(allowed)}"
        )


def _list_codes(name: str, what: str) -> Any:
    def check(cls: type, values: list[str], info: ValidationInfo) -> list[str]:
        _check_codes(values, _context(info)["taxonomy"].codes(name), what)
        return _unique(values, what)

    return check


def _unique(values: list[str], what: str) -> list[str]:
    seen = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what} {v!r} is given twice")
        seen.add(v)
    return values


def markdown_text(value: str) -> str:
    """Return ``value`` stripped, refusing HTML (the records' text is Markdown only)."""
    match = _HTML.search(value)
    if match:
        raise ValueError(
            f"HTML is not allowed (found {match.group(0)!r}); write Markdown: paragraphs, "
            "lists, *emphasis*, [links](https://...)"
        )
    return value.strip()


def _url(value: str) -> str:
    value = value.strip()
    if not _URL.match(value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def partial_date(value: Any) -> str | None:
    """Return an ISO date or year (``2017``, ``2017-09``, ``2017-09-01``) as text."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ValueError("expected a date (YYYY-MM-DD) or a year (YYYY)")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _PARTIAL_DATE.match(value.strip()):
        raise ValueError(
            f"expected a date (YYYY-MM-DD), a month (YYYY-MM) or a year, got {value!r}"
        )
    text = value.strip()
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"not a calendar date: {text!r}") from None
    if not 1900 <= parts[0] <= 2100:
        raise ValueError(f"year out of range 1900-2100: {text!r}")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Source(_Strict):
    """A public source the record was written from."""

    title: str = Field(min_length=1)
    url: str
    publisher: str | None = None

    _check_url = field_validator("url")(classmethod(lambda cls, v: _url(v)))


class Link(_Strict):
    """A link shown with the record (the official page, a report)."""

    title: str = Field(min_length=1)
    url: str

    _check_url = field_validator("url")(classmethod(lambda cls, v: _url(v)))


class Contact(_Strict):
    """A public institutional contact (an office, a general mailbox; never a person)."""

    name: str = Field(min_length=1)
    email: str | None = None
    phone: str | None = None
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, v: str | None) -> str | None:
        return None if v is None else _url(v)

    @field_validator("email")
    @classmethod
    def _check_email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(f"not an e-mail address: {v!r}")
        return v


class City(_Strict):
    """A city: its LAU code when known for sure, its name and its country."""

    lau: str | None = None
    name: str = Field(min_length=1)
    geo: str

    @field_validator("geo")
    @classmethod
    def _check_geo(cls, v: str) -> str:
        _check_codes([v], COUNTRIES, "country")
        return v

    @field_validator("lau", mode="before")
    @classmethod
    def _lau_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Funding(_Strict):
    """One source of funding: a fund code, an optional amount in euro and a note."""

    fund: str
    amount_eur: float | None = None
    note: str | None = None

    @field_validator("fund")
    @classmethod
    def _check_fund(cls, v: str, info: ValidationInfo) -> str:
        _check_codes([v], _context(info)["taxonomy"].codes("funding"), "fund")
        return v

    @field_validator("amount_eur")
    @classmethod
    def _check_amount(cls, v: float | None) -> float | None:
        if v is not None and (not math.isfinite(v) or v < 0):
            raise ValueError(f"an amount is a finite number of euro, at least 0; got {v!r}")
        return v


class Translation(_Strict):
    """A practice's texts in another language (any subset of the translatable fields)."""

    title: str | None = None
    summary: str | None = None
    context: str | None = None
    objectives: str | None = None
    activities: str | None = None
    results: str | None = None
    evaluation: str | None = None
    transferability: str | None = None

    @field_validator(*TRANSLATABLE_FIELDS)
    @classmethod
    def _markdown(cls, v: str | None) -> str | None:
        return None if v is None else markdown_text(v)


class Practice(_Strict):
    """One practice record (a file ``practices/<id>.yaml``, an imported line, a form).

    Text fields may be empty in a draft; :meth:`completeness` lists what a record needs
    before it is published (seed content and published imports must be complete).
    """

    id: str = Field(min_length=3, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    original_title: str | None = None
    language: str
    translations: dict[str, Translation] = Field(default_factory=dict)
    summary: str = ""
    countries: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    cities: list[City] = Field(default_factory=list)
    level: str
    agenda_areas: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    legal_status: str | None = None
    organisation: str | None = None
    partners: list[str] = Field(default_factory=list)
    funding: list[Funding] = Field(default_factory=list)
    start: str | None = None
    end: str | None = None
    context: str = ""
    objectives: str = ""
    activities: str = ""
    results: str = ""
    evaluation: str = ""
    evidence_level: str = "none"
    transferability: str = ""
    indicators: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    checked: dt.date | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"an id is lowercase letters and digits joined by '-': {v!r}")
        return v

    @field_validator("language")
    @classmethod
    def _check_language(cls, v: str) -> str:
        if not _LANG.match(v):
            raise ValueError(f"expected an ISO 639-1 code (two lowercase letters), got {v!r}")
        return v

    @field_validator("translations")
    @classmethod
    def _check_translations(cls, v: dict[str, Translation]) -> dict[str, Translation]:
        _check_codes(v, TRANSLATION_LANGUAGES, "translation language")
        return v

    @field_validator("title", "original_title", "legal_status", *PRACTICE_TEXT_FIELDS)
    @classmethod
    def _markdown(cls, v: str | None) -> str | None:
        return None if v is None else markdown_text(v)

    @field_validator("countries")
    @classmethod
    def _check_countries(cls, v: list[str]) -> list[str]:
        _check_codes(v, COUNTRIES, "country")
        return _unique(v, "country")

    @field_validator("regions")
    @classmethod
    def _check_regions(cls, v: list[str]) -> list[str]:
        for code in v:
            m = NUTS_PATTERN.match(code)
            if not m or m.group(1) not in COUNTRIES:
                raise ValueError(
                    f"not a NUTS code: {code!r}; a NUTS code is a country code and one to "
                    "three letters or digits (ES52)"
                )
        return _unique(v, "region")

    @field_validator("level")
    @classmethod
    def _check_level(cls, v: str, info: ValidationInfo) -> str:
        _check_codes([v], _context(info)["taxonomy"].codes("level"), "level")
        return v

    _check_agenda: Any = field_validator("agenda_areas")(
        classmethod(_list_codes("agenda_areas", "Agenda area"))
    )
    _check_themes: Any = field_validator("themes")(classmethod(_list_codes("themes", "theme")))
    _check_groups: Any = field_validator("target_groups")(
        classmethod(_list_codes("target_groups", "target group"))
    )

    @field_validator("evidence_level")
    @classmethod
    def _check_evidence(cls, v: str, info: ValidationInfo) -> str:
        _check_codes([v], _context(info)["taxonomy"].codes("evidence"), "evidence level")
        return v

    @field_validator("indicators")
    @classmethod
    def _check_indicators(cls, v: list[str], info: ValidationInfo) -> list[str]:
        _check_codes(v, sorted(_context(info)["indicators"]), "indicator")
        return _unique(v, "indicator")

    @field_validator("organisation", "partners")
    @classmethod
    def _check_org_ids(cls, v: Any) -> Any:
        for ident in [v] if isinstance(v, str) else (v or []):
            if not _ID.match(ident):
                raise ValueError(f"an organisation id is lowercase letters, digits, '-': {ident!r}")
        return v

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> str | None:
        return partial_date(v)

    @model_validator(mode="after")
    def _check_period(self) -> Practice:
        if self.start and self.end and _earliest(self.end) < _earliest(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        for c in self.cities:
            if self.countries and c.geo not in self.countries:
                raise ValueError(f"city {c.name} is in {c.geo}, which is not among the countries")
        return self

    def completeness(self) -> list[tuple[str, str]]:
        """Return ``(field, problem)`` for what a published record lacks."""
        out = []
        for name in ("summary", "context", "objectives", "activities", "evaluation"):
            if not getattr(self, name):
                out.append((name, "must not be empty"))
        for name in ("countries", "themes", "sources"):
            if not getattr(self, name):
                out.append((name, "needs at least one entry"))
        if self.start is None:
            out.append(("start", "a published practice needs its start date or year"))
        if self.checked is None:
            out.append(("checked", "the date the sources were read is required"))
        return out

    def texts(self) -> dict[str, dict[str, str]]:
        """Return ``{language: {field: text}}``: English and each translation."""
        out = {"en": {f: getattr(self, f) or "" for f in TRANSLATABLE_FIELDS}}
        for lang, tr in self.translations.items():
            out[lang] = {f: getattr(tr, f) for f in TRANSLATABLE_FIELDS if getattr(tr, f)}
        return out


def _earliest(partial: str) -> dt.date:
    parts = [int(p) for p in partial.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


OrganisationType = Literal[
    "public_authority", "ngo", "migrant_organisation", "employer", "social_partner",
    "research", "international", "network",
]  # fmt: skip


class Organisation(_Strict):
    """An organisation practices name as implementing organisation or partner."""

    id: str
    name: str = Field(min_length=1)
    type: str
    countries: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    website: str | None = None
    sources: list[Source] = Field(min_length=1)
    checked: dt.date

    _check_id = field_validator("id")(classmethod(lambda cls, v: Practice._check_id(v)))

    @field_validator("type")
    @classmethod
    def _check_type(cls, v: str, info: ValidationInfo) -> str:
        _check_codes([v], _context(info)["taxonomy"].codes("organisation_types"), "type")
        return v

    @field_validator("countries")
    @classmethod
    def _check_countries(cls, v: list[str]) -> list[str]:
        _check_codes(v, COUNTRIES, "country")
        return _unique(v, "country")

    _check_themes: Any = field_validator("themes")(classmethod(_list_codes("themes", "theme")))

    @field_validator("website")
    @classmethod
    def _check_site(cls, v: str | None) -> str | None:
        return None if v is None else _url(v)


class ProfileSection(_Strict):
    """One section of a country governance profile, with its sources and review date."""

    text: str = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date
    mandatory: bool | None = None
    hours: float | None = None

    _markdown = field_validator("text")(classmethod(lambda cls, v: markdown_text(v)))

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, v: float | None) -> float | None:
        if v is not None and (not math.isfinite(v) or v <= 0):
            raise ValueError(f"hours is a finite positive number, got {v!r}")
        return v


class ProfileSections(_Strict):
    """The sections of a profile: context and strategy required, the others optional."""

    migration_context: ProfileSection
    strategy: ProfileSection
    programmes: ProfileSection | None = None
    legal_framework: ProfileSection | None = None
    stakeholders: ProfileSection | None = None
    evaluation: ProfileSection | None = None
    funding: ProfileSection | None = None

    @model_validator(mode="after")
    def _only_programmes_have_hours(self) -> ProfileSections:
        for name in ("migration_context", "strategy", "legal_framework", "stakeholders",
                     "evaluation", "funding"):  # fmt: skip
            sec = getattr(self, name)
            if sec is not None and (sec.mandatory is not None or sec.hours is not None):
                raise ValueError(f"{name}: mandatory and hours belong to the programmes section")
        return self

    def present(self) -> dict[str, ProfileSection]:
        """Return the sections that are written, in the format's order."""
        return {
            name: sec
            for name in type(self).model_fields
            if (sec := getattr(self, name)) is not None
        }


class CountryProfile(_Strict):
    """A country governance profile as of a date (``countries/<GEO>.yaml``)."""

    geo: str
    name: str = Field(min_length=1)
    as_of: dt.date
    sections: ProfileSections

    @field_validator("geo")
    @classmethod
    def _check_geo(cls, v: str) -> str:
        _check_codes([v], COUNTRIES, "country")
        return v


def as_dict(record: BaseModel) -> dict[str, Any]:
    """Return a record as plain JSON-compatible data, empty optional values left out."""
    data: dict[str, Any] = record.model_dump(mode="json", exclude_none=True)
    return data


def field_problems(exc: Any, where: str) -> list[str]:
    """Return one line per error of a pydantic ``ValidationError``: where, field, why."""
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ())) or "(record)"
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        given = e.get("input")
        shown = "" if isinstance(given, Mapping | list) or given is None else f" (given {given!r})"
        if e.get("type") == "extra_forbidden":
            msg = "unknown field; see the content format for the valid fields"
        out.append(f"{where}, field {loc}: {msg}{shown}")
    return out
