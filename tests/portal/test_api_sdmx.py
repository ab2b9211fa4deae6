"""SDMX done properly: the API serves its own SDMX-ML 2.1 structures (dataflow, data
structure, codelists, concept scheme), and sdmx1 reads the SDMX-CSV and SDMX-ML data
answers with nothing but what the API serves."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

OBS = "/api/v1/observations"
SDMX = "/api/v1/sdmx"
FLOW = f"{SDMX}/dataflow/ZARAGOZA/MIGRANT_INTEGRATION/1.0"


def structure(client: Client, url: str) -> Any:
    import sdmx

    res = client.get(url)
    assert res.status_code == 200, res.content[:300]
    assert res["Content-Type"].startswith("application/vnd.sdmx.structure+xml")
    return sdmx.read_sdmx(io.BytesIO(res.content))


@pytest.fixture
def served(portal: Path, client: Client) -> Any:
    """The API's dataflow with everything it uses, as sdmx1 reads it."""
    return structure(client, FLOW + "?references=descendants")


def test_dataflow_with_its_structure_codelists_and_concepts(served: Any) -> None:
    flow = served.dataflow["MIGRANT_INTEGRATION"]
    dsd = served.structure["MIGRANT_INTEGRATION"]
    assert flow.structure is dsd or flow.structure.id == dsd.id
    assert flow.maintainer.id == "ZARAGOZA"
    dims = [d.id for d in dsd.dimensions]
    assert dims == [
        "freq", "indicator", "unit", "source", "geo", "citizen", "c_birth", "mig_bg", "sex",
        "age", "compare_to", "TIME_PERIOD",
    ]  # fmt: skip
    assert [m.id for m in dsd.measures] == ["OBS_VALUE"]
    assert {a.id for a in dsd.attributes} >= {"OBS_FLAG", "CONF_STATUS", "SE", "SYNTHETIC"}
    geo = dsd.dimensions.get("geo").local_representation.enumerated
    assert geo.id == "CL_GEO"
    assert set(served.codelist) >= {"CL_GEO", "CL_INDICATOR", "CL_CITIZEN", "CL_OBS_FLAG"}
    assert "CS_MIGRANT_INTEGRATION" in served.concept_scheme
    concept = dsd.dimensions.get("citizen").concept_identity
    assert concept.name.localizations == {
        "en": "Country of citizenship",
        "fr": "Pays de citoyenneté",
        "de": "Land der Staatsangehörigkeit",
    }


def test_codelists_are_named_in_english_french_and_german(served: Any) -> None:
    at = served.codelist["CL_GEO"]["AT"].name.localizations
    assert at == {"en": "Austria", "fr": "Autriche", "de": "Österreich"}
    el = served.codelist["CL_GEO"]["EL"].name.localizations
    assert el["en"] == "Greece"
    assert el["de"] == "Griechenland"
    nat = served.codelist["CL_CITIZEN"]["NAT"].name.localizations
    assert set(nat) == {"en", "fr", "de"}
    assert nat["en"] == "Nationals"
    emp = served.codelist["CL_INDICATOR"]["employment_rate"].name.localizations
    assert emp["en"] == "Employment rate (20-64)"
    assert emp["fr"] != emp["en"]
    assert emp["de"] != emp["en"]
    age = served.codelist["CL_AGE"]["Y20-64"].name.localizations
    assert age == {"en": "From 20 to 64 years", "fr": "De 20 à 64 ans", "de": "20 bis 64 Jahre"}
    assert served.codelist["CL_UNIT"]["PP"].name.localizations["fr"] == "Points de pourcentage"
    assert served.codelist["CL_OBS_FLAG"]["u"].name.localizations["en"] == "low reliability"
    assert "_Z" in served.codelist["CL_COMPARE_TO"]


def _json(client: Client, url: str) -> Any:
    res = client.get(url)
    assert res.status_code == 200, res.content[:300]
    return json.loads(res.content)


@pytest.mark.parametrize("fmt", ["sdmx-csv", "sdmx-ml"])
def test_sdmx1_reads_the_data_with_the_served_structure(
    served: Any, client: Client, fmt: str
) -> None:
    import sdmx

    dsd = served.structure["MIGRANT_INTEGRATION"]
    url = f"{OBS}?indicator=employment_rate,unemployment_rate&geo=SE,AT&time=2023&gap=true"
    doc = _json(client, url)
    res = client.get(url + f"&format={fmt}")
    assert res.status_code == 200
    options = {"format": "CSV"} if fmt == "sdmx-csv" else {}
    if fmt == "sdmx-ml":
        assert res["Content-Type"].startswith("application/vnd.sdmx.structurespecificdata+xml")
        assert b'dimensionAtObservation="AllDimensions"' in res.content
    msg = sdmx.read_sdmx(io.BytesIO(res.content), structure=dsd, **options)
    observations = msg.data[0].obs
    assert len(observations) == doc["count"] > 10
    units, synthetic = set(), set()
    for obs, row in zip(observations, doc["results"], strict=True):
        key = {k: v.value for k, v in obs.dimension.values.items()}
        attrs = {k: v.value for k, v in obs.attached_attribute.items()}
        assert (key["geo"], int(key["TIME_PERIOD"])) == (row["geo"], row["time"])
        assert key["citizen"] == row["citizen"]
        assert key["compare_to"] == (row["compare_to"] or "_Z")
        value = float(obs.value) if obs.value not in (None, "") else None
        assert value == row["value"] or (value is None and row["value"] is None)
        if row["se"] is not None:
            assert math.isclose(float(attrs["SE"]), row["se"])
        synthetic.add(attrs["SYNTHETIC"])
        units.add(key["unit"])
        # every code the data uses is in the served codelists
        for dim in ("geo", "citizen", "indicator", "unit", "compare_to", "age", "sex"):
            cl = dsd.dimensions.get(dim).local_representation.enumerated
            assert key[dim] in cl, (dim, key[dim])
    assert units == {"PC", "PP"}
    assert synthetic == {"true", "false"}  # computed from the example and published


def test_sdmx_ml_data_to_pandas(served: Any, client: Client) -> None:
    import sdmx

    url = f"{OBS}?indicator=employment_rate&geo=AT&time=2023&source=published"
    doc = _json(client, url)
    res = client.get(url + "&format=sdmx-ml")
    msg = sdmx.read_sdmx(io.BytesIO(res.content), structure=served.structure["MIGRANT_INTEGRATION"])
    series = sdmx.to_pandas(msg.data[0])
    assert sorted(series.astype(float)) == sorted(r["value"] for r in doc["results"])


def test_sdmx_ml_by_accept_header(portal: Path, client: Client) -> None:
    res = client.get(
        f"{OBS}?indicator=employment_rate&geo=AT&time=2023",
        headers={"Accept": "application/vnd.sdmx.structurespecificdata+xml;version=2.1"},
    )
    assert res["Content-Type"].startswith("application/vnd.sdmx.structurespecificdata+xml")


def test_sdmx_ml_refuses_more_than_its_limit(portal: Path, client: Client) -> None:
    res = client.get(f"{OBS}?format=sdmx-ml")
    assert res.status_code == 400
    err = json.loads(res.content)
    assert err["parameter"] == "limit"
    assert "sdmx-csv" in err["detail"]


def _artefacts(client: Client, url: str) -> set[str]:
    """The artefacts the structure message at ``url`` holds in full (sdmx1's reader
    would add stubs for the artefacts they refer to), read with lxml."""
    from lxml import etree

    res = client.get(url)
    assert res.status_code == 200, res.content[:300]
    tree = etree.fromstring(res.content)
    ns = {"s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"}
    kinds = {  # container/element in SDMX-ML 2.1
        "Dataflows/s:Dataflow": "dataflow",
        "DataStructures/s:DataStructure": "datastructure",
        "Codelists/s:Codelist": "codelist",
        "Concepts/s:ConceptScheme": "conceptscheme",
    }
    return {
        f"{kind}:{el.get('id')}"
        for path, kind in kinds.items()
        for el in tree.iterfind(f".//s:{path}", ns)
    }


def test_references_as_the_sdmx_rest_specification_defines_them(
    portal: Path, client: Client
) -> None:
    dsd = f"{SDMX}/datastructure/ZARAGOZA/MIGRANT_INTEGRATION/1.0"
    assert _artefacts(client, FLOW) == {"dataflow:MIGRANT_INTEGRATION"}
    children = _artefacts(client, FLOW + "?references=children")
    assert children == {"dataflow:MIGRANT_INTEGRATION", "datastructure:MIGRANT_INTEGRATION"}
    parents = _artefacts(client, dsd + "?references=parents")
    assert parents == {"dataflow:MIGRANT_INTEGRATION", "datastructure:MIGRANT_INTEGRATION"}
    everything = _artefacts(client, dsd + "?references=all")
    assert "dataflow:MIGRANT_INTEGRATION" in everything
    assert "codelist:CL_GEO" in everything
    assert "conceptscheme:CS_MIGRANT_INTEGRATION" in everything
    geo = f"{SDMX}/codelist/ZARAGOZA/CL_GEO"
    assert _artefacts(client, geo) == {"codelist:CL_GEO"}
    siblings = _artefacts(client, geo + "?references=parentsandsiblings")
    assert {"datastructure:MIGRANT_INTEGRATION", "codelist:CL_SEX"} <= siblings
    assert "dataflow:MIGRANT_INTEGRATION" not in siblings
    only_lists = _artefacts(client, FLOW + "?references=codelist")
    assert "datastructure:MIGRANT_INTEGRATION" not in only_lists
    assert {"codelist:CL_GEO", "codelist:CL_INDICATOR"} <= only_lists
    every_list = _artefacts(client, f"{SDMX}/codelist")
    assert all(a.startswith("codelist:") for a in every_list)
    assert len(every_list) == 13
    assert _artefacts(client, f"{SDMX}/conceptscheme/all/all/latest") == {
        "conceptscheme:CS_MIGRANT_INTEGRATION"
    }


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        (f"{FLOW}?references=kids", 400, "references"),
        (f"{FLOW}?detail=allstubs", 400, "detail"),
        (f"{FLOW}?format=json", 400, "format"),
        (f"{SDMX}/categoryscheme", 404, "resource"),
        (f"{SDMX}/dataflow/ESTAT", 404, "agencyID"),
        (f"{SDMX}/codelist/ZARAGOZA/CL_NOPE", 404, "resourceID"),
        (f"{SDMX}/dataflow/ZARAGOZA/MIGRANT_INTEGRATION/2.0", 404, "version"),
    ],
)
def test_bad_structure_queries_name_the_parameter(
    portal: Path, client: Client, url: str, status: int, parameter: str
) -> None:
    res = client.get(url)
    assert res.status_code == status
    err = json.loads(res.content)
    assert err["parameter"] == parameter
    assert err["valid"]
