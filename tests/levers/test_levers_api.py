"""The levers endpoints of /api/v1/: effects, next actions, the queue, tasks, playbooks."""

from test_api import Api

PLAYBOOK = """\
key: regulars
name: Keep regulars
trigger:
  criterion:
    event: {type: report_exported, within: 365d, at_least: 1}
holdout: 0.2
steps:
  - task: {title: Thank them}
"""


def test_api_does_what_the_pages_do(planted, other):
    api = Api(planted)
    effects = api.get("/levers/effects")
    assert effects.status_code == 200, effects.content
    assert [r["action"] for r in effects.json()["rows"]] == ["engage.meeting"]
    assert api.get("/levers/effects", window="soon").json()["message"].startswith("--window")
    ranked = api.get("/levers/next-actions", k=1).json()
    assert ranked and set(ranked[0]) == {"customer_id", "rank", "action", "dimension",
                                         "expected_gain", "reason"}
    queue = api.get("/levers/queue").json()
    first = queue[0]
    body = {"customer_id": first["customer_id"], "action": first["action"],
            "dimension": first["dimension"], "days": 3}
    task = api.post("/levers/queue/accept", body).json()
    assert task["status"] == "open" and task["customer_id"] == first["customer_id"]
    assert api.get("/levers/tasks").json() == [task]
    assert api.post(f"/levers/tasks/{task['id']}/done").json()["status"] == "done"
    assert api.post("/levers/tasks/999999/done").status_code == 400
    snoozed = api.post("/levers/queue/snooze", {**body, "customer_id": queue[1]["customer_id"]})
    assert snoozed.status_code == 200 and snoozed.json()["until"]
    viewer = Api(planted, role="viewer")
    assert viewer.post("/levers/queue/dismiss", body).status_code == 403

    bad = api.post("/playbooks/validate", {"text": PLAYBOOK.replace("365d", "a year")})
    assert bad.status_code == 400 and "line 5" in bad.json()["message"]
    dry = api.post("/playbooks/dry-run", {"text": PLAYBOOK}).json()
    assert dry["customers"] and dry["key"] == "regulars"
    applied = api.post("/playbooks/apply", {"text": PLAYBOOK}).json()
    assert applied["enrolled"] == len(dry["customers"]) and applied["version"] == 1
    # Another workspace's token sees none of it.
    assert Api(other).post(f"/levers/tasks/{task['id']}/done").status_code == 400
