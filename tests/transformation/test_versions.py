"""Model versions: a note with each, what each changed, and a rollback that keeps history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from test_api import Api

from becoming.transformation.actions import (
    apply_model,
    current_version,
    rollback_model,
    version_diff,
)

# The small model without its attribute criterion: these workspaces have no attributes.
SMALL_MODEL = """\
vision: Customers who export reports every week.
dimensions:
  - key: reporting
    name: Report on their work
    target: regular
    stages:
      - {key: starting, name: Starting}
      - key: regular
        name: Regular
        when:
          - event: {type: report_exported, within: 30d, at_least: 3}
"""
EASIER = SMALL_MODEL.replace("within: 30d, at_least: 3", "within: 30d, at_least: 2")


def test_diff_shows_the_changed_line_and_rollback_makes_a_new_version(workspace, owner):
    apply_model(workspace, SMALL_MODEL, owner, note="first")
    apply_model(workspace, EASIER, owner, note="two exports are enough")
    diff = version_diff(workspace, 2)
    changed = [(ln["kind"], ln["text"].strip()) for ln in diff["lines"] if ln["kind"] in ("add", "remove")]
    assert changed == [("remove", "-          - event: {type: report_exported, within: 30d, at_least: 3}"),
                       ("add", "+          - event: {type: report_exported, within: 30d, at_least: 2}")]
    assert version_diff(workspace, 9) is None

    back = rollback_model(workspace, 1, owner)
    assert back.number == 3 and back.text == SMALL_MODEL and back.note == "rollback to version 1"
    assert current_version(workspace).number == 3
    with pytest.raises(ValidationError, match="already the current"):
        rollback_model(workspace, 3)
    with pytest.raises(ValidationError, match="no version 7"):
        rollback_model(workspace, 7)


def test_pages_offer_assess_diff_and_rollback(client, workspace, owner, viewer):
    client.force_login(owner)
    model_url = reverse("model", args=[workspace.slug])
    client.post(model_url, {"text": SMALL_MODEL, "note": "the first sketch"})
    page = client.get(model_url).content.decode()
    assert "the first sketch" in page
    assert "no customer has been assessed" in page and reverse("assess", args=[workspace.slug]) in page
    client.post(model_url, {"text": EASIER, "note": ""})
    diff = client.get(reverse("model_diff", args=[workspace.slug, 2])).content.decode()
    assert "at_least: 2" in diff and 'class="diff-add"' in diff
    client.post(reverse("model_rollback", args=[workspace.slug, 1]))
    assert current_version(workspace).text == SMALL_MODEL
    client.force_login(viewer)
    assert client.post(reverse("model_rollback", args=[workspace.slug, 2])).status_code == 403
    assert "Roll back" not in client.get(model_url).content.decode()


def test_api_rolls_back(workspace, owner):
    apply_model(workspace, SMALL_MODEL, owner)
    apply_model(workspace, EASIER, owner)
    answer = Api(workspace).post("/model/rollback", {"version": 1})
    assert answer.status_code == 201 and answer.json()["version"] == 3
    assert Api(workspace).post("/model/rollback", {"version": 42}).status_code == 404
    assert Api(workspace, role="member").post("/model/rollback", {"version": 2}).status_code == 403


def test_cli_diff_and_rollback(becoming, tmp_path):
    slug = becoming("workspace", "create", "Versions Co").stdout.strip()
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(SMALL_MODEL)
    second.write_text(EASIER)
    becoming("model", "apply", first, "--workspace", slug)
    becoming("model", "apply", second, "--workspace", slug, "--note", "two exports are enough")
    diff = becoming("model", "diff", "--workspace", slug, "--version", "2").stdout
    assert "-          - event: {type: report_exported, within: 30d, at_least: 3}" in diff
    assert "+          - event: {type: report_exported, within: 30d, at_least: 2}" in diff
    out = becoming("model", "rollback", "--workspace", slug, "--version", "1").stdout
    assert "version 1 is current again, as version 3" in out
    refused = becoming("model", "rollback", "--workspace", slug, "--version", "3", ok=False)
    assert refused.returncode != 0 and "already the current model" in refused.stderr
    missing = becoming("model", "diff", "--workspace", slug, "--version", "9", ok=False)
    assert missing.returncode != 0 and "no version 9" in missing.stderr
