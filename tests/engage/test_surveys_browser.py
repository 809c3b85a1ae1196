"""The respondent's page in a real headless Chromium on a phone-sized screen (375×740).

Launch options and the live-server setup follow tests/web/test_browser.py. A screenshot goes
to docs/screenshots/respondent.png when SAVE_SCREENSHOTS=1.
"""

import datetime as dt

import pytest
from browser import shot


@pytest.mark.django_db(transaction=True)
def test_respondent_on_a_phone(phone, live_server, survey):
    from django.utils import timezone
    from playwright.sync_api import expect

    from becoming.engage.actions import surveys
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
    shot(page, "respondent")

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    assert response.submitted and response.answers == {"confidence": 4, "next_step": 2}
    assert store_for(survey.workspace).count("answer") == 2

    page.reload()
    expect(page.get_by_role("heading", name="You have already answered — thank you")).to_be_visible()
    expect(page.get_by_role("button", name="Submit")).to_have_count(0)
