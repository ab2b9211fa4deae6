"""SDMX-ML 2.1: the observations' structures (dataflow, data structure definition,
codelists, concept scheme) and their data as a structure-specific message.

Written with ``sdmx1``'s information model and its SDMX-ML writer (``sdmx.to_xml``), so a
client reads them with any SDMX 2.1 tool, ``sdmx1`` included, and needs nothing built by
hand. The structure is the one the SDMX-CSV format (:mod:`zaragoza.publish.formats`)
already declares in its header:

* dataflow ``ZARAGOZA:MIGRANT_INTEGRATION(1.0)`` (:data:`~zaragoza.publish.formats.SDMX_DATAFLOW`),
  structured by the data structure definition of the same id;
* dimensions ``freq, indicator, unit, source, geo, citizen, c_birth, mig_bg, sex, age,
  compare_to`` (each coded by a codelist ``CL_<ID>``; ``citizen``, ``c_birth``,
  ``mig_bg`` and ``compare_to`` have lists of their own) and the time dimension ``TIME_PERIOD``
  (gregorian years);
* the primary measure ``OBS_VALUE`` (a double);
* observation-level attributes ``OBS_FLAG`` and ``CONF_STATUS`` (coded), ``SE, CI_LO,
  CI_HI, CV`` (doubles), ``N, N_MISSING`` (integers) and ``SYNTHETIC`` (boolean);
* one concept scheme ``CS_MIGRANT_INTEGRATION`` with a concept per component.

SDMX 2.1 Technical Standard, section 2 ("SDMX-ML", structure and structure-specific data
messages), and the SDMX Information Model (section 2) for the roles of components.
Names are given in English, French and German where the caller's ``label`` function
gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

__all__ = [
    "AGENCY",
    "ATTRIBUTES",
    "CODED_DIMENSIONS",
    "DSD_ID",
    "LANGUAGES",
    "SCHEME_ID",
    "VERSION",
    "Structures",
    "build_structures",
    "structure_message",
    "write_data",
]

AGENCY = "ZARAGOZA"
DSD_ID = "MIGRANT_INTEGRATION"
SCHEME_ID = "CS_MIGRANT_INTEGRATION"
VERSION = "1.0"
LANGUAGES = ("en", "fr", "de")
#: The coded dimensions in key order (``TIME_PERIOD`` follows them), with their codelists.
CODED_DIMENSIONS: dict[str, str] = {
    "freq": "CL_FREQ",
    "indicator": "CL_INDICATOR",
    "unit": "CL_UNIT",
    "source": "CL_SOURCE",
    "geo": "CL_GEO",
    "citizen": "CL_CITIZEN",
    "c_birth": "CL_C_BIRTH",
    "mig_bg": "CL_MIG_BG",
    "sex": "CL_SEX",
    "age": "CL_AGE",
    "compare_to": "CL_COMPARE_TO",
}
#: Observation-level attributes: a codelist id, or the SDMX text type of the value.
ATTRIBUTES: dict[str, str] = {
    "OBS_FLAG": "CL_OBS_FLAG",
    "CONF_STATUS": "CL_CONF_STATUS",
    "SE": "double",
    "CI_LO": "double",
    "CI_HI": "double",
    "CV": "double",
    "N": "integer",
    "N_MISSING": "integer",
    "SYNTHETIC": "boolean",
}
#: The table's columns behind the precision attributes.
_PRECISION = {"SE": "se", "CI_LO": "ci_lo", "CI_HI": "ci_hi", "CV": "cv", "N": "n"}
_PRECISION["N_MISSING"] = "n_missing"

#: ``label(dimension_or_concept, code_or_None, language)``: the name of a code of a
#: component (``code`` given) or of the component's concept (``code`` None).
Label = Callable[[str, str | None, str], str]


@dataclass(frozen=True)
class Structures:
    """Every artefact of the observations' structure, as ``sdmx1`` objects."""

    dataflow: Any
    structure: Any
    codelists: Mapping[str, Any]
    concept_scheme: Any


def _name(label: Label, what: str, code: str | None, languages: Sequence[str]) -> Any:
    from sdmx.model.common import InternationalString

    return InternationalString({lang: label(what, code, lang) for lang in languages})


def build_structures(
    codes: Mapping[str, Iterable[str]],
    label: Label,
    *,
    languages: Sequence[str] = LANGUAGES,
) -> Structures:
    """Return the dataflow, data structure definition, codelists and concept scheme.

    ``codes`` gives the codes of each coded dimension and attribute (keys of
    :data:`CODED_DIMENSIONS` and ``OBS_FLAG``, ``CONF_STATUS``); a component missing from
    it gets an empty codelist. ``label`` names codes and concepts in each language.
    """
    from sdmx.model import common
    from sdmx.model import v21 as m

    agency = common.Agency(id=AGENCY)
    common_args: dict[str, Any] = {"maintainer": agency, "version": VERSION, "is_final": True}

    concepts = m.ConceptScheme(
        id=SCHEME_ID, name=_name(label, SCHEME_ID, None, languages), **common_args
    )
    components = [*CODED_DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES]
    for cid in components:
        concepts.append(m.Concept(id=cid, name=_name(label, cid, None, languages)))

    lists: dict[str, Any] = {}
    coded = {**CODED_DIMENSIONS, **{a: c for a, c in ATTRIBUTES.items() if c.startswith("CL_")}}
    for component, list_id in coded.items():
        cl = m.Codelist(id=list_id, name=_name(label, list_id, None, languages), **common_args)
        for code in dict.fromkeys(str(c) for c in codes.get(component, ())):
            cl.append(m.Code(id=code, name=_name(label, component, code, languages)))
        lists[list_id] = cl

    def facet(text_type: str) -> Any:
        return common.Representation(
            non_enumerated=[common.Facet(value_type=common.FacetValueType[text_type])]
        )

    dsd = m.DataStructureDefinition(
        id=DSD_ID, name=_name(label, DSD_ID, None, languages), **common_args
    )
    for order, dim in enumerate(CODED_DIMENSIONS, start=1):
        dsd.dimensions.append(
            m.Dimension(
                id=dim,
                order=order,
                concept_identity=concepts[dim],
                local_representation=common.Representation(enumerated=lists[coded[dim]]),
            )
        )
    dsd.dimensions.append(
        m.TimeDimension(
            id="TIME_PERIOD",
            order=len(CODED_DIMENSIONS) + 1,
            concept_identity=concepts["TIME_PERIOD"],
            local_representation=facet("gregorianYear"),
        )
    )
    dsd.measures.append(
        m.PrimaryMeasure(
            id="OBS_VALUE",
            concept_identity=concepts["OBS_VALUE"],
            local_representation=facet("double"),
        )
    )
    for attr, kind in ATTRIBUTES.items():
        representation = (
            common.Representation(enumerated=lists[kind]) if kind.startswith("CL_") else facet(kind)
        )
        dsd.attributes.append(
            common.DataAttribute(
                id=attr,
                concept_identity=concepts[attr],
                local_representation=representation,
                related_to=m.PrimaryMeasureRelationship(),
                usage_status=common.UsageStatus.conditional,
            )
        )
    flow = m.DataflowDefinition(
        id=DSD_ID, name=_name(label, "dataflow", None, languages), structure=dsd, **common_args
    )
    return Structures(dataflow=flow, structure=dsd, codelists=lists, concept_scheme=concepts)


def _header(prepared: datetime | None) -> Any:
    from sdmx.message import Header
    from sdmx.model.common import Agency

    # "prepared" is the data's last update, not the clock: the same answer, the same bytes
    return Header(id="ZARAGOZA", prepared=prepared, sender=Agency(id=AGENCY))


def structure_message(
    *,
    dataflows: Sequence[Any] = (),
    structures: Sequence[Any] = (),
    codelists: Sequence[Any] = (),
    concept_schemes: Sequence[Any] = (),
    prepared: datetime | None = None,
) -> bytes:
    """Return an SDMX-ML 2.1 structure message holding the given artefacts."""
    import sdmx
    from sdmx.message import StructureMessage

    msg = StructureMessage(header=_header(prepared))
    for flow in dataflows:
        msg.dataflow[flow.id] = flow
    for dsd in structures:
        msg.structure[dsd.id] = dsd
    for cl in codelists:
        msg.codelist[cl.id] = cl
    for cs in concept_schemes:
        msg.concept_scheme[cs.id] = cs
    return bytes(sdmx.to_xml(msg, pretty_print=True))


def write_data(rows: pd.DataFrame, structures: Structures, prepared: datetime | None) -> bytes:
    """Return the SDMX-CSV-shaped ``rows`` as an SDMX-ML 2.1 structure-specific message.

    ``rows`` has the columns of :func:`zaragoza.publish.formats.sdmx_rows`: one column per
    dimension, ``OBS_VALUE`` and the attributes, as text ("" for missing: the attribute
    or value is then left out of the observation). Every dimension is given on each
    observation (``dimensionAtObservation="AllDimensions"``, a flat data set).
    """
    import sdmx
    from lxml import etree
    from sdmx.message import DataMessage
    from sdmx.model import common
    from sdmx.model import v21 as m

    dsd = structures.structure
    measure = dsd.measures.get("OBS_VALUE")
    attributes = {a: dsd.attributes.get(a) for a in ATTRIBUTES}
    dims = [*CODED_DIMENSIONS, "TIME_PERIOD"]
    ds = m.StructureSpecificDataSet(structured_by=dsd)
    observations = []
    for record in rows[[*dims, "OBS_VALUE", *ATTRIBUTES]].itertuples(index=False, name=None):
        key = common.Key(
            dict(zip(dims, record[: len(dims)], strict=True)), described_by=dsd.dimensions
        )
        value = record[len(dims)]
        attached = {
            a: common.AttributeValue(value=v, value_for=attributes[a])
            for a, v in zip(ATTRIBUTES, record[len(dims) + 1 :], strict=True)
            if v != ""
        }
        observations.append(
            m.Observation(
                dimension=key,
                value=value if value != "" else None,
                value_for=measure,
                attached_attribute=attached,
            )
        )
    ds.obs.extend(observations)
    msg = DataMessage(header=_header(prepared), data=[ds], observation_dimension=m.AllDimensions)
    tree = etree.fromstring(sdmx.to_xml(msg))
    # sdmx1 leaves out the header's dimensionAtObservation for a flat data set; the
    # standard requires it ("AllDimensions": every dimension on each observation)
    ns = {"mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"}
    for structure in tree.iterfind("mes:Header/mes:Structure", ns):
        structure.set("dimensionAtObservation", "AllDimensions")
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))
