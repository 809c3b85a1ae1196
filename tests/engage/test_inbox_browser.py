"""Themes board, feedback and the customer page in a real headless Chromium.

Same setup as tests/web/test_browser.py: a live server and a real Huey consumer on a queue file
of the test's own. Screenshots go to docs/screenshots/ when SAVE_SCREENSHOTS=1.
"""

import pytest
from browser import shot
from inbox_data import feedback_csv, make_customers


@pytest.mark.django_db(transaction=True)
def test_themes_board_and_customer_page(page, live_server, consumer, workspace, owner, small_model, tmp_path):
    from playwright.sync_api import expect

    from becoming.assessments.actions import run_assessment
    from becoming.engage.actions.feedback import import_feedback
    from becoming.engage.actions.meetings import log_meeting
    from becoming.engage.actions.surveys import self_assessment, submit
    from becoming.engage.actions.themes import active_themes, discover_themes
    from becoming.engage.models import Response
    from becoming.transformation.actions import apply_model

    customers = make_customers(workspace)
    apply_model(workspace, small_model, owner)
    run_assessment(workspace)
    path = tmp_path / "feedback.csv"
    path.write_text(feedback_csv(customers))
    import_feedback(workspace, path, text_column="text", id_column="id", customer_column="customer_id",
                    time_column="time", channel="support")
    discover_themes(workspace, n_themes=3)
    survey = self_assessment(workspace, owner)
    response = Response.objects.create(survey=survey, customer=customers[0], contact=customers[0].contacts.first())
    submit(response, {"self_reporting": 2})
    from django.utils import timezone
    log_meeting(workspace, customers[0], kind="visit", when=timezone.now(), title="Quarterly review",
                next_steps="Show the report builder")
    base = f"{live_server.url}/w/{workspace.slug}"

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")

    # The board: three themes, each with its counts and quotes.
    page.click("nav >> text=Themes")
    cards = page.locator(".theme-card")
    expect(cards).to_have_count(3)
    expect(cards.first.locator(".customers-count")).to_have_text("9")
    expect(cards.first.locator("blockquote.quote")).to_have_count(3)
    shot(page, "themes")

    # Rename inline: the new name shows without a page load and stays after one.
    first = cards.first
    first.locator("button.rename").click()
    first.locator("input[name=name]").fill("Mobile app crashes")
    first.locator("button:has-text('Save')").click()
    expect(first.locator(".theme-title .name")).to_have_text("Mobile app crashes")
    page.reload()
    expect(page.locator(".theme-card").first.locator(".theme-title .name")).to_have_text("Mobile app crashes")

    # Discover again as a job: progress, then the name is still there.
    page.click("#discover summary")
    page.check("input[name=how][value=fixed]")
    page.fill("input[name=n_themes]", "3")
    page.click("button:has-text('Discover themes')")
    expect(page.locator(".job .badge")).to_have_text("done", timeout=60_000)
    page.click("text=Show the themes")
    expect(page.locator(".theme-title .name", has_text="Mobile app crashes")).to_have_count(1)
    assert [t.name for t in active_themes(workspace) if t.name] == ["Mobile app crashes"]

    # The inbox: filter by theme, chips link to the theme.
    page.click("nav >> text=Feedback")
    expect(page.locator(".feedback-item")).to_have_count(39)
    shot(page, "feedback")
    page.select_option("select[name=theme]", label=[
        o for o in page.locator("select[name=theme] option").all_inner_texts() if "Mobile app crashes" in o][0])
    expect(page.locator(".feedback-item")).to_have_count(13)

    # The customer page: self-assessed against measured, meetings, feedback with chips.
    page.goto(f"{base}/customers/{customers[0].pk}/")
    expect(page.locator(".self-gap")).to_contain_text(
        "Thinks they are Regular; the data shows Starting — worth a conversation")
    expect(page.locator(".customer-meetings")).to_contain_text("Quarterly review")
    expect(page.locator(".customer-feedback .chip").first).to_be_visible()
