"""The model form on a phone (390 px): add a criterion, get an error beside its field, fix it, apply."""

import pytest
from browser import chromium_page, shot
from support import SMALL_MODEL

from becoming.customers.actions import upsert_customer
from becoming.transformation.actions import apply_model, current_version


@pytest.mark.django_db(transaction=True)
def test_model_form_on_a_phone(monkeypatch, live_server, workspace, owner):
    upsert_customer(workspace, "C1", "Acme", {"plan": "pro"})
    apply_model(workspace, SMALL_MODEL, owner)
    with chromium_page(monkeypatch, viewport={"width": 390, "height": 800}, is_mobile=True,
                       has_touch=True) as page:
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "owner@acme.test")
        page.fill("input[name=password]", "pw")
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/w/**")
        page.goto(f"{live_server.url}/w/{workspace.slug}/model/form/")
        page.locator("#d0-s1 button:has-text('+ Product usage')").click()
        new = page.locator("input[name='d0-s1-c1-type']")
        new.fill("dashboard_shared")
        page.fill("input[name='d0-s1-c1-at_least']", "2")
        page.fill("input[name='d0-s1-c1-within']", "2 weeks")
        page.click("button.primary:has-text('Apply')")
        error = page.locator("#d0-s1 .field-error").first
        assert "Report on their work → Trying: window '2 weeks' is not a window" in error.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "model-form-error-phone")
        page.fill("input[name='d0-s1-c1-within']", "14d")
        page.click("button.primary:has-text('Apply')")
        page.wait_for_url("**/model/")
    version = current_version(workspace)
    assert version.number == 2 and "dashboard_shared" in version.text and "within: 14d" in version.text
