"""Knowledge pages joined to the monitoring half, documents, login throttling, feed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zaragoza.portal.knowledge.models import Practice

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def test_a_practice_page_shows_its_countries_gaps_on_its_indicators(
    portal: Path, client: Client, kb: Any
) -> None:
    html = client.get("/en/practices/example-language-cafe/").content.decode()
    rows = re.findall(r'<tr data-indicator="([a-z_]+)" data-geo="([A-Z]+)">', html)
    assert ("employment_rate", "AT") in rows
    assert ("unemployment_rate", "AT") in rows
    assert {g for _, g in rows} == {"AT"}
    assert 'href="/en/indicators/employment_rate/?geo=AT"' in html
    assert "<em>speak</em>" in html  # Markdown rendered
    assert 'href="/en/governance/AT/"' in html


def test_monitoring_pages_list_the_practices_of_a_country_or_an_indicator(
    portal: Path, client: Client, kb: Any
) -> None:
    country = client.get("/en/countries/AT/").content.decode()
    block = country.split("data-practices-for", 1)[1]
    assert "example-language-cafe" in block
    assert "example-school-bridge" in block
    assert "example-job-mentoring" not in block
    assert 'href="/en/governance/AT/"' in block
    indicator = client.get("/en/indicators/overqualification_rate/").content.decode()
    block = indicator.split("data-practices-for", 1)[1]
    assert "example-job-mentoring" in block
    assert "example-language-cafe" not in block


def test_a_publication_shows_at_once_on_cached_monitoring_pages(
    portal: Path, client: Client, kb: Any, users: dict[str, Any]
) -> None:
    from zaragoza.portal.knowledge import services

    before = client.get("/en/countries/SE/").content.decode().split("data-practices-for", 1)[1]
    assert "example-job-mentoring" in before
    services.step(
        Practice.objects.get(slug="example-job-mentoring"),
        "unpublish",
        users["editor"],
        comment="Check.",
    )
    after = client.get("/en/countries/SE/").content.decode().split("data-practices-for", 1)[1]
    assert "example-job-mentoring" not in after


def test_the_governance_profile_joins_the_warehouse_and_links_both_ways(
    portal: Path, client: Client, kb: Any
) -> None:
    html = client.get("/en/governance/AT/").content.decode()
    assert 'href="/en/countries/AT/"' in html
    assert "data-monitoring-link" in html
    assert 'data-table="figures"' in html
    assert 'data-indicator="employment_rate"' in html
    assert "Participation is mandatory." in html
    assert "300 hours" in html
    assert "Last reviewed 2026-01-10" in html
    assert client.get("/en/governance/SE/").status_code == 404
    assert client.get("/en/governance/XX/").status_code == 404
    assert client.get("/en/governance/AT/?as_of=1999-01-01").status_code == 404
    api = client.get("/api/v1/countries/AT/profile").json()
    assert api["sections"]["programmes"]["hours"] == 300
    assert any(f["indicator"] == "employment_rate" for f in api["figures"])


def test_profiles_are_versioned_by_date(
    portal: Path, client: Client, kb: Any, users: dict[str, Any]
) -> None:
    from zaragoza.knowledge.schema import CountryProfile as Record
    from zaragoza.portal.knowledge.services import save_profile

    old = kb.countries[0].model_dump(mode="json")
    new = old | {"as_of": "2026-06-01"}
    new["sections"]["strategy"] = old["sections"]["strategy"] | {
        "text": "A newer invented strategy text."
    }
    with pytest.raises(Exception, match="not allowed"):
        save_profile(Record.model_validate(new), users["coord_se"])
    save_profile(Record.model_validate(new), users["coord_at"])
    assert "A newer invented strategy text." in client.get("/en/governance/AT/").content.decode()
    older = client.get("/en/governance/AT/?as_of=2026-01-10").content.decode()
    assert "Invented example text about a national strategy." in older


def test_organisations_and_their_practices(client: Client, kb: Any) -> None:
    html = client.get("/en/organisations/example-ngo/").content.decode()
    assert "example-job-mentoring" in html
    assert "example-language-cafe" in html  # own, and as a partner
    data = client.get("/api/v1/organisations").json()
    assert [o["id"] for o in data] == ["example-city-office", "example-ngo"]


def test_documents_are_checked_by_content_and_served_as_attachments(
    client: Client, users: dict[str, Any], make_practice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    p = make_practice(("AT",), "draft", users["owner"])
    client.force_login(users["owner"])
    url = f"/en/practices/{p.slug}/documents/"
    client.post(url, {"title": "Report", "file": SimpleUploadedFile("report.pdf", PDF)})
    client.post(url, {"title": "Picture", "file": SimpleUploadedFile("x.html", PNG)})
    r = client.post(
        url,
        {
            "title": "Fake",
            "file": SimpleUploadedFile("fake.pdf", b"<html><script>alert(1)</script>"),
        },
        follow=True,
    )
    assert "not accepted" in r.content.decode()
    assert [d.media_type for d in p.documents.order_by("id")] == ["application/pdf", "image/png"]
    doc = p.documents.order_by("id").first()
    assert doc is not None
    stored = Path(doc.file.path)
    assert stored.is_relative_to(tmp_path / "uploads")
    assert stored.suffix == ".pdf"
    r = client.get(f"/en/practices/{p.slug}/documents/{doc.pk}/")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == PDF
    assert (
        Client().get(f"/en/practices/{p.slug}/documents/{doc.pk}/").status_code == 404
    )  # a draft's


def test_large_uploads_are_refused(
    client: Client, users: dict[str, Any], make_practice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    p = make_practice(("AT",), "draft", users["owner"])
    client.force_login(users["owner"])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    r = client.post(
        f"/en/practices/{p.slug}/documents/", {"title": "Big", "file": big}, follow=True
    )
    assert "larger than 10 MB" in r.content.decode()
    assert p.documents.count() == 0


def test_login_is_throttled_after_five_failures(db: None) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("victim", password="A-long-unusual-pass-77")
    c = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(5):
        r = c.post("/en/login/", {"username": "victim", "password": "wrong"})
        assert r.status_code in (200, 429)
    r = c.post("/en/login/", {"username": "victim", "password": "A-long-unusual-pass-77"})
    assert r.status_code == 429
    assert b"Too many failed attempts" in r.content


def test_login_works_and_leads_to_my_work(db: None) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("worker", password="A-long-unusual-pass-78")
    c = Client(REMOTE_ADDR="192.0.2.8")
    r = c.post("/en/login/", {"username": "worker", "password": "A-long-unusual-pass-78"})
    assert r.status_code == 302
    assert r.headers["Location"] == "/en/work/"
    assert c.get("/en/work/").status_code == 200


def test_public_profiles_are_opt_in(client: Client, users: dict[str, Any]) -> None:
    assert client.get("/en/people/owner/").status_code == 404
    owner = Client()
    owner.force_login(users["owner"])
    owner.post(
        "/en/account/",
        {"public": "on", "display_name": "Owner Example", "affiliation": "Example office"},
    )
    html = client.get("/en/people/owner/").content.decode()
    assert "Owner Example" in html
    assert "owner@example.org" not in html


def test_the_atom_feed_lists_new_practices(client: Client, kb: Any) -> None:
    r = client.get("/en/practices/feed.atom")
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    assert r.content.count(b"<entry>") == 3


def test_pages_speak_french_and_german(client: Client, kb: Any) -> None:
    fr = client.get("/fr/practices/").content.decode()
    de = client.get("/de/practices/").content.decode()
    assert "Pratiques" in fr
    assert "Praktiken" in de
    assert "Apprentissage de la langue" in fr
    assert "Spracherwerb" in de
