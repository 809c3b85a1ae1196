"""Demo outcomes: who churned and when, monthly revenue, and annual renewals.

Churn is likelier for accounts that stay immature, and an account's revenue grows with its
maturity, so the dashboard's "does transformation pay?" panel has a story to tell.
"""

import datetime as dt

import numpy as np
import pyarrow as pa


def churn_days(rng, traits, m: np.ndarray) -> np.ndarray:
    """The day each account churns (index into the demo's days), or -1 if it stays."""
    n, days = m.shape
    mid = m[:, days // 2]
    p = np.clip(0.42 - 0.5 * mid, 0.02, 0.45)
    churns = rng.random(n) < p
    return np.where(churns, rng.integers(120, days - 1, n), -1)


def outcome_signals(rng, ids, traits, m, churn, start: np.datetime64, arr) -> pa.Table:
    from .build import _table

    n, days = m.shape
    rows = {"ids": [], "customers": [], "types": [], "times": [], "values": []}

    def add(event_id, a, type_, day, value):
        rows["ids"].append(event_id)
        rows["customers"].append(ids[a])
        rows["types"].append(type_)
        rows["times"].append(start + np.timedelta64(int(day) * 86400 + 8 * 3600, "s"))
        rows["values"].append(value)

    for a in range(n):
        base = arr[a] / 12
        end = churn[a] if churn[a] >= 0 else days
        for month, day in enumerate(range(0, end, 30)):
            mrr = round(base * (1 + 0.6 * m[a, day]) * rng.uniform(0.97, 1.03), 2)
            add(f"demo-revenue-{ids[a]}-{month}", a, "revenue", day, mrr)
        if churn[a] >= 0:
            add(f"demo-churn-{ids[a]}", a, "churn", churn[a], None)
        renewal = int(rng.integers(0, 365))
        for year, day in enumerate(range(renewal, end, 365)):
            add(f"demo-renewal-{ids[a]}-{year}", a, "renewal", day, float(arr[a]))
    return _table(rows["ids"], np.array(rows["customers"], dtype=np.int64), "outcome", rows["types"],
                  np.array(rows["times"], dtype="datetime64[s]"), rows["values"])


def mask_after_churn(counts: np.ndarray, churn: np.ndarray) -> np.ndarray:
    """No product activity after an account has churned."""
    days = np.arange(counts.shape[1])[None, :]
    alive = (churn[:, None] < 0) | (days < churn[:, None])
    return counts * alive


def churn_dates(churn, start_date: dt.date) -> list:
    return [None if d < 0 else start_date + dt.timedelta(days=int(d)) for d in churn]
