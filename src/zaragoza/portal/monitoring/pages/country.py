"""The country profile: every indicator for one country, its gaps and the EU targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from zaragoza.catalog.schema import Indicator
from zaragoza.catalog.targets import Target, targets_for
from zaragoza.portal.monitoring.catalog_messages import indicator_title, target_source
from zaragoza.portal.monitoring.labels import (
    country_name,
    group_label,
)
from zaragoza.portal.monitoring.pages.common import (
    EU,
    SOURCES,
    area_name,
    area_rank,
    at_age_band,
    breakdown,
    by_slice,
    cell,
    choice,
    context,
    decimals_for,
    downloads,
    flags_used,
    gap_cell,
    geo_order,
    grouped,
    groups_in,
    keyed_rows,
    main_group,
    many,
    no_geo_figures,
    one,
    records,
    sources_of,
    unit_name,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["country_page"]


def _target_row(
    target: Target,
    ind: Indicator,
    values: Sequence[tuple[str, dict[str, Any]]],
    demonstration: bool = False,
) -> dict[str, Any]:
    """A target's row of the profile: each group's distance and verdict.

    The verdict takes the figure's 95% interval into account (``Target.verdict``); a
    figure computed from synthetic records gets none: it is a demonstration.
    """
    framework = _("Europe 2020") if target.framework == "europe_2020" else _("EU 2030")
    if target.direction == "at_least":
        text = _("at least %(value)s") % {"value": f"{target.value:g}"}
    elif target.inclusive:
        text = _("at most %(value)s") % {"value": f"{target.value:g}"}
    else:
        text = _("below %(value)s") % {"value": f"{target.value:g}"}
    distances = []
    for label, c in values:
        if c["missing"]:
            distances.append({"label": label, "missing": True})
        else:
            distances.append(
                {
                    "label": label,
                    "missing": False,
                    "value": c["value"],
                    "year": c["year"],
                    "distance": target.distance(c["value"]),
                    "verdict": None
                    if demonstration
                    else target.verdict(c["value"], c.get("ci_lo"), c.get("ci_hi")),
                }
            )
    return {"target": target, "framework": framework, "text": text,
            "citation": target_source(target), "indicator": ind,
            "title": indicator_title(ind), "distances": distances}  # fmt: skip


def country_page(reader: WarehouseReader, geo: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the country profile: every indicator the warehouse has for ``geo``, its
    latest figures by group, the gap to nationals, the EU average and the EU targets."""
    ctx = context(reader)
    if geo not in ctx.codes["geo"]:
        raise no_geo_figures(geo)
    asked = one(params, "source")
    if asked is not None:
        choice(asked, SOURCES, "source", "published")
    # ``watch``: indicators shown first (a toolbox plan's indicators to watch link here).
    watch = list(dict.fromkeys(many(params, "watch")))
    for ident in watch:
        if ident not in ctx.catalog.indicators:
            choice(ident, sorted(ctx.catalog.indicators), "watch", "")
    # Every total-sex cell of the country and the EU, levels and gaps, in one query: the
    # profile slices it per indicator and source.
    everything = reader.observations(ObservationFilter(geo=(geo, EU), sex=("T",), compare_to=()))
    slices = dict(iter(everything.groupby(["indicator", "source"], sort=False)))
    sections: dict[str, list[dict[str, Any]]] = {}
    target_rows = []
    all_cells: list[dict[str, Any]] = []
    synthetic_shown = False
    for ident in sorted(ctx.catalog.indicators, key=lambda i: (area_rank(ctx, i), i)):
        ind = ctx.catalog.indicators[ident]
        sources = sources_of(ctx, ident)
        source = asked if asked in sources else (sources[0] if sources and asked is None else None)
        if source is None:
            continue
        mixed = slices.get((ident, source))
        if mixed is None:
            continue
        df = at_age_band(mixed[mixed["compare_to"] == ""], ind)
        if df.empty or geo not in set(df["geo"]):
            continue
        by = breakdown(df)
        df = grouped(df, by)
        mine = df[df["geo"] == geo]
        with_values = mine[mine["value"].notna()]
        year = int(with_values["time"].max()) if not with_values.empty else int(mine["time"].max())
        rows = keyed_rows(df)
        groups = groups_in(mine, by)
        decimals = decimals_for(ind, df["value"].dropna())
        main = main_group(groups)
        cells = {g: cell(rows.get((geo, year, g, "T")), decimals, year) for g in groups}
        gap = None
        if main is not None and "NAT" in groups:
            gap_df = mixed[
                (mixed["compare_to"] == "NAT") & (mixed["geo"] == geo) & (mixed["time"] == year)
            ]
            gap_df = by_slice(gap_df, by)
            gap_df = gap_df[gap_df[by] == main]
            gap_row = records(gap_df)[0] if not gap_df.empty else None
            gap = gap_cell(gap_row, cells[main], cells["NAT"], decimals, year)
        eu = cell(rows.get((EU, year, main, "T")), decimals, year) if main else None
        all_cells.extend(cells.values())
        synthetic_shown |= ctx.demonstration(source)
        sections.setdefault(ind.area, []).append(
            {
                "indicator": ind,
                "title": indicator_title(ind),
                "unit_name": unit_name(ind.unit),
                "source": source,
                "synthetic": ctx.demonstration(source),
                "year": year,
                "by": by,
                "cells": [
                    {"group": g, "label": group_label(g, by), "cell": cells[g]} for g in groups
                ],
                "main": main,
                "main_label": group_label(main, by) if main else "",
                "gap": gap,
                "eu": eu,
                "url_query": urlencode({"geo": geo, "source": source}),
            }
        )
        for target in targets_for(ident):
            shown = [("TOTAL", group_label("TOTAL", by)), ("NAT", group_label("NAT", by))]
            if main:
                shown.append((main, group_label(main, by)))
            target_rows.append(
                _target_row(
                    target,
                    ind,
                    [(label, cells.get(g) or cell(None, decimals, year)) for g, label in shown],
                    demonstration=ctx.demonstration(source),
                )
                | {"source": source, "synthetic": ctx.demonstration(source)}
            )
    if not sections:
        raise no_geo_figures(geo)
    areas: list[dict[str, Any]] = [
        {"area": a, "name": area_name(a), "rows": rows} for a, rows in sections.items()
    ]
    if watch:
        found = {r["indicator"].id: r for rows in sections.values() for r in rows}
        first = [found[i] for i in watch if i in found]
        areas = [
            {**a, "rows": [r for r in a["rows"] if r["indicator"].id not in watch]} for a in areas
        ]
        areas = [{"area": "watch", "name": _("Indicators to watch"), "rows": first}] + [
            a for a in areas if a["rows"]
        ]
    return {
        "geo": geo,
        "name": country_name(geo),
        "source": asked or "",
        "sections": areas,
        "watch": watch,
        "targets": target_rows,
        "flags_used": flags_used(all_cells),
        "synthetic": synthetic_shown,
        "geos": [(g, country_name(g)) for g in geo_order(ctx.codes["geo"])],
        "downloads": downloads(geo=[geo], source=asked),
    }
