"""Applying models: one validation, issues with their lines, versions by number."""

import pytest
from support import SMALL_MODEL

from becoming.transformation import actions


def test_an_invalid_model_carries_its_lines(workspace):
    with pytest.raises(actions.InvalidModel) as caught:
        actions.apply_model(workspace, SMALL_MODEL.replace("within: 30d", "within: 30x"))
    error = caught.value
    assert error.summary == "the model is not valid"
    assert any(d["line"] and "window '30x'" in d["message"] for d in error.details)
    assert any("window '30x'" in m for m in error.messages)  # what the CLI and pages print
    assert actions.current_version(workspace) is None


def test_current_model_and_versions(workspace):
    from becoming.customers.actions import upsert_customer

    upsert_customer(workspace, "C-1", attributes={"plan": "pro"})  # the model names `plan`
    assert actions.current_model(workspace) is None
    first = actions.apply_model(workspace, SMALL_MODEL)
    second = actions.apply_model(workspace, SMALL_MODEL, note="again")
    assert (first.number, second.number) == (1, 2)
    assert actions.model_version(workspace, "1") == first
    assert actions.model_version(workspace, "9") is None and actions.model_version(workspace, "x") is None
    assert actions.current_model(workspace).dimensions[0].key == "reporting"
