"""The catalogue's indicator titles and definitions, and the EU targets' sources, as
messages, so that ``makemessages`` collects them.

The catalogue's YAML files (``catalog/indicators/*.yaml``, ``catalog/targets.yaml``) are the
source of the English texts; these lists only let the French and German catalogues translate
them (``tests/portal/test_pages.py`` checks that they agree with the catalogue). An indicator
or target added to the catalogue but not here, or whose text differs from the one here (a
user's ``--catalog`` folder), shows its English text until it is added here and translated.
The API keeps the English texts: they are data there, not the page's language.
"""

from __future__ import annotations

from django.utils.translation import gettext

from zaragoza.catalog.schema import Indicator
from zaragoza.catalog.targets import Target

__all__ = [
    "DEFINITIONS",
    "TARGET_SOURCES",
    "TITLES",
    "indicator_definition",
    "indicator_title",
    "target_source",
]


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
    "low_achievers_maths": gettext_noop("Low achievers in mathematics (15-year-olds)"),
    "low_achievers_reading": gettext_noop("Low achievers in reading (15-year-olds)"),
    "low_achievers_science": gettext_noop("Low achievers in science (15-year-olds)"),
    "mean_score_maths": gettext_noop("Mean score in mathematics (15-year-olds)"),
    "mean_score_reading": gettext_noop("Mean score in reading (15-year-olds)"),
    "mean_score_science": gettext_noop("Mean score in science (15-year-olds)"),
    "top_performers_maths": gettext_noop("Top performers in mathematics (15-year-olds)"),
    "top_performers_reading": gettext_noop("Top performers in reading (15-year-olds)"),
    "top_performers_science": gettext_noop("Top performers in science (15-year-olds)"),
}


DEFINITIONS = {
    "activity_rate": gettext_noop(
        "Economically active persons (labour force: employed and unemployed, ILOSTAT 1 or 2) as "
        "a percentage of the total population aged 20-64 of the same group."
    ),
    "adult_learning_participation": gettext_noop(
        "Persons aged 25-64 who received education or training in the four weeks preceding the "
        "survey (EDUC4WN = 1) as a percentage of the population aged 25-64 of the same group."
    ),
    "arope_2020": gettext_noop(
        "Share of persons aged 18 and over who are at risk of poverty (below the national "
        "threshold), or severely materially deprived (4 of 9 items), or living in a household "
        "with very low work intensity; each person counted once. From the components the input "
        "has: a component whose variables are absent is left out and the cells are flagged d."
    ),
    "arope_2030": gettext_noop(
        "Share of persons aged 18 and over who are at risk of poverty, or severely materially "
        "and socially deprived (7 of 13 items), or living in a (quasi-)jobless household (2030 "
        "work-intensity definition); each person counted once. From the components the input "
        "has: a component whose variables are absent is left out and the cells are flagged d."
    ),
    "at_risk_of_poverty_rate": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Share of persons aged 18 and over with an equivalised disposable income (after social "
        "transfers) below the at-risk-of-poverty threshold, 60% of the national median "
        "equivalised income of all persons of the country. The threshold is always the national "
        "one, never the group's (Eurostat LI31.sas; laeken::arpr with breakdown)."
    ),
    "at_risk_of_poverty_threshold": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "60% of the national median equivalised disposable income after social transfers, the "
        "median taken over all persons of the country (all ages), weighted by RB050 (Eurostat "
        "ARPT60; laeken::arpt). Computed for the country only: the threshold of every breakdown "
        "is the national one."
    ),
    "early_leavers": gettext_noop(
        "Persons aged 18-24 whose highest level of education or training attained is at most "
        "lower secondary (ISCED 2011 levels 0-2) and who received no education or training in "
        "the four weeks preceding the survey (EDUC4WN = 2), as a percentage of the population "
        "aged 18-24 of the same group."
    ),
    "educational_attainment_high": gettext_noop(
        "Persons whose highest level of education attained is tertiary (ISCED 2011 levels 5-8) "
        "as a percentage of the population aged 25-64 of the same group. ISCED 2011 levels from "
        "HATLEVEL (000-200 = 0-2 low, 300-400 = 3-4 medium, 500-800 = 5-8 high)."
    ),
    "educational_attainment_low": gettext_noop(
        "Persons whose highest level of education attained is at most lower secondary (ISCED "
        "2011 levels 0-2) as a percentage of the population aged 25-64 of the same group. ISCED "
        "2011 levels from HATLEVEL (000-200 = 0-2 low, 300-400 = 3-4 medium, 500-800 = 5-8 "
        "high)."
    ),
    "educational_attainment_medium": gettext_noop(
        "Persons whose highest level of education attained is upper secondary or post-secondary "
        "non-tertiary (ISCED 2011 levels 3-4) as a percentage of the population aged 25-64 of "
        "the same group. ISCED 2011 levels from HATLEVEL (000-200 = 0-2 low, 300-400 = 3-4 "
        "medium, 500-800 = 5-8 high)."
    ),
    "employment_rate": gettext_noop(
        "Employed persons (ILO definition, ILOSTAT = 1) as a percentage of the total population "
        "of the same age, sex and migrant group."
    ),
    "employment_rate_15_64": gettext_noop(
        "Employed persons (ILOSTAT = 1) as a percentage of the total population aged 15-64 of "
        "the same sex and migrant group; the age band of Eurostat's long series."
    ),
    "gini": gettext_noop(
        "Gini coefficient of equivalised disposable income on Eurostat's 0-100 scale, all "
        "persons of the group, weighted by RB050, by the formula of EU-SILC 131-rev/04 as in "
        "laeken::gini: 100 ((2 sum w x C - sum w^2 x) / (W sum w x) - 1), C the cumulative "
        "weight in increasing income."
    ),
    "good_health_share": gettext_noop(
        "Share of persons aged 16 and over who perceive their general health (PH010) as very "
        "good or good (codes 1-2), among those who answered, weighted by PB040."
    ),
    "housing_cost_overburden": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Share of persons aged 18 and over living in households where total housing costs (12 x "
        "HH070), net of housing allowances (HY070G), exceed 40% of disposable household income "
        "(HY020), also net of housing allowances, by Eurostat's algorithm (lvho25.sas)."
    ),
    "in_work_poverty": gettext_noop(
        "At-risk-of-poverty rate of persons aged 18 and over whose most frequent activity "
        "status in the income reference year was employed (PX050 2-4 in the 2009+ coding, 1 in "
        "the earlier one: employees, employed persons except employees, other employed), "
        "weighted by PB040 (Eurostat IW15.sas); national threshold."
    ),
    "long_term_residence_share": gettext_noop(
        "Non-EU citizens holding a long-term residence permit (an EU long-term residence permit "
        "under Council Directive 2003/109/EC, or a national long-term permit valid for at least "
        "five years) as a percentage of all non-EU citizens holding a valid residence permit in "
        "the reporting country on 31 December. From the residence-permit statistics of "
        "Regulation (EC) No 862/2007 (Eurostat migr_resshare), not from a survey."
    ),
    "long_term_unemployment_rate": gettext_noop(
        "Unemployed persons (ILOSTAT = 2) looking for work for 12 months or more (DURUNE "
        "classes 5-8) as a percentage of the labour force (ILOSTAT 1 or 2) aged 20-64."
    ),
    "long_term_unemployment_share": gettext_noop(
        "Unemployed persons (ILOSTAT = 2) looking for work for 12 months or more (DURUNE "
        "classes 5-8: 12-17, 18-23, 24-47 months, 4 years or more) as a percentage of all "
        "unemployed persons aged 20-64."
    ),
    "low_work_intensity": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Share of persons aged 18-59 living in households where the members of working age "
        "(18-59, students aged 18-24 aside) worked at most 20% of their total work-time "
        "potential during the income reference year (Europe 2020 definition)."
    ),
    "median_equivalised_income": gettext_noop(
        "Median equivalised disposable income of persons aged 18 and over in the group, in "
        "euro: the total disposable household income divided by the equivalised household size "
        "(modified OECD scale), weighted by the personal cross-sectional weight RB050. The "
        "weighted median is Eurostat's (laeken::weightedMedian): the first income, in "
        "increasing order, whose cumulative weight share exceeds one half. The Zaragoza "
        "indicator relates the median of a migrant group to that of the whole population "
        "(median_income_ratio)."
    ),
    "median_income_ratio": gettext_noop(
        "Median equivalised disposable income of the group's persons aged 18 and over as a "
        "percentage of the median of all persons aged 18 and over of the country (the Zaragoza "
        'core indicator "median net income of the immigrant population as a proportion of the '
        'median net income of the total population"). Both medians as in '
        "median_equivalised_income; the denominator is always the national one."
    ),
    "naturalisation_rate": gettext_noop(
        "Persons who acquired the citizenship of the reporting country during the year per 100 "
        "non-citizens resident in the country on 1 January of that year (acquisitions of "
        "citizenship, migr_acq, over the non-national population, migr_pop1ctz). From "
        "administrative migration statistics (Regulation (EC) No 862/2007), not from a survey."
    ),
    "neet_rate": gettext_noop(
        "Persons aged 15-29 who are not employed (ILOSTAT other than 1) and received no "
        "education or training in the four weeks preceding the survey (EDUC4WN = 2), as a "
        "percentage of the population aged 15-29 of the same group."
    ),
    "overcrowding_rate": gettext_noop(
        "Share of persons aged 18 and over living in a household without at least one room for "
        "the household, one per couple, one per single person aged 18 or over, one per pair of "
        "single persons of the same sex aged 12-17, one per other single person aged 12-17 and "
        "one per pair of children under 12 (Eurostat's definition; rooms HH030)."
    ),
    "overqualification_rate": gettext_noop(
        "Employed persons with tertiary educational attainment (ISCED 2011 levels 5-8) working "
        "in low- or medium-skilled occupations (ISCO-08 major groups 4-9) as a percentage of "
        "all employed persons aged 20-64 with tertiary attainment. ISCED 2011 levels from "
        "HATLEVEL (000-200 = 0-2 low, 300-400 = 3-4 medium, 500-800 = 5-8 high); ISCO major "
        "group from ISCO1D."
    ),
    "owner_share": gettext_noop(
        "Share of persons aged 18 and over living in a dwelling owned by the household, with or "
        'without a mortgage (tenure HH021 1-2, 2010 coding), the Zaragoza "ratio of property '
        "owners to non-property owners\" given as the owners' share."
    ),
    "part_time_employment_share": gettext_noop(
        "Persons employed part-time (self-declared, FTPT = 2) as a percentage of all employed "
        "persons (ILOSTAT = 1) aged 20-64 of the same group."
    ),
    "public_sector_employment_share": gettext_noop(
        "Employed persons working in public administration and defence, education, or human "
        "health and social work (NACE Rev. 2 sections O, P, Q from NACE1D) as a percentage of "
        "all employed persons aged 20-64; the OECD proxy for public-sector employment (Settling "
        "In 2015, indicator 6.6)."
    ),
    "s80_s20": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Total equivalised disposable income of the persons above the 80% quantile over that of "
        "the persons at or below the 20% quantile (weighted quantiles as in "
        "laeken::incQuintile), all persons of the group, weighted by RB050 (laeken::qsr)."
    ),
    "self_employment_share": gettext_noop(
        "Self-employed persons with or without employees (STAPRO 1 or 2) as a percentage of all "
        "employed persons (ILOSTAT = 1) aged 20-64 of the same group."
    ),
    "severe_material_deprivation": gettext_noop(
        "Share of persons aged 18 and over who cannot afford at least 4 of the 9 items: to pay "
        "arrears (mortgage or rent, utility bills, hire purchase), a week's annual holiday, a "
        "meal with meat, chicken or fish every second day, unexpected expenses, a telephone, a "
        "colour TV, a washing machine, a car, to keep the home adequately warm."
    ),
    "severe_material_social_deprivation": gettext_noop(
        "Share of persons aged 18 and over lacking at least 7 of 13 items (2030 definition): "
        "seven household items (unexpected expenses, a week's holiday, arrears, a meal with "
        "meat or fish every second day, keeping the home warm, a car, replacing worn-out "
        "furniture) and six personal ones (replacing worn-out clothes, two pairs of shoes, a "
        "small amount of money for oneself, a regular leisure activity, meeting friends or "
        "family monthly, an internet connection)."
    ),
    "temporary_employment_share": gettext_noop(
        "Employees with a temporary job or fixed-term contract (TEMP = 2) as a percentage of "
        "all employees (ILOSTAT = 1 and STAPRO = 3) aged 20-64 of the same group."
    ),
    "tertiary_attainment": gettext_noop(
        "Persons aged 25-34 with tertiary educational attainment (ISCED 2011 levels 5-8) as a "
        "percentage of the population aged 25-34 of the same group; the age band of the "
        "European Education Area 2030 target."
    ),
    "tertiary_attainment_30_34": gettext_noop(
        "Persons aged 30-34 with tertiary educational attainment (ISCED 2011 levels 5-8) as a "
        "percentage of the population aged 30-34 of the same group; the Zaragoza core indicator "
        "and Europe 2020 target band."
    ),
    "unemployment_rate": gettext_noop(
        "Unemployed persons (ILO definition, ILOSTAT = 2) as a percentage of the labour force "
        "(employed and unemployed, ILOSTAT 1 or 2) aged 20-64 of the same group."
    ),
    "unemployment_rate_15_64": gettext_noop(
        "Unemployed persons (ILOSTAT = 2) as a percentage of the labour force (ILOSTAT 1 or 2) "
        "aged 15-64; the age band of Eurostat's long series."
    ),
    "unemployment_rate_15_74": gettext_noop(
        "Unemployed persons (ILOSTAT = 2) as a percentage of the labour force (ILOSTAT 1 or 2) "
        "aged 15-74; Eurostat's standard headline age band."
    ),
    "unmet_medical_needs": gettext_noop(
        "Share of persons aged 16 and over who report an unmet need for medical examination or "
        "treatment in the last 12 months (PH040 = 1) for the headline reasons: too expensive "
        "(PH050 = 1), waiting list (2), too far to travel (4), weighted by PB040."
    ),
    "youth_unemployment_rate": gettext_noop(
        "Unemployed persons (ILOSTAT = 2) as a percentage of the labour force (ILOSTAT 1 or 2) "
        "aged 15-24."
    ),
    "low_achievers_maths": gettext_noop(
        "Students aged 15 (PISA's target population: 15 years 3 months to 16 years 2 months, "
        "in grade 7 or above) scoring below proficiency level 2 in mathematics (below 420.07 "
        "score points on the PISA scale), as a percentage of the students of the same group; "
        "estimated over the plausible values with the final student weight, variance from the"
        " 80 Fay replicate weights and the plausible values (Rubin's rules)."
    ),
    "low_achievers_reading": gettext_noop(
        "Students aged 15 (PISA's target population: 15 years 3 months to 16 years 2 months, "
        "in grade 7 or above) scoring below proficiency level 2 in reading (below 407.47 "
        "score points on the PISA scale), as a percentage of the students of the same group; "
        "estimated over the plausible values with the final student weight, variance from the"
        " 80 Fay replicate weights and the plausible values (Rubin's rules)."
    ),
    "low_achievers_science": gettext_noop(
        "Students aged 15 (PISA's target population: 15 years 3 months to 16 years 2 months, "
        "in grade 7 or above) scoring below proficiency level 2 in science (below 409.54 "
        "score points on the PISA scale), as a percentage of the students of the same group; "
        "estimated over the plausible values with the final student weight, variance from the"
        " 80 Fay replicate weights and the plausible values (Rubin's rules)."
    ),
    "mean_score_maths": gettext_noop(
        "Mean PISA score in mathematics of the students aged 15 (PISA's target population) of"
        " the group, in score points of the PISA scale; estimated over the plausible values "
        "with the final student weight, variance from the 80 Fay replicate weights and the "
        "plausible values (Rubin's rules)."
    ),
    "mean_score_reading": gettext_noop(
        "Mean PISA score in reading of the students aged 15 (PISA's target population) of the"
        " group, in score points of the PISA scale; estimated over the plausible values with "
        "the final student weight, variance from the 80 Fay replicate weights and the "
        "plausible values (Rubin's rules)."
    ),
    "mean_score_science": gettext_noop(
        "Mean PISA score in science of the students aged 15 (PISA's target population) of the"
        " group, in score points of the PISA scale; estimated over the plausible values with "
        "the final student weight, variance from the 80 Fay replicate weights and the "
        "plausible values (Rubin's rules)."
    ),
    "top_performers_maths": gettext_noop(
        "Students aged 15 (PISA's target population) scoring at proficiency level 5 or above "
        "in mathematics (at least 606.99 score points on the PISA scale), as a percentage of "
        "the students of the same group; estimated over the plausible values with the final "
        "student weight, variance from the 80 Fay replicate weights and the plausible values "
        "(Rubin's rules)."
    ),
    "top_performers_reading": gettext_noop(
        "Students aged 15 (PISA's target population) scoring at proficiency level 5 or above "
        "in reading (at least 625.61 score points on the PISA scale), as a percentage of the "
        "students of the same group; estimated over the plausible values with the final "
        "student weight, variance from the 80 Fay replicate weights and the plausible values "
        "(Rubin's rules)."
    ),
    "top_performers_science": gettext_noop(
        "Students aged 15 (PISA's target population) scoring at proficiency level 5 or above "
        "in science (at least 633.33 score points on the PISA scale), as a percentage of the "
        "students of the same group; estimated over the plausible values with the final "
        "student weight, variance from the 80 Fay replicate weights and the plausible values "
        "(Rubin's rules)."
    ),
}

TARGET_SOURCES = {
    "europe2020_employment": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "European Commission, Europe 2020: A strategy for smart, sustainable and inclusive "
        "growth, COM(2010) 2020 final, 3 March 2010 (headline target: 75% of the population "
        "aged 20-64 employed)"
    ),
    "europe2020_early_leavers": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "European Commission, Europe 2020: A strategy for smart, sustainable and inclusive "
        "growth, COM(2010) 2020 final, 3 March 2010 (headline target: the share of early school "
        "leavers under 10%)"
    ),
    "europe2020_tertiary": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "European Commission, Europe 2020: A strategy for smart, sustainable and inclusive "
        "growth, COM(2010) 2020 final, 3 March 2010 (headline target: at least 40% of the "
        "younger generation, aged 30-34, with a tertiary degree)"
    ),
    "eu2030_employment": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "European Commission, The European Pillar of Social Rights Action Plan, COM(2021) 102 "
        "final, 4 March 2021 (at least 78% of people aged 20-64 in employment by 2030)"
    ),
    "eu2030_early_leavers": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Council Resolution on a strategic framework for European cooperation in education and "
        "training towards the European Education Area and beyond (2021-2030), OJ C 66, "
        "26.2.2021, p. 1 (2021/C 66/01) (early leavers from education and training less than "
        "9%)"
    ),
    "eu2030_tertiary": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "Council Resolution on a strategic framework for European cooperation in education and "
        "training towards the European Education Area and beyond (2021-2030), OJ C 66, "
        "26.2.2021, p. 1 (2021/C 66/01) (tertiary attainment of 25-34-year-olds at least 45%)"
    ),
    "eu2030_neet": gettext_noop(
        # xgettext:no-python-format (a literal per cent sign)
        "European Commission, The European Pillar of Social Rights Action Plan, COM(2021) 102 "
        "final, 4 March 2021 (the rate of young people aged 15-29 neither in employment nor in "
        "education or training decreased from 12.6% (2019) to 9%)"
    ),
}


def indicator_title(indicator: Indicator) -> str:
    """Return the indicator's title in the active language (English if untranslated)."""
    return gettext(indicator.title) if indicator.id in TITLES else indicator.title


def indicator_definition(indicator: Indicator) -> str:
    """Return the indicator's definition in the active language.

    English when the indicator is not listed here, or when its definition is not the one
    listed (a user's catalogue that redefines a bundled indicator): a translation of another
    text would be wrong.
    """
    if DEFINITIONS.get(indicator.id) != indicator.definition:
        return indicator.definition
    return gettext(indicator.definition)


def target_source(target: Target) -> str:
    """Return the document that sets ``target``, in the active language (English otherwise)."""
    if TARGET_SOURCES.get(target.id) != target.source:
        return target.source
    return gettext(target.source)
