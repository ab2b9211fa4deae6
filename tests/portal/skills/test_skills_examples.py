"""The synthetic example profiles: put in place by ``zaragoza init``, labelled wherever
they are counted."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app

runner = CliRunner()


def _totals(cells: pd.DataFrame) -> pd.DataFrame:
    return cells[(cells.indicator == "profiles_persons") & (cells.citizen == "TOTAL")
                 & (cells.sex == "T")]  # fmt: skip


def test_examples_are_put_once_in_an_organisation_named_as_an_example(
    db: None, keys: list[str]
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import Profile
    from zaragoza.skills.synthetic import EXAMPLE_ORGANISATION

    assert "example" in EXAMPLE_ORGANISATION
    assert services.put_examples(25) == 25
    assert services.put_examples(25) == 0  # once: a second init leaves them as they are
    made = Profile.objects.filter(organisation=EXAMPLE_ORGANISATION)
    assert made.count() == 25
    assert set(made.values_list("synthetic", flat=True)) == {True}
    names = {record.person.name for record in services.counted()}
    assert names == {f"Synthetic person {i}" for i in range(1, 26)}


def test_aggregates_counting_synthetic_profiles_say_so(db: None, keys: list[str]) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.skills.profile import Profile as Record

    record = Record.model_validate(
        {
            "geo": "AT",
            "host_language": "de",
            "interview_date": dt.date(2026, 3, 1),
            "person": {"name": "Amina Example", "sex": "F"},
        }
    )
    services.create("org-a", record, {"counsellor": "en", "person": "en"}, True, None)
    # --no-load: the cells as CSV on standard output, the warehouse left alone
    real = runner.invoke(app, ["profiles", "aggregate", "--no-load"])
    assert real.exit_code == 0, real.output
    assert real.output.startswith("indicator,")  # no warning first
    cells = pd.read_csv(io.StringIO(real.output), keep_default_na=False)
    assert set(cells["synthetic"]) == {False}
    services.put_examples(30)
    mixed = runner.invoke(app, ["profiles", "aggregate", "--no-load"])
    assert mixed.exit_code == 0, mixed.output
    first, rest = mixed.output.split("\n", 1)
    assert first == (
        "30 of the 31 profiles counted are synthetic: the figures are a demonstration, "
        "not statistics"
    )
    cells = pd.read_csv(io.StringIO(rest), keep_default_na=False)
    assert set(cells["synthetic"]) == {True}


def _zaragoza(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("zaragoza")
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_init_puts_examples_that_aggregate_counts_right_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zaragoza.pipeline

    def build(path: Path, example: Path, *, progress: Any = None) -> dict[str, Any]:
        # the survey's figures are not what this test is about: an empty warehouse
        from zaragoza.warehouse.store import Warehouse

        Warehouse(path).close()
        return {}

    # the examples go to the portal database beside the warehouse, never another one
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ZARAGOZA_PROFILE_KEYS", raising=False)
    monkeypatch.setattr(zaragoza.pipeline, "build_default_warehouse", build)
    warehouse = tmp_path / "w.duckdb"
    r = runner.invoke(app, ["init", "--warehouse", str(warehouse)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())  # (the console wraps long lines)
    assert '300 synthetic profiles ("Synthetic person N")' in said
    assert "of the example organisation example-counselling-service" in said
    assert (tmp_path / "w-portal.sqlite3").exists()
    assert (tmp_path / "w-profiles.key").exists()
    again = runner.invoke(app, ["init", "--force", "--warehouse", str(warehouse)])
    assert again.exit_code == 0, again.output
    assert "holds profiles already: left as they are" in " ".join(again.output.split())

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = tmp_path / "cells.csv"
    done = _zaragoza(
        "profiles", "aggregate", "--warehouse", str(warehouse), "-o", str(out), env=env
    )
    assert done.returncode == 0, done.stderr
    assert "300 of the 300 profiles counted are synthetic" in done.stderr
    assert f"105 profiles cells loaded into {warehouse}" in done.stdout
    from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader

    loaded = WarehouseReader(warehouse).observations(ObservationFilter(source=("profiles",)))
    assert len(loaded) == 105
    assert loaded["synthetic"].all()
    cells = pd.read_csv(out, keep_default_na=False)
    assert set(cells["synthetic"]) == {True}
    assert set(cells["source"]) == {"profiles"}
    assert _totals(cells)["n"].astype(str).tolist() == ["300"]
    assert "Synthetic person" not in out.read_text()  # aggregates, never a person

    bare = tmp_path / "bare"
    bare.mkdir()
    r = runner.invoke(app, ["init", "--no-example-profiles", "--warehouse", str(bare / "w.duckdb")])
    assert r.exit_code == 0, r.output
    assert not (bare / "w-portal.sqlite3").exists()
