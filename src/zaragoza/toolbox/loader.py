"""Load and validate a toolbox: the bundled one, a folder of the same layout, or one file.

Layout of a toolbox folder (the bundled one is ``zaragoza/toolbox/content``)::

    toolbox.yaml             version, default weights, the context vocabulary (scoring)
    modules/<id>.yaml        one module per file, ``id`` equal to the file name

A user's own toolbox may also be one YAML (or JSON) file holding ``modules:`` (a list of
modules in the same format) and, optionally, ``version``, ``weights``, ``context`` and
``scoring``; what it leaves out is taken from the bundled ``toolbox.yaml``.

Every file is read and every problem collected before anything is returned: one
:class:`~zaragoza.errors.ContentError` lists them all, each naming the file, the measure
(or component, or module) and the field, e.g. ``modules/participation.yaml, measure
'civic-councils' (components[1].measures[0]), field funds: unknown fund 'amiff'; valid:
amif, ...``. Ids of components and measures are unique across the whole toolbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ContentError
from zaragoza.knowledge.taxonomy import Taxonomy, load_taxonomy
from zaragoza.toolbox.schema import Component, Measure, Module, Settings, toolbox_context

__all__ = [
    "Toolbox",
    "bundled_practice_ids",
    "bundled_toolbox_dir",
    "load_toolbox",
]

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Toolbox:
    """A validated toolbox: settings, modules in file order, and where it came from.

    ``version`` is the ``toolbox.yaml`` version and a digest of every file, so that a
    selection can record which content it used.
    """

    settings: Settings
    modules: tuple[Module, ...]
    origin: str
    digest: str
    taxonomy: Taxonomy

    @property
    def version(self) -> str:
        return f"{self.settings.version}-{self.digest}"

    def measures(self) -> Iterator[tuple[Module, Component, Measure]]:
        """Yield every measure with its module and component, in the files' order."""
        for module in self.modules:
            for component in module.components:
                for measure in component.measures:
                    yield module, component, measure

    def measure(self, ident: str) -> tuple[Module, Component, Measure]:
        """Return a measure and its place; ``KeyError`` naming the id when unknown."""
        for found in self.measures():
            if found[2].id == ident:
                return found
        raise KeyError(ident)

    def module(self, ident: str) -> Module:
        for module in self.modules:
            if module.id == ident:
                return module
        raise KeyError(ident)

    def component(self, ident: str) -> tuple[Module, Component]:
        for module in self.modules:
            for component in module.components:
                if component.id == ident:
                    return module, component
        raise KeyError(ident)


def bundled_toolbox_dir() -> Path:
    """Return the folder of the bundled toolbox content."""
    return Path(str(resources.files("zaragoza.toolbox") / "content"))


def bundled_practice_ids() -> frozenset[str]:
    """Return the ids of the knowledge base's bundled practices (their file names)."""
    folder = Path(str(resources.files("zaragoza.knowledge") / "content" / "practices"))
    return frozenset(p.stem for p in folder.glob("*.y*ml"))


def _read(path: Path, problems: list[str]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read ({exc})")
        return None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_SAFE_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        problems.append(f"{path}: not valid YAML or JSON ({exc})".replace("\n", " "))
    return None


def _dig(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _where(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Name the innermost measure (or component) of ``loc`` and the field inside it."""
    cut, kind = 0, ""
    for i in range(len(loc) - 1):
        if loc[i] in ("components", "measures") and isinstance(loc[i + 1], int):
            cut, kind = i + 2, "measure" if loc[i] == "measures" else "component"
    if not kind:
        return "", ".".join(map(str, loc)) or "(record)"
    item = _dig(raw, loc[:cut])
    ident = item.get("id") if isinstance(item, dict) else None
    path = ".".join(f"{loc[k]}[{loc[k + 1]}]" for k in range(0, cut, 2))
    name = f"{kind} {ident!r} ({path})" if ident else f"{kind} {path}"
    return name, ".".join(str(p) for p in loc[cut:]) or "(record)"


def _problems(exc: PydanticValidationError, file: str, raw: Any) -> list[str]:
    out = []
    for e in exc.errors():
        loc = tuple(e.get("loc", ()))
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        if e.get("type") == "extra_forbidden":
            msg = "unknown field; see docs/toolbox.md for the valid fields"
        given = e.get("input")
        shown = "" if isinstance(given, Mapping | list) or given is None else f" (given {given!r})"
        name, field = _where(raw, loc)
        head = f"{file}, {name}, field {field}" if name else f"{file}, field {field}"
        out.append(f"{head}: {msg}{shown}")
    return out


def _validate(
    model: type[BaseModel], raw: Any, file: str, ctx: dict[str, Any], problems: list[str]
) -> Any:
    if not isinstance(raw, dict):
        problems.append(f"{file}: expected a mapping of fields, got {type(raw).__name__}")
        return None
    try:
        return model.model_validate(raw, context=ctx)
    except PydanticValidationError as exc:
        problems.extend(_problems(exc, file, raw))
        return None


def _digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        with contextlib.suppress(OSError):  # a file that went away: its name still counts
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_toolbox(
    source: str | Path | None = None,
    *,
    indicators: Iterable[str] | None = None,
    practices: Iterable[str] | None = None,
) -> Toolbox:
    """Return the validated toolbox of ``source``: a folder, one file, or (default) the
    bundled content.

    ``indicators`` are the valid indicator ids (default: the bundled catalogue) and
    ``practices`` the valid practice ids (default: the knowledge base's bundled practices).

    Raises
    ------
    ContentError
        With every problem of every file (file, measure, field, why, what is valid).
    """
    if indicators is None:
        from zaragoza.catalog.loader import load_catalog

        indicators = list(load_catalog())
    practice_ids = bundled_practice_ids() if practices is None else frozenset(practices)
    taxonomy = load_taxonomy()
    root = Path(source) if source is not None else bundled_toolbox_dir()
    problems: list[str] = []
    bundled_settings = bundled_toolbox_dir() / "toolbox.yaml"

    if root.is_dir():
        settings_file = root / "toolbox.yaml"
        module_files = sorted((root / "modules").glob("*.y*ml")) + sorted(
            (root / "modules").glob("*.json")
        )
        if not settings_file.exists():
            problems.append(f"{settings_file}: missing (version, weights and context)")
        if not module_files:
            problems.append(f"{root / 'modules'}: no module files (modules/<id>.yaml)")
        if problems:
            raise ContentError(f"the toolbox in {root} is incomplete", problems)
        raw_settings = _read(settings_file, problems)
        modules_raw: list[tuple[str, str | None, Any]] = [
            (str(p), p.stem, _read(p, problems)) for p in module_files
        ]
        files = [settings_file, *module_files]
    elif root.is_file():
        data = _read(root, problems)
        if problems:
            raise ContentError(f"the toolbox file {root} cannot be read", problems)
        if not isinstance(data, dict) or not isinstance(data.get("modules"), list):
            raise ContentError(
                f"the toolbox file {root} is invalid",
                [f"{root}, field modules: expected a list of modules (see docs/toolbox.md)"],
            )
        unknown = sorted(set(data) - {"version", "weights", "context", "scoring", "modules"})
        problems += [
            f"{root}, field {k}: unknown field; valid: version, weights, context, scoring, modules"
            for k in unknown
        ]
        base: dict[str, Any] = {}
        if any(k not in data for k in ("version", "weights", "context")):
            if not bundled_settings.exists():
                problems.append(
                    f"{root}: give version, weights and context (the bundled toolbox.yaml "
                    "is not there to take them from)"
                )
            else:
                base = _read(bundled_settings, problems) or {}
        raw_settings = {
            **{k: v for k, v in base.items() if k in ("version", "weights", "context", "scoring")},
            **{k: data[k] for k in ("version", "weights", "context", "scoring") if k in data},
        }
        modules_raw = []
        for i, m in enumerate(data["modules"]):
            ident = m.get("id") if isinstance(m, dict) else None
            modules_raw.append((f"{root}, module {ident or i + 1}", None, m))
        files = [root]
    else:
        hint = " (the bundled toolbox content is not installed)" if source is None else ""
        raise ContentError("the toolbox cannot be loaded", [f"{root}: not found{hint}"])

    settings = None
    if raw_settings is not None:
        where = str(root / "toolbox.yaml") if root.is_dir() else str(root)
        settings = _validate(Settings, raw_settings, where, {"taxonomy": taxonomy}, problems)
    if settings is None:
        raise ContentError(f"the toolbox in {root} is invalid", problems)

    ctx = toolbox_context(taxonomy, indicators, practice_ids, settings.context)
    modules: list[Module] = []
    for where, stem, raw in modules_raw:
        if raw is None:
            continue
        module = _validate(Module, raw, where, ctx, problems)
        if module is None:
            continue
        if stem is not None and module.id != stem:
            problems.append(f"{where}, field id: {module.id!r} differs from the file name")
        modules.append(module)

    seen: dict[str, str] = {}
    for module in modules:
        if module.id in seen:
            problems.append(f"module {module.id!r}: the id is used twice")
        seen[module.id] = module.id
        for ci, component in enumerate(module.components):
            if component.id in seen:
                problems.append(
                    f"module {module.id!r}, component {component.id!r} (components[{ci}]), "
                    f"field id: also used by {seen[component.id]}"
                )
            seen[component.id] = f"component {component.id!r} of module {module.id!r}"
            for mi, measure in enumerate(component.measures):
                if measure.id in seen:
                    problems.append(
                        f"module {module.id!r}, measure {measure.id!r} "
                        f"(components[{ci}].measures[{mi}]), field id: also used by "
                        f"{seen[measure.id]}"
                    )
                seen[measure.id] = f"measure {measure.id!r} of module {module.id!r}"
    if problems:
        raise ContentError(f"the toolbox in {root} is invalid", problems)
    origin = "bundled" if source is None else str(root)
    return Toolbox(settings, tuple(modules), origin, _digest(files), taxonomy)
