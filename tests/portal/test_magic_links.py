"""Magic links end to end: the sign-in page, a real SMTP server on loopback, the link in the
email, and the links that must not work (reused, expired, forged); the same answer whether
or not the email is known; rate limits."""

import datetime as dt

import pytest
from portal_data import link_in, signal_types

SAME = "If this email belongs to one of our"


def ask(client, email, address="10.0.0.1"):
    return client.post("/portal/sign-in/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_link_round_trip_through_smtp(client, people, smtp_server):
    contact = people["contacts"]["A"]
    page = ask(client, "Person@Alpha.test")
    assert page.status_code == 200 and SAME in page.content.decode()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == contact.email
    link = link_in(message)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    confirm = client.get(path)  # a mail scanner following the link spends nothing
    assert confirm.status_code == 200 and b"Sign in" in confirm.content
    assert client.get("/portal/").status_code == 302
    signed = client.post(path)
    assert signed.status_code == 302 and signed["Location"] == "/portal/"
    home = client.get("/portal/")
    body = home.content.decode()
    assert home.status_code == 200 and "Alpha Logistics" in body
    assert "export reports every week" in body  # the vision, in the business's words
    assert "appears here after our next assessment" in body
    assert "Bravo Foods" not in body

    # The same link again: refused, and the session it made is the only one.
    again = client.__class__().post(path)
    assert again.status_code == 400 and "already used" in again.content.decode()
    types = set(signal_types(people["customers"]["A"].workspace))
    assert {"portal.sign_in", "portal.visit"} <= types

    client.post("/portal/sign-out/")
    assert client.get("/portal/").status_code == 302


@pytest.mark.django_db
def test_expired_and_forged_links_are_refused(client, people, smtp_server):
    from django.utils import timezone

    from becoming.portal.actions import issue_link, token_for
    from becoming.portal.models import MagicLink

    contact = people["contacts"]["A"]
    link = issue_link(contact)
    MagicLink.objects.filter(pk=link.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    expired = client.post(f"/portal/sign-in/{token_for(link)}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()

    fresh = issue_link(contact)
    token = token_for(fresh)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = client.post(f"/portal/sign-in/{forged}/")
    assert refused.status_code == 400 and "not valid" in refused.content.decode()
    # A token signed with another key, naming a real link, fails too.
    from django.core import signing

    other = signing.dumps({"l": fresh.pk}, key="not-our-secret", salt="becoming.portal.link")
    assert client.post(f"/portal/sign-in/{other}/").status_code == 400
    assert client.get("/portal/").status_code == 302
    assert MagicLink.objects.get(pk=fresh.pk).used is None


@pytest.mark.django_db
def test_unknown_email_gets_the_same_answer_and_requests_are_limited(client, people, smtp_server):
    from becoming.portal.actions import LIMITS

    known = ask(client, "person@alpha.test").content.decode()
    unknown = ask(client, "nobody@nowhere.test").content.decode()
    assert SAME in known and SAME in unknown
    assert len(smtp_server.messages) == 1

    for _ in range(LIMITS["email"] + 2):
        answer = ask(client, "person@bravo.test", address="10.0.0.2")
        assert SAME in answer.content.decode()
    assert len(smtp_server.messages) == 1 + LIMITS["email"]  # the rest were held back
    # Per address: a burst of different emails from one address stops sending too.
    before = len(smtp_server.messages)
    for i in range(LIMITS["address"] + 3):
        ask(client, "person@charlie.test" if i % 2 else "person@delta.test", address="10.0.0.3")
    assert len(smtp_server.messages) - before <= LIMITS["address"]
    bad = ask(client, "not-an-email")
    assert "Enter the email" in bad.content.decode()


@pytest.mark.django_db
def test_staff_invite_by_stage_mails_each_contact(client, history, smtp_server, member):
    client.force_login(member)
    ws = history["customers"]["A"].workspace
    sent = client.post(f"/w/{ws.slug}/portal/invite/", {"by": "stage", "dimension": "reporting", "stage": "0"})
    assert sent.status_code == 302
    to = sorted(m["To"] for m in smtp_server.messages)
    assert to == ["person@bravo.test", "person@delta.test"]
    bad = client.post(f"/w/{ws.slug}/portal/invite/", {"by": "segment", "attribute": "Nope", "value": "x"},
                      follow=True)
    assert "no customer attribute" in bad.content.decode()
    seg = client.post(f"/w/{ws.slug}/portal/invite/", {"by": "segment", "attribute": "Industry", "value": "Metals"})
    assert seg.status_code == 302 and smtp_server.messages[-1]["To"] == "person@charlie.test"
