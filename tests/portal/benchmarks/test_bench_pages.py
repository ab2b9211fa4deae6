"""The benchmarks' pages, API and command line on the made-up framework
(tests/data/benchmarks/example-index.yaml): scores shown as worked out by hand,
positions with N, ranges under missing answers, change between rounds, peers, the
evidence's checks, the resident questionnaire, the reports as PDF, the example label.

Scores by hand for ``hand-2027`` (weighted means; every weight 1 but education's 2):

* City A: edu1 yes 100, edu2 some 50 → edu-policy 75; edu3 40 of 0-100 → 40; education
  (75 + 40) / 2 = 57.5. wel1 yes 100, wel2 two+five 40 + 60 = 100 → welcoming 100.
  gov1 appointed 50. Overall (2 * 57.5 + 100 + 50) / 4 = 66.25.
* City B: edu1 no 0, edu2 and edu3 missing → edu-policy 0 (range 0-50), edu-parents no
  score (range 0-100) → education 0, range (0 + 0) / 2 = 0 to (50 + 100) / 2 = 75.
  wel1 yes → welcoming 100 (range 100 with wel2 from 0 to 100: 50-100). gov1 none 0.
* In ``hand-2026`` city A answered gov1 none: its governance changed by +50.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

LOCALE = Path(__file__).parents[3] / "src/zaragoza/portal/benchmarks/locale"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _published_round(slug: str, year: int, answers: dict[str, dict[str, Any]]) -> Any:
    from zaragoza.portal.benchmarks.models import Answer, Assessment, Entity, Network, Round

    net, _ = Network.objects.get_or_create(
        code="hand-network", defaults={"name": "Hand network", "example": True}
    )
    rnd = Round.objects.create(
        slug=slug, title=f"Hand round {year}", framework="example-index@1", network=net,
        year=year, state="published", example=True,
    )  # fmt: skip
    for code, given in answers.items():
        a = Assessment.objects.create(
            round=rnd, entity=Entity.objects.get(code=code), state="published"
        )
        for q, v in given.items():
            Answer.objects.create(assessment=a, question=q, value=v)
    return rnd


@pytest.fixture
def hand(bench: dict[str, Any]) -> dict[str, Any]:
    _published_round("hand-2026", 2026, {"EXAMPLE-A": {"gov1": "none"}})
    rnd = _published_round(
        "hand-2027",
        2027,
        {
            "EXAMPLE-A": {
                "edu1": "yes", "edu2": "some", "edu3": 40.0, "wel1": "yes",
                "wel2": ["two", "five"], "gov1": "appointed",
            },
            "EXAMPLE-B": {"edu1": "no", "wel1": "yes", "gov1": "none"},
        },
    )  # fmt: skip
    return {**bench, "hand": rnd}


def _row(page: str, table: str, entity: str) -> list[str]:
    section = page[page.index(f'data-table="{table}"') :]
    section = section[: section.index("</table>")]
    row = re.search(rf'<tr data-entity="{entity}">(.*?)</tr>', section, re.S)
    assert row, (table, entity)
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_the_comparative_page_shows_the_scores_worked_out_by_hand(hand: dict[str, Any]) -> None:
    page = Client().get("/en/benchmarks/rounds/hand-2027/").content.decode()
    # entity, score, range, answered / scored, position of N, change, band
    assert _row(page, "scores-overall", "EXAMPLE-A")[:5] == [
        "Example city A", "66", "66\u201366", "6 / 6", "1 of N = 2",
    ]  # fmt: skip
    assert _row(page, "scores-education", "EXAMPLE-B")[:5] == [
        "Example city B", "0", "0\u201375", "1 / 3", "2 of N = 2",
    ]  # fmt: skip
    assert _row(page, "scores-welcoming", "EXAMPLE-B")[1:3] == ["100", "50\u2013100"]
    # both score 100 on welcoming: they share the first place
    assert _row(page, "scores-welcoming", "EXAMPLE-A")[4] == "1 of N = 2"
    # change since the previous published round of the network on the framework
    assert _row(page, "scores-governance", "EXAMPLE-A")[5] == "+50"
    assert _row(page, "scores-governance", "EXAMPLE-B")[5] == "—"  # not in hand-2026
    assert "Change since Hand round 2026" in page
    # peers: B is below the median on education, where A scores 57.5
    assert 'data-peer="EXAMPLE-B:education:EXAMPLE-A"' in page
    assert "example — not real cities" in page
    # the association of scores with gaps needs three entities: two give none
    assert "at least three are needed" in page
    assert "not an effect" in page


def test_the_association_of_scores_with_outcome_gaps(bench: dict[str, Any]) -> None:
    """The example round's four cities placed in AT, SE, FR and ES: Pearson's r of each
    dimension's score with each gap, n and p as compare/policy.py computes them."""
    from zaragoza.compare.policy import policy_outcome_correlation
    from zaragoza.portal.benchmarks import services
    from zaragoza.portal.benchmarks.models import Round

    rnd = Round.objects.get(slug="example-intercultural-2026")
    frame = services.round_scores(rnd)
    geos = dict(rnd.assessments.values_list("entity__code", "entity__geo"))
    got = services.association(rnd, frame, geos)
    assert not got.empty
    row = got[(got["node"] == "overall") & (got["indicator"] == "employment_rate")].iloc[0]
    assert row["n"] == 4
    # the same figures by hand: the scores and the gaps, then numpy's Pearson r
    import numpy as np

    overall = frame[frame["level"] == "overall"].set_index("entity")["score"]
    gaps = {
        e: next(g["gap"] for g in services.outcome_gaps(geo) if g["indicator"] == "employment_rate")
        for e, geo in geos.items()
    }
    x = np.array([overall[e] for e in sorted(gaps)])
    y = np.array([gaps[e] for e in sorted(gaps)])
    assert row["r"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert 0 <= row["p_value"] <= 1
    assert policy_outcome_correlation is not None
    page = Client().get("/en/benchmarks/rounds/example-intercultural-2026/").content.decode()
    assert 'data-assoc="overall:employment_rate"' in page


def test_the_api_serves_published_rounds_only(hand: dict[str, Any]) -> None:
    client = Client()
    data = client.get("/api/v1/benchmarks/hand-2027/scores").json()
    assert data["framework"] == "example-index@1"
    overall = {r["entity"]: r for r in data["results"] if r["level"] == "overall"}
    assert overall["EXAMPLE-A"]["score"] == 66.25
    edu = next(
        r for r in data["results"] if r["entity"] == "EXAMPLE-B" and r["node"] == "education"
    )
    assert (edu["score"], edu["low"], edu["high"], edu["n_answered"]) == (0.0, 0.0, 75.0, 1)
    assert data["label"] == "example — not real cities"
    r = client.get("/api/v1/benchmarks/test-round/scores")
    assert r.status_code == 404
    assert r.json()["parameter"] == "round"
    assert client.get("/api/v1/benchmarks/nothing/scores").status_code == 404
    assert client.get("/api/v1/benchmarks/hand-2027/scores?x=1").status_code == 400
    listing = client.get("/api/v1/frameworks").json()
    keys = [f["key"] for f in listing["results"]]
    assert "example-index@1" in keys
    assert "intercultural-index@1" in keys
    one = client.get("/api/v1/frameworks/example-index").json()
    assert one["key"] == "example-index@1"
    assert one["dimensions"][0]["standards"][0]["questions"][0]["id"] == "edu1"
    missing = client.get("/api/v1/frameworks/nope")
    assert missing.status_code == 404
    assert "example-index@1" in missing.json()["valid"]


def test_the_export_command(hand: dict[str, Any], tmp_path: Path) -> None:
    from zaragoza.errors import UsageError
    from zaragoza.portal.benchmarks.export import export_round

    out = tmp_path / "scores.csv"
    n = export_round("hand-2027", out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == n
    a = next(r for r in rows if r["entity"] == "EXAMPLE-A" and r["level"] == "overall")
    assert float(a["score"]) == 66.25
    assert {r["note"] for r in rows} == {"example — not real cities"}
    xlsx = tmp_path / "scores.xlsx"
    export_round("hand-2027", xlsx, "xlsx")
    import pandas as pd

    assert len(pd.read_excel(xlsx)) == n
    with pytest.raises(UsageError, match="no published round") as err:
        export_round("test-round", out, "csv")
    assert "hand-2027" in str(err.value)


def test_the_export_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zaragoza.cli import app

    result = CliRunner().invoke(
        app, ["benchmarks", "export", "--round", "x", "--out", str(tmp_path / "a.txt")]
    )
    assert result.exit_code == 2
    assert "unknown output format" in result.output


def test_an_answer_is_checked_by_the_engine_and_its_document_by_its_bytes(
    bench: dict[str, Any],
) -> None:
    from zaragoza.portal.benchmarks.models import Answer

    client = Client()
    client.force_login(bench["users"]["resp_a"])
    url = f"/en/benchmarks/assessments/{bench['a'].pk}/answer/"
    r = client.post(url, {"question": "edu1", "value": "maybe"})
    assert r.status_code == 400
    assert "edu1" in r.content.decode()
    fake = SimpleUploadedFile(
        "evidence.pdf", b"just text, not a PDF", content_type="application/pdf"
    )
    r = client.post(url, {"question": "edu1", "value": "yes", "file": fake})
    assert r.status_code == 400
    assert "PDF, PNG, JPEG, ODT or DOCX only" in r.content.decode()
    assert not Answer.objects.filter(assessment=bench["a"]).exists()
    png = SimpleUploadedFile("x.exe", PNG, content_type="application/octet-stream")
    r = client.post(
        url,
        {
            "question": "edu1", "value": "yes", "evidence": "The plan of 2026.",
            "links": "https://example.org/plan\n", "file": png, "document_title": "Plan",
        },
    )  # fmt: skip
    assert r.status_code == 302
    ans = Answer.objects.get(assessment=bench["a"], question="edu1")
    assert (ans.value, ans.links) == ("yes", ["https://example.org/plan"])
    doc = ans.documents.get()
    assert (doc.media_type, doc.title) == ("image/png", "Plan")
    assert doc.file.name.endswith("EXAMPLE-A-edu1.png")
    got = client.get(f"/en/benchmarks/assessments/{bench['a'].pk}/documents/{doc.pk}/")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert b"".join(got.streaming_content) == PNG
    # closing the response fires request_finished, whose close_old_connections would
    # close the test's database connection (on PostgreSQL) before the queries below
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        got.close()
    finally:
        request_finished.connect(close_old_connections)
    r = client.post(url, {"question": "wel1", "value": "yes", "links": "javascript:alert(1)"})
    assert r.status_code == 400
    # the completeness view counts the answer
    page = client.get(f"/en/benchmarks/assessments/{bench['a'].pk}/").content.decode()
    assert "1 of 2 questions answered." in page


def test_the_resident_questionnaire_is_anonymous(bench: dict[str, Any]) -> None:
    from zaragoza.portal.benchmarks.models import ResidentResponse, ResidentSurvey

    coord = Client()
    coord.force_login(bench["users"]["coord_a"])
    coord.post(f"/en/benchmarks/assessments/{bench['a'].pk}/survey/")
    survey = ResidentSurvey.objects.get(assessment=bench["a"])
    resident = Client()
    page = resident.get(f"/en/benchmarks/survey/{survey.token}/").content.decode()
    assert "anonymous" in page
    r = resident.post(
        f"/en/benchmarks/survey/{survey.token}/", {"welcome": "agree", "mixing": "disagree"}
    )
    assert "Thank you" in r.content.decode()
    stored = ResidentResponse.objects.get()
    assert stored.answers == {"welcome": "agree", "mixing": "disagree"}
    assert {f.name for f in ResidentResponse._meta.get_fields()} == {
        "id",
        "survey",
        "answers",
        "day",
    }
    assert (
        resident.post(f"/en/benchmarks/survey/{survey.token}/", {"welcome": "<b>"}).status_code
        == 400
    )
    assert resident.get("/en/benchmarks/survey/not-a-token/").status_code == 404
    page = coord.get(f"/en/benchmarks/assessments/{bench['a'].pk}/").content.decode()
    assert 'data-table="survey"' in page


def test_the_city_report_pdf_holds_findings_and_recommendations(hand: dict[str, Any]) -> None:
    from pypdf import PdfReader

    from zaragoza.portal.benchmarks.models import Finding, Recommendation

    a = hand["a"]
    a.state = "published"
    a.save()
    Finding.objects.create(
        review=hand["review_a"],
        standard="edu-policy",
        strengths="Mixed classes.",
        gaps="No mentors.",
    )
    Recommendation.objects.create(
        review=hand["review_a"], standard="edu-policy", text="Start school mentors."
    )
    r = Client().get(f"/en/benchmarks/assessments/{a.pk}/report.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split()
    )
    # in the city's language (Example city A's is German), the texts as written
    for expected in (
        "Stadtbericht: Example city A",
        "Mixed classes.",
        "No mentors.",
        "Start school mentors.",
        "Beispiel — keine echten Städte",
    ):
        assert expected in text, expected
    pdf = Client().get("/en/benchmarks/rounds/hand-2027/report.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Comparative report: Hand round 2027" in text
    assert "1 of N = 2" in text


def test_pages_in_french_and_german(bench: dict[str, Any]) -> None:
    import gettext

    for lang, title in (("fr", "Éducation"), ("de", "Bildung")):
        gettext.translation("django", LOCALE, [lang])  # the catalogue exists
        page = (
            Client().get(f"/{lang}/benchmarks/rounds/example-intercultural-2026/").content.decode()
        )
        assert title in page  # the framework's own translation
        t = gettext.translation("django", LOCALE, [lang]).gettext
        assert t("Scores per dimension") != "Scores per dimension"
        assert t("Scores per dimension") in page
        assert t("example — not real cities") in page


def test_the_example_round_is_labelled_everywhere(bench: dict[str, Any]) -> None:
    client = Client()
    for url in (
        "/en/benchmarks/",
        "/en/benchmarks/rounds/example-intercultural-2026/",
        "/en/benchmarks/rounds/example-intercultural-2026/report/",
        "/en/benchmarks/entities/EXAMPLE-C/",
        "/en/benchmarks/commitments/",
    ):
        assert "example — not real cities" in client.get(url).content.decode(), url
    data = json.loads(client.get("/api/v1/benchmarks/example-intercultural-2026/scores").content)
    assert data["example"] is True
    assert data["label"] == "example — not real cities"
    # the example's review: a finding and a recommendation on city C's city report
    from zaragoza.portal.benchmarks.models import Assessment

    c = Assessment.objects.get(round__slug="example-intercultural-2026", entity__code="EXAMPLE-C")
    page = client.get(f"/en/benchmarks/assessments/{c.pk}/report/").content.decode()
    assert "Example: draw up a neighbourhood mixing plan" in page


def test_the_example_round_on_the_bundled_framework(portal: Path, db: None) -> None:
    """The example as ``zaragoza serve`` loads it: the bundled intercultural index,
    four invented cities, every answer valid for the engine; loading twice adds nothing."""
    from zaragoza.portal.benchmarks.example import seed_example
    from zaragoza.portal.benchmarks.models import Entity, Round

    assert seed_example() == 2
    assert seed_example() == 0
    assert Round.objects.filter(framework="intercultural-index@1", example=True).count() == 2
    assert set(Entity.objects.values_list("example", flat=True)) == {True}
    assert all(n.startswith("Example city ") for n in Entity.objects.values_list("name", flat=True))
    page = Client().get("/en/benchmarks/rounds/example-intercultural-2026/").content.decode()
    assert 'data-table="scores-education"' in page


def test_an_invited_city_is_linked_to_a_warehouse_geography(bench: dict[str, Any]) -> None:
    from zaragoza.portal.benchmarks.models import Entity

    client = Client()
    client.force_login(bench["users"]["netadmin"])
    new = {"code": "EXAMPLE-N", "name": "Example city N", "country": "AT", "kind": "city"}
    r = client.post("/en/benchmarks/rounds/test-round/invite/", {**new, "geo": "ZZ9"})
    assert r.status_code == 400
    assert "no geography ZZ9" in r.content.decode()
    assert not Entity.objects.filter(code="EXAMPLE-N").exists()
    r = client.post("/en/benchmarks/rounds/test-round/invite/", {**new, "geo": "at"})
    assert r.status_code == 302
    e = Entity.objects.get(code="EXAMPLE-N")
    assert (e.geo, e.example, e.code_system) == ("AT", True, "lau")
    assert bench["round"].assessments.filter(entity=e, state="draft").exists()


def test_a_framework_page_reads_as_the_framework_in_the_page_language(
    portal: Path, db: None
) -> None:
    """The bundled intercultural index as a city reads it: every question with its
    options and scores, core questions marked, the rules, bands and sources; German
    where the framework has German; an unknown framework is a 404."""
    from zaragoza.frameworks import bundled_framework

    fw = bundled_framework("intercultural-index")
    client = Client()
    index = client.get("/en/benchmarks/").content.decode()
    assert f'href="/en/benchmarks/frameworks/{fw.key}/"' in index
    page = client.get(f"/en/benchmarks/frameworks/{fw.key}/").content.decode()
    questions = [q for _, _, q in fw.questions()]
    assert page.count("data-question=") == len(questions)
    assert page.count("data-core") == sum(q.core for q in questions)
    first = questions[0]
    assert first.text.replace("'", "&#x27;") in page
    assert "weighted mean" in page
    assert all(b.label in page for b in fw.bands)
    assert fw.sources[0].title.replace('"', "&quot;") in page
    german = client.get(f"/de/benchmarks/frameworks/{fw.key}/").content.decode()
    assert fw.text(first.id, "de").replace('"', "&quot;") in german
    assert first.text not in german
    assert "data-untranslated" not in german
    assert client.get("/en/benchmarks/frameworks/no-such@1/").status_code == 404
