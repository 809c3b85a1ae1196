"""Every staff page at a phone's width and under axe-core, in headless Chromium.

The pages are found, not listed: every navigation item any app registers (main menu and
settings), the customer page of a customer, the model page and its form, a segment's page and
a survey. So a lever's new page is checked the day it is registered. Two things must hold on each: nothing is wider than a
390-pixel screen (the page does not scroll sideways), and axe-core (vendored in tests/vendor)
reports no serious or critical accessibility violation.
"""

import pytest
from browser import problems_on
from django.urls import reverse

WIDTH = 390


def staff_pages(workspace) -> list[str]:
    from django.conf import settings

    from becoming import registry
    from becoming.customers.models import Customer

    urls = [reverse(item.url_name, args=[workspace.slug]) for item in registry.NAV
            if not item.setting or getattr(settings, item.setting, False)]
    customer = Customer.objects.filter(workspace=workspace).order_by("pk").first()
    urls.append(reverse("customer", args=[workspace.slug, customer.pk]))
    # Pages behind a tab or a button, not in the nav: the model's form, a segment's bulk actions.
    urls += [reverse(name, args=[workspace.slug]) for name in ("model_form", "segment_current")]
    return list(dict.fromkeys(urls))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone_and_passes_axe(monkeypatch, live_server, workspace, owner, tmp_path):
    from browser import chromium_page
    from web_data import load_data

    files = tmp_path / "files"
    files.mkdir()
    load_data(workspace, files, owner)
    with chromium_page(monkeypatch, viewport={"width": WIDTH, "height": 800}, is_mobile=True,
                       has_touch=True) as page:
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "owner@acme.test")
        page.fill("input[name=password]", "pw")
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/w/**")
        found = problems_on(page, f"{live_server.url}/login/", WIDTH)
        for path in staff_pages(workspace):
            found += problems_on(page, live_server.url + path, WIDTH)
    assert not found, "\n".join(found)
