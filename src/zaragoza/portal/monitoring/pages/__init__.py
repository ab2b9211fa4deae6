"""What each page shows, shaped from the warehouse: plain data for templates and charts.

Views parse nothing and compute nothing: they hand the query string to a function here
and render what it returns. Every function takes the warehouse reader and the query
parameters, and raises :class:`PageError` (with an HTTP status) for a parameter it cannot
use, naming what would be valid. One module a page (``home``, ``indicator``, ``country``,
``compare``, ``data``, ``lists``); what they share is in ``common``.

Cells are plain dicts (``value``, ``flag``, ``flags`` (meanings), ``year``, ``ci_lo``,
``ci_hi``, ``missing``, ``decimals``) so that templates show a missing value as missing
and every flag as text.
"""

from __future__ import annotations

from zaragoza.portal.monitoring.pages.common import EU, PageError, api_url
from zaragoza.portal.monitoring.pages.compare import PARAMETERS as COMPARE_PARAMETERS
from zaragoza.portal.monitoring.pages.compare import compare_figures, compare_page
from zaragoza.portal.monitoring.pages.country import PARAMETERS as PROFILE_PARAMETERS
from zaragoza.portal.monitoring.pages.country import country_figures, country_page
from zaragoza.portal.monitoring.pages.data import (
    DATA_PARAMETERS,
    FORM_MARKER,
    data_form_target,
    data_page,
)
from zaragoza.portal.monitoring.pages.home import HEADLINES, home_page
from zaragoza.portal.monitoring.pages.indicator import (
    FIGURE_PARTS,
    indicator_figures,
    indicator_page,
)
from zaragoza.portal.monitoring.pages.indicator import PARAMETERS as INDICATOR_PARAMETERS
from zaragoza.portal.monitoring.pages.lists import country_list, indicator_list
from zaragoza.portal.monitoring.pages.metadata import metadata_page
from zaragoza.portal.monitoring.pages.search import search_page

__all__ = [
    "COMPARE_PARAMETERS",
    "DATA_PARAMETERS",
    "EU",
    "FIGURE_PARTS",
    "FORM_MARKER",
    "HEADLINES",
    "INDICATOR_PARAMETERS",
    "PROFILE_PARAMETERS",
    "PageError",
    "api_url",
    "compare_figures",
    "compare_page",
    "country_figures",
    "country_list",
    "country_page",
    "data_form_target",
    "data_page",
    "home_page",
    "indicator_figures",
    "indicator_list",
    "indicator_page",
    "metadata_page",
    "search_page",
]
