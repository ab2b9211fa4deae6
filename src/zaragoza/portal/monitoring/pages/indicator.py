"""The indicator page: one country's series by group and sex, the map and the ranking.

Groups are those of citizenship, country of birth or, for PISA's achievement indicators,
the migrant background of students (``mig_bg``); gaps are to each breakdown's reference
group: nationals (``NAT``), or non-immigrant students (``NATIVE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from django.templatetags.static import static
from django.utils.translation import gettext as _

from zaragoza.catalog.codes import EU27_2020
from zaragoza.catalog.schema import Indicator
from zaragoza.catalog.targets import targets_for
from zaragoza.portal.monitoring import svg
from zaragoza.portal.monitoring.catalog_messages import (
    indicator_definition,
    indicator_title,
    target_source,
)
from zaragoza.portal.monitoring.labels import (
    country_name,
    group_label,
    is_aggregate,
    sex_label,
)
from zaragoza.portal.monitoring.pages.common import (
    BREAKDOWNS,
    EU,
    REFERENCES,
    SEXES,
    PageError,
    at_age_band,
    break_years,
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
    gap_unit_name,
    geo_of,
    geo_order,
    grouped,
    groups_in,
    indicator_of,
    interval_note,
    keyed_rows,
    levels,
    main_group,
    many,
    no_indicator_figures,
    one,
    records,
    source_note,
    source_of,
    sources_of,
    target_lines,
    trace,
    unit_name,
    year_param,
)
from zaragoza.portal.monitoring.pages.regions import map_chart, map_title, regional_map
from zaragoza.sources.gisco import is_nuts_id
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = [
    "FIGURE_PARTS",
    "PARAMETERS",
    "indicator_figures",
    "indicator_figures_path",
    "indicator_page",
]

#: The parts of the indicator page a download can be asked for: ``series`` (the series
#: table and the gaps to nationals over time), ``ranking`` (the ranking with its gaps,
#: the EU figure beside it and the regions' table) and ``profiles`` (the figures counted
#: from the skills profiles, shown apart: not a representative survey).
FIGURE_PARTS = ("series", "ranking", "profiles")
#: The query parameters the page reads (its URL state; its figures' endpoint reads them too).
PARAMETERS = ("source", "by", "geo", "sex", "group", "time")


def indicator_figures_path(ident: str) -> str:
    """The API path that serves :func:`indicator_figures` (the page's downloads)."""
    return f"/api/v1/indicators/{ident}/figures"


def indicator_figures(
    reader: WarehouseReader, ident: str, params: Mapping[str, Any], part: str | None = None
) -> pd.DataFrame:
    """Return exactly the figures the indicator page shows for ``params``, as observation
    rows (:data:`~zaragoza.observations.PUBLISHED_COLUMNS`), those of one ``part``
    (:data:`FIGURE_PARTS`) or, without one, of the whole page, each cell once: the
    series of the chosen country by group and sex, each group's gap to nationals by
    year, the ranking of the year, group and sex on the map with each country's gap, the
    EU's figure and the regions. A gap of published figures is the difference shown
    (``compare_to = NAT``, without an interval). "Download these figures" serves these
    rows."""
    shown: dict[str, list[Any]] = indicator_page(reader, ident, params)["figures"]
    parts = FIGURE_PARTS if part is None else (part,)
    return figure_frame(row for p in parts for row in shown[p])


#: Line style of each sex in the series chart.
_DASHES = {"T": "solid", "M": "dash", "F": "dot"}


def indicator_page(
    reader: WarehouseReader, ident: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the indicator page: a time series by migrant group and sex for one country,
    a map and a ranking of countries for one year and group, with intervals and flags."""
    ctx = context(reader)
    ind = indicator_of(ctx, ident)
    source = source_of(ctx, ind.id, one(params, "source"))
    everything = levels(reader, ind, source)
    if everything.empty:
        raise no_indicator_figures()
    natural_by = breakdown(everything)
    bys = [b for b in BREAKDOWNS if (everything[b] != "TOTAL").any()] or [natural_by]
    by = choice(one(params, "by"), bys, "by", natural_by)
    df = grouped(everything, by)
    geos_present = sorted(set(df["geo"]))
    default_geo = EU if EU in geos_present else geos_present[0]
    geo = geo_of(ctx, one(params, "geo"), default_geo)
    if geo not in geos_present:
        raise PageError(
            404, _("There are no figures of this indicator for %(geo)s.") % {"geo": geo}, "geo"
        )
    sexes_present = [s for s in SEXES if s in set(df["sex"])]
    sexes = many(params, "sex") or (("T",) if "T" in sexes_present else tuple(sexes_present[:1]))
    for s in sexes:
        choice(s, sexes_present, "sex", "T")
    groups = groups_in(df, by)
    ref = REFERENCES[by]
    years = sorted({int(t) for t in df["time"]})
    decimals = decimals_for(ind, df["value"].dropna())
    rows = keyed_rows(df)

    # The time series of the chosen country: one line per group and sex.
    series: list[dict[str, Any]] = []
    # Groups with no cell at all for this country are named under the table, not drawn.
    absent: list[str] = []
    # the warehouse rows behind every figure shown, by part, for "download these figures"
    figures: dict[str, list[Mapping[str, Any] | None]] = {p: [] for p in FIGURE_PARTS}
    for s in sexes:
        for g in groups:
            cells = [cell(rows.get((geo, y, g, s)), decimals, y) for y in years]
            if all(c["missing"] and not c["flag"] for c in cells):
                absent.append(f"{group_label(g, by)}, {sex_label(s)}")
                continue
            figures["series"].extend(rows.get((geo, y, g, s)) for y in years)
            series.append(
                {
                    "group": g,
                    "sex": s,
                    "name": f"{group_label(g, by)}, {sex_label(s)}",
                    "cells": cells,
                }
            )
    series_rows = [
        {"year": y, "cells": [s["cells"][i] for s in series]} for i, y in enumerate(years)
    ]
    series_chart = (
        _bars(series, groups, by, ind)
        if len(years) == 1
        else chart(
            "lines",
            ind,
            [trace(s["name"], years, s["cells"], dash=_DASHES[s["sex"]]) for s in series],
        )
    )
    series_chart["targets"] = target_lines(ind)
    series_chart["breaks"] = break_years(years, [c for s in series for c in s["cells"]])
    over_time = _gap_series(reader, ind, source, geo, by, groups, sexes, years, rows, decimals)
    figures["series"].extend(over_time["figures"])

    # The ranking and the map: one year, one group, sex as the first chosen.
    rank_groups = [g for g in groups if g != "TOTAL"] or groups
    group = choice(
        one(params, "group"), rank_groups, "group", main_group(rank_groups) or rank_groups[0]
    )
    rank_sex = sexes[0]
    with_group = df[(df["_group"] == group) & (df["sex"] == rank_sex)]
    years_with = sorted({int(t) for t in with_group.loc[with_group["value"].notna(), "time"]})
    time = year_param(one(params, "time"), "time") or (years_with[-1] if years_with else years[-1])
    if time not in years:
        raise PageError(
            404,
            _("No figures for %(year)s; years with figures: %(first)s to %(last)s.")
            % {"year": time, "first": years[0], "last": years[-1]},
            "time",
        )
    gaps = reader.observations(
        ObservationFilter(
            indicator=(ind.id,),
            source=(source,),
            time=(time,),
            sex=(rank_sex,),
            compare_to=(ref,),
        )
    )
    gaps = grouped(at_age_band(gaps, ind), by)
    gap_rows = {(r["geo"], r["_group"]): r for r in records(gaps)}
    # Countries are ranked here; NUTS regions get their own map and table.
    countries = [g for g in geos_present if not is_aggregate(g) and not is_nuts_id(g)]
    ranking: list[dict[str, Any]] = []
    for g in countries:
        mine_row = rows.get((g, time, group, rank_sex))
        c = cell(mine_row, decimals, time)
        gap = None
        if group != ref and ref in groups:
            nat_row = rows.get((g, time, ref, rank_sex))
            gap = gap_cell(
                gap_rows.get((g, group)), c, cell(nat_row, decimals, time), decimals, time
            )
            figures["ranking"].extend(
                [mine_row, gap_figure(gap_rows.get((g, group)), mine_row, nat_row, gap)]
            )
        else:
            figures["ranking"].append(mine_row)
        ranking.append({"geo": g, "name": country_name(g), "cell": c, "gap": gap})
    ranks = _ranks(df, countries, time, group, rank_sex)
    for r in ranking:
        found = ranks.get(r["geo"])
        r["rank"] = found["rank"] if found else None
        r["rank_text"] = found["text"] if found else None
        r["rank_group"] = found["group"] if found else ("EU" if r["geo"] in EU27_2020 else "other")
    # EU member states first, ranked among themselves, then the other countries; rank 1
    # at the better end (the catalogue's direction); units without a value last
    ranking.sort(
        key=lambda r: (r["rank_group"] != "EU", r["rank"] is None, r["rank"] or 0, r["name"])
    )
    aggregates = [
        {
            "geo": g,
            "name": country_name(g),
            "cell": cell(rows.get((g, time, group, rank_sex)), decimals, time),
        }
        for g in geos_present
        if g == EU
    ]
    figures["ranking"].extend(rows.get((a["geo"], time, group, rank_sex)) for a in aggregates)
    on_map = svg.europe_geo_ids()
    values = {r["geo"]: r["cell"]["value"] for r in ranking}
    classes = svg.bins([v for v in values.values() if v is not None])
    map_label = _("Map of Europe: %(indicator)s, %(group)s, %(year)s") % {
        "indicator": indicator_title(ind),
        "group": group_label(group, by),
        "year": time,
    }
    ranked = {r["geo"]: r["cell"] for r in ranking}
    titles = {g: _map_title(g, ranked.get(g)) for g in on_map}
    has_ci = any(r["cell"]["ci_lo"] is not None for r in ranking)
    regions = regional_map(
        geos_present, rows, time=time, group=group, sex=rank_sex, decimals=decimals
    )
    if regions:
        figures["ranking"].extend(
            rows.get((r["geo"], time, group, rank_sex)) for r in regions["rows"]
        )
    profiles, figures["profiles"] = _profiles(reader, ind)
    all_cells = [c for s in series for c in s["cells"]] + [r["cell"] for r in ranking]
    all_cells += [r["cell"] for r in profiles]
    all_cells += [c for s in over_time["series"] for c in s["cells"]]
    all_cells += [r["cell"] for r in regions["rows"]] if regions else []
    state = {
        "source": source,
        "by": by,
        "geo": geo,
        "sex": ",".join(sexes),
        "group": group,
        "time": str(time),
    }
    return {
        "indicator": ind,
        "title": indicator_title(ind),
        "definition": indicator_definition(ind),
        "unit_name": unit_name(ind.unit),
        "source": source,
        "sources": sources_of(ctx, ind.id),
        "source_note": source_note(ctx, source),
        "synthetic": ctx.demonstration(source),
        "by": by,
        "bys": [(b, _breakdown_name(b)) for b in bys],
        "geo": geo,
        "geo_name": country_name(geo),
        "geos": [(g, country_name(g)) for g in geo_order(geos_present)],
        "sexes": sexes,
        "sex_options": [(s, sex_label(s)) for s in sexes_present],
        "groups": [(g, group_label(g, by)) for g in groups],
        "rank_groups": [(g, group_label(g, by)) for g in rank_groups],
        "group": group,
        "group_label": group_label(group, by),
        "rank_sex_label": sex_label(rank_sex),
        "years": years,
        "time": time,
        "series": series,
        "series_rows": series_rows,
        "series_chart": series_chart,
        "single_year": len(years) == 1,
        "gap_series": over_time["series"],
        "gap_rows": over_time["rows"],
        "gap_chart": over_time["chart"],
        "gap_unit": gap_unit_name(ind.unit),
        "series_absent": absent,
        "series_downloads": figure_links(
            indicator_figures_path(ind.id), state | {"part": "series"}
        ),
        # the series table gives each computed figure's interval, SE and n in its cell
        "series_interval_note": interval_note([source]),
        "series_no_ci": source == "computed",
        "ranking": ranking,
        "aggregates": aggregates,
        "has_ci": has_ci,
        "ranking_downloads": figure_links(
            indicator_figures_path(ind.id), state | {"part": "ranking"}
        ),
        "figures": figures,
        "map": svg.map_svg(values, titles, classes, label=map_label),
        "map_chart": _map_chart(on_map, values, titles, classes),
        "map_label": map_label,
        "legend": classes,
        "legend_decimals": decimals,
        "not_on_map": [r["name"] for r in ranking if r["geo"] not in on_map],
        "regions": regions,
        "flags_used": flags_used(all_cells),
        "state": state,
        "targets": [{"target": t, "citation": target_source(t)} for t in targets_for(ind.id)],
        "profiles": profiles,
        "profiles_downloads": figure_links(
            indicator_figures_path(ind.id), state | {"part": "profiles"}
        )
        if profiles
        else [],
        "profiles_synthetic": ctx.demonstration("profiles"),
    }


def _profiles(reader: WarehouseReader, ind: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """The figures of ``ind`` counted from the skills profiles (``source = profiles``):
    template rows, and the observation rows behind them.

    Shown apart from the survey's, never in its series, map, ranking or gaps: they describe
    the persons profiled, who are no sample of a population, and carry no standard error
    or interval. Confidential cells come blank (flag ``c``), as everywhere.
    """
    df = reader.observations(ObservationFilter(indicator=(ind.id,), source=("profiles",)))
    if df.empty:
        return [], []
    obs = records(df)
    rows = [
        {
            "geo": r["geo"],
            "name": country_name(str(r["geo"])),
            "time": int(r["time"]),
            "group": group_label(str(r["citizen"]), "citizen"),
            "citizen": r["citizen"],
            "sex": sex_label(str(r["sex"])),
            "sex_code": r["sex"],
            "cell": cell(r, decimals_for(ind), int(r["time"])),
            "synthetic": bool(r.get("synthetic")),
        }
        for r in obs
    ]
    return rows, obs


def _breakdown_name(by: str) -> str:
    names = {
        "citizen": _("citizenship"),
        "c_birth": _("country of birth"),
        "mig_bg": _("migrant background"),
    }
    return names[by]


def _map_title(geo: str, c: Mapping[str, Any] | None) -> str:
    """A country's name and value on the map as the table shows them, flags spelled out."""
    return map_title(country_name(geo), c)


def _map_chart(
    on_map: Iterable[str],
    values: Mapping[str, float | None],
    titles: Mapping[str, str],
    classes: Sequence[svg.Bin],
) -> dict[str, Any]:
    """The map of Europe for plotly.js on the bundled countries' GeoJSON."""
    shown = {g: v for g in sorted(on_map) if (v := values.get(g)) is not None and classes}
    without = [g for g in sorted(on_map) if g not in shown]
    return map_chart(static("monitoring/europe.geojson"), shown, without, titles, classes)


def _bars(
    series: Sequence[Mapping[str, Any]], groups: Sequence[str], by: str, ind: Indicator
) -> dict[str, Any]:
    """A single year's figures as bars by group, one colour per sex (a line needs years)."""
    traces = []
    for s in dict.fromkeys(x["sex"] for x in series):
        mine = {x["group"]: x["cells"][0] for x in series if x["sex"] == s}
        shown = [g for g in groups if g in mine]
        traces.append(
            trace(sex_label(s), [group_label(g, by) for g in shown], [mine[g] for g in shown])
        )
    return chart("bars", ind, traces)


def _gap_series(
    reader: WarehouseReader,
    ind: Indicator,
    source: str,
    geo: str,
    by: str,
    groups: Sequence[str],
    sexes: Sequence[str],
    years: Sequence[int],
    rows: Mapping[tuple[Any, ...], dict[str, Any]],
    decimals: str,
) -> dict[str, Any]:
    """Each migrant group's gap to nationals in ``geo`` by year and sex: the warehouse's
    gap rows (with their intervals) where it has them, else the difference of the two
    levels; a line chart over the years (bars for a single year) with a zero line and
    the breaks in series."""
    ref = REFERENCES[by]
    if ref not in groups:
        return {"series": [], "rows": [], "chart": None, "figures": []}
    found = grouped(
        reader.observations(
            ObservationFilter(
                indicator=(ind.id,), source=(source,), geo=(geo,), sex=tuple(sexes),
                compare_to=(ref,),
            )
        ),
        by,
    )  # fmt: skip
    found = at_age_band(found, ind)
    gap_rows = keyed_rows(found)
    series: list[dict[str, Any]] = []
    figures: list[Mapping[str, Any] | None] = []
    for s in sexes:
        for g in groups:
            if g in (ref, "TOTAL"):
                continue
            cells = [
                gap_cell(
                    gap_rows.get((geo, y, g, s)),
                    cell(rows.get((geo, y, g, s)), decimals, y),
                    cell(rows.get((geo, y, ref, s)), decimals, y),
                    decimals,
                    y,
                )
                for y in years
            ]
            if all(c["missing"] for c in cells):
                continue
            name = f"{group_label(g, by)}, {sex_label(s)}"
            series.append({"group": g, "sex": s, "name": name, "cells": cells})
            figures.extend(
                gap_figure(
                    gap_rows.get((geo, y, g, s)), rows.get((geo, y, g, s)),
                    rows.get((geo, y, ref, s)), c,
                )
                for y, c in zip(years, cells, strict=True)
            )  # fmt: skip
    if not series:
        return {"series": [], "rows": [], "chart": None, "figures": []}
    if len(years) == 1:
        spec = _bars(series, groups, by, ind)
    else:
        spec = chart(
            "lines",
            ind,
            [trace(x["name"], years, x["cells"], dash=_DASHES[x["sex"]]) for x in series],
        )
        spec["breaks"] = break_years(years, [c for x in series for c in x["cells"]])
    spec["yTitle"] = gap_unit_name(ind.unit) or unit_name(ind.unit)
    spec["zeroLine"] = True
    table = [{"year": y, "cells": [x["cells"][i] for x in series]} for i, y in enumerate(years)]
    return {"series": series, "rows": table, "chart": spec, "figures": figures}


def _ranks(
    df: pd.DataFrame, countries: Sequence[str], time: int, group: str, sex: str
) -> dict[str, dict[str, Any]]:
    """Each country's rank and 90% rank interval from the library (``compare.ranks``).

    The EU member states are ranked among themselves and the other countries apart;
    where a figure has a standard error the rank is an interval (``2-5``), since
    countries whose intervals overlap cannot be told apart; published figures get plain
    ranks.
    """
    from zaragoza.compare.ranks import rank_intervals

    rows = df[
        (df["_group"] == group)
        & (df["sex"] == sex)
        & (df["time"] == time)
        & (df["compare_to"] == "")
        & df["geo"].isin(list(countries))
        & df["value"].notna()
    ]
    if rows.empty:
        return {}
    ranked = rank_intervals(rows.drop(columns="_group"), eu_apart=True)
    out = {}
    for r in ranked.to_dict("records"):
        lo, hi = int(r["rank_lo"]), int(r["rank_hi"])
        text = str(int(r["rank"])) if r["rank_method"] == "plain" or lo == hi else f"{lo}\u2013{hi}"
        out[str(r["geo"])] = {"rank": int(r["rank"]), "text": text, "group": r["rank_group"]}
    return out
