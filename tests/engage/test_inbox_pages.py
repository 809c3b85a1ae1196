"""Feedback inbox, theme pages and meetings: who may see and change what, filters, pagination."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from inbox_data import BILLING, feedback_rows, make_customers

pytestmark = pytest.mark.django_db


def url(workspace, name, *args):
    return reverse(name, args=[workspace.slug, *args])


@pytest.fixture
def theme(workspace):
    from becoming.engage.models import Theme

    return Theme.objects.create(workspace=workspace, key="T1", label="invoice · charged", centroid=b"")


READ = ["feedback", "themes", "meetings", "meeting_new", "quiet_customers",
        "meeting_customers", "meeting_contacts"]
# Feedback files go through the imports page, like every other file.
FEEDBACK_IMPORT = "/w/{}/imports/?kind=feedback"


@pytest.mark.parametrize("name", READ)
def test_outsider_gets_404_and_viewer_can_read(client, workspace, viewer, outsider, name):
    client.force_login(outsider)
    assert client.get(url(workspace, name)).status_code == 404
    client.force_login(viewer)
    assert client.get(url(workspace, name)).status_code == 200


@pytest.mark.parametrize("name,data", [
    ("themes_discover", {"how": "auto", "granularity": "0.5"}),
    ("meeting_new", {"kind": "call"}),
])
def test_viewer_cannot_post(client, workspace, viewer, outsider, name, data):
    client.force_login(outsider)
    assert client.post(url(workspace, name), data).status_code == 404
    client.force_login(viewer)
    assert client.post(url(workspace, name), data).status_code == 403


@pytest.mark.parametrize("name,data", [
    ("theme_rename", {"name": "Billing"}), ("theme_merge", {"others": []}), ("theme_split", {}),
    ("theme_dimension", {"dimension": ""}),
])
def test_theme_edits_need_a_member(client, workspace, viewer, outsider, theme, name, data):
    client.force_login(outsider)
    assert client.post(url(workspace, name, theme.pk), data).status_code == 404
    assert client.get(url(workspace, "theme", theme.pk)).status_code == 404
    client.force_login(viewer)
    assert client.post(url(workspace, name, theme.pk), data).status_code == 403
    assert client.get(url(workspace, "theme", theme.pk)).status_code == 200
    theme.refresh_from_db()
    assert theme.name == ""


def test_feedback_import_is_the_imports_page(client, workspace, viewer, outsider):
    page = FEEDBACK_IMPORT.format(workspace.slug)
    assert client.get(url(workspace, "feedback_import"))["Location"] == "../../imports/?kind=feedback"
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    assert client.post(page, {}).status_code == 404
    client.force_login(viewer)
    r = client.get(page)
    assert r.status_code == 200 and r.context["fixed"].key == "feedback"
    assert client.post(page, {}).status_code == 403
    feedback = client.get(url(workspace, "feedback")).content.decode()
    assert "?kind=feedback" not in feedback  # viewers are not offered an import


def test_import_map_page_is_private(client, workspace, member, outsider, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from becoming.jobs.models import Upload

    client.force_login(member)
    assert f'href="{FEEDBACK_IMPORT.format(workspace.slug)}"' in client.get(url(workspace, "feedback")).content.decode()
    f = SimpleUploadedFile("fb.csv", b"text\nhello there\n", content_type="text/csv")
    r = client.post(FEEDBACK_IMPORT.format(workspace.slug), {"file": f, "kind": "customers"})
    assert r.status_code == 302
    upload = Upload.objects.get()
    assert upload.kind == "feedback" and r["Location"] == url(workspace, "import_map", upload.pk)
    client.force_login(outsider)
    assert client.get(r["Location"]).status_code == 404
    assert client.get(url(workspace, "import_map", upload.pk + 1)).status_code == 404


def test_empty_states_name_the_next_step(client, workspace, viewer):
    client.force_login(viewer)
    page = client.get(url(workspace, "feedback")).content.decode()
    assert "No feedback yet" in page and "becoming import feedback" in page
    page = client.get(url(workspace, "themes")).content.decode()
    assert "No feedback yet" in page
    page = client.get(url(workspace, "meetings")).content.decode()
    assert "No meetings logged yet" in page


def test_inbox_lists_newest_first_with_filters(client, workspace, viewer, theme):
    from becoming.engage.models import Feedback

    customers = make_customers(workspace)
    feedback_rows(workspace, customers)
    Feedback.objects.filter(workspace=workspace, text__in=BILLING).update(theme=theme)
    client.force_login(viewer)
    page = client.get(url(workspace, "feedback")).content.decode()
    assert page.index(BILLING[0]) < page.index(BILLING[1])  # newest first
    assert "invoice · charged" in page  # the theme chip

    def texts(**params):
        r = client.get(url(workspace, "feedback"), params)
        return [f.text for f in r.context["page"].object_list]

    assert set(texts(channel="support")) == set(BILLING)
    assert set(texts(theme=theme.pk)) == set(BILLING)
    assert not set(texts(theme="none")) & set(BILLING)
    assert texts(q="double charge") == ["Please fix the double charge on our last invoice"]
    by_customer = texts(customer="Customer 01")
    assert by_customer and all(
        Feedback.objects.get(text=t).customer.name == "Customer 01" for t in by_customer)
    assert texts(customer="C01", channel="support", q="zzz") == []
    # htmx asks for the list only
    r = client.get(url(workspace, "feedback"), {"q": "refund"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in r.content and b"Refund" in r.content


def test_the_page_and_the_api_share_one_filter(client, workspace, viewer, theme):
    from test_api import Api

    from becoming.engage.models import Feedback

    customers = make_customers(workspace, 3)
    feedback_rows(workspace, customers)
    Feedback.objects.filter(workspace=workspace, text__in=BILLING).update(theme=theme)
    client.force_login(viewer)
    api = Api(workspace)

    def page(**params):
        return {f.text for f in client.get(url(workspace, "feedback"), params).context["page"].object_list}

    def listed(**params):
        return {f["text"] for f in api.get("/feedback", limit=500, **params).json()}

    assert listed(theme="T1") == page(theme="T1") == page(theme=theme.pk) == set(BILLING)
    assert listed(theme="none") == page(theme="none") == set(Feedback.objects.exclude(text__in=BILLING)
                                                                 .values_list("text", flat=True))
    assert listed(customer_id="C01") == page(customer_id="C01") == set(
        Feedback.objects.filter(customer=customers[1]).values_list("text", flat=True))
    assert listed(customer_id="C0") == set()  # the API's customer_id is exact; the page's customer searches
    assert page(customer="C0") == set(Feedback.objects.values_list("text", flat=True))
    assert listed(channel="nps", theme="T1") == page(channel="nps", theme="T1") == set()


def test_inbox_paginates_filtered_lists_without_counting(client, workspace, viewer, settings):
    from becoming.engage.models import Feedback

    settings.CUSTOMERS_PER_PAGE = 10
    customers = make_customers(workspace, 3)
    feedback_rows(workspace, customers)
    client.force_login(viewer)
    whole = client.get(url(workspace, "feedback")).context["page"]
    assert whole.paginator.count == Feedback.objects.count() == 39
    r = client.get(url(workspace, "feedback"), {"channel": "nps", "page": 2})
    page = r.context["page"]
    assert page.paginator is None and page.has_next and page.has_previous
    assert len(page.object_list) == 10 and "channel=nps" in r.context["query"]
    last = client.get(url(workspace, "feedback"), {"channel": "nps", "page": 3}).context["page"]
    assert not last.has_next and len(last.object_list) == 6
    assert b"of many" in r.content


def test_feedback_import_dry_run_shows_the_row_and_column(client, workspace, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from becoming.engage.models import Feedback

    make_customers(workspace, 2)
    client.force_login(member)
    f = SimpleUploadedFile("fb.csv", b"comment,account\nGreat,C00\nSlow app,C99\n", content_type="text/csv")
    r = client.post(FEEDBACK_IMPORT.format(workspace.slug), {"file": f})
    page = client.get(r["Location"])
    form = page.context["form"]
    assert form.initial["text_column"] == "comment" and form.initial["customer_column"] == "account"
    assert form.initial["id_column"] == form.initial["time_column"] == ""
    r = client.post(r["Location"], {"text_column": "comment", "customer_column": "account",
                                    "channel": "nps", "dry_run": "1"})
    assert 'row 3, column "account"' in r.context["dry_run_error"]
    assert Feedback.objects.count() == 0


def test_log_a_meeting_records_a_signal(client, workspace, member, viewer):
    from becoming.engage.models import Meeting
    from becoming.signals.actions import store_for

    customer = make_customers(workspace, 1)[0]
    contact = customer.contacts.get()
    client.force_login(member)
    page = client.get(url(workspace, "meeting_new"), {"customer": customer.pk})
    assert b"Contact 00" in page.content and page.context["form"].initial["when"]
    assert b"Contact 00" in client.get(url(workspace, "meeting_contacts"), {"customer": customer.pk}).content
    assert b"Customer 00" in client.get(url(workspace, "meeting_customers"), {"q": "00"}).content
    before = store_for(workspace).count("event")
    r = client.post(url(workspace, "meeting_new"), {
        "customer": customer.pk, "kind": "visit", "when": "2025-03-04T10:30", "contacts": [contact.pk],
        "staff": [member.pk, viewer.pk], "title": "Quarterly review", "next_steps": "Send the deck"})
    assert r.status_code == 302 and r["Location"] == url(workspace, "customer", customer.pk)
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.title, meeting.created_by) == ("visit", "Quarterly review", member)
    assert list(meeting.contacts.all()) == [contact]
    assert set(meeting.staff.all()) == {member, viewer}
    assert store_for(workspace).count("event") == before + 1
    page = client.get(url(workspace, "customer", customer.pk)).content.decode()
    assert "Quarterly review" in page and "Send the deck" in page


def test_meeting_form_errors(client, workspace, member, other):
    from becoming.customers.models import Customer
    from becoming.engage.models import Meeting

    foreign = Customer.objects.create(workspace=other, external_id="X", name="Elsewhere")
    client.force_login(member)
    r = client.post(url(workspace, "meeting_new"), {"customer": foreign.pk, "kind": "call", "when": "2025-01-01T10:00"})
    assert r.status_code == 200 and "Choose the customer." in r.content.decode()
    customer = make_customers(workspace, 1)[0]
    future = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url(workspace, "meeting_new"), {"customer": customer.pk, "kind": "call", "when": future})
    assert "logged after it happened" in r.content.decode()
    assert Meeting.objects.count() == 0


def test_meeting_list_filters_and_quiet_customers(client, workspace, member, viewer):
    from becoming.engage.actions.meetings import log_meeting

    customers = make_customers(workspace, 4)
    now = timezone.now()
    log_meeting(workspace, customers[0], kind="call", when=now - dt.timedelta(days=10), title="Recent call")
    log_meeting(workspace, customers[1], kind="visit", when=now - dt.timedelta(days=100), title="Old visit")
    log_meeting(workspace, customers[1], kind="meeting", when=now - dt.timedelta(days=45), title="Video chat")
    client.force_login(viewer)

    def titles(**params):
        return [m.title for m in client.get(url(workspace, "meetings"), params).context["page"].object_list]

    assert titles() == ["Recent call", "Video chat", "Old visit"]
    assert titles(kind="visit") == ["Old visit"]
    assert titles(customer=customers[1].pk) == ["Video chat", "Old visit"]
    assert titles(customer="Customer 00") == ["Recent call"]

    def quiet(days):
        r = client.get(url(workspace, "quiet_customers"), {"days": days})
        return [c.external_id for c in r.context["page"].object_list]

    # never spoken to first, then the longest silence
    assert quiet(90) == ["C02", "C03"]
    assert quiet(30) == ["C02", "C03", "C01"]
    assert quiet(180) == ["C02", "C03"]
    assert quiet(7) == quiet(90)  # not offered: the default


def test_customer_page_shows_self_assessed_against_measured(client, workspace, owner, viewer, small_model):
    from becoming.assessments.actions import run_assessment
    from becoming.customers.models import Customer
    from becoming.engage.actions.surveys import self_assessment, submit
    from becoming.engage.models import Response
    from becoming.transformation.actions import apply_model

    customers = make_customers(workspace, 2)
    apply_model(workspace, small_model, owner)
    run_assessment(workspace)
    survey = self_assessment(workspace, owner)
    survey.status = "open"
    survey.save()
    for customer, said in zip(customers, (2, 0)):
        response = Response.objects.create(survey=survey, customer=customer, contact=customer.contacts.first())
        submit(response, {"self_reporting": said})
    newcomer = Customer.objects.create(workspace=workspace, external_id="NEW", name="Newcomer")  # not assessed
    submit(Response.objects.create(survey=survey, customer=newcomer), {"self_reporting": 1})
    client.force_login(viewer)
    page = client.get(url(workspace, "customer", customers[0].pk)).content.decode()
    assert ('<p class="amber-note self-gap">Thinks they are Regular; the data shows Starting'
            ' — worth a conversation</p>') in page
    assert "Self-assessed: <strong>Regular</strong>" in page
    assert "Where do you stand today?" in page  # the survey answers section
    page = client.get(url(workspace, "customer", customers[1].pk)).content.decode()
    assert "matches the data" in page and "worth a conversation" not in page and "self-gap" not in page
    page = client.get(url(workspace, "customer", newcomer.pk)).content.decode()
    assert "Self-assessed: <strong>Trying</strong>" in page and "not measured yet" in page
    assert "matches the data" not in page and "self-gap" not in page
