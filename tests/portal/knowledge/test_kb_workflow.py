"""The workflow end to end on the server: forms, eligibility, comments, rubric, history,
revisions, notifications, search index."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from zaragoza.portal.knowledge.models import Practice

FORM = {
    "title": "Example: welcome desk",
    "language": "de",
    "summary": "An invented example: a desk that welcomes newcomers.",
    "countries": ["AT"],
    "level": "local",
    "themes": ["introduction"],
    "target_groups": ["newcomers"],
    "start": "2019",
    "context": "",
    "objectives": "Orientation in the first weeks.",
    "activities": "Advice in six languages.",
    "evaluation": "No evaluation was found.",
    "evidence_level": "none",
    "sources": "Invented example | https://example.org/desk | Tests",
    "checked": "2026-01-05",
    "funding": "local |  | city budget",
    "links": "",
    "title_fr": "Exemple : guichet d'accueil",
}
RUBRIC = {"relevance": "4", "stakeholder_involvement": "3", "transferability": "3", "evidence": "1"}


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _messages(r: Any) -> str:
    return " ".join(str(m) for m in r.context["messages"]) if r.context else ""


class _Committing(Client):
    """A client whose requests run their on-commit callbacks (the notifications), as in a
    real transaction."""

    capture: Any = None

    def post(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with self.capture(execute=True):
            return super().post(*args, **kwargs)


def test_the_whole_workflow(
    users: dict[str, Any], kb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _Committing.capture = staticmethod(django_capture_on_commit_callbacks)
    owner, coord = _Committing(), _Committing()
    owner.force_login(users["owner"])
    coord.force_login(users["coord_at"])
    # A form with bad input says which field and why.
    bad = owner.post(
        "/en/practices/new/",
        FORM | {"countries": ["AT"], "regions": "Vienna", "sources": "x | not-a-url"},
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "not a NUTS code" in errors["regions"][0]
    assert "not an http(s) URL" in errors["sources"][0]
    html = bad.content.decode()
    assert "<script" not in FORM["summary"]
    assert 'aria-invalid="true"' in html
    # Created as a draft, with its first revision.
    r = owner.post("/en/practices/new/", FORM)
    assert r.status_code == 302
    p = Practice.objects.get(slug="example-welcome-desk")
    assert (p.state, p.owner, p.title_fr) == (
        "draft",
        users["owner"],
        "Exemple : guichet d'accueil",
    )
    assert p.funding == [{"fund": "local", "note": "city budget"}]
    assert p.revisions.count() == 1
    # Not eligible: no context yet.
    r = owner.post(f"/en/practices/{p.slug}/step/", {"action": "submit"}, follow=True)
    assert "not eligible" in _messages(r)
    assert "context" in _messages(r)
    assert Practice.objects.get(pk=p.pk).state == "draft"
    owner.post(
        f"/en/practices/{p.slug}/edit/", FORM | {"context": "Newcomers did not know where to turn."}
    )
    mail.outbox.clear()
    owner.post(f"/en/practices/{p.slug}/step/", {"action": "submit"})
    assert Practice.objects.get(pk=p.pk).state == "submitted"
    assert [m.to for m in mail.outbox] == [["coord_at@example.org"]]
    assert "submitted" in mail.outbox[0].subject
    # Nobody sees it in search yet.
    assert b"welcome desk" not in Client().get("/en/practices/?q=welcome").content
    assert Client().get(f"/en/practices/{p.slug}/").status_code == 404
    # Returning needs a comment; the contributor is told.
    r = coord.post(
        f"/en/practices/{p.slug}/step/", {"action": "return", "comment": " "}, follow=True
    )
    assert "comment is required" in _messages(r)
    mail.outbox.clear()
    coord.post(
        f"/en/practices/{p.slug}/step/", {"action": "return", "comment": "Please add the results."}
    )
    p.refresh_from_db()
    assert p.state == "returned"
    assert mail.outbox[0].to == ["owner@example.org"]
    assert "Please add the results." in mail.outbox[0].body
    page = owner.get(f"/en/practices/{p.slug}/").content.decode()
    assert "Please add the results." in page
    # The contributor edits and submits again; the coordinator cannot publish without a rubric.
    owner.post(
        f"/en/practices/{p.slug}/edit/",
        FORM
        | {
            "context": "Newcomers did not know where to turn.",
            "results": "Invented: 500 visits a year.",
        },
    )
    owner.post(f"/en/practices/{p.slug}/step/", {"action": "submit"})
    coord.post(f"/en/practices/{p.slug}/step/", {"action": "start_review"})
    r = coord.post(f"/en/practices/{p.slug}/step/", {"action": "publish"}, follow=True)
    assert "Review rubric" in _messages(r)
    coord.post(f"/en/practices/{p.slug}/step/", {"action": "publish", **RUBRIC})
    p.refresh_from_db()
    assert p.state == "published"
    assert p.published_at is not None
    # History: every step with who and the rubric; every saved version viewable.
    steps = list(p.transitions.order_by("at", "id").values_list("action", "actor__username"))
    assert steps == [
        ("submit", "owner"),
        ("return", "coord_at"),
        ("submit", "owner"),
        ("start_review", "coord_at"),
        ("publish", "coord_at"),
    ]
    assert p.transitions.get(action="publish").review.scores()["relevance"] == 4
    revs = list(p.revisions.order_by("number").values_list("number", "actor__username", "changed"))
    assert [r[0] for r in revs] == [1, 2, 3]
    assert "results" in revs[2][2]
    assert "context" in revs[1][2]
    old = owner.get(f"/en/practices/{p.slug}/history/1/").content.decode()
    assert "Invented: 500 visits" not in old
    assert "Orientation in the first weeks." in old
    assert "publish" in owner.get(f"/en/practices/{p.slug}/history/").content.decode()
    # The public finds it, in the feed too; the French page shows the French title.
    anon = Client()
    assert b"Example: welcome desk" in anon.get("/en/practices/?q=welcome").content
    assert b"Example: welcome desk" in anon.get("/en/practices/feed.atom").content
    assert (
        "Exemple : guichet d&#x27;accueil" in anon.get(f"/fr/practices/{p.slug}/").content.decode()
    )
    # Editing a published practice keeps it published and re-indexes it.
    coord.post(
        f"/en/practices/{p.slug}/edit/",
        FORM
        | {
            "context": "Newcomers did not know where to turn.",
            "summary": "An invented example: a kiosk.",
        },
    )
    assert b"welcome desk" in anon.get("/en/practices/?q=kiosk").content
    # Unpublishing needs a comment and hides it again.
    coord.post(
        f"/en/practices/{p.slug}/step/", {"action": "unpublish", "comment": "Outdated figures."}
    )
    assert b"welcome desk" not in anon.get("/en/practices/?q=kiosk").content


def test_steps_in_the_wrong_state_are_refused(users: dict[str, Any], kb: Any) -> None:
    coord = _login(users["coord_at"])
    r = coord.post(
        "/en/practices/example-language-cafe/step/", {"action": "publish", **RUBRIC}, follow=True
    )
    assert "not possible in state published" in _messages(r)
    assert (
        coord.post("/en/practices/example-language-cafe/step/", {"action": "fly"}).status_code
        == 400
    )


def test_the_id_of_a_practice_never_changes(users: dict[str, Any], kb: Any) -> None:
    from zaragoza.knowledge.schema import Practice as Record
    from zaragoza.knowledge.schema import validation_context
    from zaragoza.portal.knowledge import services

    p = Practice.objects.get(slug="example-school-bridge")
    rec = Record.model_validate(
        services.record_of(p) | {"id": "example-renamed"}, context=validation_context()
    )
    with pytest.raises(services.WorkflowError):
        services.save_practice(p, rec, users["editor"])


def test_seeding_twice_changes_nothing(kb: Any) -> None:
    from zaragoza.portal.knowledge.services import seed

    assert Practice.objects.filter(state="published").count() == 3
    again = seed(kb)
    assert again == {"organisations": 0, "practices": 0, "practices_updated": 0, "profiles": 0}
    assert Practice.objects.get(slug="example-language-cafe").revisions.count() == 1


def test_every_text_can_be_translated_on_the_form(users: dict[str, Any], kb: Any) -> None:
    from zaragoza.knowledge.schema import TRANSLATABLE_FIELDS, TRANSLATION_LANGUAGES
    from zaragoza.portal.knowledge.forms import PracticeForm

    names = {f"{f}_{lang}" for f in TRANSLATABLE_FIELDS for lang in TRANSLATION_LANGUAGES}
    assert names <= set(PracticeForm().fields)
    owner = _login(users["owner"])
    page = owner.get("/en/practices/new/").content.decode()
    for name in names:
        assert f'name="{name}"' in page, name
    # Empty translations are folded away, closed.
    assert '<details class="translation" data-translation="de">' in page
    owner.post(
        "/en/practices/new/",
        FORM
        | {
            "context": "Newcomers did not know where to turn.",
            "context_de": "Neu Angekommene wussten nicht, wohin.",
            "objectives_fr": "S'orienter dans les premières semaines.",
            "transferability_de": "In jeder Stadt mit einem Bürgerbüro möglich.",
        },
    )
    p = Practice.objects.get(slug="example-welcome-desk")
    assert p.context_de == "Neu Angekommene wussten nicht, wohin."
    assert p.objectives_fr == "S'orienter dans les premières semaines."
    assert p.transferability_de == "In jeder Stadt mit einem Bürgerbüro möglich."
    # The practice's page in German shows the German text, the others fall back.
    de = owner.get(f"/de/practices/{p.slug}/").content.decode()
    assert "Neu Angekommene wussten nicht, wohin." in de
    assert "Advice in six languages." in de
    # The edit form shows them again, its German part open; a text cleared is removed.
    edit = owner.get(f"/en/practices/{p.slug}/edit/").content.decode()
    assert '<details class="translation" data-translation="de" open>' in edit
    assert "Neu Angekommene wussten nicht, wohin." in edit
    owner.post(
        f"/en/practices/{p.slug}/edit/",
        FORM | {"context": "Newcomers did not know where to turn.", "context_de": ""},
    )
    p.refresh_from_db()
    assert not p.context_de
    assert not p.objectives_fr  # not sent: the form is the whole record
