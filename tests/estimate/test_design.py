"""The survey design and the replicate schemes: validated when built, R's scales."""

from __future__ import annotations

import math

import pytest

from zaragoza.errors import ParameterError
from zaragoza.estimate.design import (
    Bootstrap,
    Design,
    Linearisation,
    Replicates,
    ReplicateWeights,
    SurveyDesign,
)
from zaragoza.estimate.request import EstimationRequest, GapSpec


@pytest.mark.parametrize(
    ("method", "kw", "scale"),
    [
        ("bootstrap", {}, 1 / 19),  # R survey: 1 / (R - 1)
        ("brr", {}, 1 / 20),  # 1 / R
        ("fay", {"fay_rho": 0.5}, 1 / (20 * 0.25)),  # 1 / (R (1 - rho)^2)
        ("jk1", {}, 19 / 20),  # (R - 1) / R
        ("jkn", {"rscales": [0.5] * 20}, 1.0),
    ],
)
def test_replicate_scales_are_r_surveys(method: str, kw: dict[str, object], scale: float) -> None:
    reps = Replicates.build(method, 20, **kw)  # type: ignore[arg-type]
    assert math.isclose(reps.scale, scale)
    assert len(reps.rscales) == 20


def test_an_unknown_method_is_an_error_not_jkn() -> None:
    with pytest.raises(ParameterError, match=r"invalid replicate_method .*jkm"):
        Replicates.build("jkm", 20)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="invalid replicate_method"):
        ReplicateWeights("RW.*", "jkm")  # type: ignore[arg-type]


def test_an_unknown_lonely_psu_rule_is_an_error_not_adjust() -> None:
    with pytest.raises(ParameterError, match=r"invalid lonely_psu .*Valid: fail, adjust"):
        SurveyDesign(lonely_psu="adjst")  # type: ignore[arg-type]
    with pytest.raises(ParameterError):
        Design(lonely_psu="adjst")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "parameter"),
    [
        (lambda: ReplicateWeights("RW", "fay"), "fay_rho"),
        (lambda: ReplicateWeights("RW", "bootstrap", rho=0.5), "fay_rho"),
        (lambda: ReplicateWeights("RW", "jkn"), "replicate_rscales"),
        (lambda: ReplicateWeights("RW", "bootstrap", scale=math.inf), "replicate_scale"),
        (lambda: Bootstrap(1), "bootstrap"),
        (
            lambda: SurveyDesign(strata="S", variance=ReplicateWeights("RW", "brr")),
            "replicate_weights",
        ),
        (lambda: Replicates.build("brr", 1), "replicate_weights"),
        (lambda: Replicates.build("brr", 4, rscales=[1.0, 1.0]), "replicate_rscales"),
    ],
)
def test_contradictions_name_the_parameter(build: object, parameter: str) -> None:
    with pytest.raises(ParameterError) as exc:
        build()  # type: ignore[operator]
    assert exc.value.parameter == parameter


def test_the_design_resolves_against_the_input() -> None:
    d = SurveyDesign(strata="S", psu="P", lonely_psu="adjust")
    r = d.resolve()
    assert (r.strata, r.psu, r.lonely_psu, r.replicates) == (True, True, "adjust", None)
    assert r.variance == "linearisation"
    rw = SurveyDesign(variance=ReplicateWeights("RW\\d+", "fay", rho=0.5)).resolve(16)
    assert rw.replicates is not None
    assert rw.replicates.n == 16
    assert rw.variance == "replicate:fay"
    assert SurveyDesign().resolve(psu=True).psu  # EU-SILC households are PSUs


def test_the_design_and_request_describe_themselves_for_provenance() -> None:
    design = SurveyDesign(weight="W", strata="S", variance=Linearisation())
    req = EstimationRequest.build(["a.csv"], ["employment_rate"], gap="citizen=NAT", design=design)
    got = req.describe()
    assert got["design"] == {
        "weight": "W", "strata": "S", "psu": None, "lonely_psu": "fail",
        "variance": {"method": "linearisation"},
    }  # fmt: skip
    assert got["gap"] == "citizen=NAT"
    assert req.dimensions == ("citizen",)


@pytest.mark.parametrize(
    ("field", "value"),
    [("survey", "lfs"), ("backend", "polars"), ("alpha", 1.5), ("by", ("age",))],
)
def test_the_request_refuses_unknown_values(field: str, value: object) -> None:
    with pytest.raises(ParameterError) as exc:
        EstimationRequest(("a.csv",), **{field: value})  # type: ignore[arg-type]
    assert exc.value.parameter == field


def test_a_gap_is_parsed_or_refused() -> None:
    assert GapSpec.parse("c_birth=NAT") == GapSpec("c_birth", "NAT")
    assert GapSpec.parse(None) is None
    with pytest.raises(ParameterError, match="invalid gap"):
        GapSpec.parse("sex=M")
