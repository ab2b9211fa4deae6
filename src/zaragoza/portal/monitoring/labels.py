"""Labels for codes in the portal's three languages: countries, migrant groups, sexes, flags.

Country names come from pycountry's ISO 3166-1 gettext catalogues (Eurostat's ``EL`` and
``UK`` looked up as ``GR`` and ``GB``); the aggregates, the migrant groups and the flags
are the portal's own messages, translated in ``locale/``. Indicator titles are the
catalogue's English titles, translated through the same catalogue when a translation
exists (see :mod:`zaragoza.portal.monitoring.catalog_messages`).
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from zaragoza.catalog.codes import EU27_2020, ISO_TO_EUROSTAT

__all__ = [
    "AGGREGATES",
    "FLAG_MEANINGS",
    "PROFILES_NOTE",
    "PROFILES_TITLES",
    "age_label",
    "country_name",
    "flag_text",
    "group_label",
    "is_aggregate",
    "profiles_title",
    "reference_label",
    "sex_label",
    "source_label",
]

_EUROSTAT_TO_ISO = {v: k for k, v in ISO_TO_EUROSTAT.items()}

#: Eurostat's aggregate geo codes the warehouse may hold, with their names.
AGGREGATES = {
    "EU27_2020": gettext_lazy("European Union (27 countries)"),
    "EU28": gettext_lazy("European Union (28 countries, 2013-2020)"),
    "EU27_2007": gettext_lazy("European Union (27 countries, 2007-2013)"),
    "EU": gettext_lazy("European Union (changing composition)"),
    "EA": gettext_lazy("Euro area (changing composition)"),
    "EA18": gettext_lazy("Euro area (18 countries)"),
    "EA19": gettext_lazy("Euro area (19 countries)"),
    "EA20": gettext_lazy("Euro area (20 countries)"),
}

_NAMES_EN = {"XK": "Kosovo*", "MD": "Moldova"}

#: Labels of the ``citizen`` codes.
_CITIZEN = {
    "TOTAL": gettext_lazy("All persons"),
    "NAT": gettext_lazy("Nationals"),
    "FOR": gettext_lazy("Foreign citizens"),
    "EU27_2020_FOR": gettext_lazy("Citizens of other EU countries"),
    "NEU27_2020_FOR": gettext_lazy("Non-EU citizens"),
    "EU28_FOR": gettext_lazy("Citizens of other EU countries (EU28)"),
    "NEU28_FOR": gettext_lazy("Non-EU citizens (EU28)"),
    "STLS": gettext_lazy("Stateless"),
}
#: Labels of the ``c_birth`` codes.
_C_BIRTH = {
    "TOTAL": gettext_lazy("All persons"),
    "NAT": gettext_lazy("Native-born"),
    "FOR": gettext_lazy("Foreign-born"),
    "EU27_2020_FOR": gettext_lazy("Born in another EU country"),
    "NEU27_2020_FOR": gettext_lazy("Born outside the EU"),
    "EU28_FOR": gettext_lazy("Born in another EU country (EU28)"),
    "NEU28_FOR": gettext_lazy("Born outside the EU (EU28)"),
}
#: Labels of the ``mig_bg`` codes: the OECD's categories of PISA's index of immigrant
#: background (IMMIG) and immigrant students, their sum.
_MIG_BG = {
    "TOTAL": gettext_lazy("All persons"),
    "NATIVE": gettext_lazy("Non-immigrant students"),
    "IMMIGRANT": gettext_lazy("Immigrant students"),
    "SECOND_GEN": gettext_lazy("Second-generation immigrant students"),
    "FIRST_GEN": gettext_lazy("First-generation immigrant students"),
}
_SEX = {
    "T": pgettext_lazy("sex", "Total"),
    "M": pgettext_lazy("sex", "Males"),
    "F": pgettext_lazy("sex", "Females"),
}

#: Eurostat's flags and what they mean.
FLAG_MEANINGS = {
    "b": gettext_lazy("break in time series"),
    "c": gettext_lazy("confidential"),
    "d": gettext_lazy("definition differs"),
    "e": gettext_lazy("estimated"),
    "f": gettext_lazy("forecast"),
    "i": gettext_lazy("value imputed by Eurostat"),
    "m": gettext_lazy("missing value, data cannot exist"),
    "n": gettext_lazy("not significant"),
    "p": gettext_lazy("provisional"),
    "r": gettext_lazy("revised"),
    "s": gettext_lazy("Eurostat estimate"),
    "u": gettext_lazy("low reliability"),
    "z": gettext_lazy("not applicable"),
    ":": gettext_lazy("not available"),
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
    """Return the label of a migrant-group code of the ``citizen``, ``c_birth`` or
    ``mig_bg`` dimension."""
    table = _C_BIRTH if by == "c_birth" else _MIG_BG if by == "mig_bg" else _CITIZEN
    return str(table[code]) if code in table else code


def reference_label(code: str) -> str:
    """Return the label of a gap's reference group (``compare_to``): ``NAT`` nationals,
    ``NATIVE`` non-immigrant students."""
    return group_label(code, "mig_bg" if code == "NATIVE" else "citizen")


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


def age_label(code: str) -> str:
    """Return an age code in words (``Y20-64``: "20 to 64 years")."""
    if code == "TOTAL":
        return _("All ages")
    band = re.fullmatch(r"Y(\d+)-(\d+)", code)
    if band:
        return _("%(lo)s to %(hi)s years") % {"lo": band[1], "hi": band[2]}
    over = re.fullmatch(r"Y_GE(\d+)", code)
    if over:
        return _("%(lo)s years and over") % {"lo": over[1]}
    under = re.fullmatch(r"Y_LT(\d+)", code)
    if under:
        return _("under %(hi)s years") % {"hi": under[1]}
    return code


#: What every page says beside figures counted from the skills profiles.
PROFILES_NOTE = gettext_lazy("Skills profiles, not a representative survey")


def source_label(code: str) -> str:
    """The short name of a source: published, computed, or skills profiles (with what they
    are not)."""
    if code == "published":
        return _("published")
    if code == "profiles":
        return _("skills profiles (not a representative survey)")
    return _("computed")


#: Titles of the skills profiles' own indicators (``zaragoza.skills.aggregate``), which
#: are not catalogue entries: no survey measures them. ``overqualification_rate`` is the
#: catalogue's, counted with its definition.
PROFILES_TITLES = {
    "profiles_persons": gettext_lazy("Skills profiles: persons profiled"),
    "profiles_attainment_low": gettext_lazy(
        "Skills profiles: low educational attainment (ISCED 0-2)"
    ),
    "profiles_attainment_medium": gettext_lazy(
        "Skills profiles: medium educational attainment (ISCED 3-4)"
    ),
    "profiles_attainment_high": gettext_lazy(
        "Skills profiles: high educational attainment (ISCED 5-8)"
    ),
    "profiles_host_language_b1": gettext_lazy("Skills profiles: host language at CEFR B1 or above"),
    "profiles_recognition_granted": gettext_lazy(
        "Skills profiles: tertiary diplomas recognised, of those decided"
    ),
}


def profiles_title(code: str) -> str:
    """The title of a skills-profiles indicator, or ``code`` when it is none of them."""
    title = PROFILES_TITLES.get(code)
    return code if title is None else str(title)
