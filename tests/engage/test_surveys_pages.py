"""The staff's survey pages: tenancy and roles, the list, the builder, distribution, results."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from becoming.engage.actions import surveys
from becoming.engage.models import Invitation, Question, Survey


def urls(survey):
    base = f"/w/{survey.workspace.slug}/surveys/"
    q = survey.questions.first()
    return {
        "list": ("get", base), "new": ("get", f"{base}new/"),
        "self": ("post", f"{base}self-assessment/"),
        "detail": ("get", f"{base}{survey.pk}/"),
        "add": ("post", f"{base}{survey.pk}/questions/"),
        "delete": ("post", f"{base}{survey.pk}/questions/{q.pk}/delete/"),
        "status": ("post", f"{base}{survey.pk}/status/"),
        "distribute": ("get", f"{base}{survey.pk}/distribute/"),
        "preview": ("get", f"{base}{survey.pk}/distribute/preview/?segment=reporting:1"),
        "results": ("get", f"{base}{survey.pk}/results/"),
    }


def test_an_outsider_gets_404_everywhere(client, survey, outsider):
    client.force_login(outsider)
    for name, (method, url) in urls(survey).items():
        assert getattr(client, method)(url).status_code == 404, name
    assert client.post(urls(survey)["distribute"][1], {"action": "remind"}).status_code == 404
    assert Survey.objects.count() == 1 and survey.questions.count() == 2


def test_anonymous_is_sent_to_login(client, survey):
    page = client.get(urls(survey)["list"][1])
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_a_viewer_reads_but_cannot_create_or_invite(client, survey, viewer):
    client.force_login(viewer)
    pages = urls(survey)
    for name in ("list", "detail", "distribute", "preview", "results"):
        assert client.get(pages[name][1]).status_code == 200, name
    assert client.get(pages["new"][1]).status_code == 403
    assert client.post(pages["new"][1], {"title": "Mine", "link_days": 30}).status_code == 403
    assert client.post(pages["self"][1]).status_code == 403
    assert client.post(pages["add"][1], {"text": "Why?", "kind": "text"}).status_code == 403
    assert client.post(pages["delete"][1]).status_code == 403
    assert client.post(pages["status"][1], {"status": "open"}).status_code == 403
    assert client.post(pages["detail"][1], {"title": "Renamed", "link_days": 30}).status_code == 403
    contact = survey.workspace.contacts.exclude(email="").first()
    distribute = pages["distribute"][1]
    assert client.post(distribute, {"action": "invite", "contact": [contact.pk]}).status_code == 403
    assert client.post(distribute, {"action": "invite_stage", "segment": "reporting:1"}).status_code == 403
    assert client.post(distribute, {"action": "remind"}).status_code == 403
    assert Survey.objects.count() == 1 and not Invitation.objects.exists() and not mail.outbox
    page = client.get(pages["list"][1]).content.decode()
    assert "New survey" not in page


def test_empty_list_offers_both_ways_to_start(client, survey_ws, member):
    client.force_login(member)
    page = client.get(f"/w/{survey_ws.slug}/surveys/").content.decode()
    assert "No surveys yet" in page and "New survey" in page
    assert "Generate a self-assessment from the model" in page
    assert 'aria-current="page">Surveys</a>' in page


def test_generate_a_self_assessment(client, survey_ws, member):
    client.force_login(member)
    page = client.post(f"/w/{survey_ws.slug}/surveys/self-assessment/", follow=True)
    survey = Survey.objects.get()
    assert survey.self_assessment and survey.created_by == member
    q = survey.questions.get()
    assert q.key == "self_reporting" and [c["label"] for c in q.choices] == ["Starting", "Trying", "Regular"]
    text = page.content.decode()
    assert "Self-assessment" in text and "self_reporting" in text
    listing = client.get(f"/w/{survey_ws.slug}/surveys/").content.decode()
    assert "Where do you stand today?" in listing and "badge-self" in listing
    # The help's example can hold: a value the question's own choices have (0, 1, 2 here).
    assert "- answer: {question: self_reporting, at_least: 1}" in text and "0, 1, 2" in text

    # Generating again finds the one that asks about this model, and says so.
    again = client.post(f"/w/{survey_ws.slug}/surveys/self-assessment/", follow=True).content.decode()
    assert Survey.objects.count() == 1 and "already asks about the current model" in again
    # Closed, a new one is made, titled apart from the old one.
    Survey.objects.update(status=Survey.Status.CLOSED)
    client.post(f"/w/{survey_ws.slug}/surveys/self-assessment/")
    assert Survey.objects.count() == 2
    assert Survey.objects.filter(title__startswith="Where do you stand today? (model version").count() == 1


def test_self_assessment_needs_a_model(client, workspace, member):
    client.force_login(member)
    page = client.post(f"/w/{workspace.slug}/surveys/self-assessment/", follow=True)
    assert "apply a transformation model first" in page.content.decode()
    assert not Survey.objects.exists()


def test_build_a_survey(client, survey_ws, member):
    client.force_login(member)
    base = f"/w/{survey_ws.slug}/surveys/"
    assert client.post(f"{base}new/", {"title": "", "link_days": 30}).status_code == 200  # form with errors
    page = client.post(f"{base}new/", {"title": "Peer learning", "intro": "Three minutes.", "link_days": 14})
    survey = Survey.objects.get()
    assert page["Location"] == f"{base}{survey.pk}/"
    assert survey.status == "draft" and survey.link_days == 14

    add = f"{base}{survey.pk}/questions/"
    part = client.post(add, {"text": "Do you teach your peers?", "kind": "scale_5", "required": "on"},
                       HTTP_HX_REQUEST="true")
    text = part.content.decode()
    assert part.status_code == 200 and text.lstrip().startswith('<div id="questions">')
    assert "do_you_teach_your_peers" in text  # the key defaults to a slug of the text
    client.post(add, {"text": "Which help?", "key": "help_kind", "kind": "multiple", "choices": "Docs\n\n Calls \n"},
                HTTP_HX_REQUEST="true")
    first, second = survey.questions.all()
    assert (first.key, first.kind, first.required, first.order) == ("do_you_teach_your_peers", "scale_5", True, 0)
    assert second.choices == [{"value": 1, "label": "Docs"}, {"value": 2, "label": "Calls"}]

    again = client.post(add, {"text": "Do you teach your peers?", "kind": "scale_5"}, HTTP_HX_REQUEST="true")
    assert "already has a question" in again.content.decode()
    nochoice = client.post(add, {"text": "Pick", "kind": "single"}, HTTP_HX_REQUEST="true")
    assert "needs at least one choice" in nochoice.content.decode()
    badkey = client.post(add, {"text": "Pick", "key": "no spaces", "kind": "text"}, HTTP_HX_REQUEST="true")
    assert "letters, digits" in badkey.content.decode()
    assert survey.questions.count() == 2

    detail = client.get(f"{base}{survey.pk}/").content.decode()
    assert detail.index("do_you_teach_your_peers") < detail.index("help_kind")
    assert "answer: {question: do_you_teach_your_peers, at_least: 4}" in detail
    assert "Multiple choice" in detail and "Delete" in detail

    client.post(f"{base}{survey.pk}/questions/{second.pk}/delete/", HTTP_HX_REQUEST="true")
    assert list(survey.questions.values_list("key", flat=True)) == ["do_you_teach_your_peers"]

    client.post(f"{base}{survey.pk}/status/", {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == "open"
    part = client.post(f"{base}{survey.pk}/questions/{first.pk}/delete/", HTTP_HX_REQUEST="true")
    assert "only be deleted while the survey is a draft" in part.content.decode()
    assert survey.questions.count() == 1
    client.post(f"{base}{survey.pk}/status/", {"status": "closed", "next": "survey_results"})
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_edit_a_survey(client, survey, member, viewer):
    url = f"/w/{survey.workspace.slug}/surveys/{survey.pk}/"
    client.force_login(viewer)
    assert client.post(url, {"title": "Mine", "link_days": 7}).status_code == 403
    client.force_login(member)
    bad = client.post(url, {"title": "Reporting, again", "intro": "", "link_days": 0})
    assert bad.status_code == 200 and "between 1 and 365 days" in bad.content.decode()
    survey.refresh_from_db()
    assert (survey.title, survey.link_days) == ("How is reporting going?", 30)
    page = client.post(url, {"title": "Reporting, again", "intro": "One minute.", "link_days": 7}, follow=True)
    assert "Survey saved." in page.content.decode()
    survey.refresh_from_db()
    assert (survey.title, survey.intro, survey.link_days) == ("Reporting, again", "One minute.", 7)


def test_a_closed_survey_takes_no_new_question(client, survey, member):
    client.force_login(member)
    surveys.set_status(survey, "closed")
    part = client.post(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/questions/",
                       {"text": "Anything else?", "kind": "text"}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and "Anything else?" not in part.content.decode()
    with pytest.raises(ValidationError, match="this survey is closed; reopen it to add questions"):
        surveys.add_question(survey, key="more", text="Anything else?", kind="text")
    assert survey.questions.count() == 2


def test_a_survey_is_made_with_all_its_questions_or_none(survey_ws):
    with pytest.raises(ValidationError, match="choices"):
        surveys.create_survey(survey_ws, title="Pulse", questions=[
            {"key": "nps", "text": "Recommend us?", "kind": "scale_10"},
            {"key": "pick", "text": "Pick one", "kind": "single"}])
    assert not Survey.objects.exists()


def test_opening_needs_a_question(client, survey_ws, member):
    client.force_login(member)
    survey = Survey.objects.create(workspace=survey_ws, title="Empty")
    page = client.post(f"/w/{survey_ws.slug}/surveys/{survey.pk}/status/", {"status": "open"}, follow=True)
    assert "Add a question before opening" in page.content.decode()
    survey.refresh_from_db()
    assert survey.status == "draft"


def test_distribute_by_search_and_by_stage(client, survey, member):
    client.force_login(member)
    url = f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distribute/"
    found = client.get(url, {"q": "customer 1"}).content.decode()
    assert "person1@customer1.test" in found and "person2@customer2.test" not in found
    assert "No Mail" not in client.get(url, {"q": "Customer 2"}).content.decode()  # no email, not offered

    preview = client.get(f"{url}preview/", {"segment": "reporting:1"}).content.decode()
    assert "<strong>2</strong> contacts" in preview and "Trying" in preview
    assert client.get(f"{url}preview/", {"segment": "reporting:9"}).content.decode().strip() == ""
    assert client.get(f"{url}preview/", {"segment": "nope:0"}).content.decode().strip() == ""

    page = client.post(url, {"action": "invite_stage", "segment": "reporting:1"}, follow=True).content.decode()
    assert "Invited 2 new contacts; sent 2 emails." in page
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@customer1.test", "person2@customer2.test"]
    assert "/s/" in mail.outbox[0].body and mail.outbox[0].body.count("http://testserver/s/") == 1
    preview = client.get(f"{url}preview/", {"segment": "reporting:1"}).content.decode()
    assert "2 already invited" in preview

    again = client.post(url, {"action": "invite_stage", "segment": "reporting:1"}, follow=True).content.decode()
    assert "Invited 0 new contacts; sent 0 emails." in again and len(mail.outbox) == 2

    c0 = survey.workspace.contacts.get(email="person0@customer0.test")
    client.post(url, {"action": "invite", "contact": [c0.pk]})
    assert len(mail.outbox) == 3
    listing = client.get(url).content.decode()
    assert listing.count("<tr>") >= 4 and "person0@customer0.test" in listing and "Send reminders" in listing
    assert "0 of 3 answered" in listing
    nothing = client.post(url, {"action": "invite"}, follow=True).content.decode()
    assert "Tick at least one contact" in nothing


def test_other_workspaces_contacts_are_never_invited(client, survey, member, other):
    from becoming.customers.models import Contact, Customer

    stranger = Contact.objects.create(
        workspace=other, customer=Customer.objects.create(workspace=other, external_id="X"), email="x@other.test")
    client.force_login(member)
    client.post(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distribute/",
                {"action": "invite", "contact": [stranger.pk]})
    assert not Invitation.objects.exists() and not mail.outbox


def test_invitations_are_paginated(client, survey, member):
    from becoming.customers.models import Contact

    customer = survey.workspace.customers.first()
    expires = timezone.now() + dt.timedelta(days=5)
    for i in range(55):
        contact = Contact.objects.create(workspace=survey.workspace, customer=customer, email=f"p{i}@many.test")
        Invitation.objects.create(survey=survey, contact=contact, expires=expires)
    client.force_login(member)
    url = f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distribute/"
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in client.get(url, {"page": 2}).content.decode()


@pytest.mark.parametrize("kind", ["scale_10", "multiple"])
def test_results_show_rates_distributions_and_text(client, survey, member, kind):
    if kind == "multiple":
        surveys.add_question(survey, key="tools", text="Which tools?", kind="multiple", choices=["Excel", "BI"])
    else:
        surveys.add_question(survey, key="nps", text="Recommend us?", kind="scale_10")
    # Free text without theme discovery: stored as an answer, shown on the results page.
    text_q = Question.objects.create(survey=survey, key="notes", text="Notes?", kind="text", order=9)
    contacts = list(survey.workspace.contacts.exclude(email="").order_by("pk"))
    expires = timezone.now() + dt.timedelta(days=5)
    invitations = [Invitation.objects.create(survey=survey, contact=c, expires=expires) for c in contacts]
    extra = {"tools": [1, 2]} if kind == "multiple" else {"nps": 9}
    response = surveys.response_for(invitations[1])
    surveys.save_answers(response, {"confidence": 4, "next_step": 2, **extra})
    response.answers[text_q.key] = "Exports are slow on Mondays."
    response.submitted = timezone.now()
    response.save()

    client.force_login(member)
    url = f"/w/{survey.workspace.slug}/surveys/{survey.pk}/results/"
    page = client.get(url).content.decode()
    assert '<div class="stat-value" id="overall-rate">33%</div>' in page
    assert "Starting" in page and "Trying" in page  # rate per stage of the first dimension
    assert "50%" in page  # one of the two at Trying
    assert '"labels": ["1", "2", "3", "4", "5"], "values": [0, 0, 0, 1, 0]' in page
    assert '"labels": ["Training", "Templates", "Nothing"], "values": [0, 1, 0]' in page
    if kind == "multiple":
        assert '"labels": ["Excel", "BI"], "values": [1, 1]' in page
    else:
        assert '"values": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]' in page
    assert "Exports are slow on Mondays." in page and "Customer 1" in page
    assert "chart.umd.min.js" in page
    assert "Stage of" not in client.get(url, {"dimension": ""}).content.decode()
