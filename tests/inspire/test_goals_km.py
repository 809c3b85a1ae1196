"""Goal dates against a Kaplan–Meier median computed by hand on a small history.

Six customers, six month-ends (31 Jan – 30 Jun 2026), one dimension of three stages:

    A 0 0 1 1 1 1     B 0 1 1 1 2 2     C 0 0 0 0 1 1
    D 0 0 0 0 0 0     E 0 0 0 0 0 0     F 0 0 0 1 1 1

Stays at stage 0: A moved after 59 days, B after 28, C after 120, F after 89; D and E are
censored at 150. Stays at stage 1: B moved after 92; A (91), C (30), F (61) are censored.
"""

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

DATES = [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30),
         dt.date(2026, 5, 31), dt.date(2026, 6, 30)]
STAGES = {"A": [0, 0, 1, 1, 1, 1], "B": [0, 1, 1, 1, 2, 2], "C": [0, 0, 0, 0, 1, 1],
          "D": [0, 0, 0, 0, 0, 0], "E": [0, 0, 0, 0, 0, 0], "F": [0, 0, 0, 1, 1, 1]}


def km_by_hand(durations, moved):
    """The product-limit estimate, step by step: [(time, survival)] at each time a move happened."""
    curve, survival = [], 1.0
    for t in sorted({d for d, m in zip(durations, moved) if m}):
        at_risk = sum(1 for d in durations if d >= t)
        events = sum(1 for d, m in zip(durations, moved) if m and d == t)
        survival *= 1 - events / at_risk
        curve.append((t, survival))
    return curve


def first_time_at_or_below(curve, level):
    return next((t for t, s in curve if s <= level + 1e-12), None)


def history_frame(pks):
    rows = [(pks[k], pd.Timestamp(day), stage) for k, stages in STAGES.items()
            for day, stage in zip(DATES, stages)]
    return pd.DataFrame(rows, columns=["customer_pk", "as_of", "stage__reporting"])


@pytest.mark.once
def test_episodes_and_step_times_match_the_hand_computation():
    from becoming.inspire.actions.goals import episodes, step_time

    pks = {k: i for i, k in enumerate(STAGES)}
    eps = episodes(history_frame(pks), "reporting")
    at0 = eps[eps.stage == 0].sort_values("customer_pk")
    assert at0.days.tolist() == [59, 28, 120, 150, 150, 89]
    assert at0.moved_up.tolist() == [True, True, True, False, False, True]
    at1 = eps[eps.stage == 1].sort_values("customer_pk")
    assert at1.days.tolist() == [91, 92, 30, 61] and at1.moved_up.tolist() == [False, True, False, False]

    curve = km_by_hand(at0.days.tolist(), at0.moved_up.tolist())
    assert [t for t, _ in curve] == [28, 59, 89, 120]
    assert [s for _, s in curve] == pytest.approx([5 / 6, 4 / 6, 3 / 6, 2 / 6])
    step = step_time(at0.days, at0.moved_up)
    assert step.median == first_time_at_or_below(curve, 0.5) == 89
    assert step.fastest_quarter == first_time_at_or_below(curve, 0.75) == 59
    one = step_time(at1.days, at1.moved_up)
    assert one.median == one.fastest_quarter == 92
    assert step_time([10, 20], [False, False]).median is None


@pytest.mark.django_db
def test_goal_dates_from_the_stored_history(workspace, owner, small_model, tmp_path):
    from becoming.assessments.models import Snapshot
    from becoming.customers.models import Attribute, Customer
    from becoming.inspire.actions.goals import goal_rows, propose
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    version = apply_model(workspace, small_model, owner)
    pks = {k: Customer.objects.create(workspace=workspace, external_id=k, attributes={"plan": "pro"}).pk
           for k in STAGES}
    for i, day in enumerate(DATES):
        path = tmp_path / f"{day}.parquet"
        pq.write_table(pa.table({"customer_id": pa.array(list(pks.values()), pa.int64()),
                                 "stage__reporting": pa.array([STAGES[k][i] for k in pks], pa.int64())}), path)
        Snapshot.objects.create(workspace=workspace, model_version=version, as_of=day, path=str(path),
                                customers=len(pks))
    proposals = {p.customer_id: p for p in propose(workspace, min_peers=1)}
    assert set(proposals) == {"A", "C", "D", "E", "F"}  # B is at the top stage
    end = DATES[-1]
    d = proposals["D"]
    assert (d.goal_index, d.goal_date) == (1, end + dt.timedelta(days=89))
    # The top quarter of the six reached stage 1 (four of six are at 1 or above; one at 2).
    assert (d.stretch_index, d.stretch_date) == (1, end + dt.timedelta(days=59))
    a = proposals["A"]
    assert (a.goal_index, a.goal_date, a.stretch_index, a.stretch_date) == (
        2, end + dt.timedelta(days=92), 2, end + dt.timedelta(days=92))
    assert "Half of the peers at Starting moved to Trying within 89 days" in d.basis
    assert "the fastest quarter within 59" in d.basis and "4 moves" in d.basis
    assert d.peers == 6 and "whole workspace" in d.basis

    # As of March only the first three month-ends count: B moved after 28 days, A after 59.
    early = {p.customer_id: p for p in propose(workspace, as_of=dt.date(2026, 3, 31), min_peers=1)}
    curve = km_by_hand([59, 28, 59, 59, 59, 59], [True, True, False, False, False, False])
    assert first_time_at_or_below(curve, 0.5) is None  # 5/6 × 4/5 = 2/3 never reaches a half
    assert first_time_at_or_below(curve, 0.75) == 59
    assert early["C"].goal_date is None
    assert "Fewer than half of the 6 stays at Starting" in early["C"].basis
    assert "the fastest quarter took 59 days" in early["C"].basis
    assert early["C"].stretch_date == dt.date(2026, 3, 31) + dt.timedelta(days=59)

    table = goal_rows(workspace, min_peers=1)
    row = {r["customer_id"]: r for r in table.to_pylist() if r["dimension"] == "reporting"}["D"]
    assert row["goal_stage"] == "trying" and row["goal_date"] == end + dt.timedelta(days=89)

