"""The home page: the EU's latest gap per theme, with its trend."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from zaragoza.portal.monitoring import svg
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    group_label,
)
from zaragoza.portal.monitoring.pages.common import (
    EU,
    api_url,
    as_float,
    breakdown,
    cell,
    context,
    decimals_for,
    difference,
    gap_unit_name,
    group_filter,
    grouped,
    groups_in,
    keyed_rows,
    levels,
    main_group,
    source_note,
    sources_of,
)
from zaragoza.warehouse.reader import WarehouseReader

__all__ = ["HEADLINES", "home_page"]

#: Home page themes: the catalogue area each is about and the indicators that stand for
#: it, best first. A theme shows the first one with EU figures in the warehouse, else any
#: other indicator of its area that has them, so that an indicator added to the catalogue
#: and loaded (the at-risk-of-poverty rate, say) appears without a change here.
HEADLINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("employment", "employment", ("employment_rate", "employment_rate_15_64")),
    ("unemployment", "employment", ("unemployment_rate", "unemployment_rate_15_64")),
    ("education", "education",
     ("tertiary_attainment", "educational_attainment_low", "early_leavers")),
    ("poverty", "social_inclusion", ("at_risk_of_poverty_rate", "median_equivalised_income")),
    ("naturalisation", "active_citizenship", ("naturalisation_rate",)),
)  # fmt: skip


def _theme_label(theme: str) -> str:
    labels = {
        "employment": _("Employment"), "unemployment": _("Unemployment"),
        "education": _("Education"), "poverty": _("Income and poverty"),
        "naturalisation": _("Citizenship"),
    }  # fmt: skip
    return labels.get(theme, theme)


def home_page(reader: WarehouseReader) -> dict[str, Any]:
    """Return the home page: per theme, the EU's latest gap between a migrant group and
    nationals, with its trend as a sparkline."""
    ctx = context(reader)
    cards = []
    shown: set[str] = set()
    for theme, area, candidates in HEADLINES:
        others = sorted(
            i for i, d in ctx.catalog.indicators.items() if d.area == area and i not in shown
        )
        df = pd.DataFrame()
        for ident in dict.fromkeys([*candidates, *others]):
            if ident not in ctx.catalog.indicators or ident in shown or not sources_of(ctx, ident):
                continue
            ind = ctx.catalog.indicators[ident]
            source = sources_of(ctx, ident)[0]
            df = levels(reader, ind, source, geo=(EU,), sex=("T",))
            if not df.empty:
                break
        if df.empty:
            continue
        shown.add(ind.id)
        by = breakdown(df)
        df = grouped(df, by)
        groups = groups_in(df, by)
        main = main_group(groups)
        if main is None:
            continue
        rows = keyed_rows(df)
        decimals = decimals_for(ind, df["value"].dropna())
        years = sorted({int(t) for t in df["time"]})
        has_nat = "NAT" in groups
        trend: list[tuple[int, float | None]] = []
        for y in years:
            g = as_float((rows.get((EU, y, main, "T")) or {}).get("value"))
            n = as_float((rows.get((EU, y, "NAT", "T")) or {}).get("value"))
            if has_nat:
                trend.append((y, g - n if g is not None and n is not None else None))
            else:
                trend.append((y, g))
        latest = next((y for y, v in reversed(trend) if v is not None), None)
        if latest is None:
            continue
        group_cell = cell(rows.get((EU, latest, main, "T")), decimals)
        nat_cell = cell(rows.get((EU, latest, "NAT", "T")), decimals) if has_nat else None
        gap = difference(group_cell, nat_cell, decimals) if nat_cell is not None else None
        first = trend[0][0]
        spark_label = _("%(what)s, %(first)s to %(last)s") % {
            "what": (_("Gap to nationals") if has_nat else indicator_title(ind)),
            "first": first,
            "last": latest,
        }
        cards.append(
            {
                "theme": theme,
                "theme_label": _theme_label(theme),
                "indicator": ind,
                "title": indicator_title(ind),
                "unit": ind.unit,
                "unit_symbol": "%" if ind.unit == "PC" else "",
                "gap_unit": gap_unit_name(ind.unit),
                "source": source,
                "source_note": source_note(ctx, source),
                "by": by,
                "group": main,
                "group_label": group_label(main, by),
                "versus": (
                    _("%(group)s compared with nationals, EU, %(year)s")
                    if by == "citizen"
                    else _("%(group)s compared with the native-born, EU, %(year)s")
                )
                % {"group": group_label(main, by), "year": latest},
                "gap_caption": (
                    _("Gap between %(group)s and nationals, EU")
                    if by == "citizen"
                    else _("Gap between %(group)s and the native-born, EU")
                )
                % {"group": group_label(main, by)},
                "group_cell": group_cell,
                "nat_cell": nat_cell,
                "gap": gap,
                "year": latest,
                "trend": [{"year": y, "value": v} for y, v in trend],
                "sparkline": svg.sparkline(trend, label=spark_label),
                "first_year": first,
                "decimals": decimals,
                "csv_url": api_url(
                    "csv",
                    indicator=[ind.id],
                    geo=[EU],
                    source=source,
                    sex=["T"],
                    **group_filter(by, [main, "NAT"] if has_nat else [main]),
                ),
            }
        )
    return {"cards": cards, "synthetic": ctx.synthetic, "coverage": ctx.coverage}
