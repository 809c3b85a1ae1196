"""Inform's pages with the Django client: the library and its filters, an item, editing,
the composer and its preview, the customer page's card, roles and workspace isolation; the
portal's reading and a webinar's registration and calendar file."""

import datetime as dt

import pytest
from browser import shot
from django.test import Client
from django.utils import timezone


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_library_filters_and_empty_state(library_ws, owner, outsider):
    client = _client(owner)
    base = f"/w/{library_ws.slug}/inform/"
    page = client.get(base).content.decode()
    assert "Your first report" in page and "Industry news" in page and "Library" in page
    page = client.get(base, {"kind": "case_study"}, HTTP_HX_REQUEST="true").content.decode()
    assert "A weekly reporting habit" in page and "Your first report" not in page
    page = client.get(base, {"stage": "starting", "dimension": "reporting"}).content.decode()
    assert "Your first report" in page and "A weekly reporting habit" not in page
    page = client.get(base, {"q": "nothing like this"}).content.decode()
    assert "Nothing matches" in page
    assert _client(outsider).get(base).status_code == 404


def test_item_page_edit_and_roles(library_ws, owner, viewer):
    from becoming.inform.models import Item

    item = Item.objects.get(external_id="weekly")
    client = _client(owner)
    page = client.get(f"/w/{library_ws.slug}/inform/items/{item.pk}/").content.decode()
    assert "<strong>this</strong>" in page and "Report on their work" in page and "from Trying" in page
    assert _client(viewer).get(f"/w/{library_ws.slug}/inform/items/{item.pk}/edit/").status_code == 403
    response = client.post(f"/w/{library_ws.slug}/inform/items/new/", {
        "title": "Sensors 101", "kind": "video", "tags": "sensors, basics", "body": "<script>x</script>",
        "dimension": "reporting", "stage": "regular-not", "toward": ""})
    assert response.status_code == 200 and "unknown stage" in response.content.decode()
    response = client.post(f"/w/{library_ws.slug}/inform/items/new/", {
        "title": "Sensors 101", "kind": "video", "tags": "sensors, basics", "body": "<script>x</script>"})
    assert response.status_code == 302
    created = Item.objects.get(title="Sensors 101")
    assert created.tags == ["sensors", "basics"]
    page = client.get(f"/w/{library_ws.slug}/inform/items/{created.pk}/").content.decode()
    assert "<script>x" not in page


def test_composer_preview_and_customer_card(library_ws, owner):
    from becoming.customers.models import Contact, Customer
    from becoming.inform.models import Issue

    client = _client(owner)
    response = client.post(f"/w/{library_ws.slug}/inform/sends/new/", {
        "kind": "digest", "subject": "This week", "intro": "Hello", "count": 2})
    assert response.status_code == 302
    issue = Issue.objects.get(subject="This week")
    contact = Contact.objects.get(email="person2@customer2.test")
    preview = client.get(f"/w/{library_ws.slug}/inform/sends/{issue.pk}/preview/", {"contact": contact.pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "This week" in preview and "A weekly reporting habit" in preview  # C2 is trying
    customer = Customer.objects.get(external_id="C1")
    page = client.get(f"/w/{library_ws.slug}/customers/{customer.pk}/").content.decode()
    assert "Recommended reading" in page and "For your next step on Report on their work" in page


def test_portal_reading_and_a_webinar(library_ws, owner):
    from support import portal_sign_in

    from becoming.customers.models import Contact
    from becoming.inform.actions.content import save_item
    from becoming.inform.models import Interaction
    from becoming.inform.views import portal_reading, portal_webinars

    contact = Contact.objects.get(email="person1@customer1.test")
    webinar = save_item(library_ws, {"title": "Reporting live", "kind": "webinar", "place": "https://meet.test/x",
                                     "starts": timezone.now() + dt.timedelta(days=3),
                                     "ends": timezone.now() + dt.timedelta(days=3, hours=1)})
    client = Client()
    portal_sign_in(client, contact)
    card = portal_reading(contact, None)
    first = card["recommendations"][0]["item"]
    response = client.get(f"/portal/reading/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == first.url
    assert Interaction.objects.filter(contact=contact, item=first, type="view", source="portal").exists()
    assert portal_webinars(contact, None)["events"][0]["registered"] is False
    assert client.post(f"/portal/events/{webinar.pk}/register/").status_code == 302
    client.post(f"/portal/events/{webinar.pk}/register/")
    assert Interaction.objects.filter(contact=contact, item=webinar, type="register").count() == 1
    ics = client.get(f"/portal/events/{webinar.pk}/calendar.ics")
    assert ics["Content-Type"] == "text/calendar" and b"SUMMARY:Reporting live" in ics.content
    # Not signed in: sent to the portal's sign-in, nothing recorded.
    assert Client().get(f"/portal/reading/{first.pk}/").status_code == 302
    # Staff see the registration on the item page and mark the attendance.
    staff = _client(owner)
    page = staff.get(f"/w/{library_ws.slug}/inform/items/{webinar.pk}/").content.decode()
    assert "Registrations" in page and "Person 1" in page and "Mark attended" in page
    staff.post(f"/w/{library_ws.slug}/inform/items/{webinar.pk}/attended/", {"contact": contact.pk})
    assert Interaction.objects.filter(contact=contact, item=webinar, type="attend").count() == 1


@pytest.mark.django_db(transaction=True)
def test_library_item_and_composer_in_chromium(page, live_server, library_ws, owner):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    page.click("nav >> text=Library")
    expect(page.locator(".item-list li")).to_have_count(3)
    shot(page, "inform-library")
    page.fill("input[name=q]", "weekly")
    page.press("input[name=q]", "Enter")
    expect(page.locator(".item-list li")).to_have_count(1)
    page.click("text=A weekly reporting habit")
    expect(page.locator("h1")).to_have_text("A weekly reporting habit")
    expect(page.locator(".body-md strong")).to_have_text("this")
    shot(page, "inform-item")
    page.click("text=Library")
    page.click("text=Newsletters")
    page.click("text=Compose")
    page.fill("input[name=subject]", "Reporting, this week")
    page.fill("textarea[name=intro]", "Three reads for your next step.")
    page.click("button:has-text('Save and preview')")
    frame = page.locator(".email-preview")
    expect(frame.locator("h1")).to_have_text("Reporting, this week", timeout=30_000)
    page.select_option("#preview-contact", label="Person 2 · Customer 2")
    expect(page.locator("#preview")).to_contain_text("to person2@customer2.test", timeout=30_000)
    expect(frame.locator("text=A weekly reporting habit")).to_be_visible(timeout=30_000)
    shot(page, "inform-composer-preview")
