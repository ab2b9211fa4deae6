"""``zaragoza practices`` and ``zaragoza users`` on the test database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.knowledge.exchange import read_practices
from zaragoza.knowledge.synthetic import synthetic_practices
from zaragoza.portal.knowledge.models import Practice, Revision

CONTENT = Path(__file__).parent.parent.parent / "data" / "knowledge" / "content"
runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_then_import_round_trips(db: None, tmp_path: Path, suffix: str) -> None:
    assert _run("practices", "seed", "--content", str(CONTENT)).exit_code == 0
    out = tmp_path / f"all{suffix}"
    r = _run("practices", "export", "--out", str(out))
    assert r.exit_code == 0
    assert "3 practices written" in r.output
    exported = read_practices(out)
    Practice.objects.all().delete()
    r = _run("practices", "import", str(out), "--state", "published")
    assert r.exit_code == 0, r.output
    again = tmp_path / f"again{suffix}"
    _run("practices", "export", "--out", str(again))
    assert read_practices(again) == exported
    assert Practice.objects.filter(state="published").count() == 3


def test_a_malformed_import_changes_nothing_and_lists_every_problem(
    db: None, tmp_path: Path
) -> None:
    _run("practices", "seed", "--content", str(CONTENT))
    before = (Practice.objects.count(), Revision.objects.count())
    records = list(synthetic_practices(5))
    records[1]["themes"] = ["cooking"]
    records[3]["countries"] = ["GR"]
    records[4]["id"] = "example-language-cafe"  # already there
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    r = _run("practices", "import", str(path), "--state", "published")
    assert r.exit_code == 2
    assert "record 2 (line 2), field themes: unknown theme 'cooking'" in r.output
    assert "record 4 (line 4), field countries: unknown country 'GR'" in r.output
    assert (Practice.objects.count(), Revision.objects.count()) == before
    # Valid records but an existing id: still nothing added.
    records[1]["themes"], records[3]["countries"] = ["language"], ["AT"]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    r = _run("practices", "import", str(path), "--state", "published")
    assert r.exit_code == 2
    assert "record 5, field id: 'example-language-cafe' exists already" in r.output
    assert (Practice.objects.count(), Revision.objects.count()) == before
    r = _run("practices", "import", str(path), "--state", "published", "--replace")
    assert r.exit_code == 0
    assert Practice.objects.count() == before[0] + 4


def test_imported_practices_are_searchable_and_drafts_are_not(
    db: None, tmp_path: Path, client: Any
) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in synthetic_practices(30)))
    assert _run("practices", "import", str(path), "--state", "published").exit_code == 0
    assert client.get("/api/v1/practices").json()["count"] == 30
    path2 = tmp_path / "d.jsonl"
    path2.write_text(
        "".join(json.dumps(r | {"id": r["id"] + "-d"}) + "\n" for r in synthetic_practices(5))
    )
    assert _run("practices", "import", str(path2)).exit_code == 0
    assert client.get("/api/v1/practices").json()["count"] == 30


def test_users_add_has_no_default_password(db: None, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    r = _run("users", "add", "anna", "--role", "coordinator", "--country", "AT,SE", env={})
    assert r.exit_code == 2
    assert "no password given" in r.output
    r = _run(
        "users",
        "add",
        "anna",
        "--role",
        "coordinator",
        "--country",
        "AT",
        env={"ZARAGOZA_NEW_PASSWORD": "password"},
    )
    assert r.exit_code == 2
    assert "the password is refused" in r.output
    r = _run(
        "users",
        "add",
        "anna",
        "--role",
        "coordinator",
        "--country",
        "XX",
        env={"ZARAGOZA_NEW_PASSWORD": "A-long-unusual-pass-1"},
    )
    assert r.exit_code == 2
    assert "unknown country" in r.output
    r = _run(
        "users",
        "add",
        "anna",
        "--role",
        "coordinator",
        "--email",
        "anna@example.org",
        "--country",
        "AT,SE",
        env={"ZARAGOZA_NEW_PASSWORD": "A-long-unusual-pass-1"},
    )
    assert r.exit_code == 0, r.output
    anna = get_user_model().objects.get(username="anna")
    assert anna.check_password("A-long-unusual-pass-1")
    assert sorted(anna.grants.values_list("country", flat=True)) == ["AT", "SE"]
    secret = tmp_path / "pw"
    secret.write_text("Another-long-pass-2\n")
    r = _run("users", "add", "root", "--role", "admin", "--password-file", str(secret), env={})
    assert r.exit_code == 0
    root = get_user_model().objects.get(username="root")
    assert root.is_superuser
    assert root.is_staff
    r = _run(
        "users",
        "add",
        "bob",
        "--role",
        "coordinator",
        env={"ZARAGOZA_NEW_PASSWORD": "A-long-unusual-pass-1"},
    )
    assert r.exit_code == 2
    assert "needs a country" in r.output
    assert "anna" in _run("users", "list").output


def test_the_first_start_says_how_to_create_an_account(db: None) -> None:
    from zaragoza.cli.knowledge import first_account_hint

    hint = first_account_hint()
    assert hint is not None
    assert "zaragoza users add NAME --role admin" in hint
