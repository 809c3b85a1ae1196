"""The demo's outbox: mail sent over real SMTP to the loopback sink, read on the Outbox page."""

import re

from django.core.mail import EmailMultiAlternatives


def _send(to, subject, link):
    mail = EmailMultiAlternatives(subject, f"Answer here: {link}\n", "becoming@localhost", [to])
    mail.attach_alternative(f'<html><head></head><body><p><a href="{link}">Answer</a></p>'
                            f'<script>alert(1)</script></body></html>', "text/html")
    mail.send()


def test_mail_sent_to_the_sink_is_listed_and_its_link_followable(client, member, workspace, outbox_sink):
    from django.conf import settings

    assert (settings.EMAIL_HOST, settings.EMAIL_PORT) == ("127.0.0.1", outbox_sink.port)
    _send("ana@example.com", "Your survey", "http://127.0.0.1:8000/s/abc123/")
    _send("ben@example.com", "Your digest", "http://127.0.0.1:8000/r/xyz/")
    client.force_login(member)
    listing = client.get(f"/w/{workspace.slug}/outbox/").content.decode()
    assert "Your survey" in listing and "Your digest" in listing and "ana@example.com" in listing
    # Newest first.
    assert listing.index("Your digest") < listing.index("Your survey")
    searched = client.get(f"/w/{workspace.slug}/outbox/?q=ana").content.decode()
    assert "Your survey" in searched and "Your digest" not in searched

    key = re.search(r'/outbox/([^/"]+)/"[^>]*>Your survey', listing).group(1)
    message = client.get(f"/w/{workspace.slug}/outbox/{key}/").content.decode()
    assert '<a href="http://127.0.0.1:8000/s/abc123/"' in message  # the link is clickable
    html = client.get(f"/w/{workspace.slug}/outbox/{key}/html/")
    assert html.status_code == 200
    policy = html["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "script-src" not in policy and "default-src 'none'" in policy
    assert '<base target="_blank">' in html.content.decode()

    assert client.get(f"/w/{workspace.slug}/outbox/not-a-key/").status_code == 404
    client.post(f"/w/{workspace.slug}/outbox/clear/")
    assert "No email yet" in client.get(f"/w/{workspace.slug}/outbox/").content.decode()


def test_outbox_needs_the_member_role_and_is_off_outside_the_demo(client, viewer, member, workspace,
                                                                 settings):
    settings.BECOMING_OUTBOX = False
    client.force_login(member)
    page = client.get(f"/w/{workspace.slug}/outbox/")
    assert page.status_code == 404 and "becoming demo" in page.content.decode()
    dashboard = client.get(f"/w/{workspace.slug}/").content.decode()
    assert "/outbox/" not in dashboard  # no nav item when it is off
    settings.BECOMING_OUTBOX = True
    assert f"/w/{workspace.slug}/outbox/" in client.get(f"/w/{workspace.slug}/").content.decode()
    client.force_login(viewer)
    assert client.get(f"/w/{workspace.slug}/outbox/").status_code == 403
