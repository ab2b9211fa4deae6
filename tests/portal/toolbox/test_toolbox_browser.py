"""The toolbox in a real browser (Playwright, Debian's Chromium) against ``zaragoza
serve`` on the embedded default and the bundled toolbox: a local authority enters its
context, gets a ranked list with reasons, changes a weight, keeps three measures in a
plan and downloads the PDF. Shares the session's live server (``live_portal``)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_a_local_authority_builds_a_plan(browser: Any, live_portal: str, screenshots: Path) -> None:
    from pypdf import PdfReader

    ctx = browser.new_context(base_url=live_portal, accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto("/en/toolbox/")
        page.click("a[href='/en/toolbox/recommend/']")
        # the context: a local authority in Austria, medium-sized, with its competences
        page.select_option("#c-level", "local")
        page.fill("#c-geo", "AT")
        page.select_option("#c-size", "medium")
        page.fill("#c-recent", "30")
        page.select_option("#c-resources", "medium")
        for name, value in (
            ("migrant_groups", "labour"),
            ("migrant_groups", "family"),
            ("competences", "language_training"),
            ("competences", "education"),
            ("competences", "social_services"),
            ("partners", "employers"),
            ("partners", "ngos"),
            ("partners", "schools"),
        ):
            page.check(f"input[name={name}][value={value}]")
        page.click("button[data-rank]")
        page.wait_for_selector("ol[data-ranked]")
        assert "geo=AT" in page.url
        assert "competences=language_training" in page.url
        ranked = page.locator("ol[data-ranked] > li")
        assert ranked.count() >= 10
        first = ranked.first
        reasons = first.locator("[data-reasons] li").all_inner_texts()
        assert any(re.search(r"gap [+-]\d+\.\d pp", r) for r in reasons), reasons
        assert any(r.startswith("evidence: ") for r in reasons)
        assert page.locator("[data-excluded] li.result").count() >= 1
        before = page.locator("ol[data-ranked] > li").evaluate_all(
            "els => els.map(e => e.dataset.measure)"
        )
        page.screenshot(path=str(screenshots / "toolbox-ranked.png"), full_page=False)
        # the weights are the user's: evidence only
        page.fill("#w-gap", "0")
        page.fill("#w-fit", "0")
        page.fill("#w-evidence", "1")
        page.click("button[data-rank]")
        page.wait_for_selector("ol[data-ranked]")
        assert "w_evidence=1" in page.url
        assert "gaps 0.0, fit 0.0, evidence 1.0" in page.locator("[data-weights-used]").inner_text()
        after = page.locator("ol[data-ranked] > li").evaluate_all(
            "els => els.map(e => e.dataset.measure)"
        )
        assert after != before
        assert sorted(after) == sorted(before)
        # keep three measures
        kept = []
        for _ in range(3):
            button = page.locator("button[data-keep]").first
            kept.append(button.get_attribute("data-keep"))
            button.click()
            page.wait_for_load_state()
        assert page.locator("[data-kept]").count() == 3
        page.click("a[data-plan-link]")
        page.wait_for_selector("ol[data-plan]")
        assert (
            page.locator("ol[data-plan] > li").evaluate_all(
                "els => els.map(e => e.dataset.measure)"
            )
            == kept
        )
        page.fill(f"#note-{kept[0]}", "Start with the district office in 2027.")
        page.click("button[data-save-notes]")
        page.wait_for_selector("ol[data-plan]")
        assert page.input_value(f"#note-{kept[0]}") == "Start with the district office in 2027."
        with page.expect_download() as info:
            page.click("a[data-pdf]")
        path = info.value.path()
        data = Path(path).read_bytes()
        assert data.startswith(b"%PDF")
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split()
        )
        assert "Integration plan" in text
        assert "Start with the district office in 2027." in text
        assert "AT (local)" in text
        page.screenshot(path=str(screenshots / "toolbox-plan.png"), full_page=True)
        assert errors == []
    finally:
        ctx.close()
