"""The knowledge base in a real browser (Playwright, Debian's Chromium) against
``zaragoza serve``: the whole editorial workflow by three people, the public finding the
result by full text, facet and map, the pages at phone width, and an axe-core audit.

Shares the session's live server (``live_portal``); the example content and the users are
added to its database with the ``zaragoza`` command, as an administrator would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).parent.parent.parent / "data" / "knowledge" / "content"


def _zaragoza(warehouse: Path, *args: str, password: str | None = None) -> None:
    env = {**os.environ, "ZARAGOZA_WAREHOUSE": str(warehouse)}
    if password:
        env["ZARAGOZA_NEW_PASSWORD"] = password
    subprocess.run(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def kb_live(live_portal: str, default_warehouse: Path) -> dict[str, Any]:
    """The live server with the example content and a contributor and an Austrian
    coordinator (unique names and random passwords for this run)."""
    tag = secrets.token_hex(3)
    people = {}
    for who, role in (
        ("contrib", ["--role", "contributor"]),
        ("coord", ["--role", "coordinator", "--country", "AT"]),
    ):
        name, password = f"example-{who}-{tag}", secrets.token_urlsafe(12)
        _zaragoza(
            default_warehouse,
            "users",
            "add",
            name,
            *role,
            "--email",
            f"{who}@example.org",
            password=password,
        )
        people[who] = (name, password)
    _zaragoza(default_warehouse, "practices", "seed", "--content", str(CONTENT))
    return {"base": live_portal, "tag": tag, **people}


def _context(browser: Any, base: str, **kw: Any) -> Any:
    ctx = browser.new_context(base_url=base, **kw)
    ctx.errors = []
    return ctx


@pytest.fixture
def contexts(browser: Any, kb_live: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(**kw: Any) -> Any:
        ctx = browser.new_context(base_url=kb_live["base"], **kw)
        page = ctx.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        made.append(ctx)
        return page

    yield make
    for ctx in made:
        ctx.close()


def _login(page: Any, who: tuple[str, str]) -> None:
    page.goto("/en/login/")
    page.fill("#id_username", who[0])
    page.fill("#id_password", who[1])
    page.click("form.practice-form button[type=submit]")
    page.wait_for_url("**/en/work/")


def _step(page: Any, action: str, comment: str | None = None, rubric: bool = False) -> None:
    form = page.locator(f"form[data-step={action}]")
    if comment is not None:
        form.locator("textarea").fill(comment)
    if rubric:
        for name, score in (
            ("relevance", "4"),
            ("stakeholder_involvement", "3"),
            ("transferability", "3"),
            ("evidence", "2"),
        ):
            form.locator(f"select[name={name}]").select_option(score)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_the_whole_workflow_in_the_browser(
    contexts: Callable[..., Any], kb_live: dict[str, Any], screenshots: Path
) -> None:
    word = f"zorblax{kb_live['tag']}"
    contributor, coordinator = contexts(), contexts()
    _login(contributor, kb_live["contrib"])
    contributor.click("a[data-new]")
    contributor.fill("#id_title", f"Example: {word} welcome desk")
    contributor.fill("#id_language", "de")
    contributor.fill("#id_summary", "An invented example for the browser test.")
    contributor.check("input[name=countries][value=AT]")
    contributor.select_option("#id_level", "local")
    contributor.check("input[name=themes][value=introduction]")
    contributor.fill("#id_start", "2019")
    contributor.fill("#id_context", "Newcomers did not know where to turn.")
    contributor.fill("#id_objectives", "Orientation in the first weeks.")
    contributor.fill("#id_activities", "Advice in six languages.")
    contributor.fill("#id_evaluation", "No evaluation was found.")
    contributor.fill("#id_sources", "Invented example | https://example.org/desk")
    contributor.fill("#id_checked", "2026-01-05")
    contributor.click("form.practice-form button[type=submit]")
    contributor.wait_for_url("**/en/practices/example-*/")
    url = contributor.url
    assert contributor.locator("[data-state=draft]").count() == 1
    _step(contributor, "submit")
    assert contributor.locator("[data-state=submitted]").count() == 1
    # The coordinator for Austria returns it with a comment.
    _login(coordinator, kb_live["coord"])
    assert coordinator.locator("[data-list=queue] a", has_text=word).count() == 1
    coordinator.goto(url)
    _step(coordinator, "return", comment="Please say who runs the desk.")
    assert coordinator.locator("[data-state=returned]").count() == 1
    # The contributor reads the comment, edits and submits again.
    contributor.goto(url)
    assert "Please say who runs the desk." in contributor.locator("[data-comment]").inner_text()
    contributor.click("a[data-edit]")
    contributor.fill("#id_activities", "Advice in six languages by the city's social workers.")
    contributor.click("form.practice-form button[type=submit]")
    contributor.wait_for_url(url)
    _step(contributor, "submit")
    # The coordinator publishes, with the review rubric.
    coordinator.goto(url)
    _step(coordinator, "publish", rubric=True)
    assert coordinator.locator("[data-state=published]").count() == 1
    # The public finds it by full text, by facet and on the map.
    public = contexts()
    public.goto(f"/en/practices/?q={word}")
    results = public.locator("[data-results] [data-practice]")
    assert results.count() == 1
    assert word in results.first.inner_text()
    public.goto("/en/practices/?q=social+workers")
    assert public.locator("[data-results] [data-practice]", has_text=word).count() == 1
    public.goto("/en/practices/")
    public.locator("details[data-facet=theme] a[data-code=introduction]").click()
    public.wait_for_url("**theme=introduction**")
    assert public.locator("[data-results] [data-practice]", has_text=word).count() == 1
    public.goto("/en/practices/?theme=introduction")
    public.locator("svg[data-map=practices] a:has(path[data-geo=AT])").click()
    public.wait_for_url("**country=AT**")
    assert public.locator("[data-results] [data-practice]", has_text=word).count() == 1
    public.screenshot(path=str(screenshots / "practices-search.png"), full_page=True)
    public.goto(url)
    public.screenshot(path=str(screenshots / "practice.png"), full_page=True)
    for page in (contributor, coordinator, public):
        assert page.errors == [], page.errors


PUBLIC_PAGES = {
    "practices": "/en/practices/?theme=language",
    "practice": "/en/practices/example-language-cafe/",
    "profiles": "/en/governance/",
    "profile": "/en/governance/AT/",
    "organisations": "/en/organisations/",
    "organisation": "/en/organisations/example-ngo/",
    "login": "/en/login/",
    "practices-fr": "/fr/practices/",
}


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_pages_fit_a_phone_and_read_without_javascript(
    browser: Any, kb_live: dict[str, Any], name: str, screenshots: Path
) -> None:
    ctx = browser.new_context(
        base_url=kb_live["base"], viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = ctx.new_page()
    assert page.goto(PUBLIC_PAGES[name]).status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width}px wide at 390px"
    assert page.locator("main h1").is_visible()
    page.screenshot(path=str(screenshots / f"kb-{name}-390.png"), full_page=True)
    ctx.close()


def _axe(page: Any) -> list[Any]:
    from test_browser import _audit, _axe_script  # the portal's own helpers

    axe = _axe_script()
    assert axe is not None
    return _audit(page, axe)


def test_knowledge_pages_have_no_wcag_violations(
    browser: Any, kb_live: dict[str, Any], require: Callable[[bool, str], None]
) -> None:
    from test_browser import _axe_script

    require(_axe_script() is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
    ctx = browser.new_context(base_url=kb_live["base"], bypass_csp=True)
    page = ctx.new_page()
    found = {}
    for name, path in PUBLIC_PAGES.items():
        page.goto(path)
        found[name] = _axe(page)
    _login(page, kb_live["contrib"])
    for name, path in (
        ("work", "/en/work/"),
        ("new", "/en/practices/new/"),
        ("account", "/en/account/"),
    ):
        page.goto(path)
        found[name] = _axe(page)
    page.goto("/en/practices/new/")
    page.click("form.practice-form button[type=submit]")  # empty: errors on the form
    page.wait_for_load_state()
    found["form-errors"] = _axe(page)
    ctx.close()
    bad = {k: v for k, v in found.items() if v}
    assert bad == {}, bad
