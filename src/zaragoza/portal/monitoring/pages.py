"""What each page shows, shaped from the warehouse: plain data for templates and charts.

Views parse nothing and compute nothing: they hand the query string to a function here
and render what it returns. Every function takes the warehouse reader and the query
parameters, and raises :class:`PageError` (with an HTTP status) for a parameter it cannot
use, naming what would be valid.

Cells are plain dicts (``value``, ``flag``, ``flags`` (meanings), ``year``, ``ci_lo``,
``ci_hi``, ``missing``, ``decimals``) so that templates show a missing value as missing
and every flag as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.template.defaultfilters import floatformat
from django.templatetags.static import static
from django.utils.translation import gettext as _

from zaragoza.catalog.codes import CITIZEN_GROUPS, EU27_2020
from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.catalog.schema import Indicator
from zaragoza.catalog.targets import Target, targets_for
from zaragoza.portal.monitoring import svg
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    country_name,
    flag_text,
    group_label,
    is_aggregate,
    sex_label,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader, parse_list

__all__ = [
    "EU",
    "HEADLINES",
    "PageError",
    "api_url",
    "compare_page",
    "country_list",
    "country_page",
    "data_page",
    "home_page",
    "indicator_list",
    "indicator_page",
]

EU = "EU27_2020"
SOURCES = ("published", "computed")
BREAKDOWNS = ("citizen", "c_birth")
SEXES = ("T", "M", "F")
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
#: The migrant group a single headline figure is about, in order of preference.
_MAIN_GROUPS = ("NEU27_2020_FOR", "FOR", "EU27_2020_FOR")
_MAX_COMPARE = 4
#: Inputs of a computed load that make its figures a demonstration: the bundled example
#: files (``example_lfs.csv.gz``, later ``example_silc...``) and synthetic records.
_SYNTHETIC_INPUTS = r"example_[a-z]+\.|synthetic|synth_"


class PageError(Exception):
    """A parameter the page cannot use; ``status`` 404 (unknown thing) or 400 (malformed)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- small helpers


def unit_name(unit: str) -> str:
    """Return the name of a catalogue unit for axis titles and captions."""
    names = {"PC": _("%"), "EUR": _("euro"), "RT": _("ratio"), "COEF": _("coefficient (0-100)")}
    return names.get(unit, unit)


def gap_unit_name(unit: str) -> str:
    """Return what a difference of two values of ``unit`` is measured in."""
    names = {"PC": _("percentage points"), "EUR": _("euro"), "COEF": _("points")}
    return names.get(unit, "")


def _decimals(ind: Indicator, values: Iterable[float]) -> str:
    """Return the ``floatformat`` argument: euro amounts whole with separators, rates to
    one decimal, or two when the published figures have two (naturalisation rates)."""
    if ind.unit == "EUR":
        return "0g"
    if ind.unit == "RT":
        return "2"
    for v in values:
        if not math.isnan(v) and abs(round(v * 100) - v * 100) < 1e-6 and round(v * 10) != v * 10:
            return "2"
    return "1"


def _num(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def cell(row: Mapping[str, Any] | None, decimals: str, year: int | None = None) -> dict[str, Any]:
    """Return a template cell from an observation row (``None``: no observation)."""
    if row is None:
        return {"value": None, "missing": True, "flag": "", "flags": "", "year": year,
                "ci_lo": None, "ci_hi": None, "decimals": decimals}  # fmt: skip
    value = _num(row.get("value"))
    flag = str(row.get("flag") or "")
    return {
        "value": value,
        "missing": value is None,
        "flag": flag,
        "flags": flag_text(flag),
        "year": int(row["time"]) if row.get("time") is not None else year,
        "ci_lo": _num(row.get("ci_lo")),
        "ci_hi": _num(row.get("ci_hi")),
        "decimals": decimals,
    }


def _diff(a: Mapping[str, Any], b: Mapping[str, Any], decimals: str) -> dict[str, Any]:
    """The difference of two cells (a gap to nationals), missing if either is missing."""
    if a["missing"] or b["missing"]:
        return {"value": None, "missing": True, "flag": "", "flags": "", "year": a["year"],
                "ci_lo": None, "ci_hi": None, "decimals": decimals}  # fmt: skip
    return {"value": a["value"] - b["value"], "missing": False, "flag": "", "flags": "",
            "year": a["year"], "ci_lo": None, "ci_hi": None, "decimals": decimals}  # fmt: skip


def api_url(fmt: str, **filters: Iterable[Any] | str | None) -> str:
    """Return the open-data API URL of the observations a page shows, in format ``fmt``."""
    query: dict[str, str] = {}
    for key, value in filters.items():
        if value is None:
            continue
        text = value if isinstance(value, str) else ",".join(str(v) for v in value)
        if text:
            query[key] = text
    query["format"] = fmt
    return "/api/v1/observations?" + urlencode(query, safe=",")


def _group_filter(by: str, groups: Sequence[str]) -> dict[str, list[str]]:
    """The API filter of migrant groups in ``by``, the other breakdown at its total."""
    other = "c_birth" if by == "citizen" else "citizen"
    return {by: list(dict.fromkeys(groups)), other: ["TOTAL"]}


def _downloads(**filters: Iterable[Any] | str | None) -> list[dict[str, str]]:
    return [
        {"format": label, "url": api_url(fmt, **filters), "id": fmt}
        for fmt, label in (
            ("csv", "CSV"),
            ("xlsx", "Excel"),
            ("jsonstat", "JSON-stat"),
            ("sdmx-csv", "SDMX-CSV"),
        )
    ]


def _one(params: Mapping[str, Any], name: str) -> str | None:
    values = parse_list(params.getlist(name) if hasattr(params, "getlist") else params.get(name))
    if len(values) > 1:
        raise PageError(400, _("Give one value for %(name)s.") % {"name": name})
    return values[0] if values else None


def _many(params: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return parse_list(params.getlist(name) if hasattr(params, "getlist") else params.get(name))


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise PageError(
            400, _("The year must be a number like 2023, not %(value)s.") % {"value": text}
        ) from None


def _choice(value: str | None, valid: Sequence[str], name: str, default: str) -> str:
    if value is None:
        return default
    if value not in valid:
        raise PageError(
            400,
            _("Unknown %(name)s %(value)s; valid: %(valid)s.")
            % {"name": name, "value": value, "valid": ", ".join(valid)},
        )
    return value


@dataclass(frozen=True)
class Context:
    """What every page needs: the catalogue, what the warehouse holds, whether computed
    cells come from the synthetic example."""

    catalog: Catalog
    coverage: pd.DataFrame
    codes: dict[str, list[Any]]
    synthetic: bool


def context(reader: WarehouseReader) -> Context:
    """Return the shared :class:`Context` of the warehouse ``reader`` reads."""
    runs = reader.runs()
    computed = runs[runs["source"] == "computed"]
    # The embedded default computes from the bundled synthetic example; those figures are
    # a demonstration and every page says so.
    synthetic = bool(computed["inputs"].str.contains(_SYNTHETIC_INPUTS, regex=True).any())
    return Context(load_catalog(), reader.coverage(), reader.codes(), synthetic)


def _indicator(ctx: Context, ident: str | None) -> Indicator:
    if ident is None:
        raise PageError(400, _("Choose an indicator."))
    if ident not in ctx.catalog.indicators:
        raise PageError(404, _("There is no indicator %(id)s.") % {"id": ident})
    return ctx.catalog.indicators[ident]


def _sources(ctx: Context, indicator: str) -> list[str]:
    cov = ctx.coverage
    present = set(cov.loc[cov["indicator"] == indicator, "source"])
    return [s for s in SOURCES if s in present]


def _source(ctx: Context, indicator: str, asked: str | None) -> str:
    available = _sources(ctx, indicator)
    if not available:
        raise PageError(404, _("The warehouse holds no figures for this indicator yet."))
    if asked is None:
        return available[0]
    return _choice(asked, available, "source", available[0])


def _geo(ctx: Context, geo: str | None, default: str) -> str:
    if geo is None:
        return default
    if geo not in ctx.codes["geo"]:
        raise PageError(
            404, _("There are no figures for the country or region %(geo)s.") % {"geo": geo}
        )
    return geo


def _breakdown(df: pd.DataFrame) -> str:
    """The dimension the migrant groups are in: citizenship unless only birth varies."""
    if (df["citizen"] != "TOTAL").any():
        return "citizen"
    return "c_birth"


def _groups(df: pd.DataFrame, by: str) -> list[str]:
    present = set(df[by])
    ordered = [g for g in CITIZEN_GROUPS if g in present]
    return ordered + sorted(present - set(ordered))


def _main_group(groups: Sequence[str]) -> str | None:
    return next((g for g in _MAIN_GROUPS if g in groups), None)


def _levels(reader: WarehouseReader, ind: Indicator, source: str, **dims: Any) -> pd.DataFrame:
    """Level rows (no gaps) of one indicator and source, at the catalogue's age band."""
    sel = ObservationFilter(indicator=(ind.id,), source=(source,), **dims)
    df = reader.observations(sel)
    ages = set(df["age"])
    if ind.age_code in ages:
        df = df[df["age"] == ind.age_code]
    return df


def _by_slice(df: pd.DataFrame, by: str) -> pd.DataFrame:
    other = "c_birth" if by == "citizen" else "citizen"
    return df[df[other] == "TOTAL"]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in df.to_dict("records")]


def _rows(df: pd.DataFrame) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Index rows by (geo, time, group code, sex) after :func:`_by_slice`."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rec in _records(df):
        out[(rec["geo"], int(rec["time"]), rec["_group"], rec["sex"])] = rec
    return out


def _with_group(df: pd.DataFrame, by: str) -> pd.DataFrame:
    df = _by_slice(df, by).copy()
    df["_group"] = df[by]
    return df


def _source_note(ctx: Context, source: str) -> str:
    if source == "computed" and ctx.synthetic:
        return _(
            "Computed from synthetic example records: a demonstration of the method, "
            "not statistics."
        )
    if source == "computed":
        return _("Computed by Zaragoza from survey microdata.")
    return _("Published by Eurostat.")


def _flags_used(cells: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    letters: set[str] = set()
    for c in cells:
        letters.update(c.get("flag") or "")
    return [(ch, flag_text(ch)) for ch in sorted(letters)]


# ---------------------------------------------------------------- home


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
            if ident not in ctx.catalog.indicators or ident in shown or not _sources(ctx, ident):
                continue
            ind = ctx.catalog.indicators[ident]
            source = _sources(ctx, ident)[0]
            df = _levels(reader, ind, source, geo=(EU,), sex=("T",))
            if not df.empty:
                break
        if df.empty:
            continue
        shown.add(ind.id)
        by = _breakdown(df)
        df = _with_group(df, by)
        groups = _groups(df, by)
        main = _main_group(groups)
        if main is None:
            continue
        rows = _rows(df)
        decimals = _decimals(ind, df["value"].dropna())
        years = sorted({int(t) for t in df["time"]})
        has_nat = "NAT" in groups
        trend: list[tuple[int, float | None]] = []
        for y in years:
            g = _num((rows.get((EU, y, main, "T")) or {}).get("value"))
            n = _num((rows.get((EU, y, "NAT", "T")) or {}).get("value"))
            if has_nat:
                trend.append((y, g - n if g is not None and n is not None else None))
            else:
                trend.append((y, g))
        latest = next((y for y, v in reversed(trend) if v is not None), None)
        if latest is None:
            continue
        group_cell = cell(rows.get((EU, latest, main, "T")), decimals)
        nat_cell = cell(rows.get((EU, latest, "NAT", "T")), decimals) if has_nat else None
        gap = _diff(group_cell, nat_cell, decimals) if nat_cell is not None else None
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
                "source_note": _source_note(ctx, source),
                "by": by,
                "group": main,
                "group_label": group_label(main, by),
                "nat_label": group_label("NAT", by),
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
                    **_group_filter(by, [main, "NAT"] if has_nat else [main]),
                ),
            }
        )
    return {"cards": cards, "synthetic": ctx.synthetic, "coverage": ctx.coverage}


# ---------------------------------------------------------------- indicator


def indicator_page(
    reader: WarehouseReader, ident: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the indicator page: a time series by migrant group and sex for one country,
    a map and a ranking of countries for one year and group, with intervals and flags."""
    ctx = context(reader)
    ind = _indicator(ctx, ident)
    source = _source(ctx, ind.id, _one(params, "source"))
    everything = _levels(reader, ind, source)
    if everything.empty:
        raise PageError(404, _("The warehouse holds no figures for this indicator yet."))
    natural_by = _breakdown(everything)
    bys = [b for b in BREAKDOWNS if (everything[b] != "TOTAL").any()] or [natural_by]
    by = _choice(_one(params, "by"), bys, "by", natural_by)
    df = _with_group(everything, by)
    geos_present = sorted(set(df["geo"]))
    default_geo = EU if EU in geos_present else geos_present[0]
    geo = _geo(ctx, _one(params, "geo"), default_geo)
    if geo not in geos_present:
        raise PageError(
            404, _("There are no figures of this indicator for %(geo)s.") % {"geo": geo}
        )
    sexes_present = [s for s in SEXES if s in set(df["sex"])]
    sexes = _many(params, "sex") or (("T",) if "T" in sexes_present else tuple(sexes_present[:1]))
    for s in sexes:
        _choice(s, sexes_present, "sex", "T")
    groups = _groups(df, by)
    years = sorted({int(t) for t in df["time"]})
    decimals = _decimals(ind, df["value"].dropna())
    rows = _rows(df)

    # The time series of the chosen country: one line per group and sex.
    series: list[dict[str, Any]] = []
    # Groups with no cell at all for this country are named under the table, not drawn.
    absent: list[str] = []
    for s in sexes:
        for g in groups:
            cells = [cell(rows.get((geo, y, g, s)), decimals, y) for y in years]
            if all(c["missing"] and not c["flag"] for c in cells):
                absent.append(f"{group_label(g, by)}, {sex_label(s)}")
                continue
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
        else {
            "kind": "lines",
            "unit": ind.unit,
            "yTitle": unit_name(ind.unit),
            "traces": [
                {
                    "name": s["name"],
                    "x": years,
                    "y": [c["value"] for c in s["cells"]],
                    "lo": [c["ci_lo"] for c in s["cells"]],
                    "hi": [c["ci_hi"] for c in s["cells"]],
                    "dash": {"T": "solid", "M": "dash", "F": "dot"}[s["sex"]],
                }
                for s in series
            ],
        }
    )

    # The ranking and the map: one year, one group, sex as the first chosen.
    rank_groups = [g for g in groups if g != "TOTAL"] or groups
    group = _choice(
        _one(params, "group"), rank_groups, "group", _main_group(rank_groups) or rank_groups[0]
    )
    rank_sex = sexes[0]
    with_group = df[(df["_group"] == group) & (df["sex"] == rank_sex)]
    years_with = sorted({int(t) for t in with_group.loc[with_group["value"].notna(), "time"]})
    time = _year(_one(params, "time")) or (years_with[-1] if years_with else years[-1])
    if time not in years:
        raise PageError(
            404,
            _("No figures for %(year)s; years with figures: %(first)s to %(last)s.")
            % {"year": time, "first": years[0], "last": years[-1]},
        )
    gaps = reader.observations(
        ObservationFilter(
            indicator=(ind.id,),
            source=(source,),
            time=(time,),
            sex=(rank_sex,),
            compare_to=("NAT",),
        )
    )
    gaps = _with_group(gaps, by)
    gap_rows = {(r["geo"], r["_group"]): r for r in _records(gaps)}
    countries = [g for g in geos_present if not is_aggregate(g)]
    ranking: list[dict[str, Any]] = []
    for g in countries:
        c = cell(rows.get((g, time, group, rank_sex)), decimals, time)
        if group != "NAT" and "NAT" in groups:
            gap_row = gap_rows.get((g, group))
            if gap_row is not None:
                gap = cell(gap_row, decimals, time)
            else:
                gap = _diff(c, cell(rows.get((g, time, "NAT", rank_sex)), decimals, time), decimals)
        else:
            gap = None
        ranking.append({"geo": g, "name": country_name(g), "cell": c, "gap": gap})
    ranking.sort(key=lambda r: (r["cell"]["missing"], -(r["cell"]["value"] or 0), r["name"]))
    for i, r in enumerate(ranking, start=1):
        r["rank"] = None if r["cell"]["missing"] else i
    aggregates = [
        {
            "geo": g,
            "name": country_name(g),
            "cell": cell(rows.get((g, time, group, rank_sex)), decimals, time),
        }
        for g in geos_present
        if g == EU
    ]
    on_map = svg.europe_geo_ids()
    values = {r["geo"]: r["cell"]["value"] for r in ranking}
    classes = svg.bins([v for v in values.values() if v is not None])
    map_label = _("Map of Europe: %(indicator)s, %(group)s, %(year)s") % {
        "indicator": indicator_title(ind),
        "group": group_label(group, by),
        "year": time,
    }
    texts = {r["geo"]: _map_text(r["cell"]) for r in ranking}
    names = {g: country_name(g) for g in on_map | set(values)}
    has_ci = any(r["cell"]["ci_lo"] is not None for r in ranking)
    all_cells = [c for s in series for c in s["cells"]] + [r["cell"] for r in ranking]
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
        "unit_name": unit_name(ind.unit),
        "source": source,
        "sources": _sources(ctx, ind.id),
        "source_note": _source_note(ctx, source),
        "synthetic": source == "computed" and ctx.synthetic,
        "by": by,
        "bys": [(b, _("citizenship") if b == "citizen" else _("country of birth")) for b in bys],
        "geo": geo,
        "geo_name": country_name(geo),
        "geos": [(g, country_name(g)) for g in _geo_order(geos_present)],
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
        "series_absent": absent,
        "series_downloads": _downloads(
            indicator=[ind.id], geo=[geo], source=source, sex=sexes, **_group_filter(by, groups)
        ),
        "ranking": ranking,
        "aggregates": aggregates,
        "has_ci": has_ci,
        "ranking_downloads": _downloads(
            indicator=[ind.id],
            time=[time],
            source=source,
            sex=[rank_sex],
            **_group_filter(by, [group, "NAT"]),
        ),
        "map": svg.map_svg(values, names, texts, classes, label=map_label),
        "map_chart": _map_chart(on_map, values, names, texts, classes),
        "map_label": map_label,
        "legend": classes,
        "legend_decimals": decimals,
        "not_on_map": [r["name"] for r in ranking if r["geo"] not in on_map],
        "flags_used": _flags_used(all_cells),
        "state": state,
        "targets": targets_for(ind.id),
    }


def _map_text(c: Mapping[str, Any]) -> str:
    """A country's value on the map as the table shows it, with its flags spelled out."""
    text = _("no data") if c["missing"] else floatformat(c["value"], c["decimals"])
    return f"{text} ({c['flag']}: {c['flags']})" if c["flag"] else text


def _map_chart(
    on_map: Iterable[str],
    values: Mapping[str, float | None],
    names: Mapping[str, str],
    texts: Mapping[str, str],
    classes: Sequence[svg.Bin],
) -> dict[str, Any]:
    """The map for plotly.js: each country of the bundled map with a value as the index
    of its legend class (``z``, so that a value on a class edge takes the legend's
    colour), the others as one grey trace; hover texts carry the value and its flags."""
    shown = {g: v for g in sorted(on_map) if (v := values.get(g)) is not None and classes}
    without = [g for g in sorted(on_map) if g not in shown]
    return {
        "kind": "map",
        "geojson": static("monitoring/europe.geojson"),
        "colours": [b.colour for b in classes],
        "locations": list(shown),
        "z": [svg.bin_of(v, classes) for v in shown.values()],
        "text": [f"{names.get(g, g)}: {texts[g]}" for g in shown],
        "noData": {
            "colour": svg.NO_DATA,
            "locations": without,
            "text": [f"{names.get(g, g)}: {texts.get(g, _('no data'))}" for g in without],
        },
    }


def _bars(
    series: Sequence[Mapping[str, Any]], groups: Sequence[str], by: str, ind: Indicator
) -> dict[str, Any]:
    """A single year's figures as bars by group, one colour per sex (a line needs years)."""
    traces = []
    for s in dict.fromkeys(x["sex"] for x in series):
        mine = {x["group"]: x["cells"][0] for x in series if x["sex"] == s}
        shown = [g for g in groups if g in mine]
        traces.append(
            {
                "name": sex_label(s),
                "x": [group_label(g, by) for g in shown],
                "y": [mine[g]["value"] for g in shown],
                "lo": [mine[g]["ci_lo"] for g in shown],
                "hi": [mine[g]["ci_hi"] for g in shown],
            }
        )
    return {
        "kind": "bars",
        "unit": ind.unit,
        "yTitle": unit_name(ind.unit),
        "traces": traces,
    }


def _geo_order(geos: Iterable[str]) -> list[str]:
    """Aggregates first (the EU), then countries by name."""
    geos = list(geos)
    aggs = [g for g in geos if is_aggregate(g)]
    aggs.sort(key=lambda g: (g != EU, g))
    return aggs + sorted((g for g in geos if not is_aggregate(g)), key=country_name)


# ---------------------------------------------------------------- country profile


def _target_row(
    target: Target, ind: Indicator, values: Sequence[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
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
                    "met": target.met(c["value"]),
                }
            )
    return {"target": target, "framework": framework, "text": text, "indicator": ind,
            "title": indicator_title(ind), "distances": distances}  # fmt: skip


def country_page(reader: WarehouseReader, geo: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the country profile: every indicator the warehouse has for ``geo``, its
    latest figures by group, the gap to nationals, the EU average and the EU targets."""
    ctx = context(reader)
    if geo not in ctx.codes["geo"]:
        raise PageError(
            404, _("There are no figures for the country or region %(geo)s.") % {"geo": geo}
        )
    asked = _one(params, "source")
    if asked is not None:
        _choice(asked, SOURCES, "source", "published")
    sections: dict[str, list[dict[str, Any]]] = {}
    target_rows = []
    all_cells: list[dict[str, Any]] = []
    synthetic_shown = False
    for ident in sorted(ctx.catalog.indicators, key=lambda i: (_area_rank(ctx, i), i)):
        ind = ctx.catalog.indicators[ident]
        sources = _sources(ctx, ident)
        source = asked if asked in sources else (sources[0] if sources and asked is None else None)
        if source is None:
            continue
        df = _levels(reader, ind, source, geo=(geo, EU), sex=("T",))
        if df.empty or geo not in set(df["geo"]):
            continue
        by = _breakdown(df)
        df = _with_group(df, by)
        mine = df[df["geo"] == geo]
        with_values = mine[mine["value"].notna()]
        year = int(with_values["time"].max()) if not with_values.empty else int(mine["time"].max())
        rows = _rows(df)
        groups = _groups(mine, by)
        decimals = _decimals(ind, df["value"].dropna())
        main = _main_group(groups)
        cells = {g: cell(rows.get((geo, year, g, "T")), decimals, year) for g in groups}
        gap = None
        if main is not None and "NAT" in groups:
            gap_df = reader.observations(
                ObservationFilter(
                    indicator=(ident,),
                    source=(source,),
                    geo=(geo,),
                    time=(year,),
                    sex=("T",),
                    compare_to=("NAT",),
                )
            )
            gap_df = _by_slice(gap_df, by)
            gap_df = gap_df[gap_df[by] == main]
            gap = (
                cell(_records(gap_df)[0], decimals, year)
                if not gap_df.empty
                else _diff(cells[main], cells["NAT"], decimals)
            )
        eu = cell(rows.get((EU, year, main, "T")), decimals, year) if main else None
        all_cells.extend(cells.values())
        synthetic_shown |= source == "computed" and ctx.synthetic
        sections.setdefault(ind.area, []).append(
            {
                "indicator": ind,
                "title": indicator_title(ind),
                "unit_name": unit_name(ind.unit),
                "source": source,
                "synthetic": source == "computed" and ctx.synthetic,
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
                )
                | {"source": source, "synthetic": source == "computed" and ctx.synthetic}
            )
    if not sections:
        raise PageError(
            404, _("There are no figures for the country or region %(geo)s.") % {"geo": geo}
        )
    return {
        "geo": geo,
        "name": country_name(geo),
        "source": asked or "",
        "sections": [
            {"area": a, "name": _area_name(a), "rows": rows} for a, rows in sections.items()
        ],
        "targets": target_rows,
        "flags_used": _flags_used(all_cells),
        "synthetic": synthetic_shown,
        "geos": [(g, country_name(g)) for g in _geo_order(ctx.codes["geo"])],
        "downloads": _downloads(geo=[geo], source=asked),
    }


# ---------------------------------------------------------------- compare


def compare_page(reader: WarehouseReader, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return two to four countries or regions side by side: each one's latest figure with
    its year, the gap to nationals, and the series over time."""
    ctx = context(reader)
    ind = _indicator(ctx, _one(params, "indicator") or "employment_rate")
    source = _source(ctx, ind.id, _one(params, "source"))
    geos = _many(params, "geo") or tuple(g for g in ("AT", "SE") if g in ctx.codes["geo"])
    if not 2 <= len(geos) <= _MAX_COMPARE:
        raise PageError(400, _("Choose two to four countries or regions to compare."))
    for g in geos:
        _geo(ctx, g, g)
    if len(set(geos)) != len(geos):
        raise PageError(400, _("Each country or region once, please."))
    df = _levels(reader, ind, source)
    if df.empty:
        raise PageError(404, _("The warehouse holds no figures for this indicator yet."))
    by = _breakdown(df)
    df = _with_group(df, by)
    groups = _groups(df, by)
    sex = _choice(_one(params, "sex"), [s for s in SEXES if s in set(df["sex"])], "sex", "T")
    group = _choice(_one(params, "group"), groups, "group", _main_group(groups) or groups[0])
    rows = _rows(df)
    decimals = _decimals(ind, df["value"].dropna())
    years = sorted({int(t) for t in df["time"]})
    entities: list[dict[str, Any]] = []
    for g in geos:
        mine = df[
            (df["geo"] == g) & (df["_group"] == group) & (df["sex"] == sex) & df["value"].notna()
        ]
        latest = int(mine["time"].max()) if not mine.empty else None
        c = cell(rows.get((g, latest, group, sex)) if latest else None, decimals, latest)
        nat = (
            cell(rows.get((g, latest, "NAT", sex)), decimals, latest)
            if latest and "NAT" in groups and group != "NAT"
            else None
        )
        entities.append(
            {
                "geo": g,
                "name": country_name(g),
                "cell": c,
                "nat": nat,
                "gap": _diff(c, nat, decimals) if nat is not None else None,
                "series": [cell(rows.get((g, y, group, sex)), decimals, y) for y in years],
            }
        )
    latest_years = {e["cell"]["year"] for e in entities if not e["cell"]["missing"]}
    if len(years) == 1:
        # One year: bars by place (a line needs years).
        chart: dict[str, Any] = {
            "kind": "bars",
            "unit": ind.unit,
            "yTitle": unit_name(ind.unit),
            "traces": [
                {
                    "name": f"{group_label(group, by)}, {years[0]}",
                    "x": [e["name"] for e in entities],
                    "y": [e["series"][0]["value"] for e in entities],
                    "lo": [e["series"][0]["ci_lo"] for e in entities],
                    "hi": [e["series"][0]["ci_hi"] for e in entities],
                }
            ],
        }
    else:
        chart = {
            "kind": "lines",
            "unit": ind.unit,
            "yTitle": unit_name(ind.unit),
            "traces": [
                {
                    "name": e["name"],
                    "x": years,
                    "y": [c["value"] for c in e["series"]],
                    "lo": [c["ci_lo"] for c in e["series"]],
                    "hi": [c["ci_hi"] for c in e["series"]],
                    "dash": "solid",
                }
                for e in entities
            ],
        }
    series_rows: list[dict[str, Any]] = [
        {"year": y, "cells": [e["series"][i] for e in entities]} for i, y in enumerate(years)
    ]
    all_cells = [e["cell"] for e in entities] + [c for e in entities for c in e["series"]]
    return {
        "indicator": ind,
        "title": indicator_title(ind),
        "indicators": _indicator_options(ctx),
        "source": source,
        "sources": _sources(ctx, ind.id),
        "source_note": _source_note(ctx, source),
        "synthetic": source == "computed" and ctx.synthetic,
        "geos": geos,
        "geo_options": [(g, country_name(g)) for g in _geo_order(set(df["geo"]))],
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
        "chart": chart,
        "flags_used": _flags_used(all_cells),
        "downloads": _downloads(
            indicator=[ind.id],
            geo=geos,
            source=source,
            sex=[sex],
            **_group_filter(by, [group, "NAT"]),
        ),
        "slots": [
            {"n": i + 1, "geo": geos[i] if i < len(geos) else ""} for i in range(_MAX_COMPARE)
        ],
    }


def _indicator_options(ctx: Context) -> list[tuple[str, str]]:
    present = set(ctx.coverage["indicator"])
    return sorted(
        (
            (i, indicator_title(ctx.catalog.indicators[i]))
            for i in ctx.catalog.indicators
            if i in present
        ),
        key=lambda p: p[1],
    )


# ---------------------------------------------------------------- data


_DATA_DIMS = ("indicator", "geo", "time", "citizen", "c_birth", "sex", "source")
_PREVIEW = 200


def data_page(reader: WarehouseReader, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the data page: a filter over every dimension, a preview of the cells it
    selects and the links that download them in each format."""
    ctx = context(reader)
    chosen: dict[str, tuple[str, ...]] = {d: _many(params, d) for d in _DATA_DIMS}
    if not any(chosen.values()):
        chosen["indicator"] = ("employment_rate",)
        chosen["geo"] = (EU,)
    for dim, values in chosen.items():
        known = {str(c) for c in ctx.codes[dim]}
        unknown = [v for v in values if v not in known]
        if unknown:
            raise PageError(
                404 if dim in ("indicator", "geo") else 400,
                _("Unknown %(name)s: %(values)s.") % {"name": dim, "values": ", ".join(unknown)},
            )
    sel = ObservationFilter(
        indicator=chosen["indicator"], geo=chosen["geo"],
        time=tuple(int(t) for t in chosen["time"]), citizen=chosen["citizen"],
        c_birth=chosen["c_birth"], sex=chosen["sex"], source=chosen["source"],
    )  # fmt: skip
    total = reader.count(sel)
    preview = reader.observations(sel, limit=_PREVIEW)
    rows = []
    for rec in _records(preview):
        ind = ctx.catalog.indicators.get(rec["indicator"])
        decimals = _decimals(ind, [rec["value"]]) if ind is not None else "1"
        rows.append(
            {
                "indicator": rec["indicator"],
                "geo": rec["geo"],
                "geo_name": country_name(rec["geo"]),
                "time": rec["time"],
                "citizen": rec["citizen"],
                "c_birth": rec["c_birth"],
                "sex": rec["sex"],
                "age": rec["age"],
                "source": rec["source"],
                "synthetic": rec["source"] == "computed" and ctx.synthetic,
                "cell": cell(rec, decimals),
            }
        )
    options = {
        "indicator": _indicator_options(ctx),
        "geo": [(g, f"{country_name(g)} ({g})") for g in _geo_order(ctx.codes["geo"])],
        "time": [(str(t), str(t)) for t in sorted(ctx.codes["time"], reverse=True)],
        "citizen": [(c, group_label(c, "citizen")) for c in ctx.codes["citizen"]],
        "c_birth": [(c, group_label(c, "c_birth")) for c in ctx.codes["c_birth"]],
        "sex": [(s, sex_label(s)) for s in ctx.codes["sex"]],
        "source": [
            (s, _("published") if s == "published" else _("computed")) for s in ctx.codes["source"]
        ],
    }
    filters: dict[str, list[str]] = {d: list(v) for d, v in chosen.items()}
    return {
        "chosen": chosen,
        "options": options,
        "total": total,
        "shown": len(rows),
        "rows": rows,
        "flags_used": _flags_used(r["cell"] for r in rows),
        "synthetic": any(r["synthetic"] for r in rows),
        "downloads": [
            *_downloads(**filters),
            {
                "format": "JSON",
                "url": api_url("json", **filters),
                "id": "json",
            },
        ],
    }


# ---------------------------------------------------------------- lists


_AREA_ORDER = (
    "employment", "education", "social_inclusion", "health", "housing",
    "active_citizenship", "welcoming_society",
)  # fmt: skip


def _area_rank(ctx: Context, ident: str) -> int:
    area = ctx.catalog.indicators[ident].area
    return _AREA_ORDER.index(area) if area in _AREA_ORDER else len(_AREA_ORDER)


def _area_name(area: str) -> str:
    names = {
        "employment": _("Employment"), "education": _("Education"),
        "social_inclusion": _("Social inclusion"), "health": _("Health"),
        "housing": _("Housing"), "active_citizenship": _("Active citizenship"),
        "welcoming_society": _("Welcoming society"),
    }  # fmt: skip
    return names.get(area, area)


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
                        "synthetic": r["source"] == "computed" and ctx.synthetic,
                    }
                    for r in _records(mine)
                ],
            }
        )
    return {
        "areas": [
            {"area": a, "name": _area_name(a), "rows": areas[a]} for a in _AREA_ORDER if a in areas
        ],
        "synthetic": ctx.synthetic,
    }


def country_list(reader: WarehouseReader) -> dict[str, Any]:
    """Return the countries and aggregates the warehouse has figures for."""
    ctx = context(reader)
    geos = _geo_order(ctx.codes["geo"])
    return {
        "aggregates": [(g, country_name(g)) for g in geos if is_aggregate(g)],
        "members": [(g, country_name(g)) for g in geos if g in EU27_2020],
        "others": [
            (g, country_name(g)) for g in geos if not is_aggregate(g) and g not in EU27_2020
        ],
    }
