"""An authority's context: who it is, where, and what it has to work with.

Entered in the portal's form, written in a YAML or JSON file, or given as URL query
parameters; :meth:`AuthorityContext.to_query` writes it back into query parameters so
that a selection is shareable by its URL and :func:`context_from_query` reads it again.

The lists (``migrant_groups``, ``competences``, ``partners``, ``legal_frames``) are
three-valued: ``None`` means the context does not say (a precondition on it is then not
checked, and said so), an empty list means none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ContentError, ParameterError
from zaragoza.knowledge.taxonomy import COUNTRIES, NUTS_PATTERN
from zaragoza.toolbox.schema import MIGRANT_GROUPS, ContextVocabulary

__all__ = [
    "CONTEXT_FIELDS",
    "LEVELS",
    "AuthorityContext",
    "check_vocabulary",
    "context_from_query",
    "load_context",
]

#: Governance levels an authority acts at.
LEVELS = ("national", "regional", "local")
#: The fields of a context, in the order of the form and of the URL.
CONTEXT_FIELDS = (
    "level",
    "geo",
    "size",
    "migrant_groups",
    "recent_share",
    "resources",
    "partners",
    "competences",
    "legal_frames",
)
_LISTS = ("migrant_groups", "partners", "competences", "legal_frames")
_GEO = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


class AuthorityContext(BaseModel):
    """An authority's context (see the module docstring).

    ``geo`` is a Eurostat geo code: a country (``AT``, ``EL`` for Greece) or a NUTS
    region (``AT13``); ``recent_share`` is the share of recent arrivals (under five
    years of residence) among the migrant residents, in percent; ``size`` a size class
    and ``resources`` a resource level of the toolbox's context vocabulary.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    level: str
    geo: str
    size: str | None = None
    migrant_groups: tuple[str, ...] | None = None
    recent_share: float | None = Field(default=None, ge=0, le=100)
    resources: str | None = None
    partners: tuple[str, ...] | None = None
    competences: tuple[str, ...] | None = None
    legal_frames: tuple[str, ...] | None = None

    @field_validator("level")
    @classmethod
    def _level(cls, v: str) -> str:
        if v not in LEVELS:
            raise ValueError(f"unknown level {v!r}; valid: {', '.join(LEVELS)}")
        return v

    @field_validator("geo")
    @classmethod
    def _geo(cls, v: str) -> str:
        v = v.upper()
        nuts = NUTS_PATTERN.match(v)
        if not _GEO.match(v) or (v not in COUNTRIES and not (nuts and nuts.group(1) in COUNTRIES)):
            raise ValueError(
                f"not a Eurostat geo code: {v!r}; valid: a country ({', '.join(COUNTRIES)}) "
                "or a NUTS region (AT13)"
            )
        return v

    @field_validator("migrant_groups")
    @classmethod
    def _groups(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        bad = [g for g in v or () if g not in MIGRANT_GROUPS]
        if bad:
            raise ValueError(
                f"unknown migrant group {bad[0]!r}; valid: {', '.join(MIGRANT_GROUPS)}"
            )
        return v

    @property
    def country(self) -> str:
        """The country of ``geo`` (the geo itself for a country)."""
        return self.geo[:2]

    def to_query(self) -> list[tuple[str, str]]:
        """Return the context as URL query parameters (lists comma-separated; a list that
        is given but empty is an empty parameter, one not given is left out)."""
        out: list[tuple[str, str]] = []
        for name in CONTEXT_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if name in _LISTS:
                out.append((name, ",".join(value)))
            elif isinstance(value, float):
                out.append((name, f"{value:g}"))
            else:
                out.append((name, str(value)))
        return out

    def as_data(self) -> dict[str, Any]:
        """Return the context as plain data (a YAML/JSON context file's content)."""
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in self.model_dump().items()
            if v is not None
        }


def check_vocabulary(ctx: AuthorityContext, vocab: ContextVocabulary) -> list[tuple[str, str]]:
    """Return ``(field, problem)`` for each value of ``ctx`` outside the toolbox's vocabulary."""
    out = []
    for field, valid in (
        ("size", vocab.size_classes),
        ("resources", vocab.resources),
    ):
        value = getattr(ctx, field)
        if value is not None and value not in valid:
            out.append((field, f"unknown value {value!r}; valid: {', '.join(valid)}"))
    for field, valid in (
        ("partners", vocab.partners),
        ("competences", vocab.competences),
        ("legal_frames", vocab.legal_frames),
    ):
        for value in getattr(ctx, field) or ():
            if value not in valid:
                shown = ", ".join(valid) or "(none defined in toolbox.yaml)"
                out.append((field, f"unknown value {value!r}; valid: {shown}"))
    return out


def _coerce(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for name in _LISTS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = tuple(p.strip() for p in value.split(",") if p.strip())
        elif isinstance(value, list):
            out[name] = tuple(value)
    return out


def _build(
    data: Mapping[str, Any], vocab: ContextVocabulary | None, where: str
) -> AuthorityContext:
    try:
        ctx = AuthorityContext.model_validate(_coerce(data))
    except PydanticValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ())) or "(context)"
            msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            if e.get("type") == "extra_forbidden":
                msg = f"unknown field; valid: {', '.join(CONTEXT_FIELDS)}"
            problems.append(f"{where}, field {loc}: {msg}")
        raise ContentError("the authority's context is invalid", problems) from None
    if vocab is not None:
        found = check_vocabulary(ctx, vocab)
        if found:
            raise ContentError(
                "the authority's context is invalid",
                [f"{where}, field {f}: {why}" for f, why in found],
            )
    return ctx


def load_context(
    path: str | Path,
    vocab: ContextVocabulary | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> AuthorityContext:
    """Return the context of a YAML or JSON file, with ``overrides`` (e.g. the command
    line's ``--geo`` and ``--level``) taking precedence over the file's values.

    Raises
    ------
    ContentError
        The file cannot be read, or a field is unknown or has an invalid value (the file
        and the field are named, and the valid values).
    """
    src = Path(path)
    try:
        text = src.read_text(encoding="utf-8")
        data = json.loads(text) if src.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ContentError("the context file cannot be read", [f"{src}: {exc}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError("the context file is invalid", [f"{src}: expected a mapping of fields"])
    merged = {**data, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return _build(merged, vocab, str(src))


def context_from_query(
    params: Mapping[str, str | Sequence[str]],
    vocab: ContextVocabulary | None = None,
) -> AuthorityContext:
    """Return the context given by query parameters (:meth:`AuthorityContext.to_query`).

    Parameters not among :data:`CONTEXT_FIELDS` are not read here (the caller refuses
    unknown ones). A list left out is "not said"; a list given empty (``partners=``)
    is "none". (The portal's form sends only the ticked boxes: ticking some says which
    the authority has; ticking none says nothing.)

    Raises
    ------
    ParameterError
        Naming the first invalid parameter, its value and what is valid.
    """
    data: dict[str, Any] = {}
    for name in CONTEXT_FIELDS:
        if name not in params:
            continue
        raw = params[name]
        values = [raw] if isinstance(raw, str) else list(raw)
        if name in _LISTS:
            data[name] = tuple(p.strip() for v in values for p in v.split(",") if p.strip())
        else:
            value = values[-1].strip() if values else ""
            if value == "":
                if name in ("level", "geo"):
                    raise ParameterError(name, value, _valid_text(name, vocab))
                continue
            if name == "recent_share":
                try:
                    data[name] = float(value)
                except ValueError:
                    raise ParameterError(name, value, "a share in percent, 0 to 100") from None
            else:
                data[name] = value
    for name in ("level", "geo"):
        if name not in data:
            raise ParameterError(name, None, _valid_text(name, vocab))
    try:
        return _build(data, vocab, "query")
    except ContentError as exc:
        first = exc.problems[0]
        field = first.split("field ", 1)[1].split(":", 1)[0].split(".")[0]
        why = first.split(": ", 1)[1]
        valid = why.split("valid: ", 1)[1] if "valid: " in why else why
        raise ParameterError(field, data.get(field), valid) from None


def _valid_text(name: str, vocab: ContextVocabulary | None) -> str:
    if name == "level":
        return ", ".join(LEVELS)
    return "a Eurostat geo code: a country (AT) or a NUTS region (AT13)"
