"""A workspace whose customers churn less the further they are along: the outcome pages' data.

Stages are measured a year and a bit ago (exports then) and today (the same exports, so both
assessments agree); churn and revenue come after, so both the descriptive and the no-leakage
(12-month window) reports have something to show. 75 customers: 40 starting, 15 trying (a
small group), 20 regular (small too).
"""

import datetime as dt


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def build(workspace, model: str, customers: int = 75, outcomes: bool = True):
    from becoming.assessments.actions import run_assessment
    from becoming.customers.actions import upsert_customer
    from becoming.signals.actions import ingest_batch
    from becoming.transformation.actions import apply_model

    today = dt.date.today()
    stage_time = today - dt.timedelta(days=380)  # within 30 days before the 12-month window
    events, results = [], []
    for i in range(customers):
        cid = f"C-{i:03d}"
        stage = 0 if i < 40 else 1 if i < 55 else 2
        upsert_customer(workspace, cid, name=f"Customer {i:03d}",
                        attributes={"plan": "pro" if stage == 2 else "basic", "Employees": 10 + i})
        exports = {0: 0, 1: 1, 2: 3}[stage]
        for start, tag in ((stage_time, "a"), (today - dt.timedelta(days=10), "b")):
            events += [{"customer_id": cid, "type": "report_exported",
                        "time": at(start + dt.timedelta(days=k)), "id": f"ev-{tag}{i}-{k}"}
                       for k in range(exports)]
        if not outcomes:
            continue
        monthly = 100.0 + 50 * stage
        results.append({"customer_id": cid, "kind": "outcome", "type": "revenue",
                        "time": at(stage_time - dt.timedelta(days=5)), "value": monthly,
                        "id": f"rev0-{i}"})
        churns = {0: i % 2 == 0, 1: i % 5 == 0, 2: i % 10 == 0}[stage]
        if churns:
            results.append({"customer_id": cid, "kind": "outcome", "type": "churn",
                            "time": at(today - dt.timedelta(days=300 - 3 * (i % 60))),
                            "id": f"churn-{i}"})
        else:
            results.append({"customer_id": cid, "kind": "outcome", "type": "revenue",
                            "time": at(today - dt.timedelta(days=20)),
                            "value": monthly * 1.1, "id": f"rev1-{i}"})
            results.append({"customer_id": cid, "kind": "outcome", "type": "renewal",
                            "time": at(today - dt.timedelta(days=40)), "value": monthly * 12,
                            "id": f"ren-{i}"})
    ingest_batch(workspace, events + results)
    apply_model(workspace, model)
    run_assessment(workspace, today)
    return workspace
