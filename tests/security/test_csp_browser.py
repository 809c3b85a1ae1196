"""The default Content-Security-Policy does not break the pages: a real Chromium reports no
violation, and an inline handler (the members page's role select) still works."""

import pytest

PAGES = ["", "customers/", "customers/{customer}/", "model/", "members/", "tokens/", "imports/",
         "surveys/", "feedback/", "themes/", "outcomes/"]

WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
    e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""


@pytest.mark.django_db(transaction=True)
def test_the_pages_run_under_the_default_policy(page, live_server, workspace, owner, member,
                                                 small_model):
    from playwright.sync_api import expect

    from becoming.customers.models import Attribute, Customer
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    customer = Customer.objects.create(workspace=workspace, external_id="C-1", name="Alpha")
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text(workspace.name)
    base = f"{live_server.url}/w/{workspace.slug}/"
    for path in PAGES:
        response = page.goto(base + path.format(customer=customer.pk))
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.evaluate("window.__csp") == [], path
    page.goto(base + "members/")
    page.select_option(f"select[aria-label='Role of {member.email}']", "viewer")
    page.wait_for_load_state()
    expect(page.locator(f"select[aria-label='Role of {member.email}']")).to_have_value("viewer")
    assert page.evaluate("window.__csp") == [] and console == []
