"""The customer list sorts and filters by a stage through CustomerStage rows, which the
assessment keeps equal to its latest snapshot (also when it writes only what changed)."""

import datetime as dt

import duckdb
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from becoming.assessments.actions import latest_snapshot, run_assessment
from becoming.customers import actions
from becoming.customers.models import Customer, CustomerStage
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import apply_model, current_model

MODEL = """\
vision: Customers who export reports and grow their seats.
dimensions:
  - key: reporting
    name: Report on their work
    target: regular
    stages:
      - {key: starting, name: Starting}
      - key: trying
        name: Trying
        when:
          - event: {type: report_exported, at_least: 1}
      - key: regular
        name: Regular
        when:
          - event: {type: report_exported, within: 30d, at_least: 3}
  - key: seats
    name: Grow their seats
    target: many
    stages:
      - {key: few, name: Few}
      - key: some
        name: Some
        when:
          - event: {type: seat_added, at_least: 2}
      - key: many
        name: Many
        when:
          - event: {type: seat_added, at_least: 4}
"""
TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def assessed(workspace, owner):
    for i in range(24):
        actions.upsert_customer(workspace, f"S{i:02d}", f"Shop {i:02d}")
    events = []
    for i in range(24):
        events += [{"customer_id": f"S{i:02d}", "type": "report_exported",
                    "time": dt.datetime(2026, 6, 28 - d)} for d in range(i % 4)]
        events += [{"customer_id": f"S{i:02d}", "type": "seat_added",
                    "time": dt.datetime(2026, 3, 1 + d)} for d in range(i % 5)]
    ingest_batch(workspace, events)
    apply_model(workspace, MODEL, owner)
    run_assessment(workspace, dt.date(2026, 1, 31))  # everyone at the bottom: the full write
    run_assessment(workspace, TODAY)  # only the movers are written
    return workspace


def snapshot_stages(workspace) -> dict:
    """{(customer pk, dimension): stage index} of the latest snapshot."""
    snap = latest_snapshot(workspace)
    rows = duckdb.connect().execute(
        "SELECT customer_id, stage__reporting, stage__seats FROM read_parquet(?)", [snap.path]).fetchall()
    return {(pk, dim): stage for pk, *stages in rows for dim, stage in zip(("reporting", "seats"), stages)}


def stage_rows(workspace) -> dict:
    return {(r.customer_id, r.dimension): r.stage_index
            for r in CustomerStage.objects.filter(workspace=workspace)}


@pytest.mark.django_db
def test_stage_rows_equal_the_latest_snapshot(assessed):
    expected = snapshot_stages(assessed)
    assert stage_rows(assessed) == expected
    assert {s for s in expected.values()} == {0, 1, 2}  # the data reaches every stage
    for c in Customer.objects.filter(workspace=assessed):
        assert c.stages == {"reporting": expected[(c.pk, "reporting")],
                            "seats": expected[(c.pk, "seats")]}
        assert c.assessed_on == TODAY
    # Later, with fewer reports in the window: the movers' rows change, the others stay.
    run_assessment(assessed, dt.date(2026, 8, 15))
    later = snapshot_stages(assessed)
    assert later != expected and stage_rows(assessed) == later


@pytest.mark.django_db
def test_sort_and_filter_by_stage_read_the_stage_rows(assessed):
    expected = snapshot_stages(assessed)
    dims = current_model(assessed).dimensions
    # Spoil the JSON copy: the list must not read it to sort or filter.
    Customer.objects.filter(workspace=assessed).update(stages={})
    late = Customer.objects.create(workspace=assessed, external_id="NEW", name="New shop")
    for dim in ("reporting", "seats"):
        for desc in (True, False):
            with CaptureQueriesContext(connection) as queries:
                qs, sort = actions.sort_customers(actions.search_customers(assessed),
                                                  ("-" if desc else "") + f"stage_{dim}", dims)
                page = list(qs[0:10])
            assert "customers_customerstage" in queries.captured_queries[0]["sql"]
            everyone = list(qs)
            stages = [expected[(c.pk, dim)] for c in everyone[:-1]]
            assert stages == sorted(stages, reverse=desc) and stages.count(2) >= 1
            assert everyone[-1] == late and len(everyone) == qs.count() == 25  # never assessed: last
            assert page == everyone[:10] and list(qs[20:30]) == everyone[20:]
        for stage in (0, 1, 2):
            qs, active = actions.filter_customers(assessed, {f"stage_{dim}": str(stage)}, dims)
            assert {c.pk for c in qs} == {pk for (pk, d), s in expected.items()
                                          if d == dim and s == stage}
            assert active == {f"stage_{dim}": str(stage)}


@pytest.mark.django_db
def test_api_list_sorts_and_filters_by_stage(assessed, owner, client):
    from becoming.workspaces.actions import issue_token

    expected = snapshot_stages(assessed)
    _, secret = issue_token(assessed, "list", owner)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get("/api/v1/customers?sort=-stage_seats&limit=5", **headers).json()
    by_ext = dict(Customer.objects.filter(workspace=assessed).values_list("external_id", "pk"))
    seats = [expected[(by_ext[c["external_id"]], "seats")] for c in body["items"]]
    assert body["count"] == 24 and seats == sorted(seats, reverse=True) and seats[0] == 2
    body = client.get("/api/v1/customers?stage_reporting=2", **headers).json()
    assert sorted(c["external_id"] for c in body["items"]) == sorted(
        ext for ext, pk in by_ext.items() if expected[(pk, "reporting")] == 2)
