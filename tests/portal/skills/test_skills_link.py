"""A person links their own account to their profile with a counsellor's one-time code
(docs/skills.md, "The person's own access"): the code is shown once and kept only as a
digest, works once and for 14 days, never travels in a URL, and a wrong code creates
nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

PASSWORD = "tall-violet-harbour-91"


def _code(people: dict[str, Any], p: Any) -> str:
    client = Client()
    client.force_login(people["counsellor_a"])
    r = client.post(f"/en/skills/p/{p.pk}/link-code/")
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    html = r.content.decode()
    assert "http://testserver/en/skills/claim/" in html
    found = re.search(r"data-link-code dir=\"ltr\">([0-9A-Z-]+)<", html)
    assert found, html
    return found.group(1)


def _unowned(make_profile: Callable[..., Any]) -> Any:
    p = make_profile()
    p.owner = None
    p.save()
    return p


def test_a_person_creates_their_account_with_the_code(
    portal: Any,
    people: dict[str, Any],
    keys: list[str],
    make_profile: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.contrib.auth import get_user_model

    from zaragoza.portal.skills.models import AccessLog, LinkCode, Profile

    caplog.set_level(logging.DEBUG)
    p = _unowned(make_profile)
    code = _code(people, p)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", code)
    # only the digest is kept
    (kept,) = LinkCode.objects.filter(profile=p)
    assert kept.digest == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert abs(kept.expires_at - kept.created_at - dt.timedelta(days=14)) < dt.timedelta(seconds=5)
    person = Client()
    form = person.get("/en/skills/claim/")
    assert form.status_code == 200
    assert b'name="password1"' in form.content
    # typed as a person might: lower case, spaces instead of dashes
    typed = code.lower().replace("-", " ")
    r = person.post(
        "/en/skills/claim/",
        {"code": typed, "username": "sunrise", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert r.status_code == 302
    assert r["Location"] == f"/en/skills/p/{p.pk}/"
    assert code not in r["Location"]
    user = get_user_model().objects.get(username="sunrise")
    assert Profile.objects.get(pk=p.pk).owner == user
    assert not LinkCode.objects.exists()  # used up
    # signed in now: the person sees the profile, read only, and their own list
    page = person.get(f"/en/skills/p/{p.pk}/")
    assert page.status_code == 200
    assert b"Amina Example" in page.content
    assert b"data-link-code-button" not in page.content  # the counsellor's controls
    assert person.post(f"/en/skills/p/{p.pk}/", {"name": "Changed"}).status_code == 404
    mine = person.get("/en/skills/")
    assert f"/skills/p/{p.pk}/".encode() in mine.content
    assert person.get(f"/en/skills/p/{p.pk}/export.json").status_code == 200
    # the same code again: refused, for anyone
    again = Client().post(
        "/en/skills/claim/",
        {"code": code, "username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert again.status_code == 400
    assert not get_user_model().objects.filter(username="newcomer").exists()
    actions = list(AccessLog.objects.filter(profile_id=p.pk).values_list("action", flat=True))
    assert "link_code" in actions
    assert "link" in actions
    assert code not in caplog.text
    assert code.replace("-", "") not in caplog.text
    assert "Amina" not in caplog.text


def test_a_signed_in_person_enters_the_code_only(
    portal: Any, people: dict[str, Any], keys: list[str], make_profile: Callable[..., Any]
) -> None:
    from zaragoza.portal.skills.models import Profile

    p = _unowned(make_profile)
    code = _code(people, p)
    person = Client()
    person.force_login(people["plain"])
    account = person.get("/fr/account/").content.decode()  # where a person finds the way
    assert "Votre profil de compétences, ou en relier un" in account
    form = person.get("/en/skills/claim/")
    assert b'name="password1"' not in form.content
    assert person.post("/en/skills/claim/", {"code": code}).status_code == 302
    assert Profile.objects.get(pk=p.pk).owner == people["plain"]


def test_wrong_expired_replaced_and_erased_codes_do_nothing(
    portal: Any, people: dict[str, Any], keys: list[str], make_profile: Callable[..., Any]
) -> None:
    from django.contrib.auth import get_user_model

    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import LinkCode, Profile

    p = _unowned(make_profile)
    person = Client()
    person.force_login(people["plain"])
    message = b"This code does not work"
    for bad in ("", "ABCD", "0000-0000-0000", "<script>", "I" * 12):
        r = person.post("/en/skills/claim/", {"code": bad})
        assert r.status_code == 400, bad
        assert message in r.content, bad
        assert b"<script>" not in r.content
    first = _code(people, p)
    second = _code(people, p)  # a new code replaces the unused one
    assert person.post("/en/skills/claim/", {"code": first}).status_code == 400
    LinkCode.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert person.post("/en/skills/claim/", {"code": second}).status_code == 400
    third = _code(people, p)
    # a new account with a bad password: nothing is created, the code stays usable
    anonymous = Client()
    r = anonymous.post(
        "/en/skills/claim/",
        {"code": third, "username": "weak", "password1": "123", "password2": "123"},
    )
    assert r.status_code == 400
    assert not get_user_model().objects.filter(username="weak").exists()
    assert LinkCode.objects.filter(profile=p).exists()
    services.erase(Profile.objects.get(pk=p.pk), None)
    assert not LinkCode.objects.exists()  # erasure takes the codes too
    assert person.post("/en/skills/claim/", {"code": third}).status_code == 400
    assert Profile.objects.get(pk=p.pk).owner is None


def test_the_counsellor_removes_the_access(
    portal: Any, people: dict[str, Any], keys: list[str], make_profile: Callable[..., Any]
) -> None:
    from zaragoza.portal.skills.models import Profile

    p = make_profile()  # owned by "person"
    person = Client()
    person.force_login(people["person"])
    assert person.get(f"/en/skills/p/{p.pk}/").status_code == 200
    counsellor = Client()
    counsellor.force_login(people["counsellor_a"])
    page = counsellor.get(f"/en/skills/p/{p.pk}/").content.decode()
    assert 'data-linked="yes"' in page
    assert counsellor.post(f"/en/skills/p/{p.pk}/unlink/").status_code == 302
    assert Profile.objects.get(pk=p.pk).owner is None
    assert person.get(f"/en/skills/p/{p.pk}/").status_code == 404
    # a counsellor of another organisation can neither make a code nor unlink
    other = Client()
    other.force_login(people["counsellor_b"])
    assert other.post(f"/en/skills/p/{p.pk}/link-code/").status_code == 404
    assert other.get(f"/en/skills/p/{p.pk}/link-code/").status_code == 405


def test_the_sheet_is_in_both_languages(
    portal: Any, people: dict[str, Any], keys: list[str], make_profile: Callable[..., Any]
) -> None:
    p = make_profile()  # interview in English and French
    client = Client()
    client.force_login(people["counsellor_a"])
    html = client.post(f"/en/skills/p/{p.pk}/link-code/").content.decode()
    assert "The code works once." in html
    assert 'lang="fr"' in html
    assert "Votre code" in html
