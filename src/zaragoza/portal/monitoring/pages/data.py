"""The data page: a filter over every dimension, a preview and the downloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from zaragoza.portal.monitoring.labels import (
    country_name,
    group_label,
    sex_label,
)
from zaragoza.portal.monitoring.pages.common import (
    EU,
    PageError,
    api_url,
    cell,
    context,
    decimals_for,
    downloads,
    flags_used,
    geo_order,
    indicator_options,
    interval_note,
    many,
    records,
)
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["DATA_PARAMETERS", "data_page"]

_DATA_DIMS = ("indicator", "geo", "time", "citizen", "c_birth", "sex", "source")
#: The query parameters the data page reads.
DATA_PARAMETERS = _DATA_DIMS
_PREVIEW = 200


def _finer(decimals: str) -> str:
    """The ``floatformat`` argument one decimal finer than ``decimals`` ("1" -> "2")."""
    digits = decimals.rstrip("g")
    return str(int(digits) + 1) + decimals[len(digits) :] if digits.isdigit() else decimals


def data_page(reader: WarehouseReader, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the data page: a filter over every dimension, a preview of the cells it
    selects and the links that download them in each format."""
    ctx = context(reader)
    chosen: dict[str, tuple[str, ...]] = {d: many(params, d) for d in _DATA_DIMS}
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
    for rec in records(preview):
        ind = ctx.catalog.indicators.get(rec["indicator"])
        decimals = decimals_for(ind, [rec["value"]]) if ind is not None else "1"
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
                "synthetic": ctx.demonstration(rec["source"]),
                "gap": bool(rec.get("compare_to")),
                "cell": cell(rec, decimals),
                # a standard error is read to one more decimal than its value
                "se_decimals": _finer(decimals),
            }
        )
    options = {
        "indicator": indicator_options(ctx),
        "geo": [(g, f"{country_name(g)} ({g})") for g in geo_order(ctx.codes["geo"])],
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
        "flags_used": flags_used(r["cell"] for r in rows),
        "synthetic": any(r["synthetic"] for r in rows),
        "interval_note": interval_note(r["source"] for r in rows),
        "downloads": [
            *downloads(**filters),
            {
                "format": "JSON",
                "url": api_url("json", **filters),
                "id": "json",
            },
        ],
    }
