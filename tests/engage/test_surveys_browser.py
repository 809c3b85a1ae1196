"""The respondent's page in a real headless Chromium on a phone-sized screen (375×740).

Launch options and the live-server setup follow tests/web/test_browser.py. A screenshot goes
to docs/screenshots/respondent.png when SAVE_SCREENSHOTS=1.
"""

import datetime as dt
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def phone(monkeypatch):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                      has_touch=True, device_scale_factor=2)
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_respondent_on_a_phone(phone, live_server, survey):
    from django.utils import timezone
    from playwright.sync_api import expect

    from becoming.engage import surveys
    from becoming.engage.models import Invitation, Response
    from becoming.signals.actions import store_for

    contact = survey.workspace.contacts.exclude(email="").first()
    invitation = Invitation.objects.create(survey=survey, contact=contact,
                                           expires=timezone.now() + dt.timedelta(days=7))
    page = phone
    page.goto(f"{live_server.url}/s/{surveys.token_for(invitation)}/")
    expect(page.get_by_role("heading", name="How is reporting going?")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
    option = page.locator("#q-confidence label.option", has_text="4")
    box = option.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb can hit it

    option.click()
    expect(page.locator("#save-status")).to_contain_text("Saved")
    assert Response.objects.get(invitation=invitation).answers == {"confidence": 4}
    with page.expect_response(lambda r: r.url.endswith("/save/")) as saved:
        page.get_by_label("Templates").check()
    assert saved.value.ok
    expect(page.locator("#save-status")).to_contain_text("Saved")
    assert Response.objects.get(invitation=invitation).answers == {"confidence": 4, "next_step": 2}
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "respondent.png"), full_page=True)

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    assert response.submitted and response.answers == {"confidence": 4, "next_step": 2}
    assert store_for(survey.workspace).count("answer") == 2

    page.reload()
    expect(page.get_by_role("heading", name="You have already answered — thank you")).to_be_visible()
    expect(page.get_by_role("button", name="Submit")).to_have_count(0)
