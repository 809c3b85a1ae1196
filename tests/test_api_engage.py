"""The Engage endpoints of /api/v1/: feedback, themes, meetings, surveys — and tenancy."""

import pytest
from test_api import Api

pytestmark = pytest.mark.django_db

TEXTS = ["The mobile app crashes on start", "The app crashes when I open the camera",
         "My phone app freezes and crashes", "I was charged twice this month",
         "The invoice amount is wrong", "Please refund the double charge on my card"]


@pytest.fixture
def api(workspace):
    return Api(workspace)


@pytest.fixture
def stranger(other):
    return Api(other)


def test_feedback_and_themes(api, workspace):
    api.post("/customers", {"external_id": "C-1"})
    items = [{"text": t, "customer_id": "C-1", "id": f"f{i}", "channel": "support"} for i, t in enumerate(TEXTS)]
    added = api.post("/feedback", {"items": items})
    assert added.status_code == 200, added.content
    assert added.json() == {"rows": 6, "added": 6, "skipped": 0}
    assert api.post("/feedback", {"items": items}).json()["added"] == 0
    bad = api.post("/feedback", {"items": [{"text": "x", "customer_id": "nobody"}]})
    assert bad.status_code == 400 and "items[0].customer_id" in bad.json()["message"]
    from becoming.engage.actions.themes import discover_themes

    discover_themes(workspace, n_themes=2)
    themes = api.get("/themes").json()
    assert sorted(t["size"] for t in themes) == [3, 3] and all(t["customers"] == 1 for t in themes)
    key = themes[0]["key"]
    assert api.patch(f"/themes/{key}", {"name": "App stability"}).json()["title"] == "App stability"
    assert {f["theme"] for f in api.get("/feedback", theme=key).json()} == {key}
    new = api.post("/feedback", {"items": [{"text": "The app crashed again on my phone"}]})
    assert new.json()["added"] == 1
    assert api.get("/feedback", limit=1).json()[0]["theme"] is not None, "themed on arrival"
    job = api.post("/themes/discover", {"themes": None, "granularity": 0.5})
    assert job.status_code == 202 and job.json()["kind"] == "discover_themes"


def test_meetings(api, workspace):
    api.post("/customers", {"external_id": "C-1"})
    api.post("/customers", {"external_id": "C-2"})
    made = api.post("/meetings", {"customer_id": "C-1", "kind": "visit", "when": "2026-01-10T10:00:00Z",
                                  "notes": "They want an SAP integration", "title": "Plant visit"})
    assert made.status_code == 201, made.content
    assert [m["kind"] for m in api.get("/meetings", customer_id="C-1").json()] == ["visit"]
    silent = [c["customer_id"] for c in api.get("/customers-without-conversation", days=30).json()]
    assert silent == ["C-2", "C-1"]  # never spoken to first, then the longest silence
    from becoming.signals.actions import store_for

    assert store_for(workspace).count("event") == 1
    assert api.get("/feedback", customer_id="C-1").json()[0]["channel"] == "meeting"
    bad = api.post("/meetings", {"customer_id": "C-1", "kind": "dinner", "when": "2026-01-10T10:00:00Z"})
    assert bad.status_code in (400, 422)


def test_surveys(api, small_model):
    api.post("/customers", {"external_id": "C-1", "attributes": {"plan": "pro"}})
    assert api.post("/surveys/self-assessment").status_code == 400  # no model yet
    api.post("/model/apply", {"yaml": small_model})
    made = api.post("/surveys/self-assessment")
    assert made.status_code == 201
    question = made.json()["questions"][0]
    assert question["key"] == "self_reporting" and [c["value"] for c in question["choices"]] == [0, 1, 2]
    custom = api.post("/surveys", {"title": "Pulse", "questions": [
        {"key": "nps", "text": "Would you recommend us?", "kind": "scale_10"},
        {"key": "plan_next", "text": "What next?", "kind": "single", "choices": ["Grow", "Stay"]}]})
    assert custom.status_code == 201
    sid = custom.json()["id"]
    assert api.get(f"/surveys/{sid}").json()["questions"][1]["choices"][0] == {"value": 1, "label": "Grow"}
    assert api.get(f"/surveys/{sid}/rates").json()["overall"]["invited"] == 0
    bad = api.post("/surveys", {"title": "Bad", "questions": [{"key": "x", "text": "?", "kind": "single"}]})
    assert bad.status_code == 400 and "choices" in bad.json()["message"]


def test_other_workspace_sees_nothing(api, stranger, workspace, small_model):
    api.post("/customers", {"external_id": "C-1"})
    api.post("/feedback", {"items": [{"text": t, "id": str(i)} for i, t in enumerate(TEXTS)]})
    from becoming.engage.actions.themes import discover_themes

    discover_themes(workspace, n_themes=2)
    key = api.get("/themes").json()[0]["key"]
    meeting = api.post("/meetings", {"customer_id": "C-1", "kind": "call", "when": "2026-01-10T10:00:00Z"})
    survey = api.post("/surveys", {"title": "Pulse", "questions": [{"key": "q", "text": "?", "kind": "scale_5"}]})
    assert stranger.get("/feedback").json() == [] and stranger.get("/themes").json() == []
    assert stranger.patch(f"/themes/{key}", {"name": "mine"}).status_code == 404
    assert stranger.post(f"/themes/{key}/split").status_code == 404
    assert stranger.post(f"/themes/{key}/merge", [key]).status_code == 404
    assert stranger.get("/meetings").json() == []
    assert stranger.post("/meetings", {"customer_id": "C-1", "kind": "call",
                                       "when": "2026-01-10T10:00:00Z"}).status_code == 404
    assert meeting.status_code == 201
    sid = survey.json()["id"]
    assert stranger.get(f"/surveys/{sid}").status_code == 404
    assert stranger.post(f"/surveys/{sid}/invitations", {"contact_ids": []}).status_code == 404
    assert stranger.post(f"/surveys/{sid}/reminders").status_code == 404
    assert stranger.get(f"/surveys/{sid}/rates").status_code == 404
    assert stranger.get("/customers-without-conversation").json() == []
