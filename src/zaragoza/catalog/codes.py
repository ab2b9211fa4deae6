"""Code lists: Eurostat geo codes, EU27_2020 membership, migrant groups, ISCED, ISCO.

Eurostat writes Greece ``EL`` and the United Kingdom ``UK`` where ISO 3166 has ``GR`` and
``GB``; inputs may use either, and everything downstream uses Eurostat's.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import pycountry

__all__ = [
    "CITIZEN_GROUPS",
    "EU27_2020",
    "GROUPED_EU",
    "GROUPED_NON_EU",
    "ISO_TO_EUROSTAT",
    "country_codes",
    "eu27_2020",
]

#: ISO 3166-1 codes that Eurostat writes differently.
ISO_TO_EUROSTAT = {"GR": "EL", "GB": "UK"}

#: Grouped codes of anonymised EU-LFS / EU-SILC files meaning "another EU country".
GROUPED_EU = frozenset({"EU", "EU27", "EU27_2020"})
#: Grouped codes meaning "a non-EU country" (stateless persons are counted there too).
GROUPED_NON_EU = frozenset({"NEU", "NEU27", "NEU27_2020", "OTH", "OTHER", "STLS"})

#: Eurostat ``citizen`` / ``c_birth`` codes of the migrant groups, in display order.
CITIZEN_GROUPS = ("TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR")


@cache
def eu27_2020() -> frozenset[str]:
    """Return the Eurostat geo codes of the 27 EU Member States from 1 February 2020."""
    path = resources.files("zaragoza.catalog") / "data" / "eu_membership_eurostat_geo.csv"
    with path.open(encoding="utf-8") as fh:
        return frozenset(r["geo"] for r in csv.DictReader(fh) if r["group"] == "EU27_2020")


EU27_2020 = eu27_2020()


@cache
def country_codes() -> frozenset[str]:
    """Return every valid country code of citizenship or birth, Eurostat spelling.

    ISO 3166-1 alpha-2 codes with ``EL``/``UK`` added (and ``GR``/``GB`` accepted as
    aliases), plus ``XK`` (Kosovo under UNSCR 1244/99), which Eurostat uses.
    """
    iso = {c.alpha_2 for c in pycountry.countries}
    return frozenset(iso | set(ISO_TO_EUROSTAT.values()) | {"XK"})
