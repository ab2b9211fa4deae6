"""Load indicator definitions from the bundled catalogue and from users' folders."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from zaragoza.catalog.schema import Indicator
from zaragoza.errors import CatalogError

__all__ = ["Catalog", "load_catalog"]

# libyaml's safe loader when present: the same YAML subset (no Python objects), faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Catalog(Mapping[str, Indicator]):
    """Indicators by id, with the files they came from and a content version."""

    indicators: dict[str, Indicator]
    origins: dict[str, str]
    version: str

    def __getitem__(self, key: str) -> Indicator:
        try:
            return self.indicators[key]
        except KeyError:
            known = ", ".join(sorted(self.indicators))
            raise CatalogError(
                f"unknown indicator {key!r}", hint=f"Known indicators: {known}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.indicators))

    def __len__(self) -> int:
        return len(self.indicators)

    def select(self, ids: Iterable[str]) -> list[Indicator]:
        """Return the named indicators, in the order given, refusing unknown ids."""
        return [self[i] for i in ids]


def _bundled_dir() -> Path:
    return Path(str(resources.files("zaragoza.catalog") / "indicators"))


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _parse_file(path: Path, text: str | None = None) -> list[Indicator]:
    return list(_parse_text(str(path), path.read_text(encoding="utf-8") if text is None else text))


# Parsed definitions by file and content: the portal and the API ask for the catalogue on
# every request, and parsing YAML costs far more than reading the files' bytes.
@functools.lru_cache(maxsize=1024)
def _parse_text(where: str, text: str) -> tuple[Indicator, ...]:
    path = Path(where)
    try:
        raw: Any = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise CatalogError("not valid YAML", file=str(path), row=row, hint=str(exc)) from None
    entries = raw if isinstance(raw, list) else [raw]
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise CatalogError(
                "an indicator definition must be a mapping of fields",
                file=str(path),
                hint="See docs/catalogue.md for the fields of an entry",
            )
        try:
            out.append(Indicator.model_validate(entry))
        except PydanticValidationError as exc:
            err = exc.errors()[0]
            prefix = f"[{i}]." if len(entries) > 1 else ""
            raise CatalogError(
                f"invalid indicator definition: {err['msg']}",
                file=str(path),
                column=prefix + _field_path(tuple(err["loc"])),
                value=err.get("input") if not isinstance(err.get("input"), dict) else None,
                hint=f"{len(exc.errors())} problem(s) in this entry; "
                "see docs/catalogue.md for the schema",
            ) from None
    return tuple(out)


def load_catalog(extra_dirs: Iterable[str | Path] = ()) -> Catalog:
    """Return the bundled catalogue, extended (and overridden by id) by users' folders.

    Every ``*.yaml`` file holds one definition or a list of them. A user file whose id is
    already bundled replaces the bundled definition; two user files with the same id are
    an error.
    """
    bundled, digest = _bundled()
    extra = [Path(d) for d in extra_dirs]
    if not extra:
        return bundled
    indicators = dict(bundled.indicators)
    origins = dict(bundled.origins)
    digest = digest.copy()
    for folder in extra:
        _read_folder(folder, indicators, origins, digest, origin=None)
    return Catalog(indicators, origins, digest.hexdigest()[:12])


# The bundled definitions are files of the installed package, which do not change while
# a process runs; the portal asks for the catalogue on every page, and reading some fifty
# files each time was a millisecond of every practice page.
@functools.cache
def _bundled() -> tuple[Catalog, Any]:
    indicators: dict[str, Indicator] = {}
    origins: dict[str, str] = {}
    digest = hashlib.sha256()
    _read_folder(_bundled_dir(), indicators, origins, digest, origin="bundled")
    return Catalog(indicators, origins, digest.hexdigest()[:12]), digest


def _read_folder(
    folder: Path,
    indicators: dict[str, Indicator],
    origins: dict[str, str],
    digest: Any,
    *,
    origin: str | None,
) -> None:
    """Add the definitions of ``folder`` to ``indicators`` (recording each one's
    ``origin``, or its file when ``None``) and its files to ``digest``."""
    if not folder.is_dir():
        raise CatalogError("catalogue folder not found", file=str(folder))
    seen_here: dict[str, str] = {}
    for path in sorted(folder.glob("*.y*ml")):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        for ind in _parse_file(path, data.decode("utf-8")):
            if ind.id in seen_here:
                raise CatalogError(
                    f"indicator {ind.id!r} is defined twice",
                    file=str(path),
                    column="id",
                    hint=f"also defined in {seen_here[ind.id]}",
                )
            seen_here[ind.id] = str(path)
            indicators[ind.id] = ind
            origins[ind.id] = origin or str(path)
