"""Load and validate the bundled seed content (or any folder of the same layout).

Layout of a content folder::

    taxonomy.yaml            the codes (see :mod:`~zaragoza.knowledge.taxonomy`)
    organisations.yaml       a list of organisations
    practices/<id>.yaml      one practice per file, ``id`` equal to the file name
    countries/<GEO>.yaml     one country governance profile per file, ``geo`` = file name

Every file is read and every problem collected before anything is returned: one
:class:`~zaragoza.errors.ContentError` lists them all, each naming its file and field.
Cross-references are checked too (organisation ids of practices).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ContentError
from zaragoza.knowledge.schema import (
    CountryProfile,
    Organisation,
    Practice,
    field_problems,
    validation_context,
)
from zaragoza.knowledge.taxonomy import Taxonomy, load_taxonomy

__all__ = ["Content", "bundled_content_dir", "load_content"]

M = TypeVar("M", bound=BaseModel)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Content:
    """A validated content folder."""

    taxonomy: Taxonomy
    organisations: tuple[Organisation, ...]
    practices: tuple[Practice, ...]
    countries: tuple[CountryProfile, ...]


def bundled_content_dir() -> Path:
    """Return the folder of the bundled seed content."""
    return Path(str(resources.files("zaragoza.knowledge") / "content"))


def _read(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read ({exc})")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML ({exc})".replace("\n", " "))
    return None


def _validate(
    model: type[M], data: Any, where: str, ctx: dict[str, Any], problems: list[str]
) -> M | None:
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping of fields, got {type(data).__name__}")
        return None
    try:
        return model.model_validate(data, context=ctx)
    except PydanticValidationError as exc:
        problems.extend(field_problems(exc, where))
        return None


def load_content(
    folder: str | Path | None = None, *, indicators: Iterable[str] | None = None
) -> Content:
    """Return the validated content of ``folder`` (default: the bundled seed content).

    Raises
    ------
    ContentError
        With every problem of every file (file, field, why, what is valid).
    """
    root = Path(folder) if folder is not None else bundled_content_dir()
    # A folder without its own taxonomy uses the bundled one.
    own = root / "taxonomy.yaml"
    taxonomy = load_taxonomy(own if own.exists() else None)
    ctx = validation_context(taxonomy, indicators)
    problems: list[str] = []

    organisations: list[Organisation] = []
    org_file = root / "organisations.yaml"
    if org_file.exists():
        data = _read(org_file, problems)
        if data is not None and not isinstance(data, list):
            problems.append(f"{org_file}: expected a list of organisations")
        for i, item in enumerate(data or [] if isinstance(data, list) else []):
            org = _validate(Organisation, item, f"{org_file}, organisation {i + 1}", ctx, problems)
            if org is not None:
                organisations.append(org)
    seen: dict[str, int] = {}
    for i, org in enumerate(organisations):
        if org.id in seen:
            problems.append(f"{org_file}, organisation {i + 1}, field id: {org.id!r} is used twice")
        seen[org.id] = i
    known_orgs = set(seen)

    practices: list[Practice] = []
    for path in sorted((root / "practices").glob("*.y*ml")):
        practice = _validate(Practice, _read(path, problems), str(path), ctx, problems)
        if practice is None:
            continue
        if practice.id != path.stem:
            problems.append(f"{path}, field id: {practice.id!r} differs from the file name")
        problems += [f"{path}, field {f}: {why}" for f, why in practice.completeness()]
        for field, ids in (
            ("organisation", [practice.organisation]),
            ("partners", practice.partners),
        ):
            for ident in ids:
                if ident is not None and ident not in known_orgs:
                    problems.append(
                        f"{path}, field {field}: unknown organisation {ident!r}; add it to "
                        "organisations.yaml"
                    )
        practices.append(practice)

    countries: list[CountryProfile] = []
    for path in sorted((root / "countries").glob("*.y*ml")):
        profile = _validate(CountryProfile, _read(path, problems), str(path), ctx, problems)
        if profile is None:
            continue
        if profile.geo != path.stem:
            problems.append(f"{path}, field geo: {profile.geo!r} differs from the file name")
        countries.append(profile)

    if problems:
        raise ContentError(f"the knowledge-base content in {root} is invalid", problems)
    return Content(taxonomy, tuple(organisations), tuple(practices), tuple(countries))
