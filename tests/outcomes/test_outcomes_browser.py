"""The outcome panel and report in a real headless Chromium against a live server (the
`page` fixture and screenshots come from tests/browser.py).

Screenshots go to docs/screenshots/ (outcomes.png, dashboard-pays.png) when SAVE_SCREENSHOTS=1.
"""

import os
import re

import pytest
from browser import SHOTS, shot


def full_page_shot(page, name):
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_panel_and_report(page, live_server, shop, owner):
    from playwright.sync_api import expect

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    base = f"{live_server.url}/w/{shop.slug}"

    # The dashboard comes first; the panel follows through htmx and draws three charts.
    page.goto(f"{base}/")
    panel = page.locator("#outcomes-panel")
    expect(panel.locator("canvas[data-drawn='1']")).to_have_count(3)
    expect(panel.locator(".headline")).to_contain_text("stayed")
    # The nav fits on one line at 1280 px: every link on the same row as the brand.
    heights = page.eval_on_selector_all(".mainnav a, .navmore summary, .brand",
                                        "els => els.map(e => e.getBoundingClientRect().top)")
    assert max(heights) - min(heights) < 12, heights
    panel.scroll_into_view_if_needed()
    shot(panel, "dashboard-pays")  # the panel alone

    # The full report; then a 12-month window brings the survival curves.
    panel.locator("a:has-text('Full report')").click()
    expect(page).to_have_url(re.compile(r"/outcomes/$"))
    expect(page.locator("canvas.outcome-chart[data-drawn='1']")).to_have_count(1)
    expect(page.locator(".stage-table")).to_contain_text("50.0% (35.2–64.8)")
    page.select_option("#o-window", "12m")  # submits on change
    expect(page).to_have_url(re.compile(r"window=12m"))
    expect(page.locator(".badge.mode-no-leakage")).to_be_visible()
    expect(page.locator(".survival canvas[data-drawn='1']")).to_have_count(1)
    full_page_shot(page, "outcomes")
    assert not errors, errors
