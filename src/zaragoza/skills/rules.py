"""Next steps suggested by rules kept as data (``content/rules.yaml``).

A rule names a next step (:data:`STEPS`) and the conditions under which it is
suggested; every condition must hold. Conditions are a closed vocabulary
(:data:`CONDITIONS`), each a plain function of the profile, so that a rule file says
what it means and nothing else can run: an unknown condition, step or a value of the
wrong kind is a :class:`~zaragoza.errors.ContentError` naming the file, the rule and the
field. The rules only *suggest*: the counsellor decides (the EU Skills Profile Tool is
explicitly not a recognition tool).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ContentError
from zaragoza.skills.classifications import CEFR_LEVELS, cefr_rank, occupation
from zaragoza.skills.profile import RECOGNITION_STATUSES, Profile

__all__ = [
    "CONDITIONS",
    "STEPS",
    "NextStep",
    "Rule",
    "RuleSet",
    "When",
    "check_measures",
    "load_rules",
    "next_steps",
]

#: The next steps a rule may suggest (after the EU Skills Profile Tool's guidance).
STEPS = (
    "recognition",
    "language_course",
    "bridging_course",
    "validation",
    "job_search",
    "business_start_up",
    "over_qualification_risk",
)


def _highest_min(p: Profile, level: int) -> bool:
    top = p.highest_isced()
    return top is not None and top >= level


def _highest_max(p: Profile, level: int) -> bool:
    # no education recorded counts as none completed: the counsellor asked and got none
    top = p.highest_isced()
    return top is None or top <= level


def _wished_major_in(p: Profile, groups: list[int]) -> bool:
    return any(occupation(u).isco_major in groups for u in p.expectations.wished_occupations)


def _current_major_in(p: Profile, groups: list[int]) -> bool:
    job = p.current_work()
    return job is not None and job.isco_major in groups


def _no_recognised_tertiary(p: Profile, wanted: bool) -> bool:
    tertiary = p.tertiary()
    none = bool(tertiary) and not any(
        e.recognition in ("recognised", "partial", "not_needed") for e in tertiary
    )
    return none is wanted


def _tertiary_recognition_in(p: Profile, statuses: list[str]) -> bool:
    return any(e.recognition in statuses for e in p.tertiary())


def _host_below(p: Profile, level: str) -> bool:
    # not knowing the host language at all is below every level
    found = p.host_language_level()
    return found is None or cefr_rank(found) < cefr_rank(level)


def _host_min(p: Profile, level: str) -> bool:
    found = p.host_language_level()
    return found is not None and cefr_rank(found) >= cefr_rank(level)


def _has_work(p: Profile, wanted: bool) -> bool:
    return bool(p.work) is wanted


def _employed(p: Profile, wanted: bool) -> bool:
    return (p.current_work() is not None) is wanted


def _wishes(p: Profile, wishes: list[str]) -> bool:
    have = {
        "start_business": p.expectations.wish_to_start_business,
        "study": p.expectations.wish_to_study,
    }
    return all(have[w] for w in wishes)


_Major = Annotated[int, Field(ge=0, le=9)]
_Cefr = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
_Isced = Annotated[int, Field(ge=0, le=8)]
assert CEFR_LEVELS == ("A1", "A2", "B1", "B2", "C1", "C2")


class When(BaseModel):
    """The conditions of a rule (each left out does not apply; every one set must hold)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    highest_isced_min: _Isced | None = None
    highest_isced_max: _Isced | None = None
    wished_isco_major_in: list[_Major] | None = None
    current_isco_major_in: list[_Major] | None = None
    no_recognised_tertiary: bool | None = None
    tertiary_recognition_in: list[Literal[RECOGNITION_STATUSES]] | None = None  # type: ignore[valid-type]
    host_language_below: _Cefr | None = None
    host_language_min: _Cefr | None = None
    has_work_experience: bool | None = None
    employed: bool | None = None
    wishes: list[Literal["start_business", "study"]] | None = None


#: Condition name -> its test of a profile (the names are the fields of :class:`When`).
CONDITIONS: dict[str, Callable[[Profile, Any], bool]] = {
    "highest_isced_min": _highest_min,
    "highest_isced_max": _highest_max,
    "wished_isco_major_in": _wished_major_in,
    "current_isco_major_in": _current_major_in,
    "no_recognised_tertiary": _no_recognised_tertiary,
    "tertiary_recognition_in": _tertiary_recognition_in,
    "host_language_below": _host_below,
    "host_language_min": _host_min,
    "has_work_experience": _has_work,
    "employed": _employed,
    "wishes": _wishes,
}
assert set(CONDITIONS) == set(When.model_fields)

_Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class _Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: _Text
    fr: _Text
    de: _Text
    ar: _Text
    uk: _Text


class Rule(BaseModel):
    """One rule: the step it suggests, when, why (en/fr/de/ar/uk), toolbox measures, sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    step: Literal[STEPS]  # type: ignore[valid-type]
    when: When
    reason: _Texts
    measures: tuple[str, ...] = ()
    sources: Annotated[tuple[_Text, ...], Field(min_length=1)]

    def conditions(self) -> dict[str, Any]:
        """The conditions the rule sets (those left out do not apply)."""
        return {k: v for k, v in self.when.model_dump().items() if v is not None}

    def applies(self, profile: Profile) -> bool:
        conditions = self.conditions()
        return bool(conditions) and all(
            CONDITIONS[name](profile, value) for name, value in conditions.items()
        )


class RuleSet(BaseModel):
    """A rule file: version, date checked, rules with unique ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    checked: dt.date
    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]


@dataclass(frozen=True)
class NextStep:
    """A suggested next step: which, the rule that suggests it, why, toolbox measures."""

    step: str
    rule: str
    reason: dict[str, str]
    measures: tuple[str, ...]
    language_level: str | None = None


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Read and check a rule file (the bundled one when ``path`` is None)."""
    if path is None:
        origin = "zaragoza/skills/content/rules.yaml"
        text = (
            resources.files("zaragoza.skills").joinpath("content", "rules.yaml").read_text("utf-8")
        )
    else:
        origin = str(path)
        text = Path(path).read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{origin} is not YAML", [str(exc)]) from None
    try:
        rules = RuleSet.model_validate(data)
    except PydanticValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = ""
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
                raw = (data.get("rules") or [])[loc[1]] if isinstance(data, dict) else {}
                rule_id = raw.get("id") if isinstance(raw, dict) else None
                where = f"rule {rule_id!r} (rules[{loc[1]}]), "
                loc = loc[2:]
            field = ".".join(str(p) for p in loc) or "(file)"
            problems.append(f"{origin}, {where}field {field}: {err['msg']}")
        raise ContentError(f"{origin} breaks the rule schema", problems) from None
    ids = [r.id for r in rules.rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ContentError(f"{origin}: rule ids repeat", [f"rule {i!r}" for i in repeated])
    return rules


def check_measures(rules: RuleSet, measure_ids: Iterable[str]) -> list[str]:
    """Problems with measure ids the rules name but the toolbox does not hold."""
    known = set(measure_ids)
    return [
        f"rule {r.id!r}: unknown toolbox measure {m!r}"
        for r in rules.rules
        for m in r.measures
        if m not in known
    ]


def _course_level(profile: Profile) -> str:
    """The level a host-language course starts at: the lowest skill's level, A1 if none."""
    return profile.host_language_level() or "A1"


def next_steps(profile: Profile, rules: RuleSet | None = None) -> list[NextStep]:
    """The next steps the rules suggest for ``profile``, in the rule file's order."""
    rules = rules or load_rules()
    out = []
    for rule in rules.rules:
        if rule.applies(profile):
            # a course at the person's level when the rule is about the host language
            level = _course_level(profile) if "host_language_below" in rule.conditions() else None
            out.append(NextStep(rule.step, rule.id, rule.reason.model_dump(), rule.measures, level))
    return out
