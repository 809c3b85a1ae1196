"""Market research: raking against a hand computation, the API (panel, audience, quotas,
weights, customers against the market, social posts) and the pages, through their contracts."""

import math

import pytest
from test_api import Api


@pytest.mark.once
def test_raking_matches_a_hand_computation():
    """A 2×2 sample (size × industry: 30, 10 / 20, 40) raked to sizes 50/50 and industries
    70/30. Raking keeps the table's odds ratio (30·40 / 10·20 = 6), so the top-left cell a
    solves a(a − 20) = 6(50 − a)(70 − a): a = 70 − √700, and the rest follows from the margins."""
    from becoming.engage.actions.market import effective_n, rake

    rows = ([{"size": "S", "industry": "A"}] * 30 + [{"size": "S", "industry": "B"}] * 10
            + [{"size": "L", "industry": "A"}] * 20 + [{"size": "L", "industry": "B"}] * 40)
    a = 70 - math.sqrt(700)
    fitted = {("S", "A"): a, ("S", "B"): 50 - a, ("L", "A"): 70 - a, ("L", "B"): a - 20}
    counts = {("S", "A"): 30, ("S", "B"): 10, ("L", "A"): 20, ("L", "B"): 40}
    result = rake(rows + [{"size": "S", "industry": "Z"}],
                  {"size": {"S": 0.5, "L": 0.5}, "industry": {"A": 0.7, "B": 0.3}})
    assert result.weights[-1] is None and "1 left out" in result.notes[0]
    for row, weight in zip(rows, result.weights):
        cell = (row["size"], row["industry"])
        assert weight == pytest.approx(fitted[cell] / counts[cell], rel=1e-6)
    weights = result.weights[:-1]
    assert sum(weights) / len(weights) == pytest.approx(1)  # normalised: total = sample size
    hand = sum(weights) ** 2 / sum(w * w for w in weights)
    assert result.effective_n == pytest.approx(hand) == pytest.approx(effective_n(weights))
    assert 50 < result.effective_n < 100  # weighting costs precision
    # Trimming: y's raw weight is 50 times the mean; capped at 5 (TRIM_HIGH) with the mean
    # kept at 1, the 99 others share the rest: (100 − 5) / 99 each.
    skewed = rake([{"g": "x"}] * 99 + [{"g": "y"}], {"g": {"x": 0.5, "y": 0.5}})
    assert skewed.weights[-1] == pytest.approx(5.0) and skewed.weights[0] == pytest.approx(95 / 99)
    # A share with no row is dropped: the others are scaled up and a note says so.
    missing = rake([{"g": "x"}] * 3, {"g": {"x": 0.5, "y": 0.5}})
    assert missing.weights == [1.0, 1.0, 1.0] and "no answers with g y" in missing.notes[0]


@pytest.mark.django_db
def test_market_research_api_and_pages(workspace, owner, client, small_model, smtp_server):
    api = Api(workspace)
    api.post("/customers", {"external_id": "C-1", "attributes": {"industry": "Retail", "plan": "pro"}})
    api.post("/model/apply", {"yaml": small_model})
    people = [{"email": f"P{i}@Panel.test", "name": f"P {i}",
               "attributes": {"industry": "Retail" if i < 3 else "Energy", "size": "Small"}} for i in range(4)]
    assert api.post("/panelists", {"items": people}).json() == {"created": 4, "updated": 0}
    again = api.post("/panelists", {"items": [{"email": "p0@panel.test", "attributes": {"size": "Large"}}]})
    assert again.json() == {"created": 0, "updated": 1}
    listed = api.get("/panelists", q="p0").json()
    assert listed[0]["attributes"] == {"industry": "Retail", "size": "Large"} and listed[0]["name"] == "P 0"
    bad = api.post("/panelists", {"items": [{"email": "fine@x.test"}, {"email": "not an address"}]})
    assert bad.status_code == 400 and "items[1].email" in bad.json()["message"]
    assert api.get("/panelists", q="fine").json() == [], "a bad batch adds nothing"

    survey = api.post("/surveys/market", {"title": "Market", "audience": "panel"}).json()
    sid = survey["id"]
    assert survey["questions"][0]["dimension"] == "reporting"
    cells = api.put(f"/surveys/{sid}/quotas", {"attribute": "industry", "limit": 1}).json()
    assert cells == [], "no cell before anyone is invited"
    shares = api.put(f"/surveys/{sid}/weights", {"attribute": "industry", "shares": {"Retail": 40, "Energy": 60}})
    assert shares.json() == {"industry": {"Retail": 0.4, "Energy": 0.6}}
    wrong = api.put(f"/surveys/{sid}/weights", {"attribute": "size", "shares": {"Small": 40, "Large": 40}})
    assert wrong.status_code == 400 and "add up to 80" in wrong.json()["message"]
    from becoming.customers.models import Contact, Customer

    contact = Contact.objects.create(workspace=workspace, customer=Customer.objects.get(external_id="C-1"),
                                     email="c@c1.test")
    refused = api.post(f"/surveys/{sid}/invitations", {"contact_ids": [contact.pk]})
    assert refused.status_code == 400 and "for the panel only" in refused.json()["message"]
    sent = api.post(f"/surveys/{sid}/invitations", {"panel": True, "panel_where": {"industry": "Retail"}})
    assert sent.json() == {"invited": 3, "sent": 3} and len(smtp_server.messages) == 3

    from becoming.engage.actions import surveys
    from becoming.engage.models import Invitation, Response

    first, second = Invitation.objects.filter(survey_id=sid).order_by("pk")[:2]
    surveys.answer(first, {"market_reporting": 2})
    with pytest.raises(surveys.LinkError, match="enough answers from people like you"):
        surveys.invitation_from_token(surveys.token_for(second))
    page = client.get(f"/s/{surveys.token_for(second)}/")
    assert page.status_code == 200 and b"enough answers from people like you" in page.content
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="enough answers"):  # a page opened before the cell filled
        surveys.answer(second, {"market_reporting": 1})
    assert not Response.objects.filter(invitation=second, submitted__isnull=False).exists()
    market = api.get(f"/surveys/{sid}/market").json()
    assert {(c["value"], c["count"], c["closed"]) for c in market["quotas"]} == {("Retail", 1, True)}
    row = market["rows"][0]
    assert row["label"] == "Report on their work" and row["market"] == {"mean": 3.0, "n": 1, "stage_name": "Regular"}
    assert market["weighting"]["effective_n"] == 1.0

    client.force_login(owner)
    listed = client.get(f"/w/{workspace.slug}/surveys/panel/", {"q": "p1@"})
    assert [p.email for p in listed.context["page"].object_list] == ["p1@panel.test"]
    assert b"4 people" in listed.content and b"industry: Retail" in listed.content
    assert b"the panel</a> (4 people)" in client.get(f"/w/{workspace.slug}/surveys/").content
    base = f"/w/{workspace.slug}/surveys/{sid}"
    tab = client.get(f"{base}/market/")
    assert tab.status_code == 200 and b"Closed" in tab.content and b"Retail 40.0 %" in tab.content
    client.post(f"{base}/market/", {"action": "audience", "audience": "both"})
    client.post(f"{base}/market/", {"action": "quota", "attribute": "size", "limit": "5"})
    client.post(f"{base}/market/", {"action": "weights", "attribute": "industry", "shares": "Retail=50,Energy=50"})
    from becoming.engage.models import Survey

    stored = Survey.objects.get(pk=sid)
    assert stored.audience == "both" and stored.quotas.count() == 2
    assert stored.weights["industry"] == {"Retail": 0.5, "Energy": 0.5}
    shown = client.get(f"{base}/results/")
    assert b"Customers against the market" in shown.content and b"Report on their work" in shown.content
    assert b"The panel (not customers)" in shown.content, "panelists have no stage: a segment of their own"
    made = client.post(f"/w/{workspace.slug}/surveys/market-research/")
    assert made.status_code == 302 and made["Location"].endswith("/market/")
    assert Survey.objects.filter(workspace=workspace, audience="both").count() == 2
    distribute = client.get(f"{base}/distribute/")
    assert b"Invite the panel" in distribute.content and b"Panel" in distribute.content


@pytest.mark.django_db
def test_social_posts_through_the_api(workspace):
    api = Api(workspace)
    api.post("/customers", {"external_id": "A", "attributes": {"twitter_handle": "@alpha_ops"}})
    posts = [{"text": "I love the new dashboard, great work", "author": "@Alpha_Ops", "id": "p1",
              "platform": "X", "url": "https://x.example/1"},
             {"text": "Terrible support, nobody answers", "author": "someone", "id": "p2", "platform": "Reddit"}]
    added = api.post("/social", {"posts": posts})
    assert added.json() == {"rows": 2, "added": 2, "skipped": 0, "linked": 1, "market_voice": 1}
    assert api.post("/social", {"posts": posts}).json()["skipped"] == 2
    linked = api.get("/social", linked=True).json()
    assert [p["customer_id"] for p in linked] == ["A"] and linked[0]["sentiment_label"] == "Positive"
    voice = api.get("/social", linked=False).json()
    assert voice[0]["sentiment"] < 0 and voice[0]["platform"] == "Reddit"
    bad = api.post("/social", {"posts": [{"text": "   "}]})
    assert bad.status_code == 400 and "posts[0].text" in bad.json()["message"]
    mapped = api.post("/social", {"posts": [{"text": "Sync is slow today", "author": "ceo_a", "id": "p3"}],
                                  "links": [{"handle": "@CEO_A", "customer_id": "A"}]})
    assert mapped.json()["linked"] == 1
    unknown = api.post("/social", {"posts": posts, "links": [{"handle": "x", "customer_id": "NOPE"}]})
    assert unknown.status_code == 400 and 'links[0], column "customer_id": unknown customer' in unknown.json()["message"]


@pytest.mark.django_db
def test_panel_file_through_the_imports_page(workspace, member, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from becoming.engage.models import Panelist
    from becoming.jobs.actions import run_job
    from becoming.jobs.models import Job

    client.force_login(member)
    body = b"Name,E-mail,industry,employees\nAnn,ann@x.test,Retail,40\nBob,BOB@y.test,Energy,900\n"
    f = SimpleUploadedFile("panel.csv", body, content_type="text/csv")
    mapping = client.post(f"/w/{workspace.slug}/imports/?kind=panel", {"file": f})["Location"]
    form = client.get(mapping).context["form"]
    assert form.initial == {"email_column": "E-mail", "name_column": "Name"}
    data = {"email_column": "E-mail", "name_column": "Name"}
    assert client.post(mapping, {**data, "dry_run": "1"}).context["dry_run"]["created"] == 2
    assert not Panelist.objects.exists(), "a dry run keeps nothing"
    client.post(mapping, {**data, "import": "1"})
    job = Job.objects.get(kind="import_panel")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert dict(Panelist.objects.values_list("email", "attributes")) == {
        "ann@x.test": {"industry": "Retail", "employees": 40}, "bob@y.test": {"industry": "Energy", "employees": 900}}


@pytest.mark.django_db
def test_demo_step_fills_a_cell_and_weights_the_market(workspace, owner, small_model):
    import datetime as dt

    import numpy as np

    from becoming.customers.models import Attribute, Contact, Customer
    from becoming.demo.context import DemoContext
    from becoming.engage.actions.market import customers_vs_market, quota_cells
    from becoming.engage.demo import market_research
    from becoming.engage.models import Panelist, Survey
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    customers = [Customer.objects.create(workspace=workspace, external_id=f"FW-{10001 + i}", name=f"Farm{i} Ltd",
                                         attributes={"Industry": "Metals"}, stages={"reporting": 2})
                 for i in range(8)]
    for c in customers:
        Contact.objects.create(workspace=workspace, customer=c, name="X", email=f"x@{c.external_id}.test")
    today = dt.date(2026, 3, 1)
    demo = DemoContext(workspace=workspace, seed=1, today=today, start=today - dt.timedelta(days=199),
                       customer_ids=np.array([c.pk for c in customers]), traits={},
                       maturity=np.full((8, 200), 0.5), churn=np.full(8, 999))
    market_research(demo)
    assert Panelist.objects.filter(workspace=workspace).count() == 300
    survey = Survey.objects.get(workspace=workspace, audience="both")
    cells = {c["value"]: c for c in quota_cells(survey)}
    assert cells["Food & beverage"]["closed"] and cells["Food & beverage"]["count"] == 60
    compared = customers_vs_market(survey)
    row = compared["rows"][0]
    assert compared["customers"] > 0 and compared["market"] > 100
    assert row["customers"]["mean"] > row["weighted"]["mean"], "the demo's market lags its customers"
    assert row["weighted"]["mean"] != row["market"]["mean"]
    assert compared["weighting"]["effective_n"] < compared["market"]
