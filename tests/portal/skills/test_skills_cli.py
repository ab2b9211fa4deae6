"""``zaragoza profiles`` and counsellor accounts on the test database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from zaragoza.cli import app

runner = CliRunner()


def _profiles(n: int, statistics: bool, counsellor: Any) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.skills.profile import Profile as Record

    for i in range(n):
        record = Record.model_validate(
            {
                "geo": "AT",
                "host_language": "de",
                "interview_date": dt.date(2026, 3, 1),
                "person": {"name": f"Person {i}", "sex": "F", "citizenship": "SY"},
                "education": [{"isced_level": 6}],
            }
        )
        services.create(
            "org-a", record, {"counsellor": "en", "person": "en"}, statistics, counsellor
        )


def test_aggregate_counts_only_those_who_consent(
    people: dict[str, Any], keys: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profiles(12, True, people["counsellor_a"])
    _profiles(5, False, people["counsellor_a"])
    out = tmp_path / "cells.csv"
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("ZARAGOZA_WAREHOUSE", str(warehouse))  # restored after the test
    r = runner.invoke(
        app, ["profiles", "aggregate", "--warehouse", str(warehouse), "-o", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"105 profiles cells loaded into {warehouse}" in r.output
    assert "synthetic" not in r.output
    cells = pd.read_csv(out, keep_default_na=False)
    assert set(cells["source"]) == {"profiles"}
    total = cells[(cells.indicator == "profiles_persons") & (cells.citizen == "TOTAL")
                  & (cells.sex == "T")]  # fmt: skip
    assert total["n"].tolist() == [12]  # the five without consent are not counted
    assert "Person" not in out.read_text()
    bad = runner.invoke(app, ["profiles", "aggregate", "--by", "religion"])
    assert bad.exit_code != 0


def test_a_lost_key_is_a_clear_command_error(
    people: dict[str, Any], keys: list[str], settings: Any
) -> None:
    _profiles(1, True, people["counsellor_a"])
    settings.ZARAGOZA_PROFILE_KEYS = [Fernet.generate_key().decode()]
    r = runner.invoke(app, ["profiles", "aggregate"])
    assert r.exit_code != 0
    assert "ZARAGOZA_PROFILE_KEYS" in r.output
    assert "Person" not in r.output


def test_counsellor_accounts_have_an_organisation(db: None, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    env = {"ZARAGOZA_NEW_PASSWORD": "a long and unusual passphrase 42"}
    r = runner.invoke(
        app, ["users", "add", "maria", "--role", "counsellor", "--organisation", "org-a"], env=env
    )
    assert r.exit_code == 0, r.output
    user = get_user_model().objects.get(username="maria")
    assert list(user.grants.values_list("role", "organisation")) == [("counsellor", "org-a")]
    r = runner.invoke(app, ["users", "add", "x", "--role", "counsellor"], env=env)
    assert r.exit_code != 0
    assert "organisation" in r.output


def test_purge_erases_profiles_past_the_retention_period(
    people: dict[str, Any], keys: list[str]
) -> None:
    from django.utils import timezone

    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import AccessLog, Profile

    _profiles(3, True, people["counsellor_a"])
    old = Profile.objects.all()[:2]
    ids = [p.pk for p in old]
    Profile.objects.filter(pk__in=ids).update(updated_at=timezone.now() - dt.timedelta(days=400))
    r = runner.invoke(app, ["profiles", "purge", "--older-than-days", "365"])
    assert r.exit_code == 0, r.output
    assert "2 profiles erased" in r.output
    assert Profile.objects.filter(state="erased").count() == 2
    assert set(
        AccessLog.objects.filter(action="purge").values_list("profile_id", flat=True)
    ) == set(ids)
    assert services.purge(365) == 0
    assert runner.invoke(app, ["profiles", "purge", "--older-than-days", "0"]).exit_code != 0


def test_caseload_csv_for_counsellors_only(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    from django.test import Client

    _profiles(2, True, people["counsellor_a"])
    a, b, editor = Client(), Client(), Client()
    a.force_login(people["counsellor_a"])
    b.force_login(people["counsellor_b"])
    editor.force_login(people["editor"])
    rows = a.get("/en/skills/caseload.csv").content.decode().splitlines()
    assert rows[0] == "id,organisation,created,updated,name,next_steps"
    assert len(rows) == 3
    assert "Person 0" in rows[1] + rows[2]
    assert b.get("/en/skills/caseload.csv").content.decode().splitlines()[1:] == []
    assert editor.get("/en/skills/caseload.csv").status_code == 403


def test_synthetic_examples_are_labelled(db: None, keys: list[str], tmp_path: Path) -> None:
    from zaragoza.portal.skills import services

    r = runner.invoke(
        app, ["profiles", "example", "--organisation", "example-service", "--count", "40"]
    )
    assert r.exit_code == 0, r.output
    names = {rec.person.name for rec in services.counted()}
    assert len(names) == 40
    assert all(n.startswith("Synthetic person ") for n in names)
    out = tmp_path / "example.csv"
    r = runner.invoke(app, ["profiles", "aggregate", "--example", "300", "-o", str(out)])
    assert r.exit_code == 0, r.output
    cells = pd.read_csv(out, keep_default_na=False)
    assert set(cells["synthetic"]) == {True}
    persons = cells[(cells.indicator == "profiles_persons") & (cells.citizen == "TOTAL")
                    & (cells.sex == "T")]  # fmt: skip
    assert persons["n"].astype(str).tolist() == ["300"]
