"""The page cache the workers share: anonymous readers only, never a draft, never older
than the knowledge base's version (publication, unpublication, edit, profile, document,
organisation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from diskcache import FanoutCache
from django.test import Client

from zaragoza.portal.knowledge import services
from zaragoza.portal.knowledge.models import CountryProfile, Organisation, Practice
from zaragoza.portal.knowledge.searching import content_version
from zaragoza.portal.monitoring import caching


def _kept(folder: Path) -> int:
    """Entries of the shared cache in ``folder``, as another worker opening it sees them."""
    with FanoutCache(str(folder), shards=caching.SHARDS) as shared:
        return len(shared)


def _other_worker() -> None:
    """Forget this worker's memory, as another worker would start: only the shared
    cache is left."""
    with caching._GUARD:
        caching._cache = None


def test_anonymous_pages_are_kept_for_every_worker(
    portal: Path, client: Client, kb: Any, own_page_cache: Path, monkeypatch: Any
) -> None:
    first = client.get("/en/practices/?q=language&theme=language")
    assert first.status_code == 200
    assert _kept(own_page_cache) == 1
    _other_worker()
    from zaragoza.portal.knowledge import views

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("rendered again although the shared cache has the page")

    monkeypatch.setattr(views, "search", never)
    again = client.get("/en/practices/?q=language&theme=language")
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_signed_in_users_and_errors_are_never_kept(
    portal: Path, client: Client, kb: Any, users: dict[str, Any], own_page_cache: Path
) -> None:
    assert client.get("/en/practices/?sort=nonsense").status_code == 400
    assert client.get("/en/practices/no-such-practice/").status_code == 404
    assert _kept(own_page_cache) == 0
    client.force_login(users["editor"])
    assert client.get("/en/practices/").status_code == 200
    assert client.get("/en/practices/example-language-cafe/").status_code == 200
    assert _kept(own_page_cache) == 0


def test_a_draft_is_never_kept_nor_shown(
    portal: Path,
    client: Client,
    kb: Any,
    users: dict[str, Any],
    make_practice: Any,
    own_page_cache: Path,
) -> None:
    draft = make_practice(("AT",), "draft", users["owner"])
    assert client.get(f"/en/practices/{draft.slug}/").status_code == 404
    listing = client.get("/en/practices/?country=AT").content.decode()
    assert draft.slug not in listing
    _other_worker()
    assert client.get(f"/en/practices/{draft.slug}/").status_code == 404


def test_a_publication_and_an_unpublication_end_the_kept_pages(
    portal: Path, client: Client, kb: Any, users: dict[str, Any], make_practice: Any
) -> None:
    p = make_practice(("AT",), "submitted", users["owner"])
    before = client.get("/en/practices/?country=AT").content.decode()
    assert p.slug not in before
    services.step(p, "start_review", users["coord_at"])
    from zaragoza.knowledge.rules import Rubric

    rubric = Rubric(relevance=3, stakeholder_involvement=3, transferability=3, evidence=3)
    services.step(p, "publish", users["coord_at"], rubric=rubric)
    _other_worker()
    after = client.get("/en/practices/?country=AT").content.decode()
    assert p.slug in after
    assert client.get(f"/en/practices/{p.slug}/").status_code == 200
    services.step(Practice.objects.get(pk=p.pk), "unpublish", users["editor"], comment="Check.")
    _other_worker()
    assert client.get(f"/en/practices/{p.slug}/").status_code == 404
    assert p.slug not in client.get("/en/practices/?country=AT").content.decode()


def test_an_edit_outside_the_workflow_ends_the_kept_pages(
    portal: Path, client: Client, kb: Any
) -> None:
    """The admin, or any code saving a published practice, an organisation or a country
    profile, raises the version too."""
    url = "/en/practices/example-language-cafe/"
    assert "Renamed for the test" not in client.get(url).content.decode()
    p = Practice.objects.get(slug="example-language-cafe")
    p.title_en = "Renamed for the test"
    p.save()
    _other_worker()
    assert "Renamed for the test" in client.get(url).content.decode()
    # An unpublication through the admin (no workflow step): the page goes at once.
    p.state = "draft"
    p.save()
    _other_worker()
    assert client.get(url).status_code == 404
    assert Practice.objects.filter(state="published").exists()


def test_organisation_and_profile_changes_end_the_kept_pages(
    portal: Path, client: Client, kb: Any
) -> None:
    version = content_version()
    org = Organisation.objects.first()
    assert org is not None
    org.name = "Example organisation renamed"
    org.save()
    assert content_version() != version
    version = content_version()
    page = client.get("/en/governance/AT/").content.decode()
    prof = CountryProfile.objects.filter(geo="AT").order_by("-as_of").first()
    assert prof is not None
    CountryProfile.objects.create(
        geo="AT",
        as_of=prof.as_of + dt.timedelta(days=1),
        name=prof.name,
        sections=prof.sections,
    )
    assert content_version() != version
    _other_worker()
    newer = client.get("/en/governance/AT/").content.decode()
    assert newer != page
    assert (prof.as_of + dt.timedelta(days=1)).isoformat() in newer


def test_a_draft_being_edited_leaves_the_kept_pages(
    portal: Path, kb: Any, users: dict[str, Any], make_practice: Any
) -> None:
    """Drafts are not public: saving one does not empty the public pages' cache."""
    draft = make_practice(("AT",), "draft", users["owner"])
    version = content_version()
    draft.title_en = "Still a draft"
    draft.save()
    assert content_version() == version


def test_the_shared_cache_can_be_turned_off(
    portal: Path, client: Client, kb: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ZARAGOZA_PAGE_CACHE = None
    caching.clear()
    assert caching.shared_cache() is None
    assert client.get("/en/practices/").status_code == 200
    assert not (tmp_path / "pages").exists() or _kept(tmp_path / "pages") == 0


def test_a_practice_page_links_a_profile_only_while_there_is_one(
    portal: Path, client: Client, kb: Any
) -> None:
    """The countries with a profile are kept per content version: removing or adding a
    profile changes the kept practice page's governance link at once, in this worker
    too."""
    url = "/en/practices/example-language-cafe/"
    assert 'href="/en/governance/AT/"' in client.get(url).content.decode()
    kept = list(CountryProfile.objects.filter(geo="AT").values())
    CountryProfile.objects.filter(geo="AT").delete()
    assert 'href="/en/governance/AT/"' not in client.get(url).content.decode()
    CountryProfile.objects.create(**{k: v for k, v in kept[0].items() if k != "id"})
    assert 'href="/en/governance/AT/"' in client.get(url).content.decode()
