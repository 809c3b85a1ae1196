"""Connect's pages and member views with the Django client: directory, round review, forum
(members in the portal, staff moderation), gatherings with an .ics; tenancy."""

import datetime as dt

import pytest
from django.utils import timezone
from support import portal_sign_in

from becoming.connect.actions import forum, gatherings, rounds
from becoming.connect.models import Introduction, Post, Topic
from becoming.customers.models import Contact
from becoming.engage.models import Feedback
from becoming.signals.actions import store_for


@pytest.fixture
def staff(client, owner):
    client.force_login(owner)
    return client


def test_directory_filters_and_says_why_two_are_alike(staff, community, outsider, client):
    page = staff.get(f"/w/{community.slug}/connect/")
    assert page.status_code == 200 and b"6 opted-in members" in page.content
    page = staff.get(f"/w/{community.slug}/connect/", {"q": "north"})
    assert b"North Works" in page.content and b"East Works" not in page.content
    page = staff.get(f"/w/{community.slug}/connect/", {"q": "nobody"})
    assert b"No member matches these filters" in page.content
    rounds.propose(community, text_attributes=["Work"])  # the page compares the texts rounds use
    members = {m.customer.external_id: m for m in community.connect_members.select_related("customer")}
    page = staff.get(f"/w/{community.slug}/connect/", {"a": members["east"].pk, "b": members["west"].pk})
    assert b"Why East Works and West Works are alike" in page.content
    assert b"invoice approval" in page.content
    client.force_login(outsider)
    assert client.get(f"/w/{community.slug}/connect/").status_code == 404


def test_round_review_page_drops_and_restores(staff, community):
    round_ = rounds.propose(community, text_attributes=["Work"])["round"]
    page = staff.get(f"/w/{community.slug}/connect/rounds/{round_.pk}/")
    assert page.status_code == 200 and b"3 pairs kept" in page.content and b"second plant" in page.content
    pair = round_.introductions.first()
    url = f"/w/{community.slug}/connect/rounds/{round_.pk}/pairs/{pair.pk}/"
    row = staff.post(url, {"action": "drop"}, HTTP_HX_REQUEST="true")
    assert b"Dropped by staff" in row.content and b"Keep" in row.content
    assert Introduction.objects.get(pk=pair.pk).status == "dropped"
    staff.post(url, {"action": "restore"})
    assert Introduction.objects.get(pk=pair.pk).status == "proposed"


def test_forum_members_post_staff_moderate(client, staff, community, owner, smtp_server):
    topic = forum.add_topic(community, "Second sites", dimension="rollout")
    north = Contact.objects.get(email="lead@north.test")
    south = Contact.objects.get(email="lead@south.test")
    member = client.__class__()
    portal_sign_in(member, north)
    page = member.post("/portal/connect/forum/", {"topic": topic.pk, "title": "How did you staff the second plant?",
                                                  "body": "We are hiring shift leads and struggle."})
    assert page.status_code == 302
    thread = topic.threads.get()
    other = client.__class__()
    portal_sign_in(other, south)
    other.post(f"/portal/connect/forum/{thread.pk}/", {"body": "We trained leads from the first plant."})
    assert [m["To"] for m in smtp_server.messages] == ["lead@north.test"]  # the thread's other poster
    # Posts are feedback (themes see them) and connect.post signals.
    assert Feedback.objects.filter(workspace=community, channel="community").count() == 2
    con = store_for(community)._connect()
    assert con.sql("SELECT count(*) FROM signals WHERE type = 'connect.post'").fetchall()[0][0] == 2
    assert b"second plant" in member.get("/portal/connect/forum/", {"q": "first plant"}).content
    # Staff reply, hide a post, lock the thread, ban the author.
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/", {"body": "Happy to connect you both."})
    reply = Post.objects.get(contact=south)
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/moderate/", {"post": reply.pk, "action": "hide"})
    page = member.get(f"/portal/connect/forum/{thread.pk}/")
    assert b"first plant" not in page.content and b"Happy to connect" in page.content
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/moderate/", {"action": "lock"})
    member.post(f"/portal/connect/forum/{thread.pk}/", {"body": "One more thing"})
    assert not Post.objects.filter(body="One more thing").exists()
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/moderate/", {"action": "unlock"})
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/moderate/",
               {"post": Post.objects.get(contact=north).pk, "action": "ban"})
    member.post(f"/portal/connect/forum/{thread.pk}/", {"body": "Still here?"})
    assert not Post.objects.filter(body="Still here?").exists()
    staff.post(f"/w/{community.slug}/connect/forum/{thread.pk}/moderate/", {"action": "hide"})
    assert member.get(f"/portal/connect/forum/{thread.pk}/").status_code == 404


def test_forum_of_another_workspace_is_not_found(client, community, other):
    foreign = Topic.objects.create(workspace=other, title="Elsewhere")
    from becoming.customers.models import Customer

    c = Customer.objects.create(workspace=other, external_id="x")
    contact = Contact.objects.create(workspace=other, customer=c, email="x@other.test")
    with pytest.raises(Exception, match="only members"):
        forum.start_thread(foreign, "Hi", "there", contact=contact)
    north = Contact.objects.get(email="lead@north.test")
    thread = forum.start_thread(Topic.objects.create(workspace=community, title="Here"), "Ours", "text",
                                contact=north)
    portal_sign_in(client, contact)
    assert client.get(f"/portal/connect/forum/{thread.pk}/").status_code == 404


def test_gathering_groups_ics_and_attendance(staff, community):
    from icalendar import Calendar

    starts = timezone.now() + dt.timedelta(days=10)
    result = gatherings.form(community, size_min=3, size_max=3, text_attributes=["Work"],
                             save={"title": "Spring roundtable", "starts": starts, "location": "Lyon"})
    assert sorted(len(g) for g in result["groups"]) == [3, 3]
    gathering = result["gathering"]
    page = staff.get(f"/w/{community.slug}/connect/gatherings/{gathering.pk}/")
    assert b"Group 2" in page.content
    ics = staff.get(f"/w/{community.slug}/connect/gatherings/{gathering.pk}/invitation.ics")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Spring roundtable" and str(event["location"]) == "Lyon"
    assert event.decoded("dtstart") == starts.replace(microsecond=0) or event.decoded("dtstart") == starts
    seat = gathering.seats.first()
    staff.post(f"/w/{community.slug}/connect/gatherings/{gathering.pk}/seats/{seat.pk}/", {"attended": "yes"})
    con = store_for(community)._connect()
    assert con.sql("SELECT count(*) FROM signals WHERE type = 'connect.attended'").fetchall()[0][0] == 1


def test_a_customer_joins_in_the_portal_and_answers_there(client, workspace, owner):
    from becoming.connect.models import Member
    from becoming.customers.models import Customer

    acme = Customer.objects.create(workspace=workspace, external_id="acme", name="Acme",
                                   attributes={"Industry": "Retail"})
    contact = Contact.objects.create(workspace=workspace, customer=acme, name="Ann", email="ann@acme.test")
    portal_sign_in(client, contact)
    client.post("/portal/connect/join/", {"join": "join", "working_on": "opening a second shop"})
    member = Member.objects.get(customer=acme)
    assert member.opted_in and member.consent_how == "portal" and member.consent_by == "ann@acme.test"
    assert member.working_on == "opening a second shop"
    client.post("/portal/connect/join/", {"join": "leave"})
    member.refresh_from_db()
    assert not member.opted_in and member.opted_out_at is not None
    client.force_login(owner)
    client.post("/portal/connect/join/", {"join": "join"})
    page = client.get(f"/w/{workspace.slug}/connect/", {"attribute": "Industry", "value": "Retail"})
    assert b"Acme" in page.content and b"Any industry" in page.content


def test_gathering_invitations_carry_the_ics_once(staff, community, smtp_server):
    from icalendar import Calendar

    result = gatherings.form(community, size_min=3, size_max=3, text_attributes=["Work"],
                             save={"title": "Roundtable", "starts": timezone.now() + dt.timedelta(days=5)})
    seat = result["gathering"].seats.first()
    url = f"/w/{community.slug}/connect/gatherings/{result['gathering'].pk}/seats/{seat.pk}/"
    staff.post(url, {"invite": "1"})
    staff.post(url, {"invite": "1"})  # again: nobody twice
    assert len(smtp_server.messages) == 6
    message = smtp_server.messages[0]
    [attachment] = list(message.iter_attachments())
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Roundtable (table ")
