"""The round review page and the forum in headless Chromium (live server, real job consumer,
real SMTP on loopback)."""

import time

import pytest
from browser import shot


@pytest.mark.django_db(transaction=True)
def test_review_send_round_and_forum(page, live_server, consumer, community, owner, smtp_server, client):
    from playwright.sync_api import expect
    from support import portal_sign_in

    from becoming.connect.actions import forum, rounds
    from becoming.connect.models import Introduction, Post
    from becoming.customers.models import Contact

    round_ = rounds.propose(community, text_attributes=["Work"])["round"]
    forum.add_topic(community, "Second sites")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")

    page.goto(f"{live_server.url}/w/{community.slug}/connect/rounds/")
    page.click(f"text={round_.name}")
    rows = page.locator("tr.pair")
    expect(rows).to_have_count(3)
    mid = rows.filter(has_text="Mid Works")
    mid.locator("button:has-text('Drop')").click()  # htmx swaps the row in place
    expect(page.locator("tr.pair.dropped")).to_have_count(1)
    expect(page.locator("tr.pair.dropped")).to_contain_text("Dropped by staff")
    north = rows.filter(has_text="North Works")
    north.locator("textarea[name=reason]").fill("Both are opening a second plant this year.")
    north.locator("button:has-text('Save reason')").click()
    expect(page.locator("tr.pair", has_text="North Works").locator("textarea")).to_have_value(
        "Both are opening a second plant this year.")
    shot(page, "connect-round")
    page.click("#send-round")
    deadline = time.monotonic() + 60
    while len(smtp_server.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "lead@east.test", "lead@north.test", "lead@south.test", "lead@west.test"]
    while "· Sent ·" not in page.locator("h1 + p").inner_text() and time.monotonic() < deadline:
        time.sleep(0.3)  # the job marks the round sent after its last mail
        page.reload()
    expect(page.locator("h1 + p")).to_contain_text("Sent")
    expect(page.locator("tr.pair", has_text="North Works")).to_contain_text("Both are opening a second plant")
    assert Introduction.objects.filter(round=round_, status="sent").count() == 2

    # A member opens the forum in the portal, starts a thread; staff answer it.
    portal_sign_in(client, Contact.objects.get(email="lead@north.test"))
    member = page.context.browser.new_context()  # the member's own browser: no staff session
    member.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                         "url": live_server.url}])
    portal = member.new_page()
    portal.goto(f"{live_server.url}/portal/connect/forum/")
    portal.fill("input[name=title]", "Who has trained shift leads?")
    portal.fill("textarea[name=body]", "We open our second plant in May and need six shift leads.")
    portal.click("button:has-text('Post')")
    expect(portal.locator("h1")).to_have_text("Who has trained shift leads?")
    page.goto(f"{live_server.url}/w/{community.slug}/connect/forum/")
    page.fill("input[name=q]", "shift leads")
    page.click("button:has-text('Search')")
    page.click("text=Who has trained shift leads?")
    page.fill("textarea[name=body]", "South Works did this last year: we will introduce you.")
    page.click("button:has-text('Reply')")
    expect(page.locator("article.post")).to_have_count(2)
    page.locator("article.post").first.locator("button:has-text('Hide')").click()
    expect(page.locator("article.post").first).to_contain_text("hidden")
    shot(page, "connect-forum")
    assert Post.objects.filter(state="hidden").count() == 1
