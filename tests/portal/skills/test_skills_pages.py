"""The skills pages: an interview in two languages, privacy at rest and in the open."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

NAME = "Amina Example"
ENGINEER_EN = "civil engineer"  # an ESCO label (alternative) in ISCO 2 (checked below)


def _counsellor(people: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(people["counsellor_a"])
    return client


def _start(client: Client, second: str = "ar", statistics: bool = True) -> str:
    form = {
        "organisation": "org-a", "geo": "AT", "host_language": "de",
        "counsellor_language": "en", "person_language": second, "name": NAME,
        "consent_counselling": "1",
    }  # fmt: skip
    if statistics:
        form["consent_statistics"] = "1"
    r = client.post("/en/skills/new/", form)
    assert r.status_code == 302, r.content[:500]
    url = r["Location"]
    assert re.fullmatch(r"/en/skills/p/[0-9a-f-]{36}/", url), url
    return url


def _interview(**extra: str) -> dict[str, str]:
    return {
        "name": NAME, "year_of_birth": "1990", "sex": "F", "citizenship": "SY",
        "year_of_arrival": "2016", "legal_status": "international_protection",
        "wish-0": ENGINEER_EN,
        "edu-0-level": "7", "edu-0-field": "073", "edu-0-completed": "1",
        "edu-0-country": "SY", "edu-0-recognition": "not_applied",
        "work-0-occupation": "janitor", "work-0-years": "2", "work-0-current": "1",
        "lang-0-code": "de", "lang-0-listening": "A2", "lang-0-reading": "A2",
        "lang-0-spoken_interaction": "A2", "lang-0-spoken_production": "A2",
        "lang-0-writing": "A1", "lang-1-code": "ar", "lang-1-native": "1",
        "digital-1": "3", "appraisal": "Motivated.",
        **extra,
    }  # fmt: skip


def test_the_esco_label_of_the_test_is_a_professional_occupation() -> None:
    from zaragoza.skills.classifications import search_occupations

    assert search_occupations(ENGINEER_EN, "en")[0].isco_major == 2


def test_interview_in_english_and_arabic_right_to_left(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    client = _counsellor(people)
    start = client.get("/en/skills/new/").content.decode()
    assert 'value="ar"' in start  # Arabic is complete
    # the person reads the consent in their language before it is recorded
    assert '<div lang="ar" dir="rtl">' in start
    assert "أوافق على أن تحتفظ هذه الجهة" in start
    url = _start(client, "ar")
    page = client.get(url).content.decode()
    # every question in both languages, the person's right to left
    assert '<span lang="en" dir="ltr">Year of birth</span>' in page
    assert '<span class="second" lang="ar" dir="rtl">سنة الميلاد</span>' in page
    assert NAME not in url
    r = client.post(url, _interview())
    assert r.status_code == 302
    page = client.get(url).content.decode()
    # occupations stored by ESCO URI with their ISCO group; shown by label
    assert "ISCO-08 9112" in page
    # next steps from the rules, linked to toolbox measures
    for rule in ("recognition-procedure", "host-language-course", "over-qualification-risk"):
        assert f'data-rule="{rule}"' in page
    assert "/en/toolbox/measures/recognition-advice-and-procedure/" in page
    assert "a course from A1" in page


def test_interview_in_english_and_ukrainian(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    client = _counsellor(people)
    start = client.get("/en/skills/new/").content.decode()
    assert '<option value="uk" lang="uk">Українська</option>' in start  # complete now
    assert '<div lang="uk" dir="ltr">' in start
    assert "Я погоджуюся, щоб ця служба зберігала мій профіль навичок" in start
    url = _start(client, "uk")
    r = client.post(url, _interview())
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert '<span class="second" lang="uk" dir="ltr">Рік народження</span>' in page
    assert '<span class="second" lang="uk" dir="ltr">Монологічне мовлення</span>' in page
    # the classifications' labels in both languages, the next steps' reasons too
    assert "ISCED 7: Master&#x27;s or equivalent level · Магістр " in page
    assert "073 Architecture and construction · Архітектура та будівництво" in page
    assert '<span class="second" lang="uk" dir="ltr">Створення цифрового контенту</span>' in page
    assert "Базовий (рівень 1)" in page
    assert '<span class="second" lang="uk" dir="ltr">Вища освіта, здобута за кордоном' in page
    # coded answers (statuses, steps) by their labels in both languages, not their codes
    assert ">Not applied for · Не подано заяву</option>" in page  # noqa: RUF001
    assert ">Temporary protection · Тимчасовий захист</option>" in page
    assert ">Female · Жіноча</option>" in page
    assert "<strong>Recognition of qualifications · Визнання кваліфікацій</strong>" in page


def test_french_and_german_pages(portal: Any, people: dict[str, Any], keys: list[str]) -> None:
    client = _counsellor(people)
    url = _start(client, "fr")
    page = client.get(url).content.decode()
    assert '<span class="second" lang="fr" dir="ltr">Année de naissance</span>' in page
    assert "Profil de compétences" in client.get(url.replace("/en/", "/fr/")).content.decode()
    assert "Kompetenzprofil" in client.get(url.replace("/en/", "/de/")).content.decode()


def test_bad_answers_are_named_without_echoing_them(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    client = _counsellor(people)
    url = _start(client)
    r = client.post(url, _interview(**{"work-0-occupation": "Secret Trade 123"}))
    assert r.status_code == 400
    body = r.content.decode()
    assert "work-0-occupation" in body
    assert "Secret Trade 123" not in body.split('role="alert"')[1].split("</div>")[0]
    # every answer stays in the form, the refused one included
    assert 'value="Secret Trade 123"' in body
    assert 'name="year_of_birth" value="1990"' in body
    assert '<option value="7" selected>' in body


def test_personal_data_are_not_in_clear_in_the_database(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    client = _counsellor(people)
    url = _start(client)
    client.post(url, _interview(contact="amina@example.org"))
    with connection.cursor() as cur:
        dump = []
        for table in ("skills_profile", "skills_consent", "skills_accesslog"):
            cur.execute(f"SELECT * FROM {table}")
            dump += [str(v) for row in cur.fetchall() for v in row]
    text = " ".join(dump)
    # (short codes such as SY can occur by chance in a token: the long texts tell)
    for secret in (NAME, "amina@example.org", "Motivated."):
        assert secret not in text, secret
    from zaragoza.portal.skills.models import Profile

    assert Profile.objects.get().sealed.startswith("gAAAA")  # a Fernet token


def test_a_lost_key_is_a_clear_error(
    portal: Any, people: dict[str, Any], keys: list[str], settings: Any
) -> None:
    client = _counsellor(people)
    url = _start(client)
    settings.ZARAGOZA_PROFILE_KEYS = [Fernet.generate_key().decode()]
    r = client.get(url)
    assert r.status_code == 503
    assert b"ZARAGOZA_PROFILE_KEYS" in r.content
    assert NAME.encode() not in r.content


def test_keys_rotate(
    portal: Any, make_profile: Callable[..., Any], keys: list[str], settings: Any
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import Profile

    p = make_profile()
    new = Fernet.generate_key().decode()
    settings.ZARAGOZA_PROFILE_KEYS = [new, *keys]
    assert services.rotate() == 1
    settings.ZARAGOZA_PROFILE_KEYS = [new]  # the old key dropped
    record, _ = services.open_profile(Profile.objects.get(pk=p.pk))
    assert record.person.name == NAME


def test_export_is_importable_and_erasure_leaves_nothing(
    portal: Any, people: dict[str, Any], keys: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    from zaragoza.portal.skills.models import AccessLog, Consent, Profile
    from zaragoza.skills.profile import Profile as Record

    caplog.set_level(logging.DEBUG)
    client = _counsellor(people)
    url = _start(client)
    client.post(url, _interview())
    client.get(url)
    r = client.get(url + "export.json")
    assert r["Content-Type"] == "application/json"
    data = json.loads(r.content)
    assert data["schema"] == "zaragoza-skills-profile"
    record = Record.model_validate(data["profile"])
    assert record.person.name == NAME
    assert record.work[0].isco_group == "9112"
    assert {c["purpose"] for c in data["consents"]} == {"counselling", "statistics"}
    assert {s["rule"] for s in data["next_steps"]} >= {"recognition-procedure"}
    pk = url.rstrip("/").rsplit("/", 1)[1]
    assert client.post(url + "erase/", {}).status_code == 400  # not confirmed
    assert client.post(url + "erase/", {"confirm": "1"}).status_code == 200
    p = Profile.objects.get(pk=pk)
    assert p.state == "erased"
    assert p.sealed == ""
    assert not Consent.objects.filter(profile=p).exists()
    assert client.get(url).status_code == 404
    assert client.get(url + "export.json").status_code == 404
    # the access log: each read, the export, the erasure; never the person
    actions = list(AccessLog.objects.filter(profile_id=pk).values_list("action", flat=True))
    assert actions.count("view") >= 1
    assert actions[-2:] == ["export", "erase"]
    assert NAME not in caplog.text
    assert "Amina" not in caplog.text


def test_consent_to_statistics_can_be_withdrawn(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import Profile

    client = _counsellor(people)
    url = _start(client, statistics=True)
    p = Profile.objects.get()
    assert services.consents(p) == {"counselling": True, "statistics": True}
    client.post(url + "consent/", {"statistics": "no"})
    assert services.consents(p)["statistics"] is False
    page = client.get(url).content.decode()
    assert "Give consent to statistics" in page


def test_no_profile_without_consent(portal: Any, people: dict[str, Any], keys: list[str]) -> None:
    from zaragoza.portal.skills.models import Profile

    client = _counsellor(people)
    r = client.post(
        "/en/skills/new/",
        {"organisation": "org-a", "geo": "AT", "host_language": "de", "name": NAME,
         "counsellor_language": "en", "person_language": "en"},
    )  # fmt: skip
    assert r.status_code == 400
    assert b"Without the person&#x27;s consent" in r.content
    assert not Profile.objects.exists()
    # another organisation's name is refused too
    r = client.post(
        "/en/skills/new/",
        {"organisation": "org-b", "geo": "AT", "host_language": "de", "name": NAME,
         "counsellor_language": "en", "person_language": "en", "consent_counselling": "1"},
    )  # fmt: skip
    assert r.status_code == 400
    assert not Profile.objects.exists()


def test_occupation_search_by_any_label(portal: Any) -> None:
    client = Client()
    found = client.get("/en/skills/occupations.json", {"q": "janitor"}).json()["results"]
    assert any(r["isco_group"] == "9112" for r in found)
    fr = client.get("/fr/skills/occupations.json", {"q": "agent d'entretien", "lang": "fr"}).json()
    assert any(r["isco_group"] == "9112" for r in fr["results"])
    assert client.get("/en/skills/occupations.json", {"q": "x", "lang": "zz"}).status_code == 400


def test_the_pdf_holds_both_languages(portal: Any, people: dict[str, Any], keys: list[str]) -> None:
    import io

    from pypdf import PdfReader

    from zaragoza.portal.skills.models import AccessLog

    client = _counsellor(people)
    url = _start(client, "ar")
    client.post(url, _interview())
    r = client.get(url + "profile.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "Year of birth" in text
    assert "ISCO-08 9112" in text
    flat = " ".join(text.split())
    assert "Recognition of the diploma" in flat  # a label, not a code
    assert "Not applied for" in flat
    assert "not_applied" not in flat
    # Arabic letters (basic block or presentation forms, as the PDF's shaped text gives them)
    assert any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff" for ch in text)
    assert AccessLog.objects.filter(action="export_pdf").count() == 1


# ---------------------------------------------------------------- importing an export
# A person brings their profile to another service: the JSON export, imported there,
# gives the same record under a new id, with that service's own consents; a file that is
# not such an export is refused with where and what, never its values.


def _import(client: Client, raw: bytes, **form: str) -> Any:
    data = {"organisation": "org-b", "consent_counselling": "1", **form}
    data["file"] = SimpleUploadedFile("profile.json", raw, content_type="application/json")
    return client.post("/en/skills/import/", data)


def test_an_export_imported_elsewhere_is_the_same_profile(
    portal: Any, people: dict[str, Any], keys: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    from zaragoza.portal.skills import services
    from zaragoza.portal.skills.models import AccessLog, Profile

    caplog.set_level(logging.DEBUG)
    a = _counsellor(people)
    url = _start(a, "uk", statistics=True)
    assert a.post(url, _interview()).status_code == 302
    exported = a.get(url + "export.json").content
    b = Client()
    b.force_login(people["counsellor_b"])
    page = b.get("/en/skills/new/").content.decode()
    assert 'action="/en/skills/import/"' in page
    r = _import(b, exported)  # statistics not ticked at the new service
    assert r.status_code == 302, r.content[:800]
    new = Profile.objects.get(pk=r["Location"].split("/skills/p/")[1].strip("/"))
    old = Profile.objects.get(pk=url.split("/skills/p/")[1].strip("/"))
    assert new.pk != old.pk
    assert new.organisation == "org-b"
    assert new.owner is None
    record, langs = services.open_profile(new)
    assert record == services.open_profile(old)[0]
    assert langs == {"counsellor": "en", "person": "uk"}
    # the consents are the new service's own
    assert services.consents(new) == {"counselling": True, "statistics": False}
    assert "import" in AccessLog.objects.filter(profile_id=new.pk).values_list("action", flat=True)
    # the new service's counsellor reads it; the first service's does not
    assert b.get(r["Location"]).status_code == 200
    assert a.get(r["Location"]).status_code == 404
    assert NAME not in caplog.text


_BAD_YEAR = {
    "schema": "zaragoza-skills-profile",
    "schema_version": "1",
    "profile": {
        "geo": "AT",
        "host_language": "de",
        "interview_date": "2026-03-01",
        "person": {"name": "Secret Name", "year_of_birth": 1700},
    },
}


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"\xff\xfe{", "file"),
        (b"{not json", "line 1"),
        (b'{"schema": "something else"}', "schema"),
        (b'{"schema": "zaragoza-skills-profile", "schema_version": "9"}', "schema_version"),
        (json.dumps(_BAD_YEAR).encode(), "profile.person.year_of_birth"),
        # JSON's NaN, which Python's reader takes, is bad input like any other
        (
            json.dumps(_BAD_YEAR).replace('"year_of_birth": 1700', '"year_of_birth": NaN').encode(),
            "profile.person.year_of_birth",
        ),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(
    portal: Any, people: dict[str, Any], keys: list[str], raw: bytes, where: str
) -> None:
    from zaragoza.portal.skills.models import Profile

    b = Client()
    b.force_login(people["counsellor_b"])
    r = _import(b, raw)
    assert r.status_code == 400
    html = r.content.decode()
    assert f"<code>{where}</code>" in html
    assert "Secret Name" not in html
    assert "1700" not in html
    assert not Profile.objects.exists()


def test_the_import_needs_consent_an_organisation_of_ones_own_and_a_counsellor(
    portal: Any, people: dict[str, Any], keys: list[str]
) -> None:
    from zaragoza.portal.skills.models import Profile

    a = _counsellor(people)
    url = _start(a)
    exported = a.get(url + "export.json").content
    b = Client()
    b.force_login(people["counsellor_b"])
    assert _import(b, exported, consent_counselling="").status_code == 400
    assert _import(b, exported, organisation="org-a").status_code == 400  # not theirs
    assert _import(b, b"x" * 1_000_001).status_code == 400
    plain = Client()
    plain.force_login(people["plain"])
    assert _import(plain, exported).status_code == 403
    assert Client().post("/en/skills/import/").status_code == 302  # to the sign-in
    assert Profile.objects.count() == 1
