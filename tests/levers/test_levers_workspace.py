"""Lever effects, next actions and the work queue on a real workspace with a planted effect."""

import datetime as dt

import duckdb
import pytest
from django.core.exceptions import ValidationError

from becoming.levers.actions import effects, nba, queue
from becoming.levers.models import Decision, Task
from becoming.signals.actions import store_for


def test_effects_recover_the_planted_meeting_effect(planted):
    result = effects.lever_effects(planted)
    rows = {(r["action"], r["dimension"]): r for r in result["rows"]}
    assert set(rows) == {("engage.meeting", "reporting")}  # product events are not actions by default
    meeting = rows[("engage.meeting", "reporting")]
    assert meeting["method"] == "mantel-haenszel"
    assert meeting["treated"] > 100 and meeting["control"] > meeting["treated"]
    # Planted: 70% of the treated against 10% of the others reach "regular" (fewer already there).
    assert meeting["ci_low"] > 0.3 and meeting["uplift"] > 0.4
    assert meeting["ci_low"] <= meeting["uplift"] <= meeting["ci_high"]
    assert len(result["dates"]) == 12


def test_effects_refuse_bad_input_with_the_option_named(planted):
    with pytest.raises(ValidationError, match="--window"):
        effects.lever_effects(planted, window="soon")
    with pytest.raises(ValidationError, match="--actions: no signals of type 'inform.view'"):
        effects.lever_effects(planted, actions=["inform.view"])
    with pytest.raises(ValidationError, match="--by 'region'"):
        effects.lever_effects(planted, by=("region",))
    with pytest.raises(ValidationError, match="reaches past today"):
        effects.lever_effects(planted, end=dt.date.today())


def test_product_events_can_be_named_and_attributes_stratify(planted):
    result = effects.lever_effects(planted, actions=["engage.*", "report_exported"], by=("plan",),
                                   every="2m")
    assert {r["action"] for r in result["rows"]} == {"engage.meeting", "report_exported"}
    assert len(result["dates"]) == 12


def test_next_actions_rank_with_reasons_and_leave_out_recent_meetings(planted):
    rows = nba.next_actions(planted, k=3)
    assert rows, "the planted meeting effect should be offered"
    first = rows[0]
    assert first["action"] == "engage.meeting" and first["rank"] == 1
    assert first["reason"].startswith("Meetings moved ")
    assert "against" in first["reason"] and "within 90 days" in first["reason"]
    # A customer with a meeting in the last 30 days is not offered another.
    con = duckdb.connect()
    store_for(planted).register(con, "signals")
    recent = {r[0] for r in con.execute(
        "SELECT customer_id FROM signals WHERE type = 'engage.meeting' AND time >= $1",
        [dt.datetime.now() - dt.timedelta(days=29)]).fetchall()}
    assert not recent & {r["customer_pk"] for r in rows}
    with pytest.raises(ValidationError, match="no such customer"):
        nba.next_actions(planted, customer="nobody")


def test_queue_accept_snooze_dismiss_and_done_task_becomes_a_signal(planted, member):
    rows = queue.work_queue(planted)
    assert len(rows) >= 3
    a, b, c = rows[:3]
    task = queue.accept(planted, a["customer_id"], a["action"], a["dimension"], user=member)
    assert task.due == dt.date.today() + dt.timedelta(days=7) and "Meetings with" in task.title
    queue.snooze(planted, b["customer_id"], b["action"], b["dimension"], days=10)
    queue.dismiss(planted, c["customer_id"], c["action"], c["dimension"])
    left = {(r["customer_id"], r["action"]) for r in queue.work_queue(planted)}
    assert not left & {(x["customer_id"], x["action"]) for x in (a, b, c)}
    assert Decision.objects.filter(workspace=planted).count() == 3
    queue.complete_task(planted, task.pk)
    queue.complete_task(planted, task.pk)  # twice: still one signal
    assert Task.objects.get(pk=task.pk).status == "done"
    con = duckdb.connect()
    store_for(planted).register(con, "signals")
    assert con.execute("SELECT count(*) FROM signals WHERE type = 'levers.task_done'").fetchone()[0] == 1
    with pytest.raises(ValidationError, match="snooze"):
        queue.snooze(planted, b["customer_id"], b["action"], b["dimension"], days=0)
