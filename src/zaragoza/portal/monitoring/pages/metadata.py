"""The metadata page of an indicator: what it measures, where its figures come from, how
they were made, what limits their comparability, and how to cite them.

Everything comes from the catalogue (definition, unit, population, precision), the
dataset mappings (which Eurostat tables, which of their cells) and the warehouse's own
provenance (each load's kind, time, inputs and options, Eurostat's last update of a
table when its file recorded it); nothing is written by hand per indicator here.
File paths of the server are never shown: inputs are named by their file name.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

import pandas as pd

from zaragoza import __version__
from zaragoza.catalog.schema import AllOf, AnyOf, Condition, Indicator, Not, VarCondition
from zaragoza.portal.monitoring.catalog_messages import indicator_definition, indicator_title
from zaragoza.portal.monitoring.labels import age_label, country_name
from zaragoza.portal.monitoring.pages.common import (
    context,
    indicator_of,
    unit_name,
)
from zaragoza.warehouse.published import load_mappings
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

__all__ = ["eurostat_links", "metadata_page"]

#: Eurostat's reference metadata (ESMS) of a family of tables, by code prefix; other
#: tables link to their data browser page, which links to their metadata.
_ESMS = {"lfsa_": "https://ec.europa.eu/eurostat/cache/metadata/en/lfsa_esms.htm"}
_BROWSER = "https://ec.europa.eu/eurostat/databrowser/view/{code}/default/table?lang=en"


def eurostat_links(dataset: str) -> dict[str, str | None]:
    """Eurostat's data browser page of ``dataset`` and, when known, its ESMS metadata."""
    esms = next((url for prefix, url in _ESMS.items() if dataset.startswith(prefix)), None)
    return {"browser": _BROWSER.format(code=dataset), "esms": esms}


def condition_text(cond: Condition | None) -> str:
    """A condition of the catalogue's small language as text (``ILOSTAT in 1, 2``)."""
    if cond is None:
        return ""
    if isinstance(cond, VarCondition):
        if cond.in_ is not None:
            return f"{cond.var} ∈ {{{', '.join(str(c) for c in cond.in_)}}}"
        lo, hi = cond.range or (0, 0)
        return f"{lo:g} ≤ {cond.var} ≤ {hi:g}"
    if isinstance(cond, AllOf):
        return " and ".join(f"({condition_text(c)})" for c in cond.all)
    if isinstance(cond, AnyOf):
        return " or ".join(f"({condition_text(c)})" for c in cond.any)
    if isinstance(cond, Not):
        return f"not ({condition_text(cond.not_)})"
    return str(cond)


def _date(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _holds(given: dict[str, Any], dataset: str) -> bool:
    """Whether a load's input holds ``dataset``: as its provenance says (``datasets``,
    or ``dataset`` for an API request), or, for loads recorded before files listed
    their datasets, as the bundled files are named (``lfsa_ergan_y20-64_....tsv``)."""
    if "datasets" in given:
        return dataset in given["datasets"]
    if "dataset" in given:
        return bool(given["dataset"] == dataset)
    return PurePath(str(given.get("path", ""))).name.lower().startswith(f"{dataset}_")


def _datasets(ind: Indicator, loads: pd.DataFrame) -> list[dict[str, Any]]:
    """The Eurostat tables of ``ind``: the mapped cells, and the loads that brought them."""
    tables = ind.eurostat_tables.model_dump()
    by_code: dict[str, dict[str, Any]] = {}
    for breakdown, code in tables.items():
        if code:
            by_code.setdefault(code, {"code": code, "breakdowns": [], "where": {}})
            by_code[code]["breakdowns"].append(breakdown)
    for m in load_mappings():
        if m.indicator == ind.id:
            entry = by_code.setdefault(
                m.dataset, {"code": m.dataset, "breakdowns": [], "where": {}}
            )
            entry["where"] = dict(m.where)
    published = loads[loads["source"].str.contains("published")]
    for entry in by_code.values():
        entry["loads"] = []
        for load in published.to_dict("records"):
            inputs = json.loads(load["inputs"] or "[]")
            mine = [i for i in inputs if _holds(i, entry["code"])]
            if not mine:
                continue
            updated = [i["eurostat_updated"] for i in mine if i.get("eurostat_updated")]
            entry["loads"].append(
                {
                    "loaded": _date(load["loaded_at"]),
                    "kind": load["kind"],
                    "files": [PurePath(str(i.get("path", ""))).name for i in mine if i.get("path")],
                    "eurostat_updated": _date(max(updated)) if updated else None,
                }
            )
        entry["links"] = eurostat_links(entry["code"])
        entry["where_text"] = ", ".join(f"{k} = {v}" for k, v in entry["where"].items())
    return sorted(by_code.values(), key=lambda e: e["code"])


def _computed(loads: pd.DataFrame, synthetic_runs: frozenset[str]) -> list[dict[str, Any]]:
    """The estimation runs of an indicator: inputs, design and variance method."""
    out = []
    for load in loads[loads["source"] == "computed"].to_dict("records"):
        options = json.loads(load["options"] or "{}")
        inputs = json.loads(load["inputs"] or "[]")
        design = options.get("design") or {}
        variance = design.get("variance") or {}
        out.append(
            {
                "run": load["run_id"],
                "loaded": _date(load["loaded_at"]),
                "rows": int(str(load["rows"])),
                "survey": str(options.get("survey", "")).upper(),
                "files": [PurePath(str(i.get("path", ""))).name for i in inputs if i.get("path")],
                "by": ", ".join(options.get("by") or []),
                "gap": options.get("gap") or "",
                "weight": design.get("weight") or "",
                "strata": design.get("strata") or "",
                "psu": design.get("psu") or "",
                "lonely_psu": design.get("lonely_psu") or "",
                "variance": variance.get("method") or options.get("variance") or "",
                "replicates": {k: v for k, v in variance.items() if k != "method" and v},
                "confidence": f"{100 * (1 - float(options['alpha'])):g}%"
                if options.get("alpha") is not None
                else "",
                "backend": options.get("backend") or "",
                "synthetic": load["run_id"] in synthetic_runs,
            }
        )
    return out


def _breaks(reader: WarehouseReader, ind: Indicator) -> list[dict[str, Any]]:
    """Years in which some series of the indicator carry a break flag (``b``), with the
    countries, from the warehouse's figures."""
    df = reader.observations(ObservationFilter(indicator=(ind.id,)))
    flagged = df[df["flag"].fillna("").str.contains("b", regex=False)]
    out = []
    for year, rows in flagged.groupby("time"):
        geos = sorted(set(rows["geo"]), key=country_name)
        out.append({"year": int(str(year)), "geos": [(g, country_name(g)) for g in geos]})
    return out


def _coverage(ctx: Any, ind: Indicator) -> list[dict[str, Any]]:
    cov = ctx.coverage[ctx.coverage["indicator"] == ind.id]
    return [
        {
            "source": r["source"],
            "geos": int(r["geos"]),
            "first": int(r["first_year"]),
            "last": int(r["last_year"]),
            "rows": int(r["rows"]),
        }
        for r in cov.to_dict("records")
    ]


def metadata_page(reader: WarehouseReader, ident: str) -> dict[str, Any]:
    """Return the metadata page of the indicator ``ident`` (404 if the catalogue has none)."""
    ctx = context(reader)
    ind = indicator_of(ctx, ident)
    loads = reader.loads_of(ind.id)
    datasets = _datasets(ind, loads)
    computed = _computed(loads, reader.synthetic_runs())
    updates = reader.updates()
    mine = updates[updates["indicator"] == ind.id]
    last = {r["source"]: _date(r["loaded_at"]) for r in mine.to_dict("records")}
    eurostat_dates = [
        load["eurostat_updated"]
        for d in datasets
        for load in d["loads"]
        if load["eurostat_updated"]
    ]
    codes = [d["code"] for d in datasets if d["loads"]] or [d["code"] for d in datasets]
    age = ind.population.age
    return {
        "indicator": ind,
        "title": indicator_title(ind),
        "definition": indicator_definition(ind),
        "unit": unit_name(ind.unit),
        "unit_code": ind.unit,
        "decimals": ind.precision,
        "better": ind.better,
        "age": age_label(ind.age_code),
        "age_code": ind.age_code,
        "age_open": age.max is None,
        "population_filter": condition_text(ind.population.filter),
        "numerator": condition_text(ind.numerator),
        "denominator": condition_text(ind.denominator),
        "survey": ind.survey,
        "estimator": ind.estimator,
        "weight": ind.weight or ("RB050" if ind.survey == "EU-SILC" else "COEFF"),
        "references": list(ind.references),
        "target": ind.target,
        "datasets": datasets,
        "computed": computed,
        "synthetic": any(c["synthetic"] for c in computed),
        "breaks": _breaks(reader, ind),
        "coverage": _coverage(ctx, ind),
        "last": last,
        "version": __version__,
        "cite_tables": ", ".join(codes),
        "cite_eurostat_updated": max(eurostat_dates) if eurostat_dates else None,
        "cite_computed_year": max((c["loaded"] for c in computed if c["loaded"]), default=None),
    }
