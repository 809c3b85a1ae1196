"""Connect's API does what the pages do: members, rounds (propose, review, send), groups."""

import json

import pytest
from django.test import Client

from becoming.workspaces.models import ApiToken


def api(workspace, role="member"):
    _, secret = ApiToken.issue(workspace, "test", role=role)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(verb, path, body=None, **params):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {"data": params}
        return getattr(client, verb)(f"/api/v1/connect{path}", **kwargs)

    return call


def test_members_rounds_and_review(community, other):
    call = api(community)
    members = call("get", "/members", q="works").json()
    assert len(members) == 6 and members[0]["consent_how"] == "staff"
    bad = call("post", "/rounds", {"exclude_same": ["Sector"]})
    assert bad.status_code == 400 and "--exclude-same: unknown attribute 'Sector'" in bad.json()["message"]
    made = call("post", "/rounds", {"text_attributes": ["Work"]})
    assert made.status_code == 201 and made.json()["pairs"] == 3
    round_id = made.json()["id"]
    pairs = call("get", f"/rounds/{round_id}/pairs").json()
    assert {frozenset((p["member_a"], p["member_b"])) for p in pairs} >= {frozenset(("east", "west"))}
    changed = call("patch", f"/rounds/{round_id}/pairs/{pairs[0]['id']}", {"action": "drop", "reason": "Not now"})
    assert changed.json()["status"] == "dropped" and changed.json()["reason"] == "Not now"
    similar = call("get", f"/members/{members[0]['id']}/similar/{members[1]['id']}").json()
    assert set(similar["parts"]) == {"text", "reading", "complement"}
    # Another workspace sees none of it.
    stranger = api(other)
    assert stranger("get", f"/rounds/{round_id}/pairs").status_code == 404
    assert stranger("get", "/members").json() == []
    viewer = api(community, role="viewer")
    assert viewer("post", "/rounds", {}).status_code == 403


@pytest.mark.parametrize("sizes, message", [((3, 3), None), ((7, 8), "too few")])
def test_groups_through_the_api(community, sizes, message):
    call = api(community)
    answer = call("post", "/gatherings", {"size_min": sizes[0], "size_max": sizes[1], "text_attributes": ["Work"]})
    if message:
        assert answer.status_code == 400 and message in answer.json()["message"]
    else:
        assert sorted(len(g) for g in answer.json()["groups"]) == [3, 3]


def test_follow_ups_are_a_job(community):
    from becoming.jobs.models import Job

    answer = api(community)("post", "/follow-ups", {"base_url": "https://becoming.example/"})
    assert answer.status_code == 202 and answer.json()["kind"] == "connect_follow_ups"
    assert Job.objects.get(pk=answer.json()["id"]).params == {"base_url": "https://becoming.example/"}
