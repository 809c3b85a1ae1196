"""The portal as a contact and as staff: the home with every registered section, the
self-assessment, goals accepted in the portal, view-as, and cross-customer isolation."""

import re

import pytest
from portal_data import signal_types
from support import portal_sign_in


@pytest.mark.django_db
def test_home_shows_the_journey_and_every_registered_section(client, full):
    from becoming import registry
    from becoming.portal.actions import sections

    contact = full["contacts"]["A"]
    portal_sign_in(client, contact)
    body = client.get("/portal/").content.decode()
    assert "Alpha Logistics" in body and "export reports every week" in body
    assert 'aria-current="step"' in body and "you are here" in body
    assert "Next: Regular." in body and "What is still missing:" in body
    assert 'id="progress-data"' in body and "progress-chart" in body
    shown = {s["section"].key for s in sections(contact, None)}
    # The sections with something for A here (Inform's have no content items in this data, so
    # they leave themselves out), each rendered with its label.
    assert {"goals", "peers", "stories", "surveys"} <= shown, shown
    for section in registry.PORTAL_SECTIONS:
        assert (f'id="section-{section.key}"' in body) == (section.key in shown), section.key
        if section.key in shown:
            assert section.label in body
    # Only A's own things: C's story anonymised, nothing of B or of staff.
    assert "a 900-person metals company" in body
    for leak in ("Bravo", "Charlie Metals", "person@bravo.test", "transformation index", "Sign out</button></form>\n  </div>\n</header>\n<main class=\"page"):
        assert leak not in body
    assert "portal.visit" in signal_types(contact.workspace)


@pytest.mark.django_db
def test_home_tells_whats_missing_for_the_next_stage(client, full):
    portal_sign_in(client, full["contacts"]["B"])
    body = client.get("/portal/").content.decode()
    assert "Bravo Foods" in body and "Next: Trying." in body
    assert "0 of 1 report_exported events." in body  # the engine's explanation, as a sentence
    assert "Many customers started exactly here" in body  # B is behind: phrased with care


@pytest.mark.django_db
def test_self_assessment_answers_become_signals(client, full):
    from becoming.engage.models import Response

    contact = full["contacts"]["A"]
    portal_sign_in(client, contact)
    page = client.get("/portal/self-assessment/")
    assert page.status_code == 200 and "Report on their work" in page.content.decode()
    missing = client.post("/portal/self-assessment/", {})
    assert "please answer" in missing.content.decode()
    assert client.post("/portal/self-assessment/", {"self_reporting": "1"}).status_code == 302
    assert client.post("/portal/self-assessment/", {"self_reporting": "2"}).status_code == 302
    assert Response.objects.filter(contact=contact, submitted__isnull=False).count() == 2
    types = signal_types(contact.workspace)
    assert types.count("self_reporting") == 2 and types.count("portal.self_assessment") == 2
    again = client.get("/portal/self-assessment/").content.decode()
    assert 'value="2" checked' in again  # the latest answers are shown


@pytest.mark.django_db
def test_goal_accepted_in_the_portal(client, full):
    from becoming.inspire.models import Goal

    contact = full["contacts"]["A"]
    goal = Goal.objects.get(customer=contact.customer, status="accepted")
    proposed = Goal.objects.filter(customer=contact.customer, status="proposed").first()
    portal_sign_in(client, contact)
    assert client.post(f"/portal/goals/{goal.pk}/accept/").status_code == 302
    goal.refresh_from_db()
    assert goal.customer_accepted_by == contact
    assert "portal.goal_set" in signal_types(contact.workspace)
    if proposed is not None:  # a goal staff have not accepted is not offered
        assert client.post(f"/portal/goals/{proposed.pk}/accept/").status_code == 404
    assert "You accepted this goal" in client.get("/portal/").content.decode()


@pytest.mark.django_db
def test_staff_view_as_is_bannered_and_read_only(client, full, viewer):
    from becoming.inspire.models import Goal

    ws = full["customers"]["A"].workspace
    contact = full["contacts"]["A"]
    client.force_login(viewer)
    staff = client.get(f"/w/{ws.slug}/portal/?q=alpha").content.decode()
    assert "person@alpha.test" in staff and "person@bravo.test" not in staff
    visits = signal_types(ws).count("portal.visit")
    assert client.post(f"/w/{ws.slug}/portal/view-as/{contact.pk}/").status_code == 302
    home = client.get("/portal/").content.decode()
    assert "Staff view" in home and "Read-only" in home and "Alpha Logistics" in home
    goal = Goal.objects.get(customer=contact.customer, status="accepted")
    assert client.post(f"/portal/goals/{goal.pk}/accept/").status_code == 403
    assert client.post("/portal/self-assessment/", {"self_reporting": "1"}).status_code == 403
    goal.refresh_from_db()
    assert goal.customer_accepted_on is None
    assert signal_types(ws).count("portal.visit") == visits  # staff looking is not the customer's visit
    # Another workspace's contact cannot be viewed; signing out of staff ends the view.
    assert client.post(f"/w/{ws.slug}/portal/view-as/999999/").status_code == 404
    client.post("/logout/")
    assert client.get("/portal/").status_code == 302


@pytest.mark.django_db
def test_a_contact_never_reaches_another_customer(client, full, other, outsider):
    """Signed in as A's contact: every portal URL (every registered app's portal_urlpatterns),
    with B's object ids, and B's staff pages and API objects, give 404 or a redirect, never B."""
    from django.urls import get_resolver

    from becoming.customers.models import Contact, Customer
    from becoming.inspire.models import Goal, Story

    a, b = full["contacts"]["A"], full["contacts"]["B"]
    ws = a.workspace
    b_customer = full["customers"]["B"]
    b_goal = Goal.objects.get(customer=b_customer, status="accepted")
    b_story = Story.objects.filter(customer=full["customers"]["C"]).first()
    foreign = Customer.objects.create(workspace=other, external_id="X", name="Xenon Other")
    foreign_contact = Contact.objects.create(workspace=other, customer=foreign, name="X", email="x@x.test")
    ids = [b_goal.pk, b.pk, b_customer.pk, foreign_contact.pk, foreign.pk] + ([b_story.pk] if b_story else [])
    portal_sign_in(client, a)

    portal = next(p for p in get_resolver().url_patterns if str(p.pattern) == "portal/")
    urls = []
    for pattern in portal.url_patterns:
        route = str(pattern.pattern)
        if "<" not in route:
            urls.append("/portal/" + route)
        else:
            for pk in ids:
                urls.append("/portal/" + re.sub(r"<[^>]+>", str(pk), route))
    assert f"/portal/goals/{b_goal.pk}/accept/" in urls and len(urls) >= 5
    secrets = ("Bravo Foods", "person@bravo.test", "Xenon Other")
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            assert response.status_code in (200, 302, 400, 403, 404, 405), (url, method, response.status_code)
            for secret in secrets:
                assert secret not in body, (url, method, secret)
        portal_sign_in(client, a)  # sign-out and sign-in URLs may have ended the session
    b_goal.refresh_from_db()
    assert b_goal.customer_accepted_on is None

    # Staff pages send a portal session to the staff sign-in; the API wants a token.
    for url in (f"/w/{ws.slug}/customers/{b_customer.pk}/", f"/w/{ws.slug}/inspire/goals/",
                f"/w/{ws.slug}/portal/", "/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for method, url in (("get", "/api/v1/customers/B"), ("get", "/api/v1/inspire/goals"),
                        ("patch", f"/api/v1/inspire/goals/{b_goal.pk}"), ("get", "/api/v1/inspire/stories")):
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, url
        assert "Bravo" not in response.content.decode()
