"""Inspire on the small real history: stories and consent, champions, goals at risk, the
pages and the API that do the same."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client


def api_client(workspace, role="admin"):
    from becoming.workspaces.models import ApiToken

    _, secret = ApiToken.issue(workspace, "test", role=role)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def call(client, verb, path, body=None, **params):
    if body is not None:
        return getattr(client, verb)(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")
    return getattr(client, verb)(f"/api/v1{path}", data=params)


@pytest.mark.django_db
def test_stories_come_from_real_transitions_and_name_only_with_consent(history, owner):
    from becoming.inspire.actions import stories
    from becoming.inspire.models import Story

    ends, charlie = history["ends"], history["customers"]["C"]
    rows = stories.story_rows(charlie.workspace).to_pylist()
    assert [(r["customer_id"], r["from_stage"], r["to_stage"], r["moved_on"]) for r in rows] == [
        ("A", "starting", "trying", ends[1]), ("C", "starting", "trying", ends[1]),
        ("C", "trying", "regular", ends[2])]
    assert [r["days_taken"] for r in rows] == [(ends[1] - ends[0]).days, (ends[1] - ends[0]).days,
                                               (ends[2] - ends[1]).days]
    # Before C's second move: four exports and a meeting in 90 days, none in the 90 before.
    assert rows[2]["signals_before"] == "report_exported; meeting_held"
    assert {r["consent"] for r in rows} == {"no"}
    assert stories.story_rows(charlie.workspace, since=ends[2]).num_rows == 1

    assert stories.draft_stories(charlie.workspace) == 3
    assert stories.draft_stories(charlie.workspace) == 0
    story = Story.objects.get(customer=charlie, to_stage="regular")
    shown = stories.rendered(story)
    assert shown["title"] == "A 900-person metals company moved from Trying to Regular"
    assert "Charlie" not in shown["body"] and "report exported and meeting held rose" in shown["body"]
    with pytest.raises(ValidationError, match="has not consented"):
        stories.edit_story(story, body="Charlie Metals did it.", status="published")
    story.refresh_from_db()
    assert story.status == "draft"
    stories.set_consent(charlie, True, owner, "said yes on the phone")
    assert stories.story_rows(charlie.workspace).to_pylist()[2]["consent"] == "yes"
    stories.edit_story(story, status="published")
    assert stories.rendered(story)["title"].startswith("Charlie Metals moved")
    stories.set_consent(charlie, False, owner)  # withdrawn: published stories anonymise again
    assert stories.rendered(story)["title"].startswith("A 900-person metals company")


@pytest.mark.django_db
def test_champions_goals_at_risk_and_peers(history, owner):
    from becoming.inspire.actions import champions, goals, peers
    from becoming.inspire.models import Champion, Goal

    ws = history["customers"]["A"].workspace
    assert champions.propose_champions(ws) == 1  # C reached Regular, the target
    champion = Champion.objects.get()
    assert champion.contact == history["contacts"]["C"]
    champions.invite_champion(champion, "mentor", owner)
    assert champion.status == "invited" and champion.get_ask_display() == "Mentor a peer"
    with pytest.raises(ValidationError, match="ask: one of"):
        champions.invite_champion(champion, "dance")

    assert goals.save_proposals(ws) == 3  # A, B, D below the top; C is at it
    goal = Goal.objects.get(customer=history["customers"]["A"])
    goals.update_goal(goal, user=owner, status="accepted", goal_date=dt.date.today() - dt.timedelta(days=1))
    risky = goals.at_risk(ws)
    assert [g["goal"].pk for g in risky] == [goal.pk] and risky[0]["missed"]
    with pytest.raises(ValidationError, match="goal stage"):
        goals.update_goal(goal, goal_index=0)
    assert goals.save_proposals(ws) == 2  # the accepted goal stays as staff left it
    goal.refresh_from_db()
    assert goal.status == "accepted" and goal.goal_date < dt.date.today()

    standing = {p["dimension"].key: p for p in peers.aspirations(history["customers"]["B"])}
    assert standing["reporting"]["percentile"] == 25.0  # 100 × (0 + ½ × 2) / 4
    assert standing["reporting"]["ahead"] == 2 and "Many customers started exactly here" in standing["reporting"]["phrase"]
    assert "Bravo" not in json.dumps({k: str(v) for k, v in standing["reporting"].items()})


@pytest.mark.django_db
def test_pages(client, history, member, viewer):
    from becoming.inspire.models import Goal, Story

    ws = history["customers"]["A"].workspace
    client.force_login(member)
    base = f"/w/{ws.slug}/inspire"
    assert "No goals yet" in client.get(f"{base}/goals/").content.decode()
    assert client.post(f"{base}/goals/propose/").status_code == 302
    goal = Goal.objects.get(customer=history["customers"]["A"])
    edited = client.post(f"{base}/goals/{goal.pk}/", {"status": "accepted", "goal_date": "2020-01-31"})
    assert edited.status_code == 302
    page = client.get(f"{base}/goals/").content.decode()
    assert "Goals at risk" in page and "Missed" in page and "Alpha Logistics" in page
    bad = client.post(f"{base}/goals/{goal.pk}/", {"goal_date": "31/01/2020"}, follow=True)
    assert "is not a date like" in bad.content.decode()

    customer = client.get(f"/w/{ws.slug}/customers/{history['customers']['B'].pk}/").content.decode()
    assert "Goals and peers" in customer and "percentile 25" in customer

    assert client.post(f"{base}/stories/draft/").status_code == 302
    listing = client.get(f"{base}/stories/").content.decode()
    assert "Drafts (3)" in listing and "a 900-person metals company" in listing.lower()
    story = Story.objects.get(customer=history["customers"]["C"], to_stage="regular")
    refused = client.post(f"{base}/stories/{story.pk}/", {"title": "Charlie Metals soars", "body": "x",
                                                          "status": "published"}, follow=True)
    assert "has not consented" in refused.content.decode()
    client.post(f"{base}/consent/{story.customer.pk}/", {"named": "yes"})
    client.post(f"{base}/stories/{story.pk}/", {"title": "Charlie Metals soars", "body": "x", "status": "published"})
    story.refresh_from_db()
    assert story.status == "published"

    client.post(f"{base}/champions/propose/")
    champions = client.get(f"{base}/champions/").content.decode()
    assert "Charlie Person" in champions and "Speak at an event" in champions

    client.force_login(viewer)
    assert client.post(f"{base}/goals/propose/").status_code == 403
    assert client.post(f"{base}/stories/{story.pk}/", {"title": "t", "status": "draft"}).status_code == 403


@pytest.mark.django_db
def test_api(history, other):
    ws = history["customers"]["A"].workspace
    api, stranger = api_client(ws), api_client(other)
    peers = call(api, "get", "/inspire/peers", limit=10).json()
    assert len(peers) == 4 and {p["peer_group"] for p in peers} == {"all"}
    bad = call(api, "get", "/inspire/peers", peer_attribute="Nope")
    assert bad.status_code == 400 and "peer attribute 'Nope'" in bad.json()["message"]
    assert call(api, "post", "/inspire/goals/propose", {}).json() == {"goals": 3}
    goal = call(api, "get", "/inspire/goals").json()[0]
    assert call(stranger, "patch", f"/inspire/goals/{goal['id']}", {"status": "accepted"}).status_code == 404
    accepted = call(api, "patch", f"/inspire/goals/{goal['id']}", {"status": "accepted", "goal_date": "2020-01-01"})
    assert accepted.status_code == 200 and accepted.json()["missed"]
    assert [g["id"] for g in call(api, "get", "/inspire/goals", at_risk="true").json()] == [goal["id"]]
    assert call(api, "post", "/inspire/stories/draft", {}).json() == {"drafted": 3}
    story = next(s for s in call(api, "get", "/inspire/stories").json() if s["to_stage"] == "regular")
    assert story["shown_title"].startswith("A 900-person")
    assert call(api, "patch", f"/inspire/stories/{story['id']}",
                {"body": "Charlie Metals did it", "status": "published"}).status_code == 400
    assert call(api, "put", "/inspire/consent/C", {"named": True}).json() == {"customer_id": "C", "named": True}
    published = call(api, "patch", f"/inspire/stories/{story['id']}", {"status": "published"}).json()
    assert published["status"] == "published" and published["shown_title"].startswith("Charlie Metals")
    assert call(api, "post", "/inspire/champions/propose", {}).json() == {"proposed": 1}
    champion = call(api, "get", "/inspire/champions").json()[0]
    assert call(stranger, "post", f"/inspire/champions/{champion['id']}/invite", {"ask": "speak"}).status_code == 404
    assert call(api, "post", f"/inspire/champions/{champion['id']}/invite", {"ask": "speak"}).json()["status"] == "invited"
    viewer = api_client(ws, role="viewer")
    assert call(viewer, "post", "/inspire/goals/propose", {}).status_code == 403


@pytest.mark.django_db
def test_a_customers_standing_matches_the_peers_table(history):
    from becoming.customers.models import Customer
    from becoming.inspire.actions.peers import aspirations, peer_frame

    ws = history["customers"]["A"].workspace
    Customer.objects.filter(pk=history["customers"]["D"].pk).update(attributes={"plan": "pro"})
    for attributes, min_peers in (([], 30), (["plan"], 2), (["plan"], 3)):
        table = peer_frame(ws, attributes, min_peers)
        for customer in Customer.objects.filter(workspace=ws):
            mine = aspirations(customer, attributes, min_peers)
            rows = table[table.customer_pk == customer.pk]
            assert [(m["dimension"].key, m["percentile"], m["peers"], m["ahead"], m["group"]) for m in mine] == [
                (r.dimension, r.percentile, r.peers, r.peers_ahead, r.peer_group) for r in rows.itertuples()]
