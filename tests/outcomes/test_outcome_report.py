"""Outcome report data: no-leakage windows, revenue, movers, and the API."""

import datetime as dt

import pytest

from becoming.assessments.actions import rebuild_history
from becoming.customers.actions import upsert_customer
from becoming.outcomes.actions.report import build_report, outcome_frame
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import apply_model

pytestmark = pytest.mark.django_db
T = dt.date(2026, 3, 31)


def at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour))


@pytest.fixture
def shop(workspace, small_model):
    """Ten customers; the five who export reports by T never churn, three of the others do."""
    signals = []
    for i in range(10):
        cid = f"C-{i}"
        upsert_customer(workspace, cid, attributes={"plan": "pro", "Employees": 10 + i})
        signals.append({"customer_id": cid, "kind": "outcome", "type": "revenue", "time": at(T - dt.timedelta(days=10)),
                        "value": 100.0, "id": f"rev0-{i}"})
        if i < 5:
            signals += [{"customer_id": cid, "type": "report_exported", "time": at(T - dt.timedelta(days=k + 1)),
                         "id": f"ev-{i}-{k}"} for k in range(3)]
            signals.append({"customer_id": cid, "kind": "outcome", "type": "revenue",
                            "time": at(T + dt.timedelta(days=60)), "value": 120.0, "id": f"rev1-{i}"})
        elif i < 8:
            signals.append({"customer_id": cid, "kind": "outcome", "type": "churn",
                            "time": at(T + dt.timedelta(days=30 * (i - 4))), "id": f"churn-{i}"})
    # C-9 churned before T: not a customer at T, so outside a no-leakage report.
    signals.append({"customer_id": "C-9", "kind": "outcome", "type": "churn", "time": at(T - dt.timedelta(days=5)),
                    "id": "churn-early"})
    ingest_batch(workspace, signals)
    apply_model(workspace, small_model)
    return workspace


def test_no_leakage_window(shop):
    frame, dims = outcome_frame(shop, T, 365)
    assert len(frame) == 9  # C-9 had churned before T
    regular = frame[frame.stage__reporting == 2]
    assert len(regular) == 5 and not regular.churned.any()
    assert regular.revenue_end.tolist() == [120.0] * 5
    churned = frame[frame.churned]
    assert len(churned) == 3 and (churned.revenue_end == 0).all()
    assert sorted(churned.duration_days.round().tolist()) == [29.0, 59.0, 89.0]  # from the end of day T


def test_report_by_stage(shop):
    report = build_report(shop, "churn", as_of=T, window="12m")
    assert report["mode"] == "no-leakage" and report["customers"] == 9
    rows = {r["stage"]: r for r in report["stages"]}
    assert rows["regular"]["customers"] == 5 and rows["regular"]["churn_rate"] == 0.0
    assert rows["starting"]["customers"] == 4 and rows["starting"]["churned"] == 3
    assert rows["starting"]["small"] is True  # flagged, not hidden
    assert rows["regular"]["nrr"] == pytest.approx(1.2)
    assert report["survival"]["reporting"], "churn dates exist: curves are drawn"


def test_descriptive_mode_counts_every_outcome(shop):
    report = build_report(shop, "churn", as_of=T)
    assert report["mode"] == "descriptive" and report["customers"] == 10


def test_report_through_the_api(shop):
    from django.test import Client

    from becoming.workspaces.models import ApiToken

    _, secret = ApiToken.issue(shop, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    got = client.get("/api/v1/outcomes/report", {"as_of": T.isoformat(), "window": "12m"})
    assert got.status_code == 200, got.content
    assert got.json()["customers"] == 9
    bad = client.get("/api/v1/outcomes/report", {"window": "12x"})
    assert bad.status_code == 400 and "12x" in bad.json()["message"]
    added = client.post("/api/v1/outcomes", {"outcomes": [
        {"customer_id": "C-1", "type": "renewal", "time": "2026-05-01T00:00:00Z", "value": 1200}]},
        content_type="application/json")
    assert added.status_code == 200 and added.json()["added"] == 1


def test_movers_compared_with_stayers(shop):
    rebuild_history(shop, 2, today=T)
    report = build_report(shop, "churn", as_of=T, window="6m")
    assert report["movers"]["movers"]["customers"] == 5
