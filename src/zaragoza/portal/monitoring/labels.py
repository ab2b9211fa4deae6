"""Labels for codes in the portal's three languages: countries, migrant groups, sexes, flags.

Country names come from pycountry's ISO 3166-1 gettext catalogues (Eurostat's ``EL`` and
``UK`` looked up as ``GR`` and ``GB``); the aggregates, the migrant groups and the flags
are the portal's own messages, translated in ``locale/``. Indicator titles are the
catalogue's English titles, translated through the same catalogue when a translation
exists (see :mod:`zaragoza.portal.monitoring.catalog_messages`).
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zaragoza.catalog.codes import EU27_2020, ISO_TO_EUROSTAT

__all__ = [
    "AGGREGATES",
    "FLAG_MEANINGS",
    "country_name",
    "flag_text",
    "group_label",
    "is_aggregate",
    "sex_label",
]

_EUROSTAT_TO_ISO = {v: k for k, v in ISO_TO_EUROSTAT.items()}

#: Eurostat's aggregate geo codes the warehouse may hold, with their names.
AGGREGATES = {
    "EU27_2020": _l("European Union (27 countries)"),
    "EU28": _l("European Union (28 countries, 2013-2020)"),
    "EU27_2007": _l("European Union (27 countries, 2007-2013)"),
    "EU": _l("European Union (changing composition)"),
    "EA": _l("Euro area (changing composition)"),
    "EA18": _l("Euro area (18 countries)"),
    "EA19": _l("Euro area (19 countries)"),
    "EA20": _l("Euro area (20 countries)"),
}

_NAMES_EN = {"XK": "Kosovo*", "MD": "Moldova"}

#: Labels of the ``citizen`` codes.
_CITIZEN = {
    "TOTAL": _l("All persons"),
    "NAT": _l("Nationals"),
    "FOR": _l("Foreign citizens"),
    "EU27_2020_FOR": _l("Citizens of other EU countries"),
    "NEU27_2020_FOR": _l("Non-EU citizens"),
    "EU28_FOR": _l("Citizens of other EU countries (EU28)"),
    "NEU28_FOR": _l("Non-EU citizens (EU28)"),
    "STLS": _l("Stateless"),
}
#: Labels of the ``c_birth`` codes.
_C_BIRTH = {
    "TOTAL": _l("All persons"),
    "NAT": _l("Native-born"),
    "FOR": _l("Foreign-born"),
    "EU27_2020_FOR": _l("Born in another EU country"),
    "NEU27_2020_FOR": _l("Born outside the EU"),
    "EU28_FOR": _l("Born in another EU country (EU28)"),
    "NEU28_FOR": _l("Born outside the EU (EU28)"),
}
_SEX = {
    "T": pgettext_lazy("sex", "Total"),
    "M": pgettext_lazy("sex", "Males"),
    "F": pgettext_lazy("sex", "Females"),
}

#: Eurostat's flags and what they mean.
FLAG_MEANINGS = {
    "b": _l("break in time series"),
    "c": _l("confidential"),
    "d": _l("definition differs"),
    "e": _l("estimated"),
    "f": _l("forecast"),
    "n": _l("not significant"),
    "p": _l("provisional"),
    "r": _l("revised"),
    "s": _l("Eurostat estimate"),
    "u": _l("low reliability"),
    "z": _l("not applicable"),
    ":": _l("not available"),
}


def is_aggregate(geo: str) -> bool:
    """Return whether ``geo`` is an aggregate (EU, euro area), not one country."""
    return geo in AGGREGATES


@cache
def _iso_catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(geo: str, lang: str | None = None) -> str:
    """Return the name of the Eurostat geo code ``geo`` in ``lang`` (default: active).

    An unknown code (a NUTS region, say) is returned as it is.
    """
    if geo in AGGREGATES:
        return str(AGGREGATES[geo])
    if geo in _NAMES_EN and (lang or get_language() or "en").startswith("en"):
        return _NAMES_EN[geo]
    country = pycountry.countries.get(alpha_2=_EUROSTAT_TO_ISO.get(geo, geo))
    if country is None:
        return _NAMES_EN.get(geo, geo)
    lang = (lang or get_language() or "en").split("-")[0]
    if lang == "en":
        return str(country.name)
    return _iso_catalogue(lang).gettext(country.name)


def group_label(code: str, by: str = "citizen") -> str:
    """Return the label of a migrant-group code of the ``citizen`` or ``c_birth`` dimension."""
    table = _C_BIRTH if by == "c_birth" else _CITIZEN
    return str(table[code]) if code in table else code


def sex_label(code: str) -> str:
    """Return the label of a ``sex`` code."""
    return str(_SEX[code]) if code in _SEX else code


def flag_text(flag: str | None) -> str:
    """Return the meanings of the letters of a flag (``"bu"``: "break in time series, low
    reliability"), or ``""`` for none."""
    if not flag:
        return ""
    return ", ".join(
        str(FLAG_MEANINGS.get(ch, _("unknown flag %(flag)s") % {"flag": ch})) for ch in flag
    )


def eu_member(geo: str) -> bool:
    """Return whether ``geo`` is an EU Member State (EU27_2020)."""
    return geo in EU27_2020
