"""Labels of the API's answers in the portal's languages (``lang=en|fr|de``).

The API's labels are Eurostat's English ones by default (its catalogue is data, in
English). With ``lang`` the label columns (``labels=true``) and JSON-stat's category
labels use the portal's own names, as its pages show them: country names from
pycountry's ISO 3166 catalogues, indicator titles, migrant groups and backgrounds, sexes
and age bands
translated in ``locale/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import override

from zaragoza.catalog.loader import load_catalog
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    age_label,
    country_name,
    group_label,
    profiles_title,
    reference_label,
    sex_label,
    source_label,
)

__all__ = ["LANGUAGES", "localised_labels"]

#: Values of the API's ``lang`` parameter.
LANGUAGES = ("en", "fr", "de")


def localised_labels(
    labels: Mapping[str, Mapping[str, str]], lang: str
) -> dict[str, dict[str, str]]:
    """Return ``labels`` (``{dimension: {code: label}}``) in ``lang``, the portal's words."""
    cat = load_catalog()
    with override(lang):
        namers: dict[str, Callable[[str], str]] = {
            "indicator": lambda c: (
                indicator_title(cat[c]) if c in cat.indicators else profiles_title(c)
            ),
            "geo": lambda c: country_name(c, lang),
            "citizen": lambda c: group_label(c, "citizen"),
            "c_birth": lambda c: group_label(c, "c_birth"),
            "mig_bg": lambda c: group_label(c, "mig_bg"),
            "compare_to": lambda c: reference_label(c) if c else _("none (a level)"),
            "sex": sex_label,
            "age": age_label,
            "source": source_label,
        }
        return {
            dim: {code: str(namers[dim](code)) if dim in namers else label
                  for code, label in codes.items()}
            for dim, codes in labels.items()
        }  # fmt: skip
