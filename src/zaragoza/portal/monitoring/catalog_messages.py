"""The catalogue's indicator titles as messages, so that ``makemessages`` collects them.

The catalogue's YAML files are the source of the English titles; this list only lets the
French and German catalogues translate them (``tests/portal/test_pages.py`` checks that it
agrees with the catalogue). An indicator added to the catalogue but not here shows its
English title until it is added here and translated.
"""

from __future__ import annotations

from django.utils.translation import gettext

from zaragoza.catalog.schema import Indicator

__all__ = ["TITLES", "indicator_title"]


def gettext_noop(message: str) -> str:
    """Return ``message``: marks it for ``makemessages`` without needing Django's settings."""
    return message


TITLES = {
    "activity_rate": gettext_noop("Activity rate (20-64)"),
    "adult_learning_participation": gettext_noop(
        "Participation in education and training, last 4 weeks (25-64)"
    ),
    "early_leavers": gettext_noop("Early leavers from education and training (18-24)"),
    "educational_attainment_high": gettext_noop("High educational attainment (ISCED 5-8, 25-64)"),
    "educational_attainment_low": gettext_noop("Low educational attainment (ISCED 0-2, 25-64)"),
    "educational_attainment_medium": gettext_noop(
        "Medium educational attainment (ISCED 3-4, 25-64)"
    ),
    "employment_rate": gettext_noop("Employment rate (20-64)"),
    "employment_rate_15_64": gettext_noop("Employment rate (15-64)"),
    "long_term_unemployment_rate": gettext_noop(
        "Long-term unemployment rate (share of the labour force, 20-64)"
    ),
    "long_term_unemployment_share": gettext_noop(
        "Long-term unemployment (share of the unemployed, 20-64)"
    ),
    "median_equivalised_income": gettext_noop("Median equivalised net income (18 and over)"),
    "naturalisation_rate": gettext_noop("Naturalisation rate"),
    "neet_rate": gettext_noop(
        "Young people neither in employment nor in education or training (NEET, 15-29)"
    ),
    "overqualification_rate": gettext_noop("Over-qualification rate (20-64)"),
    "part_time_employment_share": gettext_noop("Part-time employment (share of employment, 20-64)"),
    "public_sector_employment_share": gettext_noop(
        "Employment in public services (NACE O, P, Q; 20-64)"
    ),
    "self_employment_share": gettext_noop("Self-employment (share of employment, 20-64)"),
    "temporary_employment_share": gettext_noop("Temporary employment (share of employees, 20-64)"),
    "tertiary_attainment": gettext_noop("Tertiary educational attainment (25-34)"),
    "tertiary_attainment_30_34": gettext_noop("Tertiary educational attainment (30-34)"),
    "unemployment_rate": gettext_noop("Unemployment rate (20-64)"),
    "unemployment_rate_15_64": gettext_noop("Unemployment rate (15-64)"),
    "unemployment_rate_15_74": gettext_noop("Unemployment rate (15-74)"),
    "youth_unemployment_rate": gettext_noop("Youth unemployment rate (15-24)"),
}


def indicator_title(indicator: Indicator) -> str:
    """Return the indicator's title in the active language (English if untranslated)."""
    return gettext(indicator.title) if indicator.id in TITLES else indicator.title
