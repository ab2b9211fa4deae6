"""The country profile (factsheet): every indicator for one country in one reference
year, its gaps, the EU average and the EU targets, with charts of levels and gaps.

The profile reads like the OECD/EU *Settling In* indicators: one reference year for
every row (the year with figures for the most indicators unless ``year`` is given), a
dot plot of migrants' and nationals' levels with their 95% intervals, the gap over time
with the EU target and the breaks in series, and the EU average from the EU27_2020
figures Eurostat publishes (never from computed or synthetic figures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
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
    PageError,
    area_name,
    area_rank,
    at_age_band,
    break_years,
    breakdown,
    by_slice,
    cell,
    choice,
    context,
    decimals_for,
    figure_frame,
    figure_links,
    flags_used,
    gap_cell,
    gap_figure,
    gap_unit_name,
    geo_order,
    grouped,
    groups_in,
    interval_note,
    keyed_rows,
    main_group,
    many,
    no_geo_figures,
    one,
    records,
    sources_of,
    target_lines,
    trace,
    unit_name,
    year_param,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["PARAMETERS", "country_figures", "country_page", "figure_downloads"]

#: The query parameters of the profile's figures (the page reads ``watch`` too, which
#: orders its rows and changes no figure).
PARAMETERS = ("source", "year")


def figure_downloads(geo: str, source: str | None, year: int) -> list[dict[str, str]]:
    """The links of the profile's "download these figures": the API's
    ``/api/v1/countries/{geo}/figures``, which serves :func:`country_figures`, for the
    page's source and reference year."""
    return figure_links(f"/api/v1/countries/{geo}/figures", {"source": source, "year": str(year)})


def country_figures(reader: WarehouseReader, geo: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Return exactly the figures the country profile of ``geo`` shows, as observation
    rows (:data:`~zaragoza.observations.PUBLISHED_COLUMNS`): each indicator's cells of
    its year by group, the gap to nationals (the warehouse's gap row, or for published
    figures the difference shown, ``compare_to = NAT`` without an interval) and the EU
    average of the same group and year. "Download these figures" serves these rows."""
    return figure_frame(country_page(reader, geo, params)["figures"])


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


@dataclass
class _Series:
    """One indicator's figures for the country (and the EU), as the profile slices them."""

    ind: Indicator
    source: str
    by: str
    df: pd.DataFrame  # level rows of the country and the EU, grouped by ``by``
    gaps: pd.DataFrame  # the warehouse's gap rows (computed figures have them)
    groups: list[str]
    main: str | None
    years: list[int]  # years with a value for the country
    decimals: str


def _series(
    ctx: Any, slices: Mapping[tuple[str, str], pd.DataFrame], geo: str, asked: str | None
) -> list[_Series]:
    """Every indicator with figures for ``geo`` in the chosen source, in area order."""
    out = []
    for ident in sorted(ctx.catalog.indicators, key=lambda i: (area_rank(ctx, i), i)):
        ind = ctx.catalog.indicators[ident]
        sources = sources_of(ctx, ident)
        source = asked if asked in sources else (sources[0] if sources and asked is None else None)
        if source is None or (mixed := slices.get((ident, source))) is None:
            continue
        df = at_age_band(mixed[mixed["compare_to"] == ""], ind)
        if df.empty or geo not in set(df["geo"]):
            continue
        by = breakdown(df)
        df = grouped(df, by)
        mine = df[df["geo"] == geo]
        groups = groups_in(mine, by)
        gaps = by_slice(mixed[(mixed["compare_to"] == "NAT") & (mixed["geo"] == geo)], by)
        out.append(
            _Series(
                ind=ind,
                source=source,
                by=by,
                df=df,
                gaps=gaps,
                groups=groups,
                main=main_group(groups),
                years=sorted({int(t) for t in mine.loc[mine["value"].notna(), "time"]}),
                decimals=decimals_for(ind, df["value"].dropna()),
            )
        )
    return out


def reference_year(series: Sequence[_Series]) -> int | None:
    """The year with figures for the most indicators; of equals, the latest.

    One year for every row, as *Settling In* does: figures of different years side by
    side would compare a country's 2019 with its 2024.
    """
    counts: dict[int, int] = {}
    for s in series:
        for y in s.years:
            counts[y] = counts.get(y, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def _eu_average(
    published: pd.DataFrame | None, ind: Indicator, year: int, groups: Sequence[str]
) -> dict[str, Any]:
    """The EU27_2020 figures Eurostat publishes for ``ind`` in ``year``, by group.

    ``status``: ``shown`` (``cells``), ``no_year`` (published for other years only) or
    ``none`` (the warehouse holds no published EU27_2020 figure of the indicator).
    """
    if published is None:
        return {"status": "none", "cells": []}
    eu = at_age_band(published[(published["compare_to"] == "") & (published["geo"] == EU)], ind)
    eu = eu[eu["value"].notna()]
    if eu.empty:
        return {"status": "none", "cells": []}
    by = breakdown(eu)
    eu = grouped(eu, by)
    years = sorted({int(t) for t in eu["time"]})
    rows = keyed_rows(eu)
    decimals = decimals_for(ind, eu["value"])
    cells = [
        {
            "group": g,
            "label": group_label(g, by),
            "cell": cell(rows[(EU, year, g, "T")], decimals),
            "row": rows[(EU, year, g, "T")],
        }
        for g in groups
        if (EU, year, g, "T") in rows
    ]
    if not cells:
        return {"status": "no_year", "cells": [], "years": f"{years[0]}\u2013{years[-1]}"}
    return {"status": "shown", "cells": cells, "by": by}


def _trend(s: _Series, geo: str, reference: int) -> dict[str, Any] | None:
    """The chart of the main group's and nationals' levels and their gap over the years,
    with the EU targets and the breaks in series; ``None`` with fewer than two years."""
    if s.main is None or "NAT" not in s.groups or len(s.years) < 2:
        return None
    years = list(range(s.years[0], s.years[-1] + 1))
    rows = keyed_rows(s.df)
    gap_rows = {int(r["time"]): r for r in records(s.gaps[s.gaps[s.by] == s.main])}
    main = [cell(rows.get((geo, y, s.main, "T")), s.decimals, y) for y in years]
    nat = [cell(rows.get((geo, y, "NAT", "T")), s.decimals, y) for y in years]
    gap = [
        gap_cell(gap_rows.get(y), m, n, s.decimals, y)
        for y, m, n in zip(years, main, nat, strict=True)
    ]
    main_label, nat_label = group_label(s.main, s.by), group_label("NAT", s.by)
    chart = {
        "kind": "trend",
        "unit": s.ind.unit,
        "yTitle": unit_name(s.ind.unit),
        "gapTitle": gap_unit_name(s.ind.unit),
        "traces": [trace(main_label, years, main), trace(nat_label, years, nat, dash="dash")],
        "gap": trace(
            _("Gap: %(group)s minus %(nationals)s") % {"group": main_label, "nationals": nat_label},
            years,
            gap,
        ),
        "targets": target_lines(s.ind),
        "breaks": break_years(years, [*main, *nat]),
        "reference": reference,
    }
    return {
        "id": s.ind.id,
        "title": indicator_title(s.ind),
        "unit_name": unit_name(s.ind.unit),
        "gap_unit": gap_unit_name(s.ind.unit),
        "chart": chart,
        "script_id": f"trend-data-{s.ind.id}",
        "rows": [
            {"year": y, "main": m, "nat": n, "gap": g}
            for y, m, n, g in zip(years, main, nat, gap, strict=True)
        ],
        "main_label": main_label,
        "nat_label": nat_label,
        "breaks": chart["breaks"],
        "targets": chart["targets"],
    }


def _dot_charts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The dot plots of the reference year: per area and unit, one line per indicator with the
    main migrant group's and nationals' levels (95% intervals where there are any) and
    the published EU average of the migrant group."""
    charts: dict[str, dict[str, Any]] = {}
    for row in rows:
        cells = {g["group"]: g["cell"] for g in row["cells"]}
        main = row["main"]
        if main is None or "NAT" not in cells:
            continue
        m, n = cells[main], cells["NAT"]
        if m["missing"] and n["missing"]:
            continue
        ind: Indicator = row["indicator"]
        spec = charts.setdefault(
            f"{ind.area}-{ind.unit.lower()}",
            {"kind": "dots", "unit": ind.unit, "xTitle": unit_name(ind.unit),
             "title": f"{area_name(ind.area)} ({unit_name(ind.unit)})",
             "id": f"{ind.area}-{ind.unit.lower()}", "lines": [], "indicators": [],
             "sources": [], "migrants": [], "nationals": [], "eu": []},
        )  # fmt: skip
        # the EU's figure of the same group in the same breakdown only (Eurostat may publish
        # the EU by country of birth where the country's figures are by citizenship)
        same = row["eu"].get("by") == row["by"]
        eu = next((e["cell"] for e in row["eu"]["cells"] if same and e["group"] == main), None)
        spec["lines"].append(row["title"])
        spec["indicators"].append(ind.id)
        spec["sources"].append(row["source"])
        spec["migrants"].append(_dot(m, row["main_label"]))
        spec["nationals"].append(_dot(n, group_label("NAT", row["by"])))
        spec["eu"].append(_dot(eu, row["main_label"]) if eu else None)
    for spec in charts.values():
        spec["script_id"] = f"dots-data-{spec['id']}"
        spec["names"] = {
            "migrants": _("Migrants (the group in the table)"),
            "nationals": _("Nationals or native-born"),
            "eu": _("EU average of the migrant group (Eurostat, EU27_2020)"),
        }
    return list(charts.values())


def _dot(c: Mapping[str, Any], label: str) -> dict[str, Any]:
    return {"group": label, "value": c["value"], "lo": c["ci_lo"], "hi": c["ci_hi"],
            "flag": c["flag"], "year": c["year"]}  # fmt: skip


def country_page(reader: WarehouseReader, geo: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the country profile: every indicator the warehouse has for ``geo`` in one
    reference year, by group, the gap to nationals, the EU average and the EU targets,
    and the charts of levels and gaps."""
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
    slices: dict[tuple[str, str], pd.DataFrame] = {
        (str(k[0]), str(k[1])): v
        for k, v in everything.groupby(["indicator", "source"], sort=False)
    }
    series = _series(ctx, slices, geo, asked)
    if not series:
        raise no_geo_figures(geo)
    years = sorted({y for s in series for y in s.years})
    default = reference_year(series)
    year = year_param(one(params, "year")) or default
    if year not in years:
        raise PageError(
            404,
            _("No figures for %(year)s; years with figures: %(years)s.")
            % {"year": year, "years": ", ".join(str(y) for y in years)},
            "year",
        )
    sections: dict[str, list[dict[str, Any]]] = {}
    target_rows = []
    trends = []
    all_cells: list[dict[str, Any]] = []
    # the warehouse rows behind every figure shown, for "download these figures"
    figures: list[dict[str, Any]] = []
    synthetic_shown = False
    for s in series:
        ind, by, main, decimals = s.ind, s.by, s.main, s.decimals
        rows = keyed_rows(s.df)
        cells = {g: cell(rows.get((geo, year, g, "T")), decimals, year) for g in s.groups}
        gap = None
        if main is not None and "NAT" in s.groups:
            gap_df = s.gaps[(s.gaps["time"] == year) & (s.gaps[by] == main)]
            gap_row = records(gap_df)[0] if not gap_df.empty else None
            gap = gap_cell(gap_row, cells[main], cells["NAT"], decimals, year)
            main_row, nat_row = rows.get((geo, year, main, "T")), rows.get((geo, year, "NAT", "T"))
            shown_gap = [gap_figure(gap_row, main_row, nat_row, gap)]
        else:
            shown_gap = []
        eu: dict[str, Any] = (
            {"status": "self", "cells": []}
            if geo == EU
            else _eu_average(slices.get((ind.id, "published")), ind, year, [main, "NAT"])
            if main
            else {"status": "none", "cells": []}
        )
        level_rows = [rows.get((geo, year, g, "T")) for g in s.groups]
        eu_rows = [e["row"] for e in eu["cells"]]
        figures.extend(r for r in [*level_rows, *shown_gap, *eu_rows] if r is not None)
        all_cells.extend(cells.values())
        all_cells.extend(e["cell"] for e in eu["cells"])
        synthetic = ctx.demonstration(s.source)
        synthetic_shown |= synthetic
        trend = _trend(s, geo, year)
        if trend is not None:
            trend["synthetic"] = synthetic
            trends.append(trend)
            all_cells.extend(c for r in trend["rows"] for c in (r["main"], r["nat"], r["gap"]))
        sections.setdefault(ind.area, []).append(
            {
                "indicator": ind,
                "title": indicator_title(ind),
                "unit_name": unit_name(ind.unit),
                "source": s.source,
                "synthetic": synthetic,
                "year": year,
                "years": s.years,
                "latest": s.years[-1] if s.years and year not in s.years else None,
                "by": by,
                "cells": [
                    {"group": g, "label": group_label(g, by), "cell": cells[g]} for g in s.groups
                ],
                # the printed factsheet's short list: all persons, nationals, main group
                "short": [
                    {"group": g, "label": group_label(g, by), "cell": cells[g]}
                    for g in ("TOTAL", "NAT", main)
                    if g in cells
                ],
                "main": main,
                "main_label": group_label(main, by) if main else "",
                "gap": gap,
                "eu": eu,
                "url_query": urlencode({"geo": geo, "source": s.source}),
            }
        )
        for target in targets_for(ind.id):
            shown = [("TOTAL", group_label("TOTAL", by)), ("NAT", group_label("NAT", by))]
            if main:
                shown.append((main, group_label(main, by)))
            target_rows.append(
                _target_row(
                    target,
                    ind,
                    [(label, cells.get(g) or cell(None, decimals, year)) for g, label in shown],
                    demonstration=synthetic,
                )
                | {"source": s.source, "synthetic": synthetic}
            )
    all_rows = [r for rows in sections.values() for r in rows]
    query = {k: v for k, v in (("source", asked), ("year", str(year))) if v}
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
        "year": year,
        "default_year": default,
        "years": years,
        "sections": areas,
        "watch": watch,
        "dots": _dot_charts(all_rows),
        "trends": trends,
        "targets": target_rows,
        "flags_used": flags_used(all_cells),
        "synthetic": synthetic_shown,
        "figures": figures,
        "interval_note": interval_note(row["source"] for rows in sections.values() for row in rows),
        "geos": [(g, country_name(g)) for g in geo_order(ctx.codes["geo"])],
        "downloads": figure_downloads(geo, asked, year),
        "pdf_query": urlencode(query),
        "updated": reader.version().modified.date(),
    }
