"""Read framework files (YAML or JSON) and the frameworks bundled with the project.

Every problem is a :class:`~zaragoza.errors.CatalogError` whose ``file`` is the file and
whose ``column`` is the field path in the file (``dimensions[2].standards[0].questions[3]
.options``), so that a user loading the official text of a framework can find the line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zaragoza.errors import CatalogError
from zaragoza.frameworks.model import Framework

__all__ = ["bundled_framework", "bundled_frameworks", "load_framework", "parse_framework"]


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _error(exc: ValidationError, src: str) -> CatalogError:
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if p != "[key]")
    path = _path(loc)
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        field = str(loc[-1]) if loc else "?"
        msg = f"unknown field {field!r} (a typo, or a field this format does not have)"
    elif err["type"] == "missing":
        msg = f"field {str(loc[-1])!r} is required"
    elif err["type"] == "framework_rule":
        # the cross-field checks of the model give the field path in the context
        ctx = err.get("ctx") or {}
        inner = str(ctx.get("path", ""))
        path = f"{path}.{inner}" if path and inner else (inner or path)
        msg = str(ctx.get("problem", msg))
    else:
        msg = msg.removeprefix("Value error, ")
    what = f"invalid framework: {path}: {msg}" if path else f"invalid framework: {msg}"
    return CatalogError(what, file=src, column=path or None)


def parse_framework(raw: Any, origin: str = "<data>") -> Framework:
    """Return the framework of parsed YAML/JSON data; errors name ``origin`` and the field."""
    if not isinstance(raw, dict):
        raise CatalogError(
            "a framework file holds a mapping (id, version, title, rendering, sources, "
            "aggregation, dimensions)",
            file=origin,
        )
    try:
        return Framework.model_validate(raw)
    except ValidationError as exc:
        raise _error(exc, origin) from None


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (plain YAML keeps the
    last one silently: a repeated ``weight`` or ``score`` would be lost unseen)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_framework(path: str | Path) -> Framework:
    """Return the framework in a YAML (or JSON) file, validated strictly.

    Raises
    ------
    CatalogError
        The file cannot be read or parsed, or breaks the format (an unknown field, a
        scored question without answer options, an id used twice, a weight the level's
        aggregation ignores, bands out of order …); the error names the file and the
        field path.
    """
    src = Path(path)
    try:
        raw = yaml.load(src.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError("cannot read the framework file", file=str(src), hint=str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(
            "the framework file is not valid YAML",
            file=str(src),
            row=None if mark is None else mark.line + 1,
            hint=str(exc),
        ) from None
    return parse_framework(raw, str(src))


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    # natural order: 2 < 10, 2024.1 < 2024.2
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[._-]", version)
    )


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Framework]:
    out: dict[str, Framework] = {}
    folder = resources.files("zaragoza.frameworks") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        fw = load_framework(Path(str(entry)))
        if fw.key in out:
            raise CatalogError(f"two bundled frameworks are {fw.key}", file=entry.name)
        out[fw.key] = fw
    return out


def bundled_frameworks() -> dict[str, Framework]:
    """The frameworks that come with the project, by key ``id@version``."""
    return dict(_bundled())


def bundled_framework(ident: str) -> Framework:
    """A bundled framework by ``id`` (its latest version) or ``id@version``."""
    frameworks = _bundled()
    if "@" in ident:
        found = frameworks.get(ident)
    else:
        versions = [fw for fw in frameworks.values() if fw.id == ident]
        found = max(versions, key=lambda fw: _version_key(fw.version)) if versions else None
    if found is None:
        raise CatalogError(
            "no bundled framework has this id",
            value=ident,
            hint=f"Bundled: {', '.join(frameworks)} (give id or id@version)",
        )
    return found
