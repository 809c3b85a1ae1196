"""A customer-success manager's accounts: owners and "my accounts", lifecycle status (churned
customers out of the dashboard), ARR and renewals, notes, the merged timeline, alerts."""

import datetime as dt
import json
import socket

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from support import SMALL_MODEL

from becoming.accounts import actions
from becoming.accounts.models import Alert
from becoming.customers.actions import import_customers
from becoming.customers.models import Customer
from becoming.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def customers_file(folder, rows):
    path = folder / "customers.csv"
    path.write_text("customer_id,name,plan,owner_email,lifecycle,Churn,arr,renewal\n"
                    + "\n".join(",".join(r) for r in rows) + "\n")
    return path


def account_options():
    return {"owner_column": "owner_email", "status_column": "lifecycle", "churn_column": "Churn",
            "arr_column": "arr", "renewal_column": "renewal"}


def events_file(folder, rows):
    path = folder / "events.csv"
    path.write_text("customer_id,type,time\n" + "\n".join(f"{c},{t},{d}" for c, t, d in rows) + "\n")
    return path


def setup_assessed(workspace, owner, tmp_path, rows, events, dates):
    from becoming.assessments.actions import run_assessment
    from becoming.signals.actions import import_events
    from becoming.transformation.actions import apply_model

    import_customers(workspace, customers_file(tmp_path, rows), **account_options())
    import_events(workspace, events_file(tmp_path, events), type_column="type")
    apply_model(workspace, SMALL_MODEL, owner)
    return [run_assessment(workspace, day) for day in dates]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_import_maps_accounts_and_churned_leave_the_dashboard(workspace, owner, member, tmp_path):
    rows = [("A1", "Alpha", "pro", "member@acme.test", "Active", "No", "12000.50", "2030-01-31"),
            ("A2", "Beta", "pro", "", "TRIAL", "no", "", ""),
            ("A3", "Gamma", "free", "OWNER@acme.test", "", "Yes", "900", ""),
            ("A4", "Delta", "free", "", "active", "0", "\"1,500\"", "")]
    exports = [(c, "report_exported", TODAY - dt.timedelta(days=d)) for c in ("A1", "A3") for d in (1, 2, 3)]
    [snapshot] = setup_assessed(workspace, owner, tmp_path, rows, exports, [TODAY])
    by_id = {c.external_id: c for c in Customer.objects.filter(workspace=workspace)}
    assert by_id["A1"].owner == member and str(by_id["A1"].arr) == "12000.50"
    assert by_id["A1"].renewal_date == dt.date(2030, 1, 31) and by_id["A2"].status == "trial"
    assert by_id["A3"].status == "churned" and by_id["A3"].owner == owner
    assert str(by_id["A4"].arr) == "1500.00" and by_id["A4"].owner is None
    assert "owner_email" not in by_id["A1"].attributes  # the owner is not an attribute

    # Churned A3 stays in the snapshot (its page keeps its standing), not in the charts.
    assert snapshot.customers == 4
    assert snapshot.summary["customers"] == 3 and snapshot.summary["churned"] == 1
    assert sum(snapshot.summary["dimensions"]["reporting"]) == 3
    assert by_id["A3"].stages != {} and by_id["A3"].assessed_on == TODAY
    page = signed_in(owner).get(f"/w/{workspace.slug}/").content.decode()
    assert "1 churned customer left out" in page

    bad = customers_file(tmp_path, [("A1", "Alpha", "pro", "nobody@else.test", "", "", "", "")])
    with pytest.raises(ValidationError, match=r'row 2, column "owner_email".*nobody@else.test'):
        import_customers(workspace, bad, **account_options())
    assert Customer.objects.get(external_id="A1").owner == member  # nothing half-written


def test_customer_page_walk_owner_notes_timeline_chart(workspace, owner, member, tmp_path):
    rows = [("A1", "Alpha", "pro", "", "", "", "", ""), ("A2", "Beta", "free", "", "", "", "", "")]
    exports = [("A1", "report_exported", TODAY - dt.timedelta(days=d)) for d in (1, 2, 3, 90)]
    setup_assessed(workspace, owner, tmp_path, rows, exports, [TODAY - dt.timedelta(days=60), TODAY])
    customer = Customer.objects.get(workspace=workspace, external_id="A1")
    client = signed_in(member)
    base = f"/w/{workspace.slug}/customers/{customer.pk}/"

    response = client.post(base + "account/", {"owner": "member@acme.test", "status": "active",
                                               "arr": "48000", "renewal_date": "2031-03-01"})
    assert response.status_code == 302
    client.post(base + "notes/", {"text": "Wants SSO before expanding."})
    page = client.get(base).content.decode()
    assert "member@acme.test" in page and "USD 48,000" in page and "2031-03-01" in page
    assert "Wants SSO before expanding." in page
    assert 'role="img"' in page and "Product events per week" in page and "4 events in all" in page
    assert "Report exported" in page and "Moved up on Report on their work" in page
    assert page.index("Note by member@acme.test") < page.index("Moved up on")  # newest first

    only_notes = client.get(base, {"kind": "notes"}).content.decode()
    timeline = only_notes[only_notes.index('id="timeline"'):]
    assert "Note by member@acme.test" in timeline and "Report exported" not in timeline

    # Every source honours a window (the page asks for everything; scripts may not).
    from django.utils import timezone

    from becoming import registry

    now = timezone.now()
    found = {s.key: registry.resolve(s.target)(customer, now - dt.timedelta(days=30), now, 10)
             for s in registry.TIMELINE_SOURCES}
    assert len(found["events"]) == 3 and len(found["notes"]) == 1 and found["outcomes"] == []

    fresh = Customer.objects.create(workspace=workspace, external_id="NEW")
    assert "Not assessed yet" in client.get(f"/w/{workspace.slug}/customers/{fresh.pk}/").content.decode()


def test_my_accounts_filter(workspace, owner, member):
    mine = Customer.objects.create(workspace=workspace, external_id="M1", name="Mine Ltd", owner=member)
    Customer.objects.create(workspace=workspace, external_id="O1", name="Others Ltd", owner=owner)
    Customer.objects.create(workspace=workspace, external_id="N1", name="Nobody Ltd")
    client = signed_in(member)
    assert client.get("/")["Location"] == f"/w/{workspace.slug}/my-accounts/"  # their landing
    assert signed_in(owner).get("/")["Location"] == f"/w/{workspace.slug}/"  # an owner's: the dashboard
    assert client.get(f"/w/{workspace.slug}/my-accounts/")["Location"].endswith("?owner=me")
    page = client.get(f"/w/{workspace.slug}/customers/", {"owner": "me"}).content.decode()
    assert "Mine Ltd" in page and "Others Ltd" not in page and "Nobody Ltd" not in page
    assert "My accounts" in page
    unowned = client.get(f"/w/{workspace.slug}/customers/", {"owner": "none"}).content.decode()
    assert "Nobody Ltd" in unowned and "Mine Ltd" not in unowned
    mine.owner = None
    mine.save()
    assert "You own no accounts yet" in client.get(f"/w/{workspace.slug}/customers/",
                                                   {"owner": "me"}).content.decode()
    # Someone who leaves the workspace stops owning its accounts; others keep theirs.
    from becoming.workspaces.actions import remove_member
    from becoming.workspaces.models import Membership

    Customer.objects.filter(pk=mine.pk).update(owner=member)
    remove_member(Membership.objects.get(workspace=workspace, user=member))
    assert Customer.objects.get(pk=mine.pk).owner is None
    assert Customer.objects.get(external_id="O1").owner == owner


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_alerts_stage_drop_and_renewal_mailed_once_and_retried(
        workspace, owner, member, tmp_path, smtp_server, settings):
    # A1 was regular (3 exports in 30 days, pro) 40 days ago and is only trying today.
    rows = [("A1", "Alpha", "pro", "member@acme.test", "", "", "", str(TODAY + dt.timedelta(days=10))),
            ("A2", "Beta", "pro", "member@acme.test", "", "", "", str(TODAY + dt.timedelta(days=200))),
            ("A3", "Gone", "pro", "member@acme.test", "", "yes", "", str(TODAY + dt.timedelta(days=5)))]
    exports = [(c, "report_exported", TODAY - dt.timedelta(days=d)) for c in ("A1", "A3") for d in (41, 42, 43)]
    setup_assessed(workspace, owner, tmp_path, rows, exports, [TODAY - dt.timedelta(days=40), TODAY])

    alerts = {(a.customer.external_id, a.kind): a for a in Alert.objects.filter(workspace=workspace)}
    assert set(alerts) == {("A1", "stage_drop"), ("A1", "renewal")}  # not A2 (far), not churned A3
    assert "from Regular to Trying" in alerts[("A1", "stage_drop")].message
    assert "in 10 days" in alerts[("A1", "renewal")].message
    # Each assessment mails what is new: the renewal after the first, the drop after the second.
    first, second = smtp_server.messages
    assert first["To"] == second["To"] == "member@acme.test" and "1 alert " in first["Subject"]
    assert "Renews in 10 days" in first.get_content()
    assert "from Regular to Trying" in second.get_content()
    assert actions.check_alerts(workspace) == {"created": 0, "emailed": 0, "mail_failed": False}

    # A failed send changes nothing but the result; the next check sends it.
    Customer.objects.filter(external_id="A2").update(renewal_date=TODAY + dt.timedelta(days=30))
    good_port, settings.EMAIL_PORT = settings.EMAIL_PORT, closed_port()
    assert actions.check_alerts(workspace) == {"created": 1, "emailed": 0, "mail_failed": True}
    assert Alert.objects.get(customer__external_id="A2").emailed is None
    settings.EMAIL_PORT = good_port
    assert actions.check_alerts(workspace)["emailed"] == 1 and len(smtp_server.messages) == 3

    client = signed_in(member)
    page = client.get(f"/w/{workspace.slug}/alerts/").content.decode()
    assert "3 unread" in page and "from Regular to Trying" in page
    drop = alerts[("A1", "stage_drop")]
    client.post(f"/w/{workspace.slug}/alerts/{drop.pk}/dismiss/")
    page = client.get(f"/w/{workspace.slug}/alerts/").content.decode()
    assert "2 unread" in page and "from Regular to Trying" not in page


def test_api_account_fields_notes_and_alerts(workspace, owner, member):
    _, secret = ApiToken.issue(workspace, "test", role="member")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    Customer.objects.create(workspace=workspace, external_id="A1", name="Alpha")

    def send(verb, path, body):
        return getattr(api, verb)(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")

    got = send("patch", "/customers/A1", {"owner": "MEMBER@acme.test", "status": "Trial", "arr": 1200.5,
                                           "renewal_date": "2030-05-01"})
    assert got.status_code == 200, got.content
    assert got.json().items() >= {"owner": "member@acme.test", "status": "trial", "arr": 1200.5,
                                  "renewal_date": "2030-05-01"}.items()
    kept = send("patch", "/customers/A1", {"name": "Alpha Inc"}).json()
    assert kept["owner"] == "member@acme.test" and kept["arr"] == 1200.5  # absent = unchanged
    bad = send("patch", "/customers/A1", {"owner": "stranger@x.test"})
    assert bad.status_code == 400 and "not a member" in bad.json()["message"]
    assert send("patch", "/customers/A1", {"owner": None}).json()["owner"] is None
    listed = api.get("/api/v1/customers", {"status": "trial", "sort": "-arr"}).json()
    assert [c["external_id"] for c in listed["items"]] == ["A1"]

    note = send("post", "/customers/A1/notes", {"text": "Budget review in May", "author": "owner@acme.test"})
    assert note.status_code == 201 and note.json()["author"] == "owner@acme.test"
    notes = api.get("/api/v1/customers/A1/notes").json()
    assert notes["count"] == 1 and notes["items"][0]["text"] == "Budget review in May"
    assert send("post", "/customers/A1/notes", {"text": ""}).status_code in (400, 422)

    Customer.objects.filter(external_id="A1").update(renewal_date=TODAY + dt.timedelta(days=3))
    checked = send("post", "/alerts/check", {}).json()
    assert checked["created"] == 1
    [alert] = api.get("/api/v1/alerts").json()["items"]
    assert alert["customer_id"] == "A1" and alert["kind"] == "renewal" and not alert["read"]
    assert send("post", f"/alerts/{alert['id']}/read", {}).json()["read"] is True
    assert send("post", f"/alerts/{alert['id']}/explode", {}).status_code == 400
