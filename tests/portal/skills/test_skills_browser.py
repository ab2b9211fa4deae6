"""The interview in a real browser (Playwright, Debian's Chromium) against ``zaragoza
serve``: a counsellor signs in, starts a profile in English and Arabic, the Arabic
questions run right to left, the answers give next steps; the connection drops mid-form
and the answers survive and are sent once; axe-core finds no WCAG 2.1 A/AA violation,
and the form fits a phone's width. Shares the session's live server."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _zaragoza(warehouse: Path, *args: str, password: str) -> None:
    env = {**os.environ, "ZARAGOZA_WAREHOUSE": str(warehouse), "ZARAGOZA_NEW_PASSWORD": password}
    subprocess.run(
        [sys.executable, "-c", "from zaragoza.cli import app; app()", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _axe() -> Path | None:
    given = os.environ.get("ZARAGOZA_AXE_JS")
    if given:
        return Path(given)
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    path = Path(root.stdout.strip()) / "axe-core" / "axe.min.js"
    return path if path.exists() else None


def _edits(warehouse: Path, profile_id: str) -> int | None:
    """How many times the live server saved the profile (its SQLite database; None when
    the server runs on another database)."""
    import sqlite3

    path = warehouse.with_name(warehouse.stem + "-portal.sqlite3")
    if os.environ.get("DATABASE_URL"):
        return None
    with sqlite3.connect(path) as con:
        (n,) = con.execute(
            "SELECT count(*) FROM skills_accesslog WHERE action = 'edit' AND "
            "replace(profile_id, '-', '') = ?",
            [profile_id.replace("-", "")],
        ).fetchone()
    return int(n)


def _new_counsellor(warehouse: Path) -> tuple[str, str]:
    """A counsellor of the example service, made with the command; name and password."""
    name, password = f"example-counsellor-{secrets.token_hex(3)}", secrets.token_urlsafe(14)
    _zaragoza(
        warehouse,
        "users", "add", name, "--role", "counsellor", "--organisation", "example-service",
        password=password,
    )  # fmt: skip
    return name, password


def _start_interview(page: Any, name: str, password: str, person_language: str) -> None:
    """Sign the counsellor in and start a profile held in English and ``person_language``."""
    page.goto("/en/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    page.click("form.practice-form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/en/skills/new/")
    page.fill("#f-geo", "AT")
    page.fill("#f-host", "de")
    page.select_option("#f-cl", "en")
    page.select_option("#f-pl", person_language)
    page.fill("#f-name", "Example person (synthetic)")
    page.check("#f-c1")
    page.click("form.practice-form button[type=submit]")
    page.wait_for_selector("#interview")


def _axe_violations(page: Any, axe: Path) -> Any:
    page.add_script_tag(path=str(axe))
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.length, target: v.nodes[0].target}))"
    )


def test_an_interview_in_english_and_arabic(
    browser: Any,
    live_portal: str,
    default_warehouse: Path,
    screenshots: Path,
    require: Callable[[bool, str], None],
) -> None:
    name, password = _new_counsellor(default_warehouse)
    axe = _axe()
    ctx = browser.new_context(
        base_url=live_portal, viewport={"width": 390, "height": 844}, bypass_csp=axe is not None
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _start_interview(page, name, password, "ar")
        assert "Example" not in page.url
        arabic = page.locator('label[for="f-yob"] span[lang="ar"]')
        assert arabic.inner_text() == "سنة الميلاد"
        assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
        english = page.locator('label[for="f-yob"] span[lang="en"]')
        assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
        # no horizontal overflow at a phone's width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.fill("#f-yob", "1990")
        page.select_option("#f-edu-0-level", "7")
        page.fill("#f-work-0-occupation", "janitor")
        page.check("#f-work-0-current")
        page.select_option("#f-lang-0-listening", "A2")
        page.click("#interview button[type=submit]")
        page.wait_for_selector("[data-steps]")
        rules = page.locator("[data-steps] li").evaluate_all("els => els.map(e => e.dataset.rule)")
        assert "over-qualification-risk" in rules
        assert "host-language-course" in rules
        page.screenshot(path=str(screenshots / "skills-interview-ar.png"), full_page=False)
        assert "saved=1" in page.url
        profile_id = page.url.split("/skills/p/")[1].split("/")[0]
        other_db = bool(os.environ.get("DATABASE_URL"))
        assert _edits(default_warehouse, profile_id) == (None if other_db else 1)
        # offline: the connection drops mid-form; the answers survive and are sent once
        page.fill("#f-other", "Example: repairs bicycles")
        ctx.set_offline(True)
        page.click("#interview button[type=submit]")
        page.wait_for_selector("#draft-notice:not([hidden])")
        assert "No connection" in page.locator("#draft-notice").inner_text()
        ctx.set_offline(False)
        page.wait_for_function("() => document.querySelector('#interview').dataset.saved === 'yes'")
        assert page.input_value("#f-other") == "Example: repairs bicycles"
        assert _edits(default_warehouse, profile_id) == (None if other_db else 2)  # sent once
        assert page.evaluate("Object.keys(sessionStorage).length") == 0
        require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
        assert axe is not None
        found = _axe_violations(page, axe)
        assert found == [], found
        assert errors == [], errors
    finally:
        ctx.close()


def test_the_person_links_their_account_with_the_code(
    browser: Any,
    live_portal: str,
    default_warehouse: Path,
    screenshots: Path,
    require: Callable[[bool, str], None],
) -> None:
    name, password = _new_counsellor(default_warehouse)
    axe = _axe()
    require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
    assert axe is not None
    desk = browser.new_context(
        base_url=live_portal, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    phone = browser.new_context(
        base_url=live_portal, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    try:
        page = desk.new_page()
        _start_interview(page, name, password, "uk")
        profile_url = page.url
        assert page.evaluate("document.querySelector('[data-linked]').dataset.linked") == "no"
        page.click("[data-link-code-button]")
        page.wait_for_selector("[data-link-code]")
        code = page.inner_text("[data-link-code]")
        assert page.locator('.link-sheet span[lang="uk"]').count() >= 3
        page.screenshot(path=str(screenshots / "skills-link-code.png"))
        assert _axe_violations(page, axe) == []
        # the person, on a phone, without an account yet
        person = phone.new_page()
        person.goto("/en/skills/claim/")
        assert person.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert _axe_violations(person, axe) == []
        person.goto("/en/skills/claim/")
        person.fill("#f-code", code.lower())
        person.fill("#id_username", f"sunrise-{secrets.token_hex(3)}")
        person_password = secrets.token_urlsafe(14)
        person.fill("#id_password1", person_password)
        person.fill("#id_password2", person_password)
        person.click("form.practice-form button[type=submit]")
        person.wait_for_selector("#interview")
        assert person.url == profile_url
        assert person.locator("#interview fieldset[disabled]").count() >= 1  # read only
        assert person.locator("[data-link-code-button]").count() == 0
        person.screenshot(path=str(screenshots / "skills-person-own-profile.png"))
        page.goto(profile_url)
        assert page.evaluate("document.querySelector('[data-linked]').dataset.linked") == "yes"
    finally:
        desk.close()
        phone.close()
