"""Eurostat's labels and their codes, for files that carry labels instead of codes."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from zaragoza.errors import CatalogError

__all__ = ["LABELS_FILE", "MIG_BG_LABELS", "code_labels", "label_codes", "normalise_label"]

LABELS_FILE = "eurostat_labels.csv"
#: The migrant background of PISA's students (not a Eurostat dimension): the OECD's
#: categories of its index of immigrant background ``IMMIG`` (*PISA 2022 Results*,
#: Volume I, Annex A1) and their sum, immigrant students.
MIG_BG_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "TOTAL": "Total",
        "NATIVE": "Non-immigrant students",
        "IMMIGRANT": "Immigrant students",
        "SECOND_GEN": "Second-generation immigrant students",
        "FIRST_GEN": "First-generation immigrant students",
    }
)


@cache
def label_codes() -> Mapping[str, Mapping[str, str]]:
    """Return ``{dimension: {label: code}}`` from the code list ``eurostat_labels.csv``.

    Labels are compared with runs of white space collapsed to one space (Eurostat's own
    labels sometimes carry a double space). Several labels may give one code (labels
    change between vintages); one label giving two codes in a dimension is an error.

    Raises
    ------
    CatalogError
        The code list is malformed.
    """
    source = resources.files("zaragoza.catalog") / "data" / LABELS_FILE
    where = f"catalog/data/{LABELS_FILE}"
    out: dict[str, dict[str, str]] = {}
    with source.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        if next(reader, None) != ["dimension", "code", "label"]:
            raise CatalogError("the header must be dimension,code,label", file=where)
        for row in reader:
            if len(row) != 3 or not all(c.strip() for c in row):
                raise CatalogError(
                    "every row needs a dimension, a code and a label",
                    file=where,
                    row=reader.line_num - 1,
                    value=",".join(row),
                )
            dim, code, label = row[0].strip(), row[1].strip(), normalise_label(row[2])
            known = out.setdefault(dim, {})
            if known.get(label, code) != code:
                raise CatalogError(
                    f"the label gives two codes in dimension {dim} ({known[label]}, {code})",
                    file=where,
                    row=reader.line_num - 1,
                    value=label,
                )
            known[label] = code
    return MappingProxyType({k: MappingProxyType(v) for k, v in out.items()})


@cache
def code_labels() -> Mapping[str, Mapping[str, str]]:
    """Return ``{dimension: {code: label}}``: each code's first label in the code list.

    The inverse of :func:`label_codes` for writers that show labels beside codes
    (JSON-stat ``category.label``, label columns of CSV and Excel files). The
    ``c_birth`` dimension takes the labels of ``citizen`` (Eurostat uses the same codes
    for the migrant groups by country of birth); ``mig_bg`` has
    :data:`MIG_BG_LABELS`.
    """
    source = resources.files("zaragoza.catalog") / "data" / LABELS_FILE
    label_codes()  # validates the file
    out: dict[str, dict[str, str]] = {}
    with source.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["dimension"], {}).setdefault(
                row["code"].strip(), normalise_label(row["label"])
            )
    out.setdefault("c_birth", dict(out.get("citizen", {})))
    out.setdefault("mig_bg", dict(MIG_BG_LABELS))
    return MappingProxyType({k: MappingProxyType(v) for k, v in out.items()})


def normalise_label(label: str) -> str:
    """A label with runs of white space collapsed to one space."""
    return " ".join(label.split())
