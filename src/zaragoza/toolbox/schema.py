"""The toolbox's records, validated strictly (pydantic): modules, components, measure cards.

The content format is ``docs/toolbox.md`` (agreed with the content's authors): a module
holds components, a component holds measure cards. Codes are shared with the rest of the
system and checked against them in the validation context (:func:`toolbox_context`):
themes, target groups, levels, funds and evidence levels are the knowledge base's
taxonomy; indicator ids are the catalogue's; practice ids are the knowledge base's; the
values of preconditions are the toolbox's own context vocabulary (``toolbox.yaml``).
An unknown field is an error, every URL is ``http(s)``, text is Markdown without HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from zaragoza.knowledge.schema import markdown_text
from zaragoza.knowledge.taxonomy import Taxonomy

__all__ = [
    "CEFR_LEVELS",
    "COST_CLASSES",
    "MIGRANT_GROUPS",
    "PRECONDITION_KINDS",
    "TEXT_LANGUAGES",
    "Component",
    "ContextVocabulary",
    "Measure",
    "Module",
    "Precondition",
    "ScoreSettings",
    "Settings",
    "Weights",
    "toolbox_context",
]

#: The languages of texts: English required, French and German for titles and summaries.
TEXT_LANGUAGES = ("en", "fr", "de")
#: Common European Framework of Reference for Languages (Council of Europe, 2001/2020).
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
COST_CLASSES = ("low", "medium", "high")
#: The main migrant groups an authority names (residence permits by reason, Eurostat
#: ``migr_resfirst``: remunerated activities, family reasons, refugee status and
#: subsidiary protection, education reasons).
MIGRANT_GROUPS = ("labour", "family", "international_protection", "students")
#: Kinds of precondition and the context vocabulary list each one's value comes from.
PRECONDITION_KINDS = {
    "competence": "competences",
    "min_size": "size_classes",
    "partner": "partners",
    "legal_frame": "legal_frames",
    "resource": "resources",
}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _ctx(info: ValidationInfo) -> dict[str, Any]:
    ctx = info.context
    if not isinstance(ctx, dict) or "taxonomy" not in ctx:
        raise ValueError("toolbox records are validated with toolbox_context()")
    return ctx


def _codes(values: Iterable[str], valid: Iterable[str], what: str) -> None:
    allowed = tuple(valid)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(
            f"unknown {what} {', '.join(repr(b) for b in bad)}; valid: {', '.join(allowed)}"
        )


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what} {v!r} is given twice")
        seen.add(v)
    return values


def _text_map(value: Any, *, full: bool) -> dict[str, str]:
    if isinstance(value, str):
        raise ValueError(
            "expected a map of languages ({en: ..., fr: ..., de: ...}), got a plain text"
        )
    if not isinstance(value, dict):
        raise ValueError("expected a map of languages ({en: ..., fr: ..., de: ...})")
    _codes(value, TEXT_LANGUAGES, "language")
    needed = TEXT_LANGUAGES if full else ("en",)
    missing = [lang for lang in needed if not str(value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"the text in {', '.join(missing)} is required")
    out = {}
    for lang, text in value.items():
        if not isinstance(text, str):
            raise ValueError(f"the {lang} text must be a string")
        out[lang] = markdown_text(text)
    return out


def _full(v: Any) -> dict[str, str]:
    return _text_map(v, full=True)


def _en(v: Any) -> dict[str, str]:
    return _text_map(v, full=False)


#: A title or summary: English, French and German. Other texts: English at least.
FullText = Annotated[dict[str, str], Field()]
Text = Annotated[dict[str, str], Field()]


class Source(_Strict):
    """A public document the card was written from."""

    title: str = Field(min_length=1)
    publisher: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not _URL.match(v):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v


class Evaluation(Source):
    """An evaluation behind a measure, with its evidence level (taxonomy ``evidence``)."""

    level: str

    @field_validator("level")
    @classmethod
    def _level(cls, v: str, info: ValidationInfo) -> str:
        _codes([v], _ctx(info)["taxonomy"].codes("evidence"), "evidence level")
        return v


class Precondition(_Strict):
    """What must hold for an authority to run the measure.

    ``hard``: the measure is excluded when the context says it does not hold; otherwise
    an unmet precondition lowers the measure's fit to the context.
    """

    kind: str
    value: str
    hard: bool = False
    text: Text

    _text = field_validator("text", mode="before")(classmethod(lambda cls, v: _en(v)))

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        _codes([v], PRECONDITION_KINDS, "precondition kind")
        return v

    @model_validator(mode="after")
    def _value(self, info: ValidationInfo) -> Precondition:
        vocab: ContextVocabulary = _ctx(info)["vocabulary"]
        name = PRECONDITION_KINDS[self.kind]
        valid = getattr(vocab, name)
        if self.value not in valid:
            raise ValueError(
                f"value: unknown {self.kind} {self.value!r}; valid (toolbox.yaml, "
                f"context.{name}): {', '.join(valid)}"
            )
        return self


class Cost(_Strict):
    """The cost class of running the measure and what drives it."""

    class_: str = Field(alias="class")
    drivers: Text | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("class_")
    @classmethod
    def _class(cls, v: str) -> str:
        _codes([v], COST_CLASSES, "cost class")
        return v

    @field_validator("drivers", mode="before")
    @classmethod
    def _drivers(cls, v: Any) -> Any:
        return None if v is None else _en(v)


class Cefr(_Strict):
    """The CEFR levels a language measure takes learners from and to."""

    from_: str = Field(alias="from")
    to: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("from_", "to")
    @classmethod
    def _level(cls, v: str) -> str:
        _codes([v], CEFR_LEVELS, "CEFR level")
        return v

    @model_validator(mode="after")
    def _order(self) -> Cefr:
        if CEFR_LEVELS.index(self.to) < CEFR_LEVELS.index(self.from_):
            raise ValueError(f"to: {self.to} is below from: {self.from_}")
        return self


class TargetIndicator(_Strict):
    """A catalogue indicator the measure aims to move, and which way."""

    id: str
    direction: Literal["increase", "decrease"]

    @field_validator("id")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        _codes([v], sorted(_ctx(info)["indicators"]), "indicator")
        return v


class Evidence(_Strict):
    """The practices of the knowledge base that implement the measure, and evaluations."""

    practices: list[str] = Field(default_factory=list)
    evaluations: list[Evaluation] = Field(default_factory=list)

    @field_validator("practices")
    @classmethod
    def _known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        known = _ctx(info)["practices"]
        bad = [p for p in v if p not in known]
        if bad:
            raise ValueError(
                f"unknown practice {', '.join(repr(b) for b in bad)}: not in the knowledge "
                "base (src/zaragoza/knowledge/content/practices/<id>.yaml)"
            )
        return _unique(v, "practice")


class Measure(_Strict):
    """A measure card (see the module docstring and ``docs/toolbox.md``)."""

    id: str = Field(min_length=3, max_length=64)
    title: FullText
    summary: FullText
    purpose: Text
    themes: list[str] = Field(min_length=1)
    target_groups: list[str] = Field(min_length=1)
    levels: list[str] = Field(min_length=1)
    migrant_groups: list[str] = Field(default_factory=list)
    preconditions: list[Precondition] = Field(default_factory=list)
    implementation: list[Text] = Field(min_length=1)
    follow_up: Text
    cost: Cost
    cefr: Cefr | None = None
    indicators: list[TargetIndicator] = Field(min_length=1)
    funds: list[str] = Field(default_factory=list)
    evidence: Evidence = Field(default_factory=Evidence)
    sources: list[Source] = Field(min_length=1)

    _full = field_validator("title", "summary", mode="before")(classmethod(lambda cls, v: _full(v)))
    _en = field_validator("purpose", "follow_up", mode="before")(classmethod(lambda cls, v: _en(v)))

    @field_validator("implementation", mode="before")
    @classmethod
    def _steps(cls, v: Any) -> Any:
        if not isinstance(v, list):
            raise ValueError("expected a list of steps, each a map of languages")
        return [_en(step) for step in v]

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v) or not v[0].isalpha():
            raise ValueError(f"an id is kebab-case, starting with a letter: {v!r}")
        return v

    @field_validator("themes")
    @classmethod
    def _themes(cls, v: list[str], info: ValidationInfo) -> list[str]:
        _codes(v, _ctx(info)["taxonomy"].codes("themes"), "theme")
        return _unique(v, "theme")

    @field_validator("target_groups")
    @classmethod
    def _groups(cls, v: list[str], info: ValidationInfo) -> list[str]:
        _codes(v, _ctx(info)["taxonomy"].codes("target_groups"), "target group")
        return _unique(v, "target group")

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[str]) -> list[str]:
        from zaragoza.toolbox.context import LEVELS

        _codes(v, LEVELS, "level")
        return _unique(v, "level")

    @field_validator("migrant_groups")
    @classmethod
    def _migrant_groups(cls, v: list[str]) -> list[str]:
        _codes(v, MIGRANT_GROUPS, "migrant group")
        return _unique(v, "migrant group")

    @field_validator("funds")
    @classmethod
    def _funds(cls, v: list[str], info: ValidationInfo) -> list[str]:
        _codes(v, _ctx(info)["taxonomy"].codes("funding"), "fund")
        return _unique(v, "fund")

    @model_validator(mode="after")
    def _indicators_once(self) -> Measure:
        _unique([i.id for i in self.indicators], "indicator")
        return self

    def text(self, field: str, language: str) -> str:
        """Return a text field in ``language``, English when it is not translated."""
        value: Any = getattr(self, field)
        return str(value.get(language) or value["en"])


class Component(_Strict):
    """A component of a module: a group of measures with one aim."""

    id: str = Field(min_length=3, max_length=64)
    title: FullText
    summary: FullText
    measures: list[Measure] = Field(min_length=1)

    _full = field_validator("title", "summary", mode="before")(classmethod(lambda cls, v: _full(v)))
    _id = field_validator("id")(classmethod(lambda cls, v: Measure._id(v)))


class Module(_Strict):
    """A European module (one file ``modules/<id>.yaml``)."""

    id: str = Field(min_length=3, max_length=64)
    version: int = Field(ge=1)
    title: FullText
    summary: FullText
    agenda_reference: Text | None = None
    sources: list[Source] = Field(min_length=1)
    checked: dt.date
    components: list[Component] = Field(min_length=1)

    _full = field_validator("title", "summary", mode="before")(classmethod(lambda cls, v: _full(v)))
    _id = field_validator("id")(classmethod(lambda cls, v: Measure._id(v)))

    @field_validator("agenda_reference", mode="before")
    @classmethod
    def _ref(cls, v: Any) -> Any:
        return None if v is None else _en(v)


class ContextVocabulary(_Strict):
    """The codes an authority's context uses (``toolbox.yaml``, ``context``)."""

    size_classes: list[str] = Field(min_length=1)
    competences: list[str] = Field(min_length=1)
    partners: list[str] = Field(min_length=1)
    resources: list[str] = Field(min_length=1)
    legal_frames: list[str] = Field(default_factory=list)

    @field_validator("size_classes", "competences", "partners", "resources", "legal_frames")
    @classmethod
    def _code_list(cls, v: list[str]) -> list[str]:
        for code in v:
            if not _CODE.match(code):
                raise ValueError(f"a code is lowercase letters, digits and '_': {code!r}")
        return _unique(v, "code")


class Weights(_Strict):
    """The score's weights: the authority's gaps, the fit to its context, the evidence.

    Relative: they need not sum to 1 (the score divides by their sum); at least one is
    positive.
    """

    gap: float = Field(ge=0, le=100)
    fit: float = Field(ge=0, le=100)
    evidence: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _positive(self) -> Weights:
        if self.gap + self.fit + self.evidence <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.gap, self.fit, self.evidence)


class ScoreSettings(_Strict):
    """The constants of the score, as data (``toolbox.yaml``, optional ``scoring``).

    ``full_gap_pp``: an unfavourable gap of this many percentage points (or, for an
    indicator not in percent, this many percent of the nationals' value) counts fully;
    smaller gaps count in proportion. The factors weigh a gap down: not significant at
    95% (``|z| < 1.96``), without a standard error (published cells: significance
    unknown), flagged ``u`` (low reliability). ``evidence_levels`` score each evidence
    level; ``evidence_count_full`` practices and evaluations together make the count
    part of the evidence full.
    """

    full_gap_pp: float = Field(default=15.0, gt=0)
    not_significant: float = Field(default=0.5, ge=0, le=1)
    no_se: float = Field(default=0.75, ge=0, le=1)
    unreliable: float = Field(default=0.5, ge=0, le=1)
    evidence_levels: dict[str, float] = Field(
        default_factory=lambda: {
            "none": 0.0,
            "monitoring": 0.34,
            "external_evaluation": 0.67,
            "quasi_experimental": 1.0,
        }
    )
    evidence_count_full: int = Field(default=4, ge=1)
    sensitivity_factors: list[float] = Field(default_factory=lambda: [0.5, 1.0, 2.0])
    top: int = Field(default=5, ge=1)

    @field_validator("sensitivity_factors")
    @classmethod
    def _factors(cls, v: list[float]) -> list[float]:
        if not v or any(not (f > 0) for f in v):
            raise ValueError("sensitivity_factors are positive numbers")
        return v


class Settings(_Strict):
    """``toolbox.yaml``: version, default weights, the context vocabulary, scoring."""

    version: int = Field(ge=1)
    weights: Weights
    context: ContextVocabulary
    scoring: ScoreSettings = Field(default_factory=ScoreSettings)

    @model_validator(mode="after")
    def _levels_scored(self, info: ValidationInfo) -> Settings:
        taxonomy: Taxonomy | None = (info.context or {}).get("taxonomy")
        if taxonomy is not None:
            _codes(self.scoring.evidence_levels, taxonomy.codes("evidence"), "evidence level")
            missing = [
                c for c in taxonomy.codes("evidence") if c not in self.scoring.evidence_levels
            ]
            if missing:
                raise ValueError(f"scoring.evidence_levels lacks {', '.join(missing)}")
        return self


def toolbox_context(
    taxonomy: Taxonomy,
    indicators: Iterable[str],
    practices: Iterable[str],
    vocabulary: ContextVocabulary,
) -> dict[str, Any]:
    """Return the context the records validate their codes against."""
    return {
        "taxonomy": taxonomy,
        "indicators": frozenset(indicators),
        "practices": frozenset(practices),
        "vocabulary": vocabulary,
    }
