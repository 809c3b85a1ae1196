"""Signals on the customer page: the newest first, older on request."""

import datetime as dt

from .actions import store_for

TIMELINE = 100


def customer_section(customer, request) -> dict:
    before = parse_before(request.GET.get("before"))
    timeline = store_for(customer.workspace).timeline(customer.pk, limit=TIMELINE + 1, before=before)
    return {
        "timeline": timeline[:TIMELINE],
        "older": timeline[TIMELINE - 1]["time"].isoformat() if len(timeline) > TIMELINE else None,
        "before": before,
    }


def parse_before(raw: str | None):
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
