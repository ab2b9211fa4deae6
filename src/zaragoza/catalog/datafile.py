"""Read a YAML data file of the catalogue into validated models, with clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from zaragoza.errors import CatalogError

__all__ = ["read_yaml_data"]

T = TypeVar("T")


def read_yaml_data(src: Path, what: str, build: Callable[[Any], T]) -> T:
    """Return ``build(parsed YAML of src)``; errors name the file and the failing field.

    ``what`` names the content in messages ("reliability rules", "dataset mappings").
    """
    try:
        raw: Any = yaml.safe_load(src.read_text(encoding="utf-8"))
        return build(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CatalogError(
            f"invalid {what}: {err['msg']}",
            file=str(src),
            column=".".join(str(p) for p in err["loc"]),
        ) from None
    except (OSError, yaml.YAMLError, AttributeError, TypeError) as exc:
        raise CatalogError(f"cannot read the {what}", file=str(src), hint=str(exc)) from None
