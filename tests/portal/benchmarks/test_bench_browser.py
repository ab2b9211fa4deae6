"""A whole benchmark round in a real browser (Playwright, Debian's Chromium) against
``zaragoza serve`` on the embedded default, with the bundled intercultural-city index:
the network's administrator opens a round, invites a city and sets up its review team;
the city's coordinator assigns questions; a respondent answers with a document; the
city submits; the reviewer writes a finding and a recommendation; the city publishes,
and its report PDF holds them. axe-core audits the new pages, which fit 390 px.

Shares the session's live server (``live_portal``); the people are added with the
``zaragoza users add`` command, as an administrator would (unique names and random
passwords for this run).
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zaragoza(warehouse: Path, *args: str, password: str | None = None) -> None:
    env = {**os.environ, "ZARAGOZA_WAREHOUSE": str(warehouse)}
    if password:
        env["ZARAGOZA_NEW_PASSWORD"] = password
    subprocess.run(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", *args],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def people(live_portal: str, default_warehouse: Path) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    city = f"EXAMPLE-T{tag}".upper()
    made: dict[str, Any] = {"tag": tag, "city": city, "base": live_portal}
    for who, role in (
        ("netadmin", ["--role", "network_admin", "--network", "example-network"]),
        ("coord", ["--role", "city_coordinator", "--entity", city]),
        ("resp", ["--role", "respondent", "--entity", city]),
        ("reviewer", ["--role", "contributor"]),  # made a peer reviewer by the review team
    ):
        name, password = f"example-{who}-{tag}", secrets.token_urlsafe(12)
        _zaragoza(default_warehouse, "users", "add", name, *role, "--email", f"{who}@example.org",
                  password=password)  # fmt: skip
        made[who] = (name, password)
    return made


def _login(browser: Any, base: str, who: tuple[str, str]) -> Any:
    # axe-core is injected for the audits, which the site's CSP would refuse
    ctx = browser.new_context(base_url=base, accept_downloads=True, bypass_csp=True)
    page = ctx.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.goto("/en/login/")
    page.fill("#id_username", who[0])
    page.fill("#id_password", who[1])
    page.click("form.practice-form button[type=submit]")
    page.wait_for_url("**/en/work/")
    return page


def _audit(page: Any, found: dict[str, Any], name: str) -> None:
    from test_browser import _audit as audit  # the portal's own helpers
    from test_browser import _axe_script

    axe = _axe_script()
    if axe is None:
        return  # the public pages' test requires it and says so
    violations = audit(page, axe)
    if violations:
        found[name] = violations


def test_a_whole_round(
    browser: Any, people: dict[str, Any], tmp_path: Path, screenshots: Path
) -> None:
    from pypdf import PdfReader

    audits: dict[str, Any] = {}
    base, city, tag = people["base"], people["city"], people["tag"]
    evidence = tmp_path / "school-plan.pdf"
    evidence.write_bytes(PDF)
    # the network's administrator opens a round and invites a new city
    admin = _login(browser, base, people["netadmin"])
    admin.goto("/en/benchmarks/")
    admin.select_option("#r-network", "example-network")
    admin.select_option("#r-framework", "intercultural-index@1")
    admin.fill("#r-year", "2031")
    admin.fill("#r-title", f"Example test round {tag}")
    admin.click("form[data-round-form] button[type=submit]")
    admin.wait_for_selector("form[data-invite]")
    round_url = admin.url
    admin.fill("#i-code", city)
    admin.fill("#i-name", f"Example city T {tag}")
    admin.fill("#i-country", "AT")
    admin.fill("#i-geo", "AT")
    admin.fill("#i-language", "en")
    admin.click("form[data-invite] button[type=submit]")
    admin.click(f"li[data-entity={city}] a")
    admin.wait_for_selector("form[data-team-form]")
    assessment_url = admin.url
    assert admin.locator("[data-question]").count() == 0  # the network sees no answer
    admin.fill("#t-entities", "EXAMPLE-A")
    admin.fill("#t-reviewers", people["reviewer"][0])
    admin.fill("#t-experts", "Example expert (invented)")
    admin.click("button[data-team]")
    admin.wait_for_selector("text=Review team saved.")
    # the coordinator assigns two questions to the respondent
    coord = _login(browser, base, people["coord"])
    coord.goto(assessment_url)
    questions = coord.locator("[data-question]").evaluate_all(
        "els => els.map(e => e.dataset.question)"
    )
    assert len(questions) == 31
    first, second = questions[0], questions[1]
    coord.select_option("#as-respondent", people["resp"][0])
    coord.check(f"form[data-assign-form] input[value='{first}']")
    coord.check(f"form[data-assign-form] input[value='{second}']")
    coord.click("button[data-assign]")
    coord.wait_for_selector(f"[data-assignment='{people['resp'][0]}']")
    _audit(coord, audits, "self-assessment (coordinator)")
    # the respondent sees their two questions only and answers one with a document
    resp = _login(browser, base, people["resp"])
    resp.goto(assessment_url)
    assert resp.locator("[data-question]").evaluate_all(
        "els => els.map(e => e.dataset.question)"
    ) == [first, second]
    form = resp.locator(f"form[data-answer-form='{first}']")
    form.locator("input[name=value]").first.check()
    form.locator("textarea[name=evidence]").fill("The council's strategy of 2030.")
    form.locator("textarea[name=links]").fill("https://example.org/strategy")
    form.locator("input[type=file]").set_input_files(str(evidence))
    form.locator("input[name=document_title]").fill("Strategy 2030")
    form.locator("button[type=submit]").click()
    resp.wait_for_selector("text=Answer saved.")
    assert (
        resp.locator(f"[data-question='{first}'] [data-document]")
        .inner_text()
        .startswith("Strategy 2030")
    )
    resp.screenshot(path=str(screenshots / "bench-respondent.png"), full_page=False)
    _audit(resp, audits, "self-assessment (respondent)")
    # the city sees the answer and its completeness, and submits
    coord.goto(assessment_url)
    assert "1 of 31 questions answered." in coord.locator("[data-completeness]").inner_text()
    coord.click("button[data-submit]")
    coord.wait_for_selector("[data-state=submitted]")
    # the reviewer starts the review and writes a finding and a recommendation
    rev = _login(browser, base, people["reviewer"])
    rev.goto(assessment_url)
    assert (
        "The council's strategy of 2030." in rev.locator(f"[data-question='{first}']").inner_text()
    )
    rev.click("button[data-start-review]")
    rev.wait_for_selector("[data-state=in_review]")
    rev.click("a[data-review-link]")
    rev.fill("#r-visit", "Example: one day, the welcome office.")
    rev.click("button[data-save-visit]")
    rev.wait_for_selector("text=Visit plan and notes saved.")
    standard = rev.locator("[data-finding]").first.get_attribute("data-finding")
    rev.fill(f"[id='fs-{standard}']", "A strategy adopted by the council.")
    rev.fill(f"[id='fg-{standard}']", "No budget line for it.")
    rev.click(f"button[data-save-finding='{standard}']")
    rev.wait_for_selector("text=Finding saved.")
    rev.fill("#rec-text", "Give the strategy its own budget line.")
    rev.select_option("#rec-standard", standard)
    rev.fill("#rec-measures", "job-related-language-courses")
    rev.click("button[data-add-recommendation]")
    rev.wait_for_selector("text=Recommendation added.")
    assert (
        "Give the strategy its own budget line."
        in rev.locator("[data-recommendations]").inner_text()
    )
    rev.screenshot(path=str(screenshots / "bench-review.png"), full_page=False)
    _audit(rev, audits, "peer review (reviewer)")
    # the city publishes its results; its report PDF holds the review
    coord.goto(assessment_url)
    coord.click("button[data-publish]")
    coord.wait_for_selector("[data-state=published]")
    with coord.expect_download() as info:
        coord.click("a[data-report-pdf]")
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    for expected in (
        f"City report: Example city T {tag}",
        "A strategy adopted by the council.",
        "No budget line for it.",
        "Give the strategy its own budget line.",
        "example — not real cities",
    ):
        assert expected in text, expected
    # the public reads the published results; the round once the network publishes it
    pub = browser.new_context(base_url=base).new_page()
    assert pub.goto(assessment_url).status == 200
    assert pub.goto(round_url).status == 404
    admin.goto(round_url)
    admin.click("button[data-publish-round]")
    admin.wait_for_selector("text=Comparative report published.")
    assert pub.goto(round_url).status == 200
    assert pub.locator(f"table[data-node=overall] tr[data-entity='{city}']").count() == 1
    pub.context.close()
    assert audits == {}, audits
    for page in (admin, coord, resp, rev):
        assert page.errors == [], page.errors
        page.context.close()


NEW_PAGES = {
    "index": "/en/benchmarks/",
    "round": "/en/benchmarks/rounds/example-intercultural-2026/",
    "round-fr": "/fr/benchmarks/rounds/example-intercultural-2026/",
    "report": "/en/benchmarks/rounds/example-intercultural-2026/report/",
    "entity": "/en/benchmarks/entities/EXAMPLE-A/",
    "commitments": "/en/benchmarks/commitments/",
    "framework-de": "/de/benchmarks/frameworks/intercultural-index@1/",
}


def _assessment_pages(live_portal: str) -> dict[str, str]:
    import re
    import urllib.request

    with urllib.request.urlopen(live_portal + NEW_PAGES["round"]) as r:
        page = r.read().decode()
    pk = re.findall(r'href="/en/benchmarks/assessments/(\d+)/report/"', page)[0]
    return {
        "assessment": f"/en/benchmarks/assessments/{pk}/",
        "review": f"/en/benchmarks/assessments/{pk}/review/",
        "city-report": f"/en/benchmarks/assessments/{pk}/report/",
    }


def test_the_new_pages_are_accessible_and_fit_a_phone(
    browser: Any, people: dict[str, Any], require: Any, screenshots: Path
) -> None:
    from test_browser import _audit, _axe_script  # the portal's own helpers

    axe = _axe_script()
    require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
    assert axe is not None
    pages = {**NEW_PAGES, **_assessment_pages(people["base"])}
    found: dict[str, Any] = {}
    for width in (1280, 390):
        ctx = browser.new_context(
            base_url=people["base"], bypass_csp=True, viewport={"width": width, "height": 844}
        )
        page = ctx.new_page()
        for name, url in pages.items():
            assert page.goto(url).status == 200, url
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (name, width, scroll)
            violations = _audit(page, axe)
            if violations:
                found[f"{name}@{width}"] = violations
            if width == 390:
                page.screenshot(path=str(screenshots / f"bench-{name}-390.png"), full_page=True)
        ctx.close()
    assert found == {}, found
