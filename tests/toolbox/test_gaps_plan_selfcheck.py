"""Gaps from the warehouse, the service that ranks on them, the plan's CSV and PDF, and
the self-check on the framework engine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from zaragoza.errors import ParameterError
from zaragoza.frameworks import Framework
from zaragoza.toolbox.context import AuthorityContext
from zaragoza.toolbox.gaps import authority_gaps, europe_gaps, read_observations
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.plan import SELECTION_COLUMNS, Plan, plan_csv, plan_pdf, selection_csv
from zaragoza.toolbox.selfcheck import checklist_framework, self_check
from zaragoza.toolbox.service import select


def test_the_authoritys_gaps_come_from_the_warehouse(small_warehouse: Path) -> None:
    found = authority_gaps(read_observations(small_warehouse, geo=["SE"]), "SE")
    assert found.note is None
    emp = found.by_indicator["employment_rate"]
    assert (emp.value, emp.group, emp.time, emp.significant) == (
        -20.0,
        "NEU27_2020_FOR",
        2023,
        True,
    )
    assert emp.se == pytest.approx(2**0.5)
    assert found.by_indicator["overqualification_rate"].unreliable
    assert found.by_indicator["early_leavers"].significant is False


def test_a_region_takes_its_countrys_gaps_and_a_geo_without_any_works_on_context(
    small_warehouse: Path, example_toolbox: Toolbox
) -> None:
    region = authority_gaps(read_observations(small_warehouse, geo=["SE11", "SE"]), "SE11")
    assert region.used_geo == "SE"
    assert (
        region.note == "The warehouse has no gaps for SE11; the gaps of its country, SE, are used."
    )
    ctx = AuthorityContext(level="local", geo="LI")
    sel = select(example_toolbox, ctx, small_warehouse)
    assert not sel.gaps.available
    assert sel.notes == (
        "The warehouse has no gaps for LI: the measures are ranked on the "
        "context and the evidence alone.",
    )
    assert sel.ranked
    assert all(r.gap is None for r in sel.ranked)
    assert (
        select(
            example_toolbox, AuthorityContext(level="local", geo="SE"), small_warehouse, time=2019
        )
        .notes[0]
        .startswith("The warehouse has no gaps for SE in 2019")
    )


def test_europes_largest_gaps(small_warehouse: Path) -> None:
    obs = read_observations(small_warehouse, indicator=["employment_rate"])
    largest = europe_gaps(obs, "employment_rate", "increase")
    assert [(g.geo, g.value) for g in largest] == [("SE", -20.0), ("DK", -10.0)]
    assert europe_gaps(obs, "employment_rate", "decrease") == []


def test_the_selection_on_the_warehouse_and_its_csv(
    small_warehouse: Path, example_toolbox: Toolbox
) -> None:
    ctx = AuthorityContext(
        level="local", geo="SE", competences=("language_training",), partners=("employers",)
    )
    sel = select(example_toolbox, ctx, small_warehouse)
    assert sel.ranked[0].measure.id == "example-job-language"
    rows = list(csv.DictReader(io.StringIO(selection_csv(sel))))
    assert list(rows[0]) == SELECTION_COLUMNS
    assert rows[0]["measure_id"] == "example-job-language"
    assert rows[0]["indicators"] == "employment_rate:increase"
    assert "-20.0 pp ± 1.4, significant at 95%" in rows[0]["reasons"]
    statuses = [r["status"] for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "ranked")  # excluded ones last
    excluded = {r["measure_id"]: r["reasons"] for r in rows if r["status"] == "excluded"}
    assert excluded["example-migrant-council"].startswith(
        "excluded: hard precondition partner migrant_organisations not met"
    )
    assert excluded["example-recognition-advice"] == (
        "excluded: run at the national, regional level(s), not at the local level"
    )


def test_the_plan_as_csv_and_pdf(example_toolbox: Toolbox) -> None:
    from pypdf import PdfReader

    plan = Plan(geo="AT", level="local")
    assert plan.add("example-job-language")
    assert plan.add("example-welcome-desk")
    assert not plan.add("example-job-language")
    plan.note("example-welcome-desk", "Ask the city hall for a room — été, Straße.")
    assert plan.watched_indicators(example_toolbox) == ["employment_rate", "unemployment_rate"]
    rows = list(csv.DictReader(io.StringIO(plan_csv(plan, example_toolbox))))
    assert [r["measure_id"] for r in rows] == ["example-job-language", "example-welcome-desk"]
    assert rows[1]["note"].startswith("Ask the city hall")
    pdf = plan_pdf(plan, example_toolbox, synthetic=True)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Integration plan" in text
    assert "Example: job-related language course" in text
    assert "Ask the city hall for a room" in text
    assert "synthetic records" in text
    assert Plan.from_data(plan.as_data()).as_data() == plan.as_data()


def test_the_self_check_is_a_framework_of_the_one_engine(example_toolbox: Toolbox) -> None:
    module = example_toolbox.module("participation")
    fw, questions = checklist_framework(module)
    assert isinstance(fw, Framework)  # the engine of the local benchmarks
    assert fw.id == "participation"
    assert [d.id for d in fw.dimensions] == ["example-political-participation"]
    assert list(questions) == ["example-migrant-council", "example-school-mentors"]
    assert [o.score for o in fw.question("example-migrant-council").options] == [100, 50, 0]
    result = self_check(
        module, {"example-migrant-council": "yes", "example-school-mentors": "partly"}
    )
    # (100 + 50) / 2, by hand
    assert result.coverage == 75.0
    assert (result.components[0].low, result.components[0].high) == (75.0, 75.0)
    assert result.components[0].status == "covered"
    assert (
        self_check(module, {"example-migrant-council": "no"}).components[0].status == "not_covered"
    )
    # an unanswered measure is left out, not counted as no
    half = self_check(module, {"example-school-mentors": "partly"})
    assert half.coverage == 50.0
    # the unanswered measure as "no" gives (50 + 0) / 2, as "yes" (50 + 100) / 2
    assert (half.components[0].low, half.components[0].high) == (25.0, 75.0)
    assert self_check(module, {}).components[0].status == "unanswered"
    with pytest.raises(ParameterError, match="invalid answer for example-migrant-council"):
        self_check(module, {"example-migrant-council": "maybe"})
    with pytest.raises(ParameterError, match="invalid measure"):
        self_check(module, {"example-job-language": "yes"})
