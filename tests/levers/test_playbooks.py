"""Playbooks as code: line-precise validation, versions, dry run, enrolment, holdout, signals."""

import datetime as dt

import duckdb
import pytest
from django.core.exceptions import ValidationError

from becoming.engine import ModelError
from becoming.levers.actions import playbooks
from becoming.levers.models import Enrolment, Task
from becoming.levers.playbook_schema import parse_playbook
from becoming.signals.actions import store_for

GOOD = """\
key: stuck_trying
name: Stuck at trying
trigger:
  days_at_stage: {dimension: reporting, stage: trying, at_least: 1}
holdout: 0.3
steps:
  - task: {title: Show them scheduled reports, due: 5d}
"""

BAD = """\
key: Stuck Trying
name: Stuck
trigger:
  days_at_stage: {dimension: reporting, stage: tryin, at_least: 0}
holdout: 2
steps:
  - task: {titel: Call}
  - teleport: {where: moon}
"""


@pytest.mark.once
def test_every_problem_is_reported_with_its_line():
    with pytest.raises(ModelError) as caught:
        parse_playbook(BAD, {"task", "survey"})
    found = {(i.line, i.field) for i in caught.value.errors}
    assert (1, "key") in found
    assert (4, "trigger.days_at_stage.at_least") in found
    assert (5, "holdout") in found
    assert (7, "steps[0].task.titel") in found and (7, "steps[0].task.title") in found
    assert (8, "steps[1].teleport") in found
    messages = " ".join(i.message for i in caught.value.errors)
    assert "did you mean 'title'" in messages


@pytest.mark.once
def test_a_criterion_trigger_is_checked_by_the_models_own_rules():
    text = GOOD.replace("  days_at_stage: {dimension: reporting, stage: trying, at_least: 1}",
                        "  criterion:\n    event: {type: login, within: 3 weeks, at_least: 2}")
    with pytest.raises(ModelError) as caught:
        parse_playbook(text, {"task"})
    assert [(i.line, i.field) for i in caught.value.errors] == [(5, "trigger.criterion.event.within")]
    ok = parse_playbook(text.replace("3 weeks", "21d"), {"task"})
    assert ok.trigger == "criterion" and ok.criterion is not None


@pytest.mark.once
def test_yaml_syntax_and_empty_documents():
    with pytest.raises(ModelError, match="line 2: YAML syntax error"):
        parse_playbook("key: a\n  name: [b\n", {"task"})
    with pytest.raises(ModelError, match="empty"):
        parse_playbook("", {"task"})


def test_stages_are_checked_against_the_workspace_model(planted):
    with pytest.raises(ValidationError) as caught:
        playbooks.validate(GOOD.replace("stage: trying", "stage: expert"), planted)
    assert caught.value.messages == [
        "line 4: trigger.days_at_stage.stage: no stage 'expert' in dimension 'reporting' "
        "(stages: starting, trying, regular)"]
    with pytest.raises(ValidationError, match="line 7: steps\\[0\\].survey: no survey titled"):
        playbooks.validate(GOOD.replace("task: {title: Show them scheduled reports, due: 5d}",
                                        "survey: {survey: Pulse}"), planted)


def test_dry_run_then_apply_enrols_holds_out_and_writes_signals(planted, member):
    from becoming.assessments.actions import rebuild_history

    rebuild_history(planted, 2)  # days at a stage count from the history's stage changes
    preview = playbooks.dry_run(planted, GOOD)
    assert preview["customers"] and preview["enrol"] + preview["holdout"] == len(preview["customers"])
    assert Enrolment.objects.count() == 0  # a dry run stores nothing
    result = playbooks.apply(planted, GOOD, user=member)
    assert result["version"] == 1 and result["enrolled"] == len(preview["customers"])
    assert result["holdout"] == preview["holdout"] and 0 < result["holdout"] < result["enrolled"]
    assert Task.objects.filter(workspace=planted).count() == result["treated"] == result["steps"]
    task = Task.objects.filter(workspace=planted).first()
    assert task.due == dt.date.today() + dt.timedelta(days=5)
    con = duckdb.connect()
    store_for(planted).register(con, "signals")
    counts = dict(con.execute("SELECT type, count(*) FROM signals WHERE type LIKE 'playbook.%' "
                              "GROUP BY 1").fetchall())
    assert counts == {"playbook.enrolled": result["treated"], "playbook.holdout": result["holdout"],
                      "playbook.step": result["steps"]}
    # Applying again: the same version, and nobody enrolled twice.
    again = playbooks.apply(planted, GOOD, user=member)
    assert again["version"] == 1 and again["enrolled"] == 0
    edited = playbooks.apply(planted, GOOD.replace("due: 5d", "due: 3d"), user=member)
    assert edited["version"] == 2
    assert playbooks.send_enrolment_signals(planted, Enrolment.objects.first().playbook) == 0
    # The daily run applies the latest version: nobody new to enrol today.
    assert playbooks.run_playbooks(planted)["stuck_trying"]["enrolled"] == 0


def test_stage_change_and_score_triggers(planted):
    from becoming.assessments.actions import rebuild_history

    rebuild_history(planted, 3)
    up = GOOD.replace("  days_at_stage: {dimension: reporting, stage: trying, at_least: 1}",
                      "  stage_change: {dimension: reporting, direction: up, within: 62d}")
    ups = playbooks.dry_run(planted, up)["customers"]
    down = playbooks.dry_run(planted, up.replace("direction: up", "direction: down"))["customers"]
    assert ups and not {c["customer_id"] for c in ups} & {c["customer_id"] for c in down}
    score = GOOD.replace("  days_at_stage: {dimension: reporting, stage: trying, at_least: 1}",
                         "  score: {below: 60}")
    assert isinstance(playbooks.dry_run(planted, score)["customers"], list)


def test_a_survey_step_mails_the_customers_contacts(workspace, owner, small_model, smtp_server):
    import pyarrow as pa

    from becoming.customers.models import Attribute, Contact, Customer
    from becoming.engage.actions.surveys import create_survey
    from becoming.engage.models import Invitation
    from becoming.signals.actions import import_table
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    for i in range(2):
        customer = Customer.objects.create(workspace=workspace, external_id=f"C{i}", name=f"Customer {i}",
                                           attributes={"plan": "pro"})
        Contact.objects.create(workspace=workspace, customer=customer, name=f"Person {i}",
                               email=f"person{i}@customer{i}.test")
    import_table(workspace, pa.table({"customer_id": ["C0"], "type": ["report_exported"],
                                      "time": [dt.datetime.now() - dt.timedelta(days=2)]}),
                 file_name="events", type_column="type")
    create_survey(workspace, title="Pulse", questions=[
        {"key": "confidence", "text": "How confident are you?", "kind": "scale_5"}])
    text = """\
key: pulse
name: Pulse after a first report
trigger:
  criterion:
    event: {type: report_exported, within: 30d, at_least: 1}
steps:
  - survey: {survey: Pulse, site: https://becoming.example.com}
"""
    result = playbooks.apply(workspace, text)
    assert (result["enrolled"], result["steps"], result["failed"]) == (1, 1, [])
    assert [m["To"] for m in smtp_server.messages] == ["person0@customer0.test"]
    assert "https://becoming.example.com/s/" in smtp_server.messages[0].get_body(("plain",)).get_content()
    assert Invitation.objects.get().contact.customer.external_id == "C0"
