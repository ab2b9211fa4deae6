"""The lists of indicators and of countries."""

from __future__ import annotations

from typing import Any

from zaragoza.catalog.codes import EU27_2020
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    country_name,
    is_aggregate,
)
from zaragoza.portal.monitoring.pages.common import (
    AREA_ORDER,
    area_name,
    context,
    geo_order,
    records,
)
from zaragoza.warehouse.reader import WarehouseReader

__all__ = ["country_list", "indicator_list"]


def indicator_list(reader: WarehouseReader) -> dict[str, Any]:
    """Return the indicators the warehouse has figures for, by area, with their coverage."""
    ctx = context(reader)
    cov = ctx.coverage
    areas: dict[str, list[dict[str, Any]]] = {}
    for ident in ctx.catalog:
        ind = ctx.catalog.indicators[ident]
        mine = cov[cov["indicator"] == ident]
        if mine.empty:
            continue
        areas.setdefault(ind.area, []).append(
            {
                "indicator": ind,
                "title": indicator_title(ind),
                "sources": [
                    {
                        "source": r["source"],
                        "geos": int(r["geos"]),
                        "first": int(r["first_year"]),
                        "last": int(r["last_year"]),
                        "synthetic": ctx.demonstration(r["source"]),
                    }
                    for r in records(mine)
                ],
            }
        )
    return {
        "areas": [
            {"area": a, "name": area_name(a), "rows": areas[a]} for a in AREA_ORDER if a in areas
        ],
        "synthetic": ctx.synthetic,
    }


def country_list(reader: WarehouseReader) -> dict[str, Any]:
    """Return the countries and aggregates the warehouse has figures for."""
    ctx = context(reader)
    geos = geo_order(ctx.codes["geo"])
    return {
        "aggregates": [(g, country_name(g)) for g in geos if is_aggregate(g)],
        "members": [(g, country_name(g)) for g in geos if g in EU27_2020],
        "others": [
            (g, country_name(g)) for g in geos if not is_aggregate(g) and g not in EU27_2020
        ],
    }
