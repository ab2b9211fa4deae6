"""The data page: filters a person can use, a preview with labels beside the codes, and
the downloads.

Filters are plain HTML and need no JavaScript: the long lists (indicators, countries
and regions) are text boxes with a ``datalist`` that suggests as one types (a code or
a name in the page's language), the chosen ones listed as ticked boxes to untick; the
short lists (groups, sex, age, source) are check boxes; years are typed as a year, a
list or a range (``2015-2020``, ``2015-``, ``-2020``); gap rows are a choice of three.

The form sends a marker (``form=1``) with its fields as they are, empty boxes included:
:func:`data_form_target` turns that into the page's canonical URL (empty fields dropped,
names resolved to codes) and the view redirects there, so every selection is a clean,
shareable URL. Without the marker the page's parameters are strict, like the API's: an
empty code is a 400, never "every code".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zaragoza.catalog.codes import ISO_TO_EUROSTAT
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    age_label,
    country_name,
    group_label,
    profiles_title,
    reference_label,
    sex_label,
    source_label,
)
from zaragoza.portal.monitoring.pages.common import (
    EU,
    PageError,
    api_url,
    cell,
    context,
    decimals_for,
    downloads,
    finer,
    flags_used,
    geo_order,
    indicator_options,
    interval_note,
    many,
    records,
)
from zaragoza.portal.monitoring.years import YearError, parse_years
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = [
    "DATA_PARAMETERS",
    "FORM_MARKER",
    "GAP_CHOICES",
    "data_form_target",
    "data_page",
]

_CODE_DIMS = ("indicator", "geo", "citizen", "c_birth", "mig_bg", "sex", "age", "source")
_DATA_DIMS = ("indicator", "geo", "time", "citizen", "c_birth", "mig_bg", "sex", "age", "source")
#: ``gap``: level rows (the default), gap rows (to nationals, or to non-immigrant
#: students for PISA's figures), or both.
GAP_CHOICES = ("false", "only", "true")
#: The query parameters the data page reads.
DATA_PARAMETERS = (*_DATA_DIMS, "gap")
#: The parameter the page's form sends: its fields are to be tidied into a clean URL.
FORM_MARKER = "form"
_PREVIEW = 200
_NAMED_CODE = re.compile(r"\(([^()]+)\)\s*$")  # "Austria (AT)": the code in brackets


def _source_label(code: str) -> str:
    return source_label(code)


def _options(ctx: Any) -> dict[str, list[tuple[str, str]]]:
    """Every code of each dimension with its label in the page's language."""
    return {
        "indicator": indicator_options(ctx),
        "geo": [(g, country_name(g)) for g in geo_order(ctx.codes["geo"])],
        "time": [(str(t), str(t)) for t in sorted(ctx.codes["time"], reverse=True)],
        "citizen": [(c, group_label(c, "citizen")) for c in ctx.codes["citizen"]],
        "c_birth": [(c, group_label(c, "c_birth")) for c in ctx.codes["c_birth"]],
        "mig_bg": [(c, group_label(c, "mig_bg")) for c in ctx.codes["mig_bg"]],
        "sex": [(s, sex_label(s)) for s in ctx.codes["sex"]],
        "age": [(a, age_label(a)) for a in ctx.codes["age"]],
        "source": [(s, _source_label(s)) for s in ctx.codes["source"]],
    }


def _unknown(dim: str, values: list[str]) -> PageError:
    """The error of codes a dimension does not know, with Eurostat's spelling of GR, GB."""
    message = _("Unknown %(name)s: %(values)s.") % {"name": dim, "values": ", ".join(values)}
    aliases = [v for v in values if dim == "geo" and v.upper() in ISO_TO_EUROSTAT]
    for v in aliases:
        message += " " + _(
            "Eurostat writes %(name)s %(code)s, not %(iso)s: did you mean %(code)s?"
        ) % {
            "name": country_name(ISO_TO_EUROSTAT[v.upper()]),
            "code": ISO_TO_EUROSTAT[v.upper()],
            "iso": v,
        }
    return PageError(404 if dim in ("indicator", "geo") else 400, message)


def _years(items: tuple[str, ...], present: list[Any]) -> tuple[int, ...]:
    try:
        return parse_years(items, present)
    except YearError as err:
        forms = _("a year (2023), several (2019,2023) or a range (2015-2020, 2015- or -2020)")
        if err.problem == "reversed":
            message = _("The range of years %(item)s is reversed: give the earlier year first.")
        elif err.problem in ("outside", "empty_range"):
            message = _("%(item)s holds none of the years with figures (%(first)s to %(last)s).")
        else:
            message = _("Unknown time: %(item)s.")
        raise PageError(
            400,
            message % {"item": err.item, "first": err.first, "last": err.last}
            + " "
            + _("Years are %(forms)s.") % {"forms": forms},
        ) from None


def _gap(params: Mapping[str, Any]) -> str:
    values = many(params, "gap")
    if len(values) > 1:
        raise PageError(400, _("Give one value for %(name)s.") % {"name": "gap"})
    value = values[0] if values else "false"
    if value not in GAP_CHOICES:
        raise PageError(
            400,
            _("Unknown %(name)s %(value)s; valid: %(valid)s.")
            % {"name": "gap", "value": value, "valid": ", ".join(GAP_CHOICES)},
        )
    return value


def data_form_target(reader: WarehouseReader, params: Mapping[str, Any]) -> str:
    """Return the canonical query string of what the data page's form sent.

    Empty fields are dropped (an empty box means "no choice"), comma-separated or
    repeated items are joined, and a name typed instead of a code (``Austria``, or
    ``Austria (AT)``, in the page's language, any case) becomes its code. What cannot
    be resolved is kept as typed: the page then says it is unknown.
    """
    ctx = context(reader)
    options = _options(ctx)
    query: dict[str, str] = {}
    for dim in DATA_PARAMETERS:
        given = params.getlist(dim) if hasattr(params, "getlist") else [params.get(dim, "")]
        items = [p.strip() for g in given if g for p in str(g).split(",") if p.strip()]
        if dim in _CODE_DIMS:
            items = [_resolve(item, options[dim]) for item in items]
        if dim == "gap":
            items = [i for i in items if i != "false"][-1:]  # the default needs no parameter
        if items:
            query[dim] = ",".join(dict.fromkeys(items))
    return urlencode(query, safe=",")


def _resolve(item: str, options: list[tuple[str, str]]) -> str:
    codes = {code for code, _label in options}
    if item in codes:
        return item
    named = _NAMED_CODE.search(item)
    if named and named[1].strip() in codes:
        return named[1].strip()
    folded = item.casefold()
    for code, label in options:
        if folded in (code.casefold(), label.casefold()):
            return code
    return item


def data_page(reader: WarehouseReader, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the data page: the filters, a preview of the cells they select with labels
    beside the codes, and the links that download them in each format."""
    ctx = context(reader)
    chosen: dict[str, tuple[str, ...]] = {d: many(params, d) for d in _DATA_DIMS}
    gap = _gap(params)
    if not any(chosen.values()):
        chosen["indicator"] = ("employment_rate",)
        chosen["geo"] = (EU,)
    for dim in _CODE_DIMS:
        known = {str(c) for c in ctx.codes[dim]}
        unknown = [v for v in chosen[dim] if v not in known]
        if unknown:
            raise _unknown(dim, unknown)
    years = _years(chosen["time"], ctx.codes["time"])
    compare_to = {"false": ("",), "only": ("NAT", "NATIVE"), "true": ()}[gap]
    sel = ObservationFilter(
        indicator=chosen["indicator"], geo=chosen["geo"], time=years,
        citizen=chosen["citizen"], c_birth=chosen["c_birth"], mig_bg=chosen["mig_bg"],
        sex=chosen["sex"], age=chosen["age"], source=chosen["source"], compare_to=compare_to,
    )  # fmt: skip
    total = reader.count(sel)
    preview = reader.observations(sel, limit=_PREVIEW)
    rows = []
    for rec in records(preview):
        ind = ctx.catalog.indicators.get(rec["indicator"])
        decimals = decimals_for(ind) if ind is not None else "1"
        rows.append(
            {
                "indicator": rec["indicator"],
                "indicator_title": indicator_title(ind)
                if ind is not None
                else profiles_title(str(rec["indicator"])),
                "indicator_page": ind is not None,
                "geo": rec["geo"],
                "geo_name": country_name(rec["geo"]),
                "time": rec["time"],
                "citizen": rec["citizen"],
                "citizen_label": group_label(rec["citizen"], "citizen"),
                "c_birth": rec["c_birth"],
                "c_birth_label": group_label(rec["c_birth"], "c_birth"),
                "mig_bg": rec["mig_bg"],
                "mig_bg_label": group_label(rec["mig_bg"], "mig_bg"),
                "sex": rec["sex"],
                "sex_label": sex_label(rec["sex"]),
                "age": rec["age"],
                "age_label": age_label(rec["age"]),
                "compare_to": rec["compare_to"],
                "compare_to_label": reference_label(rec["compare_to"]) if rec["compare_to"] else "",
                "source": rec["source"],
                "synthetic": ctx.demonstration(rec["source"]),
                "gap": bool(rec.get("compare_to")),
                "cell": cell(rec, decimals),
                # a standard error is read to one more decimal than its value
                "se_decimals": finer(decimals),
            }
        )
    options = _options(ctx)
    filters: dict[str, Any] = {d: list(v) for d, v in chosen.items()}
    if gap != "false":
        filters["gap"] = gap
    # label columns, in the page's language, where a format has them (CSV, Excel, JSON);
    # JSON-stat's labels in that language too; SDMX-CSV has codes only
    lang = (get_language() or "en").split("-")[0]
    labelled = {**filters, "labels": "true", "lang": lang}
    links = {d["id"]: d for d in downloads(**filters)}
    for fmt in ("csv", "xlsx"):
        links[fmt] = {**links[fmt], "url": api_url(fmt, **labelled)}
    links["jsonstat"] = {**links["jsonstat"], "url": api_url("jsonstat", **filters, lang=lang)}
    return {
        "chosen": chosen,
        "time_text": ",".join(chosen["time"]),
        "gap": gap,
        "gap_choices": [
            ("false", _("Levels")),
            ("only", _("Gaps to nationals (PISA: to non-immigrant students)")),
            ("true", _("Both")),
        ],
        "options": options,
        "picked": {
            dim: [(c, label) for c, label in options[dim] if c in chosen[dim]]
            for dim in ("indicator", "geo")
        },
        "total": total,
        "shown": len(rows),
        "rows": rows,
        "gaps_shown": gap != "false",
        "indicator_ids": list(dict.fromkeys(r["indicator"] for r in rows))
        or list(chosen["indicator"]),
        "metadata_links": [
            (i, indicator_title(ctx.catalog.indicators[i]))
            for i in dict.fromkeys(r["indicator"] for r in rows)
            if i in ctx.catalog.indicators
        ],
        "flags_used": flags_used(r["cell"] for r in rows),
        "synthetic": any(r["synthetic"] and r["source"] != "profiles" for r in rows),
        # the skills profiles' figures are set apart: no interval, no survey
        "profiles_shown": any(r["source"] == "profiles" for r in rows),
        "profiles_synthetic": any(r["synthetic"] and r["source"] == "profiles" for r in rows),
        "interval_note": interval_note(r["source"] for r in rows if r["source"] != "profiles"),
        "downloads": [
            *links.values(),
            {"format": "JSON", "url": api_url("json", **labelled), "id": "json"},
        ],
    }
