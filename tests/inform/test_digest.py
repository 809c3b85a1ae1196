"""A digest sent over a real SMTP server on loopback: each reader's own items, the one-click
unsubscribe headers, a tracked link followed, a forged one refused, the unsubscribe link, and
a resumed send that mails nobody twice."""

import re

import pytest
from django.test import Client


def _links(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"http://testserver/\S+", text)


@pytest.fixture
def digest(library_ws, owner):
    from becoming.inform.actions.mail import compose

    return compose(library_ws, kind="digest", subject="Your reading this week", intro="Picked for you.",
                   count=2, user=owner)


def test_digest_goes_out_and_readers_actions_become_signals(digest, smtp_server, other):
    from becoming.inform.actions.mail import send
    from becoming.inform.models import Delivery, Interaction, Suppression

    result = send(digest, "http://testserver/")
    assert result["sent"] == 4 and len(smtp_server.messages) == 4
    message = next(m for m in smtp_server.messages if m["To"] == "person1@customer1.test")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message["List-Unsubscribe"]).strip().startswith("<http://testserver/u/")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Your first report" in html and "/o/" in html  # C1's gap item, and the pixel

    client = Client()
    click = next(link for link in _links(message) if "/r/" in link)
    response = client.get(click.replace("http://testserver", ""))
    assert response.status_code == 302 and response["Location"] == "https://example.test/first"
    assert Interaction.objects.filter(type="click", source="email", customer__external_id="C1").count() == 1
    client.get(click.replace("http://testserver", ""))  # a second click is the same reading
    assert Interaction.objects.filter(type="click", source="email").count() == 1
    delivery = Delivery.objects.get(email="person1@customer1.test")
    assert delivery.clicked and delivery.opened

    # A forged link: 400, nothing recorded.
    token = click.rstrip("/").rsplit("/", 1)[1]
    forged = client.get(f"/r/{token[:-3]}xyz/")
    assert forged.status_code == 400
    assert Interaction.objects.filter(type="click").count() == 1

    # The unsubscribe link: for another workspace 404; one-click POST suppresses the address.
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>").replace("http://testserver", "")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/u/{other.slug}/{token}/").status_code == 404
    assert client.get(unsubscribe).status_code == 200  # a page asking to confirm; nothing yet
    assert not Suppression.objects.exists()
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Suppression.objects.filter(email="person1@customer1.test", reason="unsubscribed").exists()


def test_a_resumed_send_mails_nobody_twice_and_skips_the_unsubscribed(library_ws, owner, smtp_server):
    from becoming.inform.actions.mail import compose, prepare, send
    from becoming.inform.models import Delivery, Suppression

    first = library_ws.inform_items.order_by("pk").first()
    issue = compose(library_ws, kind="newsletter", subject="News", items=[first.pk], user=owner)
    prepare(issue)
    # A crashed run: one row sent, one claimed (maybe sent), the rest pending.
    rows = list(Delivery.objects.filter(issue=issue).order_by("pk"))
    Delivery.objects.filter(pk=rows[0].pk).update(status="sent")
    Delivery.objects.filter(pk=rows[1].pk).update(status="claimed")
    Suppression.objects.create(workspace=library_ws, email=rows[2].email, reason="bounced")
    result = send(issue, "http://testserver/")
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == [rows[3].email]
    assert result == {"sent": 1, "failed": 0, "skipped": 1, "interrupted": 1, "total": 4}
    issue.refresh_from_db()
    assert issue.status == "sent"
    # Sending again sends nothing.
    send(issue, "http://testserver/")
    assert len(smtp_server.messages) == 1


def test_a_webinar_invitation_carries_a_calendar_file(library_ws, owner, smtp_server):
    import datetime as dt

    from django.utils import timezone

    from becoming.inform.actions.content import save_item
    from becoming.inform.actions.mail import compose, send

    start = timezone.now() + dt.timedelta(days=7)
    webinar = save_item(library_ws, {"title": "Reports, live", "kind": "webinar", "starts": start,
                                     "ends": start + dt.timedelta(hours=1), "place": "https://meet.test/r"})
    # Invitations by stage: only contacts whose customer is at "trying" on reporting.
    issue = compose(library_ws, kind="newsletter", subject="Join us", items=[webinar.pk],
                    dimension="reporting", stage="trying", user=owner)
    result = send(issue, "http://testserver/")
    assert result["sent"] == 1 and smtp_server.messages[0]["To"] == "person2@customer2.test"
    [attachment] = list(smtp_server.messages[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    content = attachment.get_content()
    assert "SUMMARY:Reports\\, live" in (content.decode() if isinstance(content, bytes) else content)


def test_the_send_button_runs_a_job_with_progress(digest, owner, viewer, smtp_server):
    from becoming.jobs.actions import run_job
    from becoming.jobs.models import Job

    member = Client()
    member.force_login(viewer)
    url = f"/w/{digest.workspace.slug}/inform/sends/{digest.pk}/send/"
    assert member.post(url).status_code == 403
    client = Client()
    client.force_login(owner)
    response = client.post(url)
    assert response.status_code == 302 and "?job=" in response["Location"]
    job = Job.objects.get(kind="inform_send")
    job = run_job(job.pk)
    assert job.status == "done" and job.result["sent"] == 4 and job.done == job.total == 4
    assert len(smtp_server.messages) == 4
    page = client.get(f"/w/{digest.workspace.slug}/inform/sends/").content.decode()
    assert "Your reading this week" in page and "Sent" in page
