"""``zaragoza users add`` with the benchmark scopes, and ``zaragoza benchmarks``, on the
test database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from zaragoza.cli import app

runner = CliRunner()
PASSWORD = {"ZARAGOZA_NEW_PASSWORD": "A-long-unusual-pass-1"}


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args), env=PASSWORD, catch_exceptions=False)


def test_users_get_benchmark_scopes(db: None) -> None:
    from django.contrib.auth import get_user_model

    r = _run("users", "add", "cc", "--role", "city_coordinator", "--entity", "EXAMPLE-A")
    assert r.exit_code == 0, r.output
    g = get_user_model().objects.get(username="cc").grants.get()
    assert (g.role, g.entity, g.country) == ("city_coordinator", "EXAMPLE-A", "")
    r = _run("users", "add", "na", "--role", "network_admin", "--network", "example-network")
    assert r.exit_code == 0, r.output
    assert get_user_model().objects.get(username="na").grants.get().network == "example-network"
    # a scope the role does not take is refused, naming the flag to give
    r = _run("users", "add", "x1", "--role", "city_coordinator", "--country", "AT")
    assert r.exit_code == 2
    assert "takes no --country" in r.output
    assert "Give --entity" in r.output
    r = _run("users", "add", "x2", "--role", "respondent")
    assert r.exit_code == 2
    assert "needs an entity" in r.output
    r = _run("users", "add", "x3", "--role", "peer_reviewer", "--review", "no spaces")
    assert r.exit_code == 2
    assert "invalid review code" in r.output
    assert not get_user_model().objects.filter(username__startswith="x").exists()


def test_benchmarks_export_and_example(db: None, tmp_path: Path, settings: Any) -> None:
    from zaragoza.portal.benchmarks import services

    services._load.cache_clear()
    r = _run("benchmarks", "example")
    assert r.exit_code == 0, r.output
    assert "2 example round(s) loaded (example — not real cities)" in r.output
    out = tmp_path / "scores.csv"
    r = _run("benchmarks", "export", "--round", "example-intercultural-2026", "--out", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("round,framework,entity,name,level,node,score,low,high")
    assert "intercultural-index@1" in text
    assert text.count("example — not real cities") == len(text.splitlines()) - 1
    r = _run("benchmarks", "export", "--round", "nope", "--out", str(out))
    assert r.exit_code == 2
    assert "no published round has this id" in r.output
