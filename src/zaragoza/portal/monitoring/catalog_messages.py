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
    "arope_2020": gettext_noop(
        "At risk of poverty or social exclusion, Europe 2020 definition (18 and over)"
    ),
    "arope_2030": gettext_noop(
        "At risk of poverty or social exclusion, 2030 definition (18 and over)"
    ),
    "at_risk_of_poverty_rate": gettext_noop("At-risk-of-poverty rate (18 and over)"),
    "at_risk_of_poverty_threshold": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "At-risk-of-poverty threshold (60% of the national median equivalised income)"
    ),
    "early_leavers": gettext_noop("Early leavers from education and training (18-24)"),
    "educational_attainment_high": gettext_noop("High educational attainment (ISCED 5-8, 25-64)"),
    "educational_attainment_low": gettext_noop("Low educational attainment (ISCED 0-2, 25-64)"),
    "educational_attainment_medium": gettext_noop(
        "Medium educational attainment (ISCED 3-4, 25-64)"
    ),
    "employment_rate": gettext_noop("Employment rate (20-64)"),
    "employment_rate_15_64": gettext_noop("Employment rate (15-64)"),
    "gini": gettext_noop("Gini coefficient of equivalised disposable income"),
    "good_health_share": gettext_noop(
        "Persons perceiving their health as good or very good (16 and over)"
    ),
    "housing_cost_overburden": gettext_noop("Housing cost overburden rate (18 and over)"),
    "in_work_poverty": gettext_noop("In-work at-risk-of-poverty rate (employed, 18 and over)"),
    "long_term_residence_share": gettext_noop(
        "Long-term residents among non-EU citizens holding a residence permit"
    ),
    "long_term_unemployment_rate": gettext_noop(
        "Long-term unemployment rate (share of the labour force, 20-64)"
    ),
    "long_term_unemployment_share": gettext_noop(
        "Long-term unemployment (share of the unemployed, 20-64)"
    ),
    "low_work_intensity": gettext_noop(
        "Persons living in households with very low work intensity (18-59)"
    ),
    "median_equivalised_income": gettext_noop("Median equivalised net income (18 and over)"),
    "median_income_ratio": gettext_noop(
        "Median equivalised net income of the group relative to the whole population (18 and over)"
    ),
    "naturalisation_rate": gettext_noop("Naturalisation rate"),
    "neet_rate": gettext_noop(
        "Young people neither in employment nor in education or training (NEET, 15-29)"
    ),
    "overcrowding_rate": gettext_noop("Overcrowding rate (18 and over)"),
    "overqualification_rate": gettext_noop("Over-qualification rate (20-64)"),
    "owner_share": gettext_noop("Property owners (18 and over)"),
    "part_time_employment_share": gettext_noop("Part-time employment (share of employment, 20-64)"),
    "public_sector_employment_share": gettext_noop(
        "Employment in public services (NACE O, P, Q; 20-64)"
    ),
    "s80_s20": gettext_noop("Income quintile share ratio S80/S20"),
    "self_employment_share": gettext_noop("Self-employment (share of employment, 20-64)"),
    "severe_material_deprivation": gettext_noop("Severe material deprivation rate (18 and over)"),
    "severe_material_social_deprivation": gettext_noop(
        "Severe material and social deprivation rate (18 and over)"
    ),
    "temporary_employment_share": gettext_noop("Temporary employment (share of employees, 20-64)"),
    "tertiary_attainment": gettext_noop("Tertiary educational attainment (25-34)"),
    "tertiary_attainment_30_34": gettext_noop("Tertiary educational attainment (30-34)"),
    "unemployment_rate": gettext_noop("Unemployment rate (20-64)"),
    "unemployment_rate_15_64": gettext_noop("Unemployment rate (15-64)"),
    "unemployment_rate_15_74": gettext_noop("Unemployment rate (15-74)"),
    "unmet_medical_needs": gettext_noop(
        "Self-reported unmet needs for medical examination or treatment (16 and over)"
    ),
    "youth_unemployment_rate": gettext_noop("Youth unemployment rate (15-24)"),
}


def indicator_title(indicator: Indicator) -> str:
    """Return the indicator's title in the active language (English if untranslated)."""
    return gettext(indicator.title) if indicator.id in TITLES else indicator.title
