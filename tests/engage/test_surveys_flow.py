"""A survey end to end: invitations by real SMTP on loopback, the respondent's link, answers
saved as they go, submission into signals (and feedback), reminders, and the links that no
longer work."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from becoming.engage.actions import surveys
from becoming.engage.models import Invitation, Response, Survey

LINK = re.compile(r"https?://[^\s/]+(/s/[^/\s]+/)")


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    found = LINK.search(body(message))
    assert found, body(message)
    return found.group(1)


def respondent():
    """A browser of its own: no login, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def csrf(client, path) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.content[:500]
    return page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value


def invite_from_page(client, member, survey, *contacts):
    client.force_login(member)
    page = client.post(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distribute/",
                       {"action": "invite", "contact": [c.pk for c in contacts]}, follow=True)
    assert page.status_code == 200
    return page


def test_invite_answer_submit(client, survey, member, smtp_server):
    from becoming.signals.actions import store_for

    contacts = list(survey.workspace.contacts.exclude(email="").order_by("pk")[:2])
    page = invite_from_page(client, member, survey, *contacts)
    assert "Invited 2 new contacts; sent 2 emails." in page.content.decode()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(c.email for c in contacts)
    assert smtp_server.messages[0]["Subject"] == survey.title
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN

    path = link_in(next(m for m in smtp_server.messages if m["To"] == contacts[0].email))
    browser = respondent()
    token = csrf(browser, path)
    form = browser.get(path).content.decode()
    assert "How confident are you with reports?" in form and "What would help most?" in form
    assert "csrfmiddlewaretoken" in form and f'hx-post="{path}save/"' in form

    saved = browser.post(f"{path}save/", {"confidence": "4", "next_step": "", "csrfmiddlewaretoken": token},
                         HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "Saved" in saved.content.decode()
    response = Response.objects.get(invitation__contact=contacts[0])
    assert response.answers == {"confidence": 4} and response.submitted is None
    assert 'value="4" checked' in browser.get(path).content.decode()  # kept across visits

    done = browser.post(path, {"confidence": "4", "next_step": "2", "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    assert "Thank you!" in browser.get(path).content.decode()
    again = browser.get(path).content.decode()
    assert "You have already answered — thank you" in again and "<form" not in again
    response.refresh_from_db()
    assert response.submitted and response.answers == {"confidence": 4, "next_step": 2}
    assert store_for(survey.workspace).count("answer") == 2
    late = browser.post(f"{path}save/", {"confidence": "1", "csrfmiddlewaretoken": token})
    assert "already answered" in late.content.decode()
    response.refresh_from_db()
    assert response.answers["confidence"] == 4

    results = client.get(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/results/").content.decode()
    assert "50%" in results  # one of two invitees answered
    assert '"values": [0, 0, 0, 1, 0]' in results  # confidence: one 4


def test_csrf_is_enforced_on_the_respondent_page(survey, smtp_server):
    contact = survey.workspace.contacts.exclude(email="").first()
    surveys.invite(survey, [contact], "http://testserver/")
    path = link_in(smtp_server.messages[0])
    browser = respondent()
    assert browser.post(f"{path}save/", {"confidence": "3"}).status_code == 403
    assert not Response.objects.filter(answers__has_key="confidence").exists()


def test_missing_required_answer_keeps_the_form(survey, smtp_server):
    contact = survey.workspace.contacts.exclude(email="").first()
    surveys.invite(survey, [contact], "http://testserver/")
    path = link_in(smtp_server.messages[0])
    browser = respondent()
    token = csrf(browser, path)
    page = browser.post(path, {"next_step": "1", "csrfmiddlewaretoken": token})
    assert page.status_code == 400
    text = page.content.decode()
    assert "please answer: How confident are you with reports?" in text
    assert 'value="1" checked' in text  # what was picked stays picked
    assert Response.objects.get().submitted is None


def test_a_respondent_sees_only_their_own_answers(survey):
    first, second = survey.workspace.contacts.exclude(email="").order_by("pk")[:2]
    for contact in (first, second):
        Invitation.objects.create(survey=survey, contact=contact, expires=timezone.now() + dt.timedelta(days=3))
    mine = Invitation.objects.get(contact=first)
    surveys.save_answers(surveys.response_for(mine), {"confidence": 5})
    theirs = Client().get(f"/s/{surveys.token_for(Invitation.objects.get(contact=second))}/").content.decode()
    assert "\" checked>" not in theirs
    assert 'value="5" checked' in Client().get(f"/s/{surveys.token_for(mine)}/").content.decode()


def test_reminders_go_to_non_respondents_once_per_interval(client, survey, member, smtp_server):
    contacts = list(survey.workspace.contacts.exclude(email="").order_by("pk"))
    surveys.invite(survey, contacts, "http://testserver/")
    assert len(smtp_server.messages) == 3
    answered = Invitation.objects.get(contact=contacts[0])
    surveys.submit(surveys.response_for(answered), {"confidence": 3})
    started = Invitation.objects.get(contact=contacts[1])
    surveys.save_answers(surveys.response_for(started), {"confidence": 2})  # started, not submitted

    client.force_login(member)
    url = f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distribute/"
    page = client.post(url, {"action": "remind"}, follow=True).content.decode()
    assert "No reminder due" in page  # just invited: too early
    assert len(smtp_server.messages) == 3

    Invitation.objects.update(sent=timezone.now() - dt.timedelta(days=4))
    page = client.post(url, {"action": "remind"}, follow=True).content.decode()
    assert "Sent 2 reminders." in page
    reminders = smtp_server.messages[3:]
    assert sorted(m["To"] for m in reminders) == sorted(c.email for c in contacts[1:])
    assert all(m["Subject"].startswith("Reminder: ") for m in reminders)
    assert "A short reminder" in body(reminders[0])
    assert link_in(reminders[0]).startswith("/s/")

    client.post(url, {"action": "remind"})
    assert len(smtp_server.messages) == 5  # not twice within the interval
    later = timezone.now() + surveys.REMIND_AFTER + dt.timedelta(hours=1)
    assert surveys.remind(survey, "http://testserver/", now=later) == 2
    assert Invitation.objects.get(contact=contacts[0]).reminders == 0


def test_links_that_no_longer_work_show_a_clear_page(survey, smtp_server):
    contacts = list(survey.workspace.contacts.exclude(email="").order_by("pk")[:2])
    surveys.invite(survey, contacts, "http://testserver/")
    first, second = (link_in(m) for m in sorted(smtp_server.messages, key=lambda m: m["To"]))
    browser = Client(raise_request_exception=False)

    token = first.split("/")[2]
    tampered = f"/s/{token[:-3]}{'A' if token[-3] != 'A' else 'B'}{token[-2:]}/"
    page = browser.get(tampered)
    assert page.status_code == 410 and "This link is not valid" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert "not valid" in browser.post(f"{tampered}save/", {"confidence": "2"}).content.decode()
    assert browser.get("/s/nonsense/").status_code == 410

    Invitation.objects.filter(contact=contacts[0]).update(expires=timezone.now() - dt.timedelta(minutes=1))
    page = browser.get(first)
    assert page.status_code == 410 and "This link has expired" in page.content.decode()

    surveys.submit(surveys.response_for(Invitation.objects.get(contact=contacts[1])), {"confidence": 5})
    page = browser.get(second)
    assert page.status_code == 200 and "You have already answered — thank you" in page.content.decode()
    assert "Submit" not in page.content.decode()

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    page = browser.get(first)  # not answered
    assert page.status_code == 410 and "This survey is closed" in page.content.decode()
    page = browser.get(second)  # answered before it closed: told so, not "closed"
    assert page.status_code == 410 and "You have already answered" in page.content.decode()
    assert "This survey is closed" not in page.content.decode()


def test_free_text_answers_become_feedback(survey, smtp_server):
    pytest.importorskip("becoming.themes", reason="theme discovery (the embedding model) is not installed yet")
    from becoming.engage.models import Feedback

    surveys.add_question(survey, key="wish", text="Anything else you wish for?", kind="text")
    contact = survey.workspace.contacts.exclude(email="").first()
    surveys.invite(survey, [contact], "http://testserver/")
    path = link_in(smtp_server.messages[0])
    browser = respondent()
    token = csrf(browser, path)
    browser.post(f"{path}save/", {"confidence": "5", "wish": "Scheduled exports by email, please.",
                                  "csrfmiddlewaretoken": token})
    assert browser.post(path, {"confidence": "5", "wish": "Scheduled exports by email, please.",
                               "csrfmiddlewaretoken": token}).status_code == 302
    item = Feedback.objects.get(workspace=survey.workspace)
    assert item.text == "Scheduled exports by email, please."
    assert item.channel == "survey" and item.customer == contact.customer and item.survey_response is not None
