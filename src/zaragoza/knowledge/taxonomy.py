"""The knowledge base's codes with their labels, read from ``content/taxonomy.yaml``.

A code list (``themes``, ``target_groups``, ...) maps each code to its labels in the
portal's languages. Practices, organisations and country profiles are validated against
these lists; indicator ids are the catalogue's, and countries are Eurostat geo codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from zaragoza.errors import ContentError

__all__ = [
    "COUNTRIES",
    "LABEL_LANGUAGES",
    "LISTS",
    "NUTS_PATTERN",
    "Taxonomy",
    "load_taxonomy",
]

#: The languages every label is given in.
LABEL_LANGUAGES = ("en", "fr", "de")
#: The code lists ``taxonomy.yaml`` must hold.
LISTS = (
    "level",
    "themes",
    "agenda_areas",
    "target_groups",
    "funding",
    "evidence",
    "organisation_types",
    "profile_sections",
)
#: Eurostat geo codes of the countries a practice or a profile may name: the EU Member
#: States (``EL`` for Greece) and the EFTA countries and the United Kingdom (``UK``).
COUNTRIES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    "NO", "CH", "IS", "LI", "UK",
)  # fmt: skip
#: A NUTS 2021 code: a country code and one to three characters (``ES52``, ``AT130``).
NUTS_PATTERN = re.compile(r"^([A-Z]{2})[0-9A-Z]{1,3}$")


@dataclass(frozen=True)
class Taxonomy:
    """The code lists: ``lists[name][code][language]`` is a label."""

    version: int
    lists: Mapping[str, Mapping[str, Mapping[str, str]]]

    def codes(self, name: str) -> tuple[str, ...]:
        """Return the codes of one list, in the file's order."""
        return tuple(self.lists[name])

    def label(self, name: str, code: str, language: str = "en") -> str:
        """Return the label of ``code`` in ``language`` (English, else the code itself)."""
        labels = self.lists.get(name, {}).get(code)
        if labels is None:
            return code
        return labels.get(language) or labels.get("en") or code


def default_path() -> Path:
    """Return the bundled ``taxonomy.yaml``."""
    return Path(str(resources.files("zaragoza.knowledge") / "content" / "taxonomy.yaml"))


def _parse(path: Path) -> Taxonomy:
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError("the taxonomy cannot be read", [f"{where}: {exc}"]) from None
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ContentError("the taxonomy is malformed", [f"{where}: expected a mapping"])
    unknown = sorted(set(data) - {"version", *LISTS})
    problems += [f"{where}, field {k}: unknown list; valid: {', '.join(LISTS)}" for k in unknown]
    version = data.get("version")
    if not isinstance(version, int):
        problems.append(f"{where}, field version: expected an integer, got {version!r}")
    lists: dict[str, dict[str, dict[str, str]]] = {}
    for name in LISTS:
        entries = data.get(name)
        if not isinstance(entries, dict) or not entries:
            problems.append(f"{where}, field {name}: missing or empty list of codes")
            continue
        lists[name] = {}
        for code, labels in entries.items():
            field = f"{where}, field {name}.{code}"
            if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
                problems.append(f"{field}: a code is lowercase letters, digits and '_'")
                continue
            if not isinstance(labels, dict) or set(labels) != set(LABEL_LANGUAGES):
                problems.append(f"{field}: expected labels in exactly {', '.join(LABEL_LANGUAGES)}")
                continue
            if not all(isinstance(v, str) and v.strip() for v in labels.values()):
                problems.append(f"{field}: every label must be a non-empty text")
                continue
            lists[name][code] = dict(labels)
    if problems:
        raise ContentError("the taxonomy is invalid", problems)
    assert isinstance(version, int)
    return Taxonomy(version=version, lists=lists)


@cache
def _bundled() -> Taxonomy:
    return _parse(default_path())


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Return the taxonomy of ``path`` (default: the bundled one, read once)."""
    return _bundled() if path is None else _parse(Path(path))
