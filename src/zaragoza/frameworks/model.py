"""Local policy benchmarks as data: dimensions → standards → questions → answer options.

One model serves every framework the project runs: qualitative peer-review benchmarks
(INTI-Cities, DIVE: standards and questions, no scores), weighted questionnaires in the
spirit of the Council of Europe's Intercultural Cities Index, and hierarchically averaged
policy indices such as MIPEX (answer options scored 0, 50 or 100; unweighted means at
every level). The models are strict: an unknown field, a scored question without answer
options, an id used twice, a weight that the level's aggregation would ignore, bands out
of order are each an error (:func:`zaragoza.frameworks.loading.load_framework` turns them
into a :class:`~zaragoza.errors.CatalogError` naming the file and the field path).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from zaragoza.errors import CatalogError

__all__ = [
    "LEVELS",
    "Aggregation",
    "Band",
    "Dimension",
    "Framework",
    "NumberScale",
    "Option",
    "Question",
    "QuestionType",
    "Source",
    "Standard",
]

QuestionType = Literal["single", "multiple", "number", "yes_no", "text"]
#: ``mean``: unweighted mean of the children that have a score (MIPEX); ``weighted``:
#: weighted arithmetic mean (the ICC index); ``geometric``: weighted geometric mean;
#: ``qualitative``: no scores at all (INTI-Cities and DIVE peer review).
Aggregation = Literal["mean", "weighted", "qualitative", "geometric"]
Level = Literal["standard", "dimension", "overall"]
#: The levels that aggregate, from the bottom up.
LEVELS: tuple[Level, ...] = ("standard", "dimension", "overall")

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Text = Annotated[str, Field(min_length=1)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """An answer option; ``score`` 0-100 in scored frameworks.

    In a scored framework an option without a score is a "not applicable" answer: the
    question counts as answered but stays out of the means. In a qualitative framework
    no option carries a score.
    """

    id: Id
    label: Text
    score: Score | None = None


class NumberScale(_Strict):
    """A number answer scored linearly: ``min`` → 0, ``max`` → 100, clamped outside."""

    min: Annotated[float, Field(allow_inf_nan=False)]
    max: Annotated[float, Field(allow_inf_nan=False)]
    unit: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NumberScale:
        if not self.max > self.min:
            raise ValueError(f"number.max ({self.max:g}) must be above number.min ({self.min:g})")
        return self


class Question(_Strict):
    """One question; ``core`` marks it comparable across versions of the framework."""

    id: Id
    text: Text
    type: QuestionType
    options: list[Option] = Field(default_factory=list)
    weight: Weight = 1.0
    core: bool = False
    #: the answer is to come with evidence (documents, links, a description)
    evidence: bool = False
    number: NumberScale | None = None
    help: str | None = None

    @property
    def scored(self) -> bool:
        """Whether answers to this question get a score (the framework's checks make
        options carry scores only in scored frameworks)."""
        if self.type == "text":
            return False
        if self.type == "number":
            return self.number is not None
        return any(o.score is not None for o in self.options)

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)


class Standard(_Strict):
    """A standard (a benchmark statement, or an index's dimension) and its questions."""

    id: Id
    title: Text
    weight: Weight = 1.0
    questions: Annotated[list[Question], Field(min_length=1)]
    description: str | None = None


class Dimension(_Strict):
    """A dimension (a benchmark, a municipal role, an index's area) and its standards."""

    id: Id
    title: Text
    weight: Weight = 1.0
    standards: Annotated[list[Standard], Field(min_length=1)]
    description: str | None = None


class Band(_Strict):
    """A verbal band: a score ``s`` gets the band with the largest ``min <= s``."""

    min: Score
    label: Text


class Source(_Strict):
    """A public description the framework is rendered from."""

    title: Text
    url: str | None = None
    note: str | None = None


class Framework(_Strict):
    """A versioned framework: its rendering note, sources, rules and dimensions."""

    id: Id
    version: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    title: Text
    kind: Literal["city", "region", "country"] = "city"
    #: whose text this is, e.g. "The project's rendering of the public description …;
    #: not the official questionnaire"
    rendering: Text
    sources: Annotated[list[Source], Field(min_length=1)]
    aggregation: dict[Level, Aggregation]
    bands: list[Band] = Field(default_factory=list)
    languages: Annotated[list[str], Field(min_length=1)] = Field(default_factory=lambda: ["en"])
    #: language → {node id, or ``question_id:option_id``: translated title / text / label}
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)
    description: str | None = None
    dimensions: Annotated[list[Dimension], Field(min_length=1)]

    _index: dict[str, tuple[Dimension, Standard, Question]] = PrivateAttr(default_factory=dict)
    _texts: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # YAML reads `version: 2` as a number; a version is a label, kept as text. A
        # decimal is refused: YAML has already turned 1.10 into 1.1 (two versions as one)
        if isinstance(value, float):
            raise ValueError(
                f"version {value!r} was read as a number, which loses digits (1.10 is 1.1); "
                'quote it, e.g. version: "1.10"'
            )
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("aggregation", mode="before")
    @classmethod
    def _one_rule_for_all(cls, value: Any) -> Any:
        if isinstance(value, str):
            return dict.fromkeys(LEVELS, value)
        if isinstance(value, dict):
            missing = [lv for lv in LEVELS if lv not in value]
            if missing:
                raise ValueError(
                    f"aggregation lacks level(s) {', '.join(missing)}: give all of "
                    "standard, dimension and overall, or one rule for all"
                )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        problem = next(iter(_problems(self)), None)
        if problem is not None:
            # the field path travels in the error's context (the loader reports it)
            raise PydanticCustomError(
                "framework_rule", "{path}: {problem}", {"path": problem[0], "problem": problem[1]}
            )
        self._index = {q.id: (d, s, q) for d in self.dimensions for s in d.standards
                       for q in s.questions}  # fmt: skip
        self._texts = _own_texts(self)
        return self

    @property
    def key(self) -> str:
        """``id@version``, the framework's key."""
        return f"{self.id}@{self.version}"

    @property
    def qualitative(self) -> bool:
        """True if no level is scored (peer-review benchmarks)."""
        return all(self.aggregation[lv] == "qualitative" for lv in LEVELS)

    def questions(self) -> list[tuple[Dimension, Standard, Question]]:
        """Every question with its dimension and standard, in framework order."""
        return [(d, s, q) for d in self.dimensions for s in d.standards for q in s.questions]

    def question(self, question_id: str) -> Question:
        """The question with this id; CatalogError naming it if there is none."""
        found = self._index.get(question_id)
        if found is None:
            raise CatalogError(
                f"framework {self.key} has no question {question_id!r}",
                value=question_id,
                hint=f"Questions: {_some(self._index)}",
            )
        return found[2]

    def core_questions(self) -> list[Question]:
        """The questions marked ``core`` (comparable across versions), in order."""
        return [q for _, _, q in self.questions() if q.core]

    def band(self, score: float | None) -> str | None:
        """The verbal band of a score (None without bands or without a score)."""
        if score is None or not self.bands:
            return None
        label = None
        for b in self.bands:  # the bands are in increasing order of min
            if b.min <= score:
                label = b.label
        return label

    def text(self, node_id: str, language: str = "en") -> str:
        """The title (dimension, standard), text (question) or label (``q:option``) in a
        language, falling back to the framework's own text."""
        translated = self.translations.get(language, {}).get(node_id)
        if translated:
            return translated
        if node_id not in self._texts:
            raise CatalogError(
                f"framework {self.key} has no dimension, standard, question or option {node_id!r}",
                value=node_id,
            )
        return self._texts[node_id]


def _some(ids: Any, limit: int = 10) -> str:
    names = list(ids)
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")


def _own_texts(fw: Framework) -> dict[str, str]:
    texts: dict[str, str] = {}
    for d in fw.dimensions:
        texts[d.id] = d.title
        for s in d.standards:
            texts[s.id] = s.title
            for q in s.questions:
                texts[q.id] = q.text
                for o in q.options:
                    texts[f"{q.id}:{o.id}"] = o.label
    return texts


def _problems(fw: Framework) -> Iterator[tuple[str, str]]:
    """Yield ``(field path, what is wrong)`` for every rule the types cannot express."""
    agg = fw.aggregation
    rules = set(agg.values())
    qualitative = rules == {"qualitative"}
    if "qualitative" in rules and not qualitative:
        yield (
            "aggregation",
            (
                "a framework is qualitative at every level or at none "
                f"(got {', '.join(f'{k}={v}' for k, v in agg.items())})"
            ),
        )
        return
    seen: dict[str, str] = {}

    def unique(node: str, path: str) -> Iterator[tuple[str, str]]:
        if node in seen:
            yield f"{path}.id", f"id {node!r} is used twice (first at {seen[node]})"
        else:
            seen[node] = path

    def weight_used(level: Level, weight: float, path: str) -> Iterator[tuple[str, str]]:
        # a weight under an unweighted rule would be silently ignored: refuse it
        if weight != 1.0 and agg[level] in ("mean", "qualitative"):
            yield (
                f"{path}.weight",
                (
                    f"weight {weight:g} has no effect: aggregation at level {level!r} is "
                    f"{agg[level]!r}; use 'weighted' or 'geometric' there, or drop the weight"
                ),
            )

    for i, d in enumerate(fw.dimensions):
        dp = f"dimensions[{i}]"
        yield from unique(d.id, dp)
        yield from weight_used("overall", d.weight, dp)
        for j, s in enumerate(d.standards):
            sp = f"{dp}.standards[{j}]"
            yield from unique(s.id, sp)
            yield from weight_used("dimension", s.weight, sp)
            for k, q in enumerate(s.questions):
                qp = f"{sp}.questions[{k}]"
                yield from unique(q.id, qp)
                yield from weight_used("standard", q.weight, qp)
                for field, msg in _question_problems(q, qualitative):
                    yield f"{qp}.{field}", f"question {q.id!r}: {msg}"
    yield from _band_problems(fw, qualitative)
    yield from _translation_problems(fw)


def _question_problems(q: Question, qualitative: bool) -> Iterator[tuple[str, str]]:
    choice = q.type in ("single", "multiple", "yes_no")
    ids = [o.id for o in q.options]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        yield "options", f"option id {dup[0]!r} is used twice"
    if not choice and q.options:
        yield "options", f"a {q.type} question has no answer options; remove them"
    if q.type != "number" and q.number is not None:
        yield "number", f"only a number question has a number scale (this one is {q.type})"
    if q.type == "yes_no" and q.options and set(ids) != {"yes", "no"}:
        yield "options", f"a yes_no question has exactly the options yes and no (got {ids})"
    if qualitative:
        scored = [o.id for o in q.options if o.score is not None]
        if scored:
            yield (
                f"options[{ids.index(scored[0])}].score",
                (
                    "a qualitative framework has no scores; remove the score or make the "
                    "aggregation scored"
                ),
            )
        if q.number is not None:
            yield "number", "a qualitative framework has no number scales; remove it"
        if q.type in ("single", "multiple") and not q.options:
            yield "options", f"a {q.type} choice question needs answer options"
        return
    if choice and not q.options:
        yield "options", "a scored question needs answer options (each with a score)"
    elif choice and all(o.score is None for o in q.options):
        yield "options", "a scored question needs a score on its answer options"
    if q.type == "number" and q.number is None:
        yield "number", "a scored number question needs a number scale (min, max)"


def _band_problems(fw: Framework, qualitative: bool) -> Iterator[tuple[str, str]]:
    if not fw.bands:
        return
    if qualitative:
        yield "bands", "a qualitative framework has no scores to put in bands; remove them"
        return
    if fw.bands[0].min != 0:
        yield (
            "bands[0].min",
            (f"the lowest band starts at 0 so that every score has one (got {fw.bands[0].min:g})"),
        )
    for i in range(1, len(fw.bands)):
        if not fw.bands[i].min > fw.bands[i - 1].min:
            yield (
                f"bands[{i}].min",
                (
                    f"bands go in increasing order of min ({fw.bands[i].min:g} follows "
                    f"{fw.bands[i - 1].min:g})"
                ),
            )
    labels = [b.label for b in fw.bands]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        yield "bands", f"band label {dup[0]!r} is used twice"


def _translation_problems(fw: Framework) -> Iterator[tuple[str, str]]:
    known = _own_texts(fw)
    for lang, texts in fw.translations.items():
        if lang not in fw.languages:
            yield (
                f"translations.{lang}",
                (f"language {lang!r} is not in languages ({', '.join(fw.languages)})"),
            )
            continue
        for node, value in texts.items():
            if node not in known:
                yield (
                    f"translations.{lang}.{node}",
                    ("no dimension, standard, question or question:option has this id"),
                )
            elif not value.strip():
                yield f"translations.{lang}.{node}", "a translation cannot be empty"
