"""Business outcomes (renewals, churn, revenue) on a customer's merged timeline."""

import datetime as dt

from becoming.signals.actions import store_for

from .actions.formats import money

TITLES = {"churn": "Churned", "renewal": "Renewed", "revenue": "Revenue", "expansion": "Expanded"}


def outcomes(customer, since, until, limit: int) -> list[dict]:
    rows = store_for(customer.workspace).timeline(
        customer.pk, limit=limit, kind="outcome", before=_naive_utc(until))
    if since is not None:
        rows = [r for r in rows if r["time"] >= _naive_utc(since)]
    currency = customer.workspace.currency
    return [{"time": r["time"], "title": TITLES.get(r["type"], r["type"].capitalize()),
             "detail": money(r["value"], currency) if r["value"] is not None else "", "url": ""}
            for r in rows]


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """The store keeps naive UTC times."""
    return None if moment is None else moment.astimezone(dt.UTC).replace(tzinfo=None)
