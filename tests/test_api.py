"""The JSON API: token auth per workspace, customers, events, model, assessments, export."""

import json
from pathlib import Path

import pytest
from django.test import Client

from becoming.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db
OPENAPI = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


class Api:
    """A test client that speaks for one workspace through its token."""

    def __init__(self, workspace, role="admin"):
        _, secret = ApiToken.issue(workspace, "test", role=role)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def __getattr__(self, verb):
        def call(path, body=None, **params):
            kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {"data": params}
            return getattr(self.client, verb)(f"/api/v1{path}", **kwargs)

        return call


@pytest.fixture
def api(workspace):
    return Api(workspace)


@pytest.fixture
def stranger(other):
    return Api(other)


def test_no_token_is_401(client):
    assert client.get("/api/v1/customers").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer nope")
    assert bad.get("/api/v1/customers").status_code == 401


def test_customer_upsert_get_patch_delete(api):
    created = api.post("/customers", {"external_id": "C-1", "name": "Alpha", "attributes": {"plan": "pro", "seats": 12}})
    assert created.status_code == 201, created.content
    assert created.json()["attributes"] == {"plan": "pro", "seats": 12.0}
    again = api.post("/customers", {"external_id": "C-1", "attributes": {"seats": 14}})
    assert again.status_code == 200 and again.json()["attributes"]["seats"] == 14.0
    assert again.json()["name"] == "Alpha"
    assert api.get("/customers/C-1").json()["attributes"]["plan"] == "pro"
    patched = api.patch("/customers/C-1", {"name": "Alpha Inc"})
    assert patched.json()["name"] == "Alpha Inc"
    listed = api.get("/customers", q="alpha").json()
    assert listed["count"] == 1 and listed["items"][0]["external_id"] == "C-1"
    assert api.delete("/customers/C-1").status_code == 204
    assert api.get("/customers/C-1").status_code == 404


def test_contacts(api, stranger):
    api.post("/customers", {"external_id": "C-1"})
    made = api.post("/customers/C-1/contacts", {"name": "Ana Berg", "email": "ana@c1.test", "title": "Plant manager"})
    assert made.status_code == 201
    assert [c["name"] for c in api.get("/customers/C-1/contacts").json()] == ["Ana Berg"]
    assert api.post("/customers/C-1/contacts", {"email": "not-an-email"}).status_code in (400, 422)
    assert stranger.get("/customers/C-1/contacts").status_code == 404
    assert stranger.delete(f"/customers/C-1/contacts/{made.json()['id']}").status_code == 404
    assert api.delete(f"/customers/C-1/contacts/{made.json()['id']}").status_code == 204
    assert api.get("/customers/C-1/contacts").json() == []


def test_attribute_type_is_enforced(api):
    api.post("/customers", {"external_id": "C-1", "attributes": {"seats": 12}})
    bad = api.post("/customers", {"external_id": "C-2", "attributes": {"seats": "many"}})
    assert bad.status_code == 400 and "attributes.seats" in bad.json()["message"]


def test_pagination(api):
    for i in range(7):
        api.post("/customers", {"external_id": f"C-{i}"})
    page = api.get("/customers", limit=3, offset=3).json()
    assert page["count"] == 7 and len(page["items"]) == 3 and page["next_offset"] == 6
    assert api.get("/customers", limit=3, offset=6).json()["next_offset"] is None


def test_viewer_token_cannot_write(workspace):
    viewer = Api(workspace, role="viewer")
    assert viewer.get("/customers").status_code == 200
    assert viewer.post("/customers", {"external_id": "X"}).status_code == 403


EVENTS = [
    {"customer_id": "C-1", "type": "report_exported", "time": "2026-01-10T10:00:00Z", "id": "e1"},
    {"customer_id": "C-1", "type": "report_exported", "time": "2026-01-12T10:00:00+01:00", "id": "e2", "value": 2},
]


def test_events_batch_is_idempotent_and_atomic(api, workspace):
    from becoming.signals.actions import store_for

    api.post("/customers", {"external_id": "C-1"})
    first = api.post("/events", {"events": EVENTS})
    assert first.status_code == 200, first.content
    assert first.json() == {"received": 2, "added": 2, "duplicates": 0, "customers_created": 0}
    assert api.post("/events", {"events": EVENTS}).json()["added"] == 0
    unknown = api.post("/events", {"events": EVENTS + [{**EVENTS[0], "customer_id": "ZZ", "id": "e3"}]})
    assert unknown.status_code == 400 and "ZZ" in unknown.json()["message"]
    assert store_for(workspace).count() == 2
    created = api.post("/events", {"events": [{**EVENTS[0], "customer_id": "ZZ", "id": "e3"}], "create_customers": True})
    assert created.json()["customers_created"] == 1


def test_events_schema_errors_are_400(api):
    bad = api.post("/events", {"events": [{"customer_id": "C-1", "type": "x", "time": "yesterday"}]})
    assert bad.status_code in (400, 422)


def test_model_validate_apply_get(api, small_model):
    assert api.get("/model").status_code == 404
    api.post("/customers", {"external_id": "C-1", "attributes": {"plan": "pro"}})
    broken = small_model.replace("target: regular", "target: nowhere")
    result = api.post("/model/validate", {"yaml": broken}).json()
    assert result["valid"] is False
    assert any(e["line"] == 5 and "target" in e["field"] for e in result["errors"]), result
    refused = api.post("/model/apply", {"yaml": broken})
    assert refused.status_code == 400 and refused.json()["details"][0]["line"] == 5
    applied = api.post("/model/apply", {"yaml": small_model})
    assert applied.status_code == 201 and applied.json()["version"] == 1
    got = api.get("/model").json()
    assert got["model"]["dimensions"][0]["key"] == "reporting"
    as_json = api.post("/model/apply", {"model": got["model"]})
    assert as_json.status_code == 201 and as_json.json()["version"] == 2


def test_model_json_errors_name_fields(api):
    result = api.post("/model/validate", {"model": {"vision": "v", "dimensions": [{"key": "Bad Key"}]}}).json()
    assert result["valid"] is False and any("dimensions[0]" in e["field"] for e in result["errors"])


def test_assessment_with_explanation(api, workspace, small_model):
    api.post("/customers", {"external_id": "C-1", "attributes": {"plan": "basic"}})
    api.post("/events", {"events": EVENTS})
    api.post("/model/apply", {"yaml": small_model})
    live = api.get("/assessments/C-1", as_of="2026-01-31")
    assert live.status_code == 200, live.content
    body = live.json()
    dim = body["dimensions"][0]
    assert dim["stage"] == "trying" and dim["next_stage"] == "regular"
    missing = {c["label"]: c["missing"] for c in dim["criteria"]}
    assert any("2 of 3" in (m or "") for m in missing.values()), missing
    assert any("plan" in (m or "") and "basic" in (m or "") for m in missing.values()), missing
    import datetime as dt

    from becoming.assessments.actions import run_assessment

    run_assessment(workspace, dt.date(2026, 1, 31))
    stored = api.get("/assessments/C-1", as_of="2026-01-31").json()
    assert stored["dimensions"][0]["stage"] == "trying" and stored["index"] == body["index"]
    rows = api.get("/export/assessments", format="json").json()
    assert rows[0]["customer_id"] == "C-1" and rows[0]["stage_index"] == 1
    csv = api.get("/export/assessments", format="csv")
    assert csv["Content-Type"] == "text/csv" and b"customer_id" in csv.content


def test_other_workspace_sees_nothing(api, stranger, small_model):
    api.post("/customers", {"external_id": "C-1"})
    api.post("/model/apply", {"yaml": small_model.replace("      - key: regular", "      - key: regular").replace("- attribute: {name: plan, in: [pro, enterprise]}", "- event: {type: x, at_least: 1}")})
    assert stranger.get("/customers/C-1").status_code == 404
    assert stranger.patch("/customers/C-1", {"name": "x"}).status_code == 404
    assert stranger.delete("/customers/C-1").status_code == 404
    assert stranger.get("/assessments/C-1").status_code == 404
    assert stranger.get("/customers").json()["count"] == 0
    assert stranger.get("/model").status_code == 404
    assert stranger.post("/events", {"events": EVENTS}).status_code == 400
    job = api.post("/assessments").json()
    assert stranger.get(f"/jobs/{job['id']}").status_code == 404


def test_openapi_schema_is_committed_and_current(client):
    """Fails when the API changes without `make openapi` regenerating docs/openapi.json."""
    current = client.get("/api/v1/openapi.json").json()
    assert OPENAPI.exists(), "run `make openapi` to write docs/openapi.json"
    assert json.loads(OPENAPI.read_text()) == current, "the API changed: run `make openapi`"
