"""Saved segments: save from the customer list, open, export, bulk actions, CLI and API."""

import csv
import io
import json

import pytest
from django.test import Client

from becoming.customers.actions import add_contact, upsert_customer
from becoming.engage.actions.surveys import create_survey
from becoming.segments import actions
from becoming.segments.models import Segment
from becoming.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(workspace):
    made = {}
    for ext, name, plan in (("C1", "=HYPERLINK(\"x\")", "pro"), ("C2", "Bolt Works", "pro"),
                            ("C3", "Crane Co", "free")):
        made[ext], _ = upsert_customer(workspace, ext, name, {"plan": plan, "seats": 3})
        add_contact(made[ext], name="Someone", email=f"ops@{ext.lower()}.test")
    return made


def test_save_open_export_and_invite_from_the_customer_list(client, workspace, member, customers, smtp_server):
    client.force_login(member)
    slug = workspace.slug
    listing = client.get(f"/w/{slug}/customers/", {"attr": "plan", "value": "pro"})
    assert "Save as segment" in listing.content.decode()

    # Given the list filtered to the pro plan, when it is saved as a segment
    saved = client.post(f"/w/{slug}/segments/save/", {"name": "Pro plan", "attr": "plan", "value": "pro",
                                                       "page": "2"}, follow=True)
    segment = Segment.objects.get(workspace=workspace)
    assert segment.params == {"attr": "plan", "value": "pro"}  # the page number is not a filter
    page = saved.content.decode()
    assert "Pro plan" in page and "Bolt Works" in page and "Crane Co" not in page
    assert f"/w/{slug}/customers/?attr=plan&amp;value=pro" in page  # opens the list filtered
    # a second segment of the same name (whatever its case) is refused with a message
    again = client.post(f"/w/{slug}/segments/save/", {"name": "pro PLAN"}, follow=True)
    assert "already a segment called" in again.content.decode()

    # the CSV export: the segment's customers only, formulas neutralised
    export = client.get(f"/w/{slug}/segments/{segment.pk}/export.csv")
    assert export["Content-Disposition"] == 'attachment; filename="Pro plan.csv"'
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {r["customer_id"] for r in rows} == {"C1", "C2"}
    assert {r["name"] for r in rows} == {"'=HYPERLINK(\"x\")", "Bolt Works"}
    assert rows[0]["plan"] == "pro" and rows[0]["seats"] == "3"  # a number stays a number

    # bulk invite to a survey: one email per contact, over SMTP
    survey = create_survey(workspace, title="How do you report?",
                           questions=[{"key": "confidence", "text": "How confident?", "kind": "scale_5"}])
    done = client.post(f"/w/{slug}/segments/{segment.pk}/bulk/engage.invite/", {"survey": survey.pk}, follow=True)
    assert "Invited 2 contacts" in done.content.decode()
    assert sorted(m["To"] for m in smtp_server.messages) == ["ops@c1.test", "ops@c2.test"]
    # the same on the current (unsaved) filter, with no survey chosen: an error naming the field
    bad = client.post(f"/w/{slug}/segments/current/bulk/engage.invite/?q=crane", {}, follow=True)
    assert "Invite to a survey: Survey:" in bad.content.decode()

    # rename, then delete
    client.post(f"/w/{slug}/segments/{segment.pk}/rename/", {"name": "Pro accounts"})
    listed = client.get(f"/w/{slug}/segments/").content.decode()
    assert ">Pro accounts</a>" in listed and ">Pro plan</a>" not in listed
    client.post(f"/w/{slug}/segments/{segment.pk}/delete/")
    assert not Segment.objects.filter(workspace=workspace).exists()
    assert "No segments yet" in client.get(f"/w/{slug}/segments/").content.decode()


def test_segments_are_the_workspace_s_own(client, workspace, outsider, customers):
    segment = actions.create_segment(workspace, "Everyone", {})
    client.force_login(outsider)
    assert client.get(f"/w/{workspace.slug}/segments/{segment.pk}/").status_code == 404
    _, secret = ApiToken.issue(segment.workspace, "t", role="viewer")
    viewer_api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = viewer_api.post("/api/v1/segments", json.dumps({"name": "x"}), content_type="application/json")
    assert refused.status_code == 403


def test_api_create_list_customers_delete(workspace, customers):
    _, secret = ApiToken.issue(workspace, "t", role="member")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    made = api.post("/api/v1/segments", json.dumps({"name": "Free", "params": {"attr": "plan", "value": "free"}}),
                    content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert [s["name"] for s in api.get("/api/v1/segments").json()["items"]] == ["Free"]
    found = api.get(f"/api/v1/segments/{pk}/customers").json()
    assert found["count"] == 1 and found["items"][0]["external_id"] == "C3"
    duplicate = api.post("/api/v1/segments", json.dumps({"name": "free"}), content_type="application/json")
    assert duplicate.status_code == 400 and "already" in duplicate.json()["message"]
    # Connect's bulk action, through the registry: the segment's customers join the community
    done = actions.run_bulk(workspace, "connect.opt_in", api.get("/api/v1/segments").json()["items"][0]["params"])
    assert done == "Added 1 customer to the community." and workspace.connect_members.get().customer.external_id == "C3"
    assert api.delete(f"/api/v1/segments/{pk}").status_code == 204
    assert api.get(f"/api/v1/segments/{pk}/customers").status_code == 404


def test_cli_segments_and_export_customers(becoming, tmp_path):
    slug = becoming("workspace", "create", "Segment Shop").stdout.strip()
    people = tmp_path / "customers.csv"
    people.write_text("id,name,plan\nA1,Alpha,pro\nB2,=cmd(),free\nC3,Gamma,pro\n")
    becoming("import", "customers", people, "--workspace", slug)
    out = becoming("segments", "create", "Pro", "--workspace", slug, "--filter", "attr=plan",
                   "--filter", "value=pro").stdout
    assert "saved segment" in out
    bad = becoming("segments", "create", "Odd", "--workspace", slug, "--filter", "Plan=pro", ok=False)
    assert bad.returncode == 1 and "--filter Plan: not a filter" in bad.stderr
    assert "Pro\tattr=plan&value=pro" in becoming("segments", "list", "--workspace", slug).stdout
    target = tmp_path / "pro.csv"
    becoming("export", "customers", "--workspace", slug, "--segment", "pro", "--output", target)
    rows = list(csv.DictReader(target.open()))
    assert [r["customer_id"] for r in rows] == ["A1", "C3"]
    everyone = becoming("export", "customers", "--workspace", slug).stdout
    assert "'=cmd()" in everyone
    missing = becoming("export", "customers", "--workspace", slug, "--segment", "Nope", ok=False)
    assert missing.returncode == 1 and "no segment 'Nope'" in missing.stderr
    becoming("segments", "delete", "Pro", "--workspace", slug)
    assert becoming("segments", "list", "--workspace", slug).stdout == ""


def test_demo_step_saves_segments_that_match_demo_customers(workspace):
    from types import SimpleNamespace

    from becoming.demo.build import MODEL
    from becoming.segments.demo import build
    from becoming.transformation.actions import apply_model

    upsert_customer(workspace, "FW-1", "Fieldwise One", {"Plan": "enterprise", "Region": "EMEA"})
    upsert_customer(workspace, "FW-2", "Fieldwise Two", {"Plan": "starter", "Region": "APAC"})
    apply_model(workspace, MODEL.read_text())
    build(SimpleNamespace(workspace=workspace))
    build(SimpleNamespace(workspace=workspace))  # a second run adds nothing
    saved = {s.name: s for s in actions.segments_of(workspace)}
    assert len(saved) == 3
    assert [c.external_id for c in actions.matching(workspace, saved["Enterprise accounts"].params)] == ["FW-1"]
    stage_segment = next(s for n, s in saved.items() if n not in ("Enterprise accounts", "EMEA, by index"))
    assert "stage_practice" in stage_segment.params


def test_my_accounts_saved_as_a_segment_names_the_owner(workspace, member, admin):
    from django.core.exceptions import ValidationError

    from becoming.customers.models import Customer

    mine, _ = upsert_customer(workspace, "M1", "Mine", {})
    Customer.objects.filter(pk=mine.pk).update(owner=member)
    upsert_customer(workspace, "O1", "Someone else's", {})
    segment = actions.create_segment(workspace, "My book", {"owner": "me"}, user=member)
    # Shared with the workspace, "me" would mean whoever looks: it is saved as the owner.
    assert segment.params == {"owner": member.email}
    assert list(actions.matching(workspace, segment.params)) == [mine]
    assert f"owned by {member.email}" in actions.describe(workspace, segment.params)
    with pytest.raises(ValidationError, match="owner"):
        actions.create_segment(workspace, "Nobody's", {"owner": "me"}, user=None)
