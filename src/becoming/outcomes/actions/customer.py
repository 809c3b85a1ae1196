"""One customer's outcomes, for the customer page."""

from becoming.signals.actions import store_for

from .formats import money

RECENT_RENEWALS = 5


def customer_outcomes(workspace, customer_id: int, limit: int = 500) -> dict | None:
    """Churn, monthly revenue (latest, first, a sparkline) and renewals of one customer.

    None when the customer has no outcome at all; reads at most the ``limit`` latest.
    """
    rows = store_for(workspace).timeline(customer_id, limit=limit, kind="outcome")
    if not rows:
        return None
    rows.reverse()  # oldest first
    churns = [r for r in rows if r["type"] == "churn"]
    revenue = [r for r in rows if r["type"] == "revenue" and r["value"] is not None]
    renewals = [r for r in rows if r["type"] == "renewal"]
    out = {"churned": churns[-1]["time"] if churns else None, "revenue": None,
           "renewals": renewals[::-1][:RECENT_RENEWALS], "renewal_count": len(renewals)}
    if revenue:
        first, last = revenue[0]["value"], revenue[-1]["value"]
        out["revenue"] = {"first": money(first, workspace.currency),
                          "latest": money(last, workspace.currency), "since": revenue[0]["time"],
                          "at": revenue[-1]["time"], "count": len(revenue),
                          "trend": "up" if last > first else "down" if last < first else "flat",
                          "points": sparkline([r["value"] for r in revenue])}
    return out


def sparkline(values: list[float], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a small trend line."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
                    for i, v in enumerate(values))
