"""Retention periods per organisation, the purge by them, and the server's daily purge."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zaragoza.cli import app

runner = CliRunner()


def _profile(organisation: str, age_days: int, name: str = "Amina Example") -> Any:
    """A profile of ``organisation`` last changed ``age_days`` days ago."""
    from django.utils import timezone

    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import Profile
    from zaragoza.skills.profile import Profile as Record

    record = Record.model_validate(
        {
            "geo": "AT",
            "host_language": "de",
            "interview_date": dt.date(2026, 3, 1),
            "person": {"name": name},
        }
    )
    p = services.create(organisation, record, {"counsellor": "en", "person": "en"}, True, None)
    Profile.objects.filter(pk=p.pk).update(updated_at=timezone.now() - dt.timedelta(days=age_days))
    return p.pk


def _states() -> dict[Any, str]:
    from zaragoza.portal.skills.models import Profile

    return dict(Profile.objects.values_list("pk", "state"))


def test_each_organisation_is_purged_by_its_own_period(db: None, keys: list[str]) -> None:
    a_old, a_new = _profile("org-a", 40), _profile("org-a", 10)
    b_old = _profile("org-b", 40)  # org-b keeps profiles a year
    c_old = _profile("org-c", 4000)  # org-c has no period: kept
    for org, days in (("org-a", 30), ("org-b", 365)):
        r = runner.invoke(
            app, ["profiles", "retention", "--organisation", org, "--days", str(days)]
        )
        assert r.exit_code == 0, r.output
    from zaragoza.portal.skills import services

    assert services.retention() == {"org-a": 30, "org-b": 365}
    r = runner.invoke(app, ["profiles", "purge"])
    assert r.exit_code == 0, r.output
    assert "1 profiles erased" in r.output
    states = _states()
    assert states[a_old] == "erased"
    assert {states[a_new], states[b_old], states[c_old]} == {"active"}
    # changing a period takes effect at the next purge
    assert runner.invoke(
        app, ["profiles", "retention", "--organisation", "org-b", "--days", "20"]
    ).exit_code == 0  # fmt: skip
    assert services.retention()["org-b"] == 20
    assert services.purge() == 1
    assert _states()[b_old] == "erased"
    assert _states()[c_old] == "active"


def test_older_than_days_overrides_every_period(db: None, keys: list[str]) -> None:
    from zaragoza.portal.skills import services

    services.set_retention("org-a", 365)
    a, b, c = _profile("org-a", 100), _profile("org-b", 100), _profile("org-c", 100)
    r = runner.invoke(
        app, ["profiles", "purge", "--older-than-days", "50", "--organisation", "org-b"]
    )
    assert r.exit_code == 0, r.output
    assert "1 profiles erased" in r.output
    assert [_states()[p] for p in (a, b, c)] == ["active", "erased", "active"]
    assert services.purge(50) == 2  # org-a's own year is overridden, org-c has none
    # an organisation's own period, for that organisation only
    assert services.purge(organisation="org-a") == 0
    r = runner.invoke(app, ["profiles", "purge", "--organisation", "org-z"])
    assert r.exit_code != 0
    assert "org-z" in r.output
    assert "no retention period" in r.output


def test_a_purge_without_any_period_says_so(db: None, keys: list[str]) -> None:
    p = _profile("org-a", 4000)
    r = runner.invoke(app, ["profiles", "purge"])
    assert r.exit_code == 0, r.output
    assert "no organisation has a retention period" in r.output
    assert "0 profiles erased" in r.output
    assert _states()[p] == "active"


@pytest.mark.parametrize(
    ("organisation", "days"), [("org-a", "0"), ("org-a", "-3"), ("org-a", "x"), (" ", "30")]
)
def test_a_bad_retention_period_is_refused(db: None, organisation: str, days: str) -> None:
    r = runner.invoke(
        app, ["profiles", "retention", "--organisation", organisation, "--days", days]
    )
    assert r.exit_code != 0
    from zaragoza.portal.skills.models import Retention

    assert not Retention.objects.exists()


def test_retention_is_set_in_the_admin_site_by_admins_only(
    users: dict[str, Any], keys: list[str]
) -> None:
    from django.test import Client

    from zaragoza.portal.skills import services

    services.set_retention("org-a", 90)
    admin, editor = Client(), Client()
    admin.force_login(users["admin"])
    editor.force_login(users["editor"])
    page = admin.get("/admin/skills/retention/")
    assert page.status_code == 200
    assert "org-a" in page.content.decode()
    assert editor.get("/admin/skills/retention/").status_code == 302  # to the admin's login


def test_the_scheduled_purge_logs_a_count_never_a_person(
    db: None, keys: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.retention import run_purge

    services.set_retention("org-a", 30)
    old = _profile("org-a", 31, name="Amina Example")
    with caplog.at_level(logging.INFO, logger="zaragoza"):
        assert run_purge() == 1
    assert _states()[old] == "erased"
    text = caplog.text
    assert "retention purge: 1 profiles erased" in text
    assert "Amina" not in text


def test_a_failing_scheduled_purge_is_logged_and_does_not_raise(
    db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.retention import run_purge

    def broken(*_a: Any, **_k: Any) -> int:
        raise RuntimeError("Amina Example")  # a message that must not reach the log

    monkeypatch.setattr(services, "purge", broken)
    assert run_purge() is None
    assert "retention purge failed (RuntimeError)" in caplog.text
    assert "Amina" not in caplog.text


def test_the_daily_purge_runs_at_each_interval_until_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zaragoza.portal.skills import retention

    runs = threading.Semaphore(0)
    monkeypatch.setattr(retention, "run_purge", lambda: runs.release())
    thread = retention.DailyPurge(interval=0.01)
    assert retention.DailyPurge().interval == 24 * 3600
    thread.start()
    assert all(runs.acquire(timeout=5) for _ in range(3))  # three runs, one per interval
    thread.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_server_starts_the_daily_purge_in_its_master(monkeypatch: pytest.MonkeyPatch) -> None:
    from zaragoza.portal import server
    from zaragoza.portal.skills import retention

    started: list[float] = []
    monkeypatch.setattr(retention.DailyPurge, "start", lambda self: started.append(self.interval))
    # gunicorn takes the hook (its settings check a hook's arity) and calls it in the master
    cfg = server._Gunicorn(server.options()).cfg
    cfg.when_ready(object())
    assert started == [retention.DAY]


def test_the_server_purges_when_it_starts(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zaragoza.portal.benchmarks.example as bench
    import zaragoza.portal.knowledge.services as kb
    import zaragoza.portal.static_files as static
    from zaragoza.portal import server
    from zaragoza.portal.skills import retention

    warehouse = tmp_path / "w.duckdb"
    warehouse.touch()  # an existing warehouse: nothing to build
    monkeypatch.setenv("ZARAGOZA_WAREHOUSE", str(warehouse))  # (prepare sets it; restored)
    monkeypatch.setattr(kb, "seed", lambda _content: None)
    monkeypatch.setattr(bench, "seed_example", lambda: None)
    monkeypatch.setattr(static, "collect_static", lambda *_a, **_k: tmp_path)
    monkeypatch.setattr(static, "use_collected", lambda _path: None)
    runs: list[str] = []
    monkeypatch.setattr(retention, "run_purge", lambda: runs.append("purge"))
    assert server.prepare(warehouse) is False
    assert runs == ["purge"]
