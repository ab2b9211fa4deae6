"""``zaragoza frameworks list|validate|show``."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from zaragoza.cli import app

from .conftest import SMALL, small_raw

runner = CliRunner()


def test_list() -> None:
    res = runner.invoke(app, ["frameworks", "list"])
    assert res.exit_code == 0, res.output
    for key in ("inti-cities@1", "dive@1", "intercultural-index@1", "mipex-shaped@1"):
        assert key in res.output
    assert "16 dimensions, 16 standards, 31 questions (31 scored, 12 core); aggregation " \
        "weighted" in res.output  # fmt: skip


def test_validate_a_good_file() -> None:
    res = runner.invoke(app, ["frameworks", "validate", str(SMALL)])
    assert res.exit_code == 0, res.output
    assert (
        f"{SMALL}: valid; framework small@1, 2 dimensions, 3 standards, 6 questions "
        "(5 scored, 1 core); aggregation weighted" in " ".join(res.output.split())
    )


def test_validate_a_bad_file_names_file_and_field(tmp_path: Path) -> None:
    raw = small_raw()
    raw["dimensions"][1]["standards"][0]["questions"][0]["options"] = []
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    res = runner.invoke(app, ["frameworks", "validate", str(bad)])
    assert res.exit_code == 2
    flat = " ".join(res.output.split())
    assert "error: invalid framework" in flat
    assert f"file {bad}" in flat
    assert (
        "dimensions[1].standards[0].questions[0].options: question 'qb1': a scored question "
        "needs answer options" in flat
    )
    raw = small_raw()
    raw["dimensions"][0]["colour"] = "red"
    bad.write_text(yaml.safe_dump(raw))
    res = runner.invoke(app, ["frameworks", "validate", str(bad)])
    assert res.exit_code == 2
    assert "unknown field 'colour'" in res.output
    assert "column dimensions[0].colour" in " ".join(res.output.split())
    res = runner.invoke(app, ["frameworks", "validate", str(tmp_path / "absent.yaml")])
    assert res.exit_code == 2
    assert "cannot read the framework file" in res.output


def test_show() -> None:
    res = runner.invoke(app, ["frameworks", "show", "intercultural-index"])
    assert res.exit_code == 0, res.output
    assert "Not the official ICC questionnaire" in " ".join(res.output.split())
    assert "bands: starting from 0, developing from 40, well advanced from 70" in res.output
    assert "      - funded: Yes, with a budget and a responsible body = 100" in res.output
    res = runner.invoke(app, ["frameworks", "show", str(SMALL)])
    assert res.exit_code == 0, res.output
    assert "    qa1  [single, weight 2]  Single choice, weight 2" in res.output
    assert "    qa4  [number, scale 0..20]  A number from 0 to 20" in res.output
    assert "      - na: Not applicable\n" in res.output
    res = runner.invoke(app, ["frameworks", "show", "nope"])
    assert res.exit_code == 2
    assert "no bundled framework has this id" in res.output


def test_show_in_french() -> None:
    res = runner.invoke(app, ["frameworks", "show", "dive", "--language", "fr"])
    assert res.exit_code == 0, res.output
    assert "employer  La ville en tant qu'employeur" in res.output
