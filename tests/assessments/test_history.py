"""History: month-end snapshots rebuilt from signals, stage changes, survey answers."""

import datetime as dt

import pytest

from becoming.assessments.actions import (
    assess_customer,
    month_ends,
    rebuild_history,
    run_assessment,
    stage_changes,
)
from becoming.assessments.models import Snapshot
from becoming.customers.actions import upsert_customer
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import apply_model

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 25)


def events(customer, day, n, type_="report_exported"):
    return [{"customer_id": customer, "type": type_, "time": dt.datetime.combine(day, dt.time(9, k)),
             "id": f"{customer}-{type_}-{day}-{k}"} for k in range(n)]


@pytest.fixture
def moving(workspace, small_model):
    """C-1 starts exporting in February and is regular by March; C-2 never exports."""
    upsert_customer(workspace, "C-1", "Alpha", {"plan": "pro"})
    upsert_customer(workspace, "C-2", "Beta", {"plan": "basic"})
    apply_model(workspace, small_model)
    ingest_batch(workspace, events("C-1", dt.date(2026, 2, 10), 1) + events("C-1", dt.date(2026, 3, 20), 3))
    return workspace


def test_month_ends():
    assert month_ends(3, TODAY) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_rebuild_history_records_movers(moving):
    snaps = rebuild_history(moving, 3, today=TODAY)
    assert [s.as_of for s in snaps] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), TODAY]
    assert [s.summary["dimensions"]["reporting"] for s in snaps] == [[2, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 0]]
    ups = stage_changes(moving, direction="up")
    assert [(c.customer.external_id, c.from_stage, c.to_stage, c.as_of) for c in ups] == [
        ("C-1", "trying", "regular", dt.date(2026, 3, 31)),
        ("C-1", "starting", "trying", dt.date(2026, 2, 28)),
    ]
    # By late April the March exports are still "ever" but no longer within 30 days: down to trying.
    downs = stage_changes(moving, direction="down")
    assert [(c.from_stage, c.to_stage, c.as_of) for c in downs] == [("regular", "trying", TODAY)]
    assert stage_changes(moving, external_id="C-2").count() == 0


def test_latest_snapshot_updates_customers_but_a_past_one_does_not(moving):
    run_assessment(moving, dt.date(2026, 3, 31))
    c1 = moving.customers.get(external_id="C-1")
    assert c1.stages == {"reporting": 2} and c1.index == 100.0
    run_assessment(moving, dt.date(2026, 2, 28))
    c1.refresh_from_db()
    assert c1.stages == {"reporting": 2} and c1.assessed_on == dt.date(2026, 3, 31)
    assert Snapshot.objects.filter(workspace=moving).count() == 2


def test_no_model_is_a_clear_error(workspace):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no transformation model"):
        run_assessment(workspace, TODAY)


ANSWER_MODEL = """\
vision: Customers who teach their peers.
dimensions:
  - key: community
    name: Teach peers
    target: teaching
    stages:
      - {key: solo, name: Solo}
      - key: teaching
        name: Teaching
        when:
          - answer: {question: teaches_peers, at_least: 4}
"""


def test_survey_answers_are_signals(workspace):
    upsert_customer(workspace, "C-1")
    apply_model(workspace, ANSWER_MODEL)
    answer = {"customer_id": "C-1", "kind": "answer", "type": "teaches_peers"}
    ingest_batch(workspace, [{**answer, "time": dt.datetime(2026, 1, 5), "value": 5},
                             {**answer, "time": dt.datetime(2026, 3, 5), "value": 2}])
    customer = workspace.customers.get()
    january = assess_customer(workspace, customer, dt.date(2026, 1, 31))
    march = assess_customer(workspace, customer, dt.date(2026, 3, 31))
    assert january["dimensions"][0]["stage"] == "teaching"
    assert march["dimensions"][0]["stage"] == "solo"
    assert "2" in march["dimensions"][0]["criteria"][0]["missing"]
