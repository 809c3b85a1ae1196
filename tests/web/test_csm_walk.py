"""A customer-success manager's day on the demo, in headless Chromium, at desktop and phone size.

One walk, in the order a CSM would take it: sign in and land on *My accounts*; filter the list,
save it as a segment and invite the segment to a survey; read the invitation in the Outbox and
answer the survey through its link; then, as the workspace's admin, edit the model in the form
editor on a phone (an error in the model's own words, then the fix), apply, *Assess now* and
watch the dashboard's figures change without a reload; and roll the model back. Every page the
walk visits is then checked at 390 px: nothing wider than the screen, and no serious or
critical axe-core violation.
"""

import re

import pytest
from browser import chromium_page, problems_on, shot

WIDTH = 390
ANA = "ana.costa@fieldwise.example"  # a customer-success manager of the demo (member role)


def sign_in(page, base, email, password="demo"):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/w/**")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_csm_walks_the_demo(monkeypatch, live_server, consumer, outbox_sink):
    from playwright.sync_api import expect

    from becoming.customers.models import Contact, Customer
    from becoming.demo.build import DEMO_EMAIL, build_demo
    from becoming.engage.models import Response, Survey
    from becoming.transformation.actions import current_version

    workspace = build_demo(seed=3, accounts=40)
    slug, base = workspace.slug, live_server.url
    ws_url = f"{base}/w/{slug}"
    visited: list[str] = []

    def seen(page):
        visited.append(page.url.removeprefix(base))

    with chromium_page(monkeypatch) as page:
        # Sign in as a CSM: a member who owns accounts lands on My accounts, and sees only hers.
        sign_in(page, base, ANA)
        assert "owner=me" in page.url
        seen(page)
        rows = page.locator("table.customers tbody tr")
        mine = set(Customer.objects.filter(workspace=workspace, owner__email=ANA)
                   .values_list("name", flat=True))
        assert mine and rows.count() == min(len(mine), 50)
        for row in rows.all()[:5]:
            assert row.locator("a").first.inner_text() in mine

        # Save her accounts as a segment; invite the segment to the demo's survey.
        page.fill("input[name=name]", "Ana's accounts")
        page.click("button:has-text('Save as segment')")
        expect(page.locator("h1")).to_contain_text("Ana's accounts")
        seen(page)
        expect(page.locator("main")).to_contain_text(f"owned by {ANA}")
        invite = page.locator("form.bulk-action", has_text="Invite to a survey")
        survey_title = "Where do you stand today?"  # the demo's self-assessment
        survey = Survey.objects.get(workspace=workspace, title=survey_title)
        uninvited = (Contact.objects.filter(customer__owner__email=ANA).exclude(email="")
                     .exclude(invitations__survey=survey).count())
        assert uninvited > 0
        invite.locator("select").select_option(label=survey_title)
        invite.locator("button").click()
        expect(page.locator(".msg-success")).to_contain_text(f"Invited {uninvited} contact")

        # The invitation is in the Outbox; its link opens the survey, which is answered.
        page.goto(f"{ws_url}/outbox/")
        seen(page)
        page.locator("a", has_text=survey_title).first.click()
        seen(page)
        link = page.locator("a[href*='/s/']").first
        answering = Response.objects.count()
        page.goto(link.get_attribute("href"))
        seen(page)
        page.evaluate("""() => {
            const groups = new Set([...document.querySelectorAll('input[type=radio]')].map(i => i.name));
            groups.forEach(n => document.querySelector(`input[type=radio][name="${n}"]`).click());
        }""")
        page.click("button:has-text('Submit')")
        expect(page.locator("h1")).to_have_text("Thank you!")
        assert Response.objects.count() == answering + 1


    # The admin edits the model in the form editor on a phone: an error, then the fix.
    before, before_text = current_version(workspace).number, current_version(workspace).text
    with chromium_page(monkeypatch, viewport={"width": WIDTH, "height": 800}, is_mobile=True,
                       has_touch=True) as phone:
        sign_in(phone, base, DEMO_EMAIL)
        phone.goto(f"{ws_url}/model/form/")
        phone.locator("#d0-s1 button:has-text('+ Product usage')").click()
        phone.fill("input[name='d0-s1-c1-type']", "dashboard_shared")
        phone.fill("input[name='d0-s1-c1-at_least']", "2")
        phone.fill("input[name='d0-s1-c1-within']", "2 weeks")
        phone.click("button.primary:has-text('Apply')")
        error = phone.locator("#d0-s1 .field-error").first
        assert "Use the product every day → Adopting: window '2 weeks' is not a window" \
            in error.inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH + 1
        shot(phone, "model-form-error-phone")
        phone.fill("input[name='d0-s1-c1-within']", "14d")
        phone.click("button.primary:has-text('Apply')")
        phone.wait_for_url("**/model/")
    applied = current_version(workspace)
    assert applied.number == before + 1 and "within: 14d" in applied.text

    with chromium_page(monkeypatch) as page:
        sign_in(page, base, DEMO_EMAIL)
        # Apply → Assess now → the dashboard's figures change in place when the job is done.
        page.goto(f"{ws_url}/model/")
        seen(page)
        expect(page.locator(".next-step")).to_contain_text(f"version {applied.number} is applied but not yet assessed")
        page.locator(".next-step button:has-text('Assess now')").click()
        page.wait_for_url(re.compile(r"\?job=\d+$"))
        seen(page)
        expect(page.locator("#dashboard-live")).to_contain_text(f"v{applied.number} applied since")
        page.evaluate("window.notReloaded = true")
        expect(page.locator(".job .badge")).to_have_text("done", timeout=60_000)
        expect(page.locator("#dashboard-live .stat").nth(1)).to_contain_text(
            f"model v{applied.number}", timeout=15_000)
        expect(page.locator("#dashboard-live")).not_to_contain_text("applied since")
        assert page.evaluate("window.notReloaded === true")  # updated in place
        expect(page.locator("#dashboard-live canvas.dist-chart").first).to_be_visible()
        shot(page, "dashboard-after-assess")

        # Roll back to the version before the edit: it comes back as a new version.
        page.goto(f"{ws_url}/model/")
        page.locator(f"button:has-text('Roll back to v{before}')").click()
        expect(page.locator(".msg-success")).to_contain_text(f"Version {before} is the current model again")
    rolled = current_version(workspace)
    assert rolled.number == applied.number + 1 and rolled.text == before_text

    # Every page of the walk at phone size: no sideways scrolling, no serious axe violation.
    with chromium_page(monkeypatch, viewport={"width": WIDTH, "height": 800}, is_mobile=True,
                       has_touch=True) as phone:
        sign_in(phone, base, ANA)
        found = []
        for path in dict.fromkeys(visited + [f"/w/{slug}/segments/"]):
            found += problems_on(phone, base + path, WIDTH)
    assert not found, "\n".join(found)
