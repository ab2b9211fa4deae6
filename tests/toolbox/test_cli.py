"""``zaragoza toolbox recommend|validate|list`` on the example toolbox and a small
warehouse of invented observations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from zaragoza.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).parent.parent / "data" / "toolbox"


def _recommend(warehouse: Path, *args: str) -> object:
    return runner.invoke(
        app,
        ["toolbox", "recommend", "--toolbox", str(EXAMPLE), "--warehouse", str(warehouse), *args],
    )


def test_recommend_writes_the_csv(small_warehouse: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        "competences: [language_training]\npartners: [employers, schools]\n"
        "migrant_groups: [labour, family]\n"
    )
    out = tmp_path / "plan.csv"
    res = _recommend(
        small_warehouse,
        "--geo",
        "SE",
        "--level",
        "local",
        "--context",
        str(ctx),
        "--time",
        "2023",
        "--out",
        str(out),
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0])[:7] == [
        "measure_id",
        "title",
        "module",
        "component",
        "score",
        "indicators",
        "reasons",
    ]
    assert rows[0]["measure_id"] == "example-job-language"
    assert [r["status"] for r in rows].count("excluded") == 2
    assert "4 measures ranked, 2 excluded; weights gap=0.5, fit=0.3, evidence=0.2" in res.output
    # the weights from the command line change the score
    res = _recommend(
        small_warehouse, "--geo", "SE", "--level", "local", "--weights", "gap=0,fit=0,evidence=1"
    )
    assert res.exit_code == 0, res.output
    body = res.stdout[res.stdout.index("measure_id") :]
    first = next(csv.DictReader(io.StringIO(body)))
    assert first["measure_id"] == "example-job-language"  # the only one with an evaluation
    assert float(first["score"]) == round(100 * float(first["evidence"]), 1)


def test_a_geo_without_observations_works_and_says_so(small_warehouse: Path) -> None:
    res = _recommend(small_warehouse, "--geo", "LI", "--level", "regional")
    assert res.exit_code == 0, res.output
    assert "no gaps for LI: the measures are ranked on the context" in " ".join(res.output.split())


def test_bad_options_name_the_flag_and_the_valid_values(
    small_warehouse: Path, tmp_path: Path
) -> None:
    res = _recommend(small_warehouse, "--geo", "SE", "--level", "municipal")
    assert res.exit_code == 2
    assert "invalid --level (value 'municipal'). Valid: national, regional, local" in " ".join(
        res.output.split()
    )
    res = _recommend(small_warehouse, "--geo", "SE", "--level", "local", "--weights", "gap=x")
    assert res.exit_code == 2
    assert "invalid --weights" in res.output
    res = _recommend(small_warehouse, "--geo", "SE", "--level", "local", "--weights", "gaps=1")
    assert res.exit_code == 2
    assert "gap=N, fit=N, evidence=N" in res.output
    res = _recommend(small_warehouse, "--level", "local")
    assert res.exit_code == 2
    assert "--geo is needed" in res.output
    res = runner.invoke(
        app,
        [
            "toolbox",
            "recommend",
            "--geo",
            "SE",
            "--level",
            "local",
            "--toolbox",
            str(EXAMPLE),
            "--warehouse",
            str(tmp_path / "no.duckdb"),
        ],
    )
    assert res.exit_code == 2
    assert "warehouse not found" in res.output


def test_validate_and_list(tmp_path: Path) -> None:
    res = runner.invoke(app, ["toolbox", "validate", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    assert "valid; 3 modules, 3 components, 6 measures" in res.output
    res = runner.invoke(app, ["toolbox", "list", "--toolbox", str(EXAMPLE)])
    assert res.exit_code == 0
    assert (
        "    example-job-language  Example: job-related language course  [national,regional,local]"
        in res.output
    )
    bad = tmp_path / "bad.yaml"
    text = (
        (EXAMPLE / "modules" / "participation.yaml")
        .read_text()
        .replace("naturalisation_rate", "naturalization_rate")
    )
    import yaml

    data = yaml.safe_load(text)
    settings = yaml.safe_load((EXAMPLE / "toolbox.yaml").read_text())
    bad.write_text(yaml.safe_dump({**settings, "modules": [data]}, default_flow_style=False))
    res = runner.invoke(app, ["toolbox", "validate", str(bad)])
    assert res.exit_code == 2
    flat = " ".join(res.output.split())
    assert (
        "measure 'example-migrant-council' (components[0].measures[0]), field "
        "indicators.0.id: unknown indicator 'naturalization_rate'" in flat
    )
