"""SDMX-ML 2.1 structure endpoints of the API: dataflow, data structure, codelists, concepts.

``GET /api/v1/sdmx/{resource}[/{agencyID}[/{resourceID}[/{version}]]]``, as the SDMX
2.1 RESTful web services specification (SDMX 2.1 Technical Standard, section 7, "Web
services", structure queries) lays out the path: ``resource`` is ``dataflow``,
``datastructure``, ``codelist`` or ``conceptscheme``; ``agencyID`` ``ZARAGOZA`` or
``all``; ``resourceID`` an artefact's id or ``all``; ``version`` ``1.0``, ``latest`` or
``all``. Omitted parts mean ``all``, ``all``, ``latest``.

``references`` says which related artefacts come with the match, as the specification
defines it: ``none`` (the default), ``parents`` (the artefacts that use it: the
dataflow uses the data structure, which uses the codelists and the concept scheme),
``parentsandsiblings`` (the parents and everything else they use), ``children`` (what
it uses directly), ``descendants`` (what it uses, all the way down), ``all`` (parents,
siblings and descendants), or one resource type (``codelist``...: the related
artefacts of that type, up or down). ``detail`` is ``full`` (only full artefacts are
served; SDMX's stub detail levels such as ``allstubs`` get a 400 naming the valid
value). Other parameters are refused.

The codelists hold the codes the warehouse has (and every catalogue indicator and
unit), named in English, French and German: countries from ISO 3166 (pycountry),
migrant groups and backgrounds (``CL_MIG_BG``: every code), sexes, flags and units
from the portal's translated messages, indicators from the catalogue's translated
titles. NUTS regions keep their code as
their name. The same structure describes the SDMX-CSV and SDMX-ML answers of
``/api/v1/observations``, so ``sdmx1`` reads them with nothing built by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy
from ninja import Router

from zaragoza.catalog.labels import code_labels
from zaragoza.catalog.loader import load_catalog
from zaragoza.observations import MIG_BG, SOURCES
from zaragoza.portal.monitoring.api_query import ApiError, ErrorOut, refuse_unknown_parameters
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import (
    FLAG_MEANINGS,
    country_name,
    group_label,
    reference_label,
    sex_label,
)
from zaragoza.publish import sdmx_ml
from zaragoza.publish.formats import NOT_APPLICABLE
from zaragoza.warehouse.reader import WarehouseReader

__all__ = ["MEDIA_TYPE", "REFERENCES", "RESOURCES", "register"]

MEDIA_TYPE = "application/vnd.sdmx.structure+xml; version=2.1"
RESOURCES = ("dataflow", "datastructure", "codelist", "conceptscheme")
REFERENCES = (
    "none", "parents", "parentsandsiblings", "children", "descendants", "all", *RESOURCES,
)  # fmt: skip
DETAILS = ("full",)
PARAMETERS = ("references", "detail")

#: Names of the concepts, codelists and artefacts (``label(what, None, lang)``).
_NAMES: dict[str, Any] = {
    "dataflow": gettext_lazy("Migrant-integration indicators"),
    sdmx_ml.DSD_ID: gettext_lazy("Migrant-integration indicators"),
    sdmx_ml.SCHEME_ID: gettext_lazy("Concepts of the migrant-integration indicators"),
    "freq": gettext_lazy("Time frequency"),
    "indicator": gettext_lazy("Indicator"),
    "unit": gettext_lazy("Unit of measure"),
    "source": gettext_lazy("Source"),
    "geo": gettext_lazy("Geopolitical entity (reporting)"),
    "citizen": gettext_lazy("Country of citizenship"),
    "c_birth": gettext_lazy("Country of birth"),
    "mig_bg": gettext_lazy("Migrant background"),
    "sex": gettext_lazy("Sex"),
    "age": gettext_lazy("Age class"),
    "compare_to": gettext_lazy("Reference group of a gap"),
    "TIME_PERIOD": gettext_lazy("Time"),
    "OBS_VALUE": gettext_lazy("Observation value"),
    "OBS_FLAG": gettext_lazy("Observation status (flag)"),
    "CONF_STATUS": gettext_lazy("Confidentiality status"),
    "SE": gettext_lazy("Standard error"),
    # xgettext:no-python-format (a literal per cent sign)
    "CI_LO": gettext_lazy("95% confidence interval, lower bound"),
    # xgettext:no-python-format
    "CI_HI": gettext_lazy("95% confidence interval, upper bound"),
    "CV": gettext_lazy("Coefficient of variation (%)"),
    "N": gettext_lazy("Unweighted count of respondents"),
    "N_MISSING": gettext_lazy("Respondents left out for missing answers"),
    "SYNTHETIC": gettext_lazy("Computed from synthetic records"),
}
_NAMES.update({f"CL_{c.upper()}": _NAMES[c] for c in sdmx_ml.CODED_DIMENSIONS})
_NAMES.update({"CL_OBS_FLAG": _NAMES["OBS_FLAG"], "CL_CONF_STATUS": _NAMES["CONF_STATUS"]})
_CODES: dict[str, dict[str, Any]] = {
    "freq": {"A": gettext_lazy("Annual")},
    "unit": {
        "PC": gettext_lazy("Percentage"),
        "PP": gettext_lazy("Percentage points"),
        "EUR": gettext_lazy("Euro"),
        "RT": gettext_lazy("Rate"),
        "COEF": gettext_lazy("Coefficient"),
        "PTS": gettext_lazy("Score points"),
    },
    "source": {
        "computed": gettext_lazy("Computed from microdata"),
        "published": gettext_lazy("Published by Eurostat"),
        "profiles": gettext_lazy(
            "Counted from skills profiles (not a representative survey: no standard error)"
        ),
    },
    "CONF_STATUS": {"C": pgettext_lazy("confidentiality", "Confidential")},
}
_AGE_RANGE = re.compile(r"^Y(\d+)-(\d+)$")
_AGE_FROM = re.compile(r"^Y_GE(\d+)$")


def age_label(code: str) -> str:
    """The name of a Eurostat age code (``Y20-64``, ``Y_GE15``) in the active language."""
    if m := _AGE_RANGE.match(code):
        return str(gettext_lazy("From %(lo)s to %(hi)s years") % {"lo": m[1], "hi": m[2]})
    if m := _AGE_FROM.match(code):
        return str(gettext_lazy("%(lo)s years or over") % {"lo": m[1]})
    return code_labels().get("age", {}).get(code, code)


def label(what: str, code: str | None, lang: str) -> str:
    """Name a component or artefact (``code`` None) or one of its codes, in ``lang``."""
    with translation.override(lang):
        if code is None:
            return str(_NAMES.get(what, what))
        if what == "indicator":
            cat = load_catalog()
            return indicator_title(cat[code]) if code in cat.indicators else code
        if what == "geo":
            return country_name(code, lang)
        if what in ("citizen", "c_birth", "mig_bg"):
            return group_label(code, what)
        if what == "compare_to":
            return (
                str(gettext_lazy("Not applicable (a level, not a gap)"))
                if (code == NOT_APPLICABLE)
                else reference_label(code)
            )
        if what == "sex":
            return sex_label(code)
        if what == "age":
            return age_label(code)
        if what == "OBS_FLAG":
            return ", ".join(str(FLAG_MEANINGS[ch]) for ch in code if ch in FLAG_MEANINGS) or code
        return str(_CODES.get(what, {}).get(code, code))


def structure_codes(reader: WarehouseReader) -> dict[str, list[str]]:
    """The codes of each coded component: the warehouse's, the catalogue's ids and units."""
    present = reader.codes()
    cat = load_catalog()
    units: dict[str, None] = dict.fromkeys(str(cat[i].unit) for i in cat)
    units["PP"] = None
    refs = [str(c) for c in present.get("compare_to", []) if c]
    flags = {f.replace("c", "").replace(":", "") for f in reader.flags()}
    return {
        "freq": ["A"],
        "indicator": list(dict.fromkeys([*cat, *map(str, present.get("indicator", []))])),
        "unit": list(units),
        "source": list(SOURCES),
        **{d: [str(c) for c in present.get(d, [])] for d in ("geo", "citizen", "c_birth")},
        # every code of the migrant background, whatever the warehouse holds (PISA's)
        "mig_bg": list(dict.fromkeys([*MIG_BG, *map(str, present.get("mig_bg", []))])),
        "sex": [str(c) for c in present.get("sex", [])],
        "age": [str(c) for c in present.get("age", [])],
        "compare_to": [NOT_APPLICABLE, *refs],
        "OBS_FLAG": sorted(
            {ch for f in flags for ch in f} | {f for f in flags if f}, key=lambda f: (len(f), f)
        ),
        "CONF_STATUS": ["C"],
    }


# ------------------------------------------------------------------ the artefacts' graph


def _artefacts(s: sdmx_ml.Structures) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {
        ("dataflow", s.dataflow.id): s.dataflow,
        ("datastructure", s.structure.id): s.structure,
        ("conceptscheme", s.concept_scheme.id): s.concept_scheme,
    }
    out.update({("codelist", cid): cl for cid, cl in s.codelists.items()})
    return out


def _children(node: tuple[str, str], s: sdmx_ml.Structures) -> list[tuple[str, str]]:
    kind, _ = node
    if kind == "dataflow":
        return [("datastructure", s.structure.id)]
    if kind == "datastructure":
        return [("conceptscheme", s.concept_scheme.id), *(("codelist", c) for c in s.codelists)]
    return []


def _parents(node: tuple[str, str], s: sdmx_ml.Structures) -> list[tuple[str, str]]:
    kind, _ = node
    if kind == "datastructure":
        return [("dataflow", s.dataflow.id)]
    if kind in ("codelist", "conceptscheme"):
        return [("datastructure", s.structure.id)]
    return []


def _closure(
    start: Iterable[tuple[str, str]], step: Callable[[tuple[str, str]], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Every artefact reachable from ``start`` by repeated ``step``s, in the order found."""
    out: dict[tuple[str, str], None] = {}
    pending = list(start)
    while pending:
        for nxt in step(pending.pop()):
            if nxt not in out:
                out[nxt] = None
                pending.append(nxt)
    return list(out)


def related(
    matched: list[tuple[str, str]], references: str, s: sdmx_ml.Structures
) -> list[tuple[str, str]]:
    """The artefacts ``references`` adds to ``matched`` (SDMX 2.1 REST, structure queries)."""

    def children(n: tuple[str, str]) -> list[tuple[str, str]]:
        return _children(n, s)

    def parents(n: tuple[str, str]) -> list[tuple[str, str]]:
        return _parents(n, s)

    direct_parents = [p for n in matched for p in parents(n)]
    siblings = [c for p in direct_parents for c in children(p)]
    if references == "none":
        extra: list[tuple[str, str]] = []
    elif references == "parents":
        extra = direct_parents
    elif references == "parentsandsiblings":
        extra = [*direct_parents, *siblings]
    elif references == "children":
        extra = [c for n in matched for c in children(n)]
    elif references == "descendants":
        extra = _closure(matched, children)
    elif references == "all":
        extra = [*direct_parents, *siblings, *_closure(matched, children)]
    else:  # one resource type, up or down
        up_down = [*_closure(matched, parents), *_closure(matched, children)]
        extra = [n for n in up_down if n[0] == references]
    return list(dict.fromkeys([*matched, *extra]))


def _match(
    resource: str, agency: str, resource_id: str, version: str, s: sdmx_ml.Structures
) -> list[tuple[str, str]]:
    if resource not in RESOURCES:
        raise ApiError(
            404, f"unknown SDMX resource {resource!r}", parameter="resource", value=resource,
            valid=list(RESOURCES),
        )  # fmt: skip
    if agency not in (sdmx_ml.AGENCY, "all"):
        raise ApiError(
            404, f"no artefacts of agency {agency!r}", parameter="agencyID", value=agency,
            valid=[sdmx_ml.AGENCY, "all"],
        )  # fmt: skip
    ids = [i for kind, i in _artefacts(s) if kind == resource]
    if resource_id not in (*ids, "all"):
        raise ApiError(
            404, f"no {resource} {resource_id!r}", parameter="resourceID", value=resource_id,
            valid=[*ids, "all"],
        )  # fmt: skip
    if version not in (sdmx_ml.VERSION, "latest", "all"):
        raise ApiError(
            404, f"no version {version!r} of {resource} {resource_id}", parameter="version",
            value=version, valid=[sdmx_ml.VERSION, "latest", "all"],
        )  # fmt: skip
    return [(resource, i) for i in ids if resource_id in (i, "all")]


def register(reader: Callable[[], WarehouseReader], cached: Callable[..., HttpResponse]) -> Router:
    """Return the router of the structure endpoints (``reader`` and ``cached`` from the API)."""
    router = Router(tags=["sdmx"])

    def answer(
        request: HttpRequest, resource: str, agency: str, resource_id: str, version: str
    ) -> HttpResponse:
        refuse_unknown_parameters(request, PARAMETERS)
        references = request.GET.get("references", "none")
        if references not in REFERENCES:
            raise ApiError(
                400, f"bad references {references!r}", parameter="references",
                value=references, valid=list(REFERENCES),
            )  # fmt: skip
        detail = request.GET.get("detail", "full")
        if detail not in DETAILS:
            raise ApiError(
                400, f"detail {detail!r} is not served: only full artefacts are",
                parameter="detail", value=detail, valid=list(DETAILS),
            )  # fmt: skip
        wh = reader()
        version_now = wh.version()

        def make() -> HttpResponse:
            s = sdmx_ml.build_structures(structure_codes(wh), label)
            nodes = related(_match(resource, agency, resource_id, version, s), references, s)
            art = _artefacts(s)
            chosen = {k: [art[n] for n in nodes if n[0] == k] for k in RESOURCES}
            body = sdmx_ml.structure_message(
                dataflows=chosen["dataflow"],
                structures=chosen["datastructure"],
                codelists=chosen["codelist"],
                concept_schemes=chosen["conceptscheme"],
                prepared=version_now.modified,
            )
            return HttpResponse(body, content_type=MEDIA_TYPE)

        key = ("sdmx", version_now.tag, resource, agency, resource_id, version, references)
        return cached(request, key, version_now.modified.timestamp(), make)

    doc = "SDMX-ML 2.1 structure message (see the module docstring for the parameters)"
    responses = {200: None, 304: None, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut}

    @router.get("/{resource}", response=responses, summary="SDMX structures", description=doc)
    def sdmx_all(request: HttpRequest, resource: str) -> HttpResponse:
        return answer(request, resource, "all", "all", "latest")

    @router.get("/{resource}/{agency}", response=responses, summary="SDMX structures of an agency")
    def sdmx_agency(request: HttpRequest, resource: str, agency: str) -> HttpResponse:
        return answer(request, resource, agency, "all", "latest")

    @router.get(
        "/{resource}/{agency}/{resource_id}", response=responses, summary="One SDMX artefact"
    )
    def sdmx_one(
        request: HttpRequest, resource: str, agency: str, resource_id: str
    ) -> HttpResponse:
        return answer(request, resource, agency, resource_id, "latest")

    @router.get(
        "/{resource}/{agency}/{resource_id}/{version}",
        response=responses,
        summary="One version of an SDMX artefact",
    )
    def sdmx_version(
        request: HttpRequest, resource: str, agency: str, resource_id: str, version: str
    ) -> HttpResponse:
        return answer(request, resource, agency, resource_id, version)

    return router
