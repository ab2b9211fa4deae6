"""What every page shares: its parameters, its cells, the warehouse context, downloads.

Cells are plain dicts (``value``, ``flag``, ``flags`` (meanings), ``year``, ``ci_lo``,
``ci_hi`` (the 95% interval), ``se``, ``n`` (unweighted count), ``missing``,
``decimals``) so that templates show a missing value as missing
and every flag as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.utils.translation import gettext as _

from zaragoza.catalog.codes import CITIZEN_GROUPS
from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.catalog.schema import Indicator
from zaragoza.catalog.targets import targets_for
from zaragoza.observations import CELL_KEY, MIG_BG, PUBLISHED_COLUMNS, gap_flag
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    country_name,
    flag_text,
    is_aggregate,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader, parse_list

EU = "EU27_2020"
SOURCES = ("published", "computed")
#: The dimensions migrant groups are in: citizenship, country of birth, and PISA's
#: migrant background of students.
BREAKDOWNS = ("citizen", "c_birth", "mig_bg")
#: The reference group of each breakdown's gaps: nationals, non-immigrant students.
REFERENCES = {"citizen": "NAT", "c_birth": "NAT", "mig_bg": "NATIVE"}
SEXES = ("T", "M", "F")
#: The migrant group a single headline figure is about, in order of preference.
MAIN_GROUPS = ("NEU27_2020_FOR", "FOR", "EU27_2020_FOR", "IMMIGRANT")


class PageError(Exception):
    """A parameter the page cannot use; ``status`` 404 (unknown thing) or 400 (malformed).

    ``parameter`` names the query parameter at fault where one is (the API's error
    answers of a page's figures name it).
    """

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def unit_name(unit: str) -> str:
    """Return the name of a catalogue unit for axis titles and captions."""
    names = {
        "PC": _("%"),
        "EUR": _("euro"),
        "RT": _("ratio"),
        "COEF": _("coefficient (0-100)"),
        "PTS": _("score points"),
    }
    return names.get(unit, unit)


def gap_unit_name(unit: str) -> str:
    """Return what a difference of two values of ``unit`` is measured in."""
    names = {
        "PC": _("percentage points"),
        "EUR": _("euro"),
        "COEF": _("points"),
        "PTS": _("score points"),
    }
    return names.get(unit, "")


def decimals_for(ind: Indicator, values: Iterable[float] = ()) -> str:
    """Return the ``floatformat`` argument of the indicator's published precision (the
    catalogue's ``decimals``): euro amounts with thousands separators. ``values`` is
    not read (the precision is the catalogue's, whatever the figures)."""
    places = ind.precision
    return f"{places}g" if ind.unit == "EUR" else str(places)


def finer(decimals: str) -> str:
    """The ``floatformat`` argument one decimal finer than ``decimals`` ("1" -> "2"): the
    places of a standard error (:mod:`zaragoza.publish.precision`)."""
    digits = decimals.rstrip("g")
    return str(int(digits) + 1) + decimals[len(digits) :] if digits.isdigit() else decimals


def as_float(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def missing_cell(decimals: str, year: int | None = None) -> dict[str, Any]:
    """Return the template cell of a value that is not there."""
    return {"value": None, "missing": True, "flag": "", "flags": "", "year": year,
            "ci_lo": None, "ci_hi": None, "se": None, "n": None,
            "decimals": decimals, "se_decimals": finer(decimals)}  # fmt: skip


def cell(row: Mapping[str, Any] | None, decimals: str, year: int | None = None) -> dict[str, Any]:
    """Return a template cell from an observation row (``None``: no observation)."""
    if row is None:
        return missing_cell(decimals, year)
    value = as_float(row.get("value"))
    flag = str(row.get("flag") or "")
    return {
        "value": value,
        "missing": value is None,
        "flag": flag,
        "flags": flag_text(flag),
        "year": int(row["time"]) if row.get("time") is not None else year,
        "ci_lo": as_float(row.get("ci_lo")),
        "ci_hi": as_float(row.get("ci_hi")),
        "se": as_float(row.get("se")),
        "n": None if as_float(row.get("n")) is None else int(row["n"]),
        "decimals": decimals,
        "se_decimals": finer(decimals),
    }


def difference(a: Mapping[str, Any], b: Mapping[str, Any], decimals: str) -> dict[str, Any]:
    """The difference of two cells (a gap to nationals), missing if either is missing."""
    if a["missing"] or b["missing"]:
        return missing_cell(decimals, a["year"])
    flag = gap_flag(a.get("flag"), b.get("flag"))
    return missing_cell(decimals, a["year"]) | {
        "value": a["value"] - b["value"],
        "missing": False,
        "flag": flag,
        "flags": flag_text(flag),
    }


def gap_cell(
    row: Mapping[str, Any] | None,
    group: Mapping[str, Any],
    nationals: Mapping[str, Any],
    decimals: str,
    year: int | None = None,
) -> dict[str, Any]:
    """The gap of a group to nationals: the warehouse's gap ``row`` (with its interval and
    flags) where it has one, else the difference of the two cells."""
    if row is not None:
        return cell(row, decimals, year)
    return difference(group, nationals, decimals)


def derived_gap_row(
    group: Mapping[str, Any], nationals: Mapping[str, Any], shown: float | None
) -> dict[str, Any]:
    """The gap row of two level rows the warehouse has no gap row for (published figures):
    the difference the page shows, flagged with both cells' letters, without an
    interval (Eurostat publishes none); computed by Zaragoza from two published values."""
    out = {c: group.get(c) for c in PUBLISHED_COLUMNS}
    out |= dict.fromkeys(("se", "ci_lo", "ci_hi", "cv", "n", "n_missing"))
    out["compare_to"] = "NATIVE" if group.get("mig_bg", "TOTAL") != "TOTAL" else "NAT"
    # the difference shown, rounded off the float noise of 79.2 - 63.0
    out["value"] = None if shown is None else round(shown, 10)
    out["flag"] = gap_flag(group.get("flag"), nationals.get("flag"))
    out["synthetic"] = bool(group.get("synthetic")) or bool(nationals.get("synthetic"))
    return out


def gap_figure(
    row: Mapping[str, Any] | None,
    group: Mapping[str, Any] | None,
    nationals: Mapping[str, Any] | None,
    shown: Mapping[str, Any] | None,
) -> Mapping[str, Any] | None:
    """The row behind a gap a page shows (``shown``, from :func:`gap_cell`): the
    warehouse's gap ``row`` where it has one, else the difference of the two level rows
    (:func:`derived_gap_row`); ``None`` where the page shows no gap."""
    if row is not None:
        return row
    if shown is None or shown["missing"] or group is None or nationals is None:
        return None
    return derived_gap_row(group, nationals, shown["value"])


def figure_frame(rows: Iterable[Mapping[str, Any] | None]) -> pd.DataFrame:
    """The observation rows (:data:`~zaragoza.observations.PUBLISHED_COLUMNS`) behind the
    figures a page shows, each cell once, in the order shown: what the page's "download
    these figures" serves."""
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        if row is not None:
            unique.setdefault(tuple(row.get(c) for c in CELL_KEY), row)
    return pd.DataFrame.from_records(
        [{c: r.get(c) for c in PUBLISHED_COLUMNS} for r in unique.values()],
        columns=PUBLISHED_COLUMNS,
    )


def figure_links(path: str, query: Mapping[str, str | None]) -> list[dict[str, str]]:
    """The links of a page's "download these figures": the API's ``path`` (which serves
    the page's own figures) with the page's ``query``, in each format."""
    kept = {k: v for k, v in query.items() if v}
    return [
        {"format": label, "id": fmt,
         "url": f"{path}?" + urlencode({**kept, "format": fmt}, safe=",")}
        for fmt, label in FIGURE_FORMATS
    ]  # fmt: skip


#: The formats "download these figures" offers (the API's file formats and JSON).
FIGURE_FORMATS = (("csv", "CSV"), ("xlsx", "Excel"), ("jsonstat", "JSON-stat"),
                  ("sdmx-csv", "SDMX-CSV"), ("json", "JSON"))  # fmt: skip


def trace(
    name: str, x: Sequence[Any], cells: Sequence[Mapping[str, Any]], **style: str
) -> dict[str, Any]:
    """A chart trace of ``cells`` at ``x`` with their intervals (``style``: e.g. ``dash``)."""
    return {
        "name": name,
        "x": list(x),
        "y": [c["value"] for c in cells],
        "lo": [c["ci_lo"] for c in cells],
        "hi": [c["ci_hi"] for c in cells],
        **style,
    }


def chart(kind: str, ind: Indicator, traces: list[dict[str, Any]]) -> dict[str, Any]:
    """The data ``charts.js`` draws: ``kind`` ``lines`` (over years) or ``bars``."""
    return {"kind": kind, "unit": ind.unit, "yTitle": unit_name(ind.unit), "traces": traces}


def target_lines(ind: Indicator) -> list[dict[str, Any]]:
    """The EU targets of ``ind`` as lines for a chart of its levels: value and label.

    The targets are set for the whole population (``catalog/targets.yaml``); drawn on a
    chart of migrant groups they are a reading aid, as on the country profile.
    """
    lines = []
    for t in targets_for(ind.id):
        framework = _("Europe 2020") if t.framework == "europe_2020" else _("EU 2030")
        lines.append(
            {
                "value": t.value,
                "label": _("%(framework)s target: %(value)s")
                % {"framework": framework, "value": f"{t.value:g}"},
                "id": t.id,
            }
        )
    return lines


def break_years(years: Sequence[int], cells: Iterable[Mapping[str, Any]]) -> list[int]:
    """The years of ``years`` in which a shown cell is flagged ``b`` (break in series).

    Eurostat flags the first year of the new series: the break lies between that year
    and the one before, and charts draw it there.
    """
    flagged = {c["year"] for c in cells if "b" in (c.get("flag") or "")}
    return [y for y in years if y in flagged]


def no_indicator_figures() -> PageError:
    """The error of an indicator the warehouse has no figures of."""
    return PageError(404, _("The warehouse holds no figures for this indicator yet."), "indicator")


def no_geo_figures(geo: str) -> PageError:
    """The error of a country or region the warehouse has no figures of."""
    return PageError(
        404, _("There are no figures for the country or region %(geo)s.") % {"geo": geo}, "geo"
    )


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


def group_filter(by: str, groups: Sequence[str]) -> dict[str, list[str]]:
    """The API filter of migrant groups in ``by``, the other breakdowns at their total."""
    others = {o: ["TOTAL"] for o in BREAKDOWNS if o != by}
    return {by: list(dict.fromkeys(groups)), **others}


def downloads(**filters: Iterable[Any] | str | None) -> list[dict[str, str]]:
    return [
        {"format": label, "url": api_url(fmt, **filters), "id": fmt}
        for fmt, label in (
            ("csv", "CSV"),
            ("xlsx", "Excel"),
            ("jsonstat", "JSON-stat"),
            ("sdmx-csv", "SDMX-CSV"),
        )
    ]


def one(params: Mapping[str, Any], name: str) -> str | None:
    values = many(params, name)
    if len(values) > 1:
        raise PageError(400, _("Give one value for %(name)s.") % {"name": name}, name)
    return values[0] if values else None


def many(params: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """The codes of a parameter; an empty one (``geo=``, ``geo=,,``) is a 400, not "all"."""
    given = params.getlist(name) if hasattr(params, "getlist") else params.get(name)
    try:
        return parse_list(given, strict=True)
    except ValueError:
        raise PageError(
            400,
            _("%(name)s holds an empty code: give codes separated by commas.") % {"name": name},
            name,
        ) from None


def year_param(text: str | None, name: str = "year") -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise PageError(
            400, _("The year must be a number like 2023, not %(value)s.") % {"value": text}, name
        ) from None


def choice(value: str | None, valid: Sequence[str], name: str, default: str) -> str:
    if value is None:
        return default
    if value not in valid:
        raise PageError(
            400,
            _("Unknown %(name)s %(value)s; valid: %(valid)s.")
            % {"name": name, "value": value, "valid": ", ".join(valid)},
            name,
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
    #: whether the skills profiles' figures count synthetic profiles
    synthetic_profiles: bool = False

    def demonstration(self, source: str) -> bool:
        """Return whether figures of ``source`` are a demonstration (computed from
        synthetic records, or counted from synthetic profiles)."""
        if source == "profiles":
            return self.synthetic_profiles
        return source == "computed" and self.synthetic


def context(reader: WarehouseReader) -> Context:
    """Return the shared :class:`Context` of the warehouse ``reader`` reads."""
    # The embedded default computes from the bundled synthetic example; those figures are
    # a demonstration and every page says so.
    sources = reader.synthetic_sources()
    return Context(
        load_catalog(), reader.coverage(), reader.codes(), "computed" in sources,
        "profiles" in sources,
    )  # fmt: skip


def indicator_of(ctx: Context, ident: str | None) -> Indicator:
    if ident is None:
        raise PageError(400, _("Choose an indicator."), "indicator")
    if ident not in ctx.catalog.indicators:
        raise PageError(404, _("There is no indicator %(id)s.") % {"id": ident}, "indicator")
    return ctx.catalog.indicators[ident]


def sources_of(ctx: Context, indicator: str) -> list[str]:
    cov = ctx.coverage
    present = set(cov.loc[cov["indicator"] == indicator, "source"])
    return [s for s in SOURCES if s in present]


def source_of(ctx: Context, indicator: str, asked: str | None) -> str:
    available = sources_of(ctx, indicator)
    if not available:
        raise no_indicator_figures()
    if asked is None:
        return available[0]
    return choice(asked, available, "source", available[0])


def geo_of(ctx: Context, geo: str | None, default: str) -> str:
    if geo is None:
        return default
    if geo not in ctx.codes["geo"]:
        raise no_geo_figures(geo)
    return geo


def breakdown(df: pd.DataFrame) -> str:
    """The dimension the migrant groups are in: citizenship unless only birth varies, or
    only the migrant background (PISA's students)."""
    if (df["citizen"] != "TOTAL").any():
        return "citizen"
    births = (df["c_birth"] != "TOTAL").any()
    if "mig_bg" in df.columns and (df["mig_bg"] != "TOTAL").any() and not births:
        return "mig_bg"
    return "c_birth"


def groups_in(df: pd.DataFrame, by: str) -> list[str]:
    present = set(df[by])
    ordered = [g for g in (MIG_BG if by == "mig_bg" else CITIZEN_GROUPS) if g in present]
    return ordered + sorted(present - set(ordered))


def main_group(groups: Sequence[str]) -> str | None:
    return next((g for g in MAIN_GROUPS if g in groups), None)


def levels(reader: WarehouseReader, ind: Indicator, source: str, **dims: Any) -> pd.DataFrame:
    """Level rows (no gaps) of one indicator and source, at the catalogue's age band."""
    sel = ObservationFilter(indicator=(ind.id,), source=(source,), **dims)
    return at_age_band(reader.observations(sel), ind)


def at_age_band(df: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """The rows of the catalogue's age band when there are any (published tables may
    hold other bands of the same indicator), else all rows."""
    if ind.age_code in set(df["age"]):
        df = df[df["age"] == ind.age_code]
    return df


def by_slice(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rows of the groups in ``by``: the other breakdowns at their total."""
    keep = pd.Series(True, index=df.index)
    for other in BREAKDOWNS:
        if other != by and other in df.columns:
            keep &= df[other] == "TOTAL"
    return df[keep]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in df.to_dict("records")]


def keyed_rows(df: pd.DataFrame) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Index rows by (geo, time, group code, sex) after :func:`by_slice`."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rec in records(df):
        out[(rec["geo"], int(rec["time"]), rec["_group"], rec["sex"])] = rec
    return out


def grouped(df: pd.DataFrame, by: str) -> pd.DataFrame:
    df = by_slice(df, by).copy()
    df["_group"] = df[by]
    return df


def source_note(ctx: Context, source: str) -> str:
    if ctx.demonstration(source):
        return _(
            "Computed from synthetic example records: a demonstration of the method, "
            "not statistics."
        )
    if source == "computed":
        return _("Computed by Zaragoza from survey microdata.")
    return _("Published by Eurostat.")


def interval_note(sources: Iterable[str]) -> str:
    """What the page says about intervals (``_interval_note.html``): ``all`` figures are
    computed and carry their 95% confidence interval, ``none`` are (Eurostat publishes its
    figures without one), or ``mixed``."""
    present = set(sources)
    if "published" not in present:
        return "all"
    return "none" if present == {"published"} else "mixed"


def flags_used(cells: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    letters: set[str] = set()
    for c in cells:
        letters.update(c.get("flag") or "")
    return [(ch, flag_text(ch)) for ch in sorted(letters)]


def geo_order(geos: Iterable[str]) -> list[str]:
    """Aggregates first (the EU), then countries by name."""
    geos = list(geos)
    aggs = [g for g in geos if is_aggregate(g)]
    aggs.sort(key=lambda g: (g != EU, g))
    return aggs + sorted((g for g in geos if not is_aggregate(g)), key=country_name)


def indicator_options(ctx: Context) -> list[tuple[str, str]]:
    present = set(ctx.coverage["indicator"])
    return sorted(
        (
            (i, indicator_title(ctx.catalog.indicators[i]))
            for i in ctx.catalog.indicators
            if i in present
        ),
        key=lambda p: p[1],
    )


AREA_ORDER = (
    "employment", "education", "social_inclusion", "health", "housing",
    "active_citizenship", "welcoming_society",
)  # fmt: skip


def area_rank(ctx: Context, ident: str) -> int:
    area = ctx.catalog.indicators[ident].area
    return AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER)


def area_name(area: str) -> str:
    names = {
        "employment": _("Employment"), "education": _("Education"),
        "social_inclusion": _("Social inclusion"), "health": _("Health"),
        "housing": _("Housing"), "active_citizenship": _("Active citizenship"),
        "welcoming_society": _("Welcoming society"),
    }  # fmt: skip
    return names.get(area, area)
