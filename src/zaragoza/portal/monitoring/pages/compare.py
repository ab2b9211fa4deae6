"""The compare page: two to four countries or regions side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    country_name,
    group_label,
    sex_label,
)
from zaragoza.portal.monitoring.pages.common import (
    SEXES,
    PageError,
    at_age_band,
    breakdown,
    cell,
    chart,
    choice,
    context,
    decimals_for,
    figure_frame,
    figure_links,
    flags_used,
    gap_cell,
    gap_figure,
    geo_of,
    geo_order,
    grouped,
    groups_in,
    indicator_of,
    indicator_options,
    interval_note,
    keyed_rows,
    levels,
    main_group,
    many,
    no_indicator_figures,
    one,
    source_note,
    source_of,
    sources_of,
    trace,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["FIGURES_PATH", "PARAMETERS", "compare_figures", "compare_page"]

#: The API path that serves :func:`compare_figures` (the page's "download these figures").
FIGURES_PATH = "/api/v1/compare/figures"
#: The query parameters the page reads (its URL state; its figures' endpoint reads them too).
PARAMETERS = ("indicator", "source", "geo", "sex", "group")


def compare_figures(reader: WarehouseReader, params: Mapping[str, Any]) -> pd.DataFrame:
    """Return exactly the figures the compare page shows for ``params``, as observation
    rows (:data:`~zaragoza.observations.PUBLISHED_COLUMNS`): each place's series of the
    chosen group and sex (its latest figure among them), nationals' figure of the same
    year and the gap to nationals (the warehouse's gap row, or for published figures the
    difference shown, ``compare_to = NAT`` without an interval). "Download these
    figures" serves these rows."""
    return figure_frame(compare_page(reader, params)["figures"])


_MAX_COMPARE = 4


def compare_page(reader: WarehouseReader, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return two to four countries or regions side by side: each one's latest figure with
    its year, the gap to nationals, and the series over time."""
    ctx = context(reader)
    ind = indicator_of(ctx, one(params, "indicator") or "employment_rate")
    source = source_of(ctx, ind.id, one(params, "source"))
    geos = many(params, "geo") or tuple(g for g in ("AT", "SE") if g in ctx.codes["geo"])
    if not 2 <= len(geos) <= _MAX_COMPARE:
        raise PageError(400, _("Choose two to four countries or regions to compare."), "geo")
    for g in geos:
        geo_of(ctx, g, g)
    if len(set(geos)) != len(geos):
        raise PageError(400, _("Each country or region once, please."), "geo")
    df = levels(reader, ind, source)
    if df.empty:
        raise no_indicator_figures()
    by = breakdown(df)
    df = grouped(df, by)
    groups = groups_in(df, by)
    sex = choice(one(params, "sex"), [s for s in SEXES if s in set(df["sex"])], "sex", "T")
    group = choice(one(params, "group"), groups, "group", main_group(groups) or groups[0])
    rows = keyed_rows(df)
    # the warehouse's gap rows (with their intervals) where it has them: computed figures
    gap_rows = keyed_rows(
        grouped(
            at_age_band(
                reader.observations(
                    ObservationFilter(
                        indicator=(ind.id,), source=(source,), geo=geos, compare_to=("NAT",)
                    )
                ),
                ind,
            ),
            by,
        )
    )
    decimals = decimals_for(ind, df["value"].dropna())
    years = sorted({int(t) for t in df["time"]})
    entities: list[dict[str, Any]] = []
    # the warehouse rows behind every figure shown, for "download these figures"
    figures: list[dict[str, Any] | Mapping[str, Any] | None] = []
    for g in geos:
        mine = df[
            (df["geo"] == g) & (df["_group"] == group) & (df["sex"] == sex) & df["value"].notna()
        ]
        latest = int(mine["time"].max()) if not mine.empty else None
        mine_row = rows.get((g, latest, group, sex)) if latest else None
        c = cell(mine_row, decimals, latest)
        with_nat = latest is not None and "NAT" in groups and group != "NAT"
        nat_row = rows.get((g, latest, "NAT", sex)) if with_nat else None
        nat = cell(nat_row, decimals, latest) if with_nat else None
        gap_row = gap_rows.get((g, latest, group, sex)) if nat is not None else None
        gap = gap_cell(gap_row, c, nat, decimals, latest) if nat is not None else None
        series_of = [rows.get((g, y, group, sex)) for y in years]
        figures.extend([*series_of, nat_row, gap_figure(gap_row, mine_row, nat_row, gap)])
        entities.append(
            {
                "geo": g,
                "name": country_name(g),
                "cell": c,
                "nat": nat,
                "gap": gap,
                "series": [cell(r, decimals, y) for r, y in zip(series_of, years, strict=True)],
            }
        )
    latest_years = {e["cell"]["year"] for e in entities if not e["cell"]["missing"]}
    if len(years) == 1:
        # One year: bars by place (a line needs years).
        drawn = chart(
            "bars",
            ind,
            [
                trace(
                    f"{group_label(group, by)}, {years[0]}",
                    [e["name"] for e in entities],
                    [e["series"][0] for e in entities],
                )
            ],
        )
    else:
        drawn = chart(
            "lines", ind, [trace(e["name"], years, e["series"], dash="solid") for e in entities]
        )
    series_rows: list[dict[str, Any]] = [
        {"year": y, "cells": [e["series"][i] for e in entities]} for i, y in enumerate(years)
    ]
    all_cells = [e["cell"] for e in entities] + [c for e in entities for c in e["series"]]
    return {
        "indicator": ind,
        "title": indicator_title(ind),
        "indicators": indicator_options(ctx),
        "source": source,
        "sources": sources_of(ctx, ind.id),
        "source_note": source_note(ctx, source),
        "interval_note": interval_note([source]),
        "synthetic": ctx.demonstration(source),
        "geos": geos,
        "geo_options": [(g, country_name(g)) for g in geo_order(set(df["geo"]))],
        "entities": entities,
        "mixed_years": len(latest_years) > 1,
        "by": by,
        "group": group,
        "group_label": group_label(group, by),
        "groups": [(g, group_label(g, by)) for g in groups],
        "sex": sex,
        "sex_options": [(s, sex_label(s)) for s in SEXES if s in set(df["sex"])],
        "years": years,
        "series_rows": series_rows,
        "chart": drawn,
        "flags_used": flags_used(all_cells),
        "figures": figures,
        "downloads": figure_links(
            FIGURES_PATH,
            {
                "indicator": ind.id,
                "geo": ",".join(geos),
                "source": source,
                "sex": sex,
                "group": group,
            },
        ),
        "slots": [
            {"n": i + 1, "geo": geos[i] if i < len(geos) else ""} for i in range(_MAX_COMPARE)
        ],
    }
