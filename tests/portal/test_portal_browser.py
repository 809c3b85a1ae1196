"""The portal in headless Chromium: a contact on a phone (sign in by email link, the home,
a goal, the self-assessment, sign out) and staff on a desktop (view as, goals, stories,
champions). Screenshots go to docs/screenshots/ with SAVE_SCREENSHOTS=1."""

import pytest
from browser import shot
from portal_data import link_in


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} scrolls sideways ({width}px in {viewport}px)"


@pytest.mark.django_db(transaction=True)
def test_contact_on_a_phone(phone, live_server, full, smtp_server):
    from playwright.sync_api import expect

    from becoming.inspire.models import Goal

    page = phone
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="Sign in to your portal")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_label("Your work email").fill("person@alpha.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    link = link_in(smtp_server.messages[-1])
    assert link.startswith(live_server.url)

    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your journey")).to_be_visible()
    for heading in ("Your goals", "Customers like you", "Stories of peers", "Surveys waiting for you",
                    "Your progress over time", "Where do you stand?"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("blockquote.p-vision")).to_contain_text("export reports every week")
    assert page.locator("#progress-chart").bounding_box()["height"] > 100  # Chart.js drew it
    no_sideways_scroll(page)
    shot(page, "portal-phone")

    page.get_by_role("button", name="We're in: accept this goal").click()
    expect(page.get_by_text("Goal accepted")).to_be_visible()
    assert Goal.objects.get(customer=full["customers"]["A"], status="accepted").customer_accepted_on

    page.get_by_role("link", name="Update my self-assessment").click()
    no_sideways_scroll(page)
    page.get_by_label("Trying", exact=False).first.check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    page.get_by_role("link", name="All stories").click()
    expect(page.get_by_role("heading", name="Stories of peers")).to_be_visible()
    assert "Charlie" not in page.content()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to your portal")).to_be_visible()
    page.goto(link)  # the link was spent
    expect(page.get_by_role("alert")).to_contain_text("already used")


@pytest.mark.django_db(transaction=True)
def test_staff_on_a_desktop(page, live_server, full):
    from playwright.sync_api import expect

    ws = full["customers"]["A"].workspace
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/w/{ws.slug}/portal/")
    page.get_by_label("Search contacts").fill("alpha")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="View as").click()
    expect(page.get_by_role("status")).to_contain_text("Staff view")
    expect(page.get_by_role("heading", name="Your journey")).to_be_visible()
    expect(page.get_by_role("button", name="We're in: accept this goal")).to_be_disabled()
    shot(page, "portal-view-as")
    page.get_by_role("button", name="Back to staff pages").click()

    page.goto(f"{live_server.url}/w/{ws.slug}/inspire/goals/")
    expect(page.get_by_role("heading", name="Goals at risk")).to_be_visible()
    expect(page.get_by_role("cell", name="Alpha Logistics").first).to_be_visible()
    page.get_by_role("link", name="Stories").first.click()
    expect(page.get_by_role("heading", name="Stories", exact=True)).to_be_visible()
    page.get_by_role("link", name="Published (2)").click()
    page.get_by_role("link", name="A 900-person metals company moved from Trying to Regular").click()
    expect(page.get_by_text("No consent recorded")).to_be_visible()
    page.goto(f"{live_server.url}/w/{ws.slug}/inspire/champions/")
    page.get_by_role("button", name="Propose champions").click()
    expect(page.get_by_text("1 new champion proposed")).to_be_visible()
    page.get_by_label("Invite to").select_option("write")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Invited: write a case study")).to_be_visible()
