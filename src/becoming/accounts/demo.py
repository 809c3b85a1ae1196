"""The demo's accounts: owners (the demo user and three customer-success managers), churned
and trial accounts, ARR and renewals (before the history is assessed, so the month-end
snapshots leave the churned out of the charts), then a few notes and the alerts."""

import datetime as dt

from becoming.customers.models import Customer
from becoming.workspaces.actions import add_member

from .actions import add_note, check_alerts

STAFF = ("ana.costa@fieldwise.example", "ben.okafor@fieldwise.example",
         "chloe.meyer@fieldwise.example")
DEMO_EMAIL = "demo@becoming.local"
NOTES = (
    "Quarterly review went well; they want the predictive module on two more sites.",
    "Champion left the company last month. Need a new sponsor before the renewal.",
    "Asked for SSO and an audit log before expanding. Passed to product.",
    "Maintenance team still exports reports by hand; offered a dashboard training.",
    "Renewal call booked. Budget is tight this year; expect a discount request.",
)


def accounts(demo) -> None:
    ws, rng = demo.workspace, demo.rng("accounts")
    # The demo's own password for the staff too, so people can sign in as a CSM.
    owners = [add_member(ws, email, "member", "demo", check_password=False).user
              for email in STAFF]
    from django.contrib.auth import get_user_model

    owners.append(get_user_model().objects.get(email=DEMO_EMAIL))
    customers = list(Customer.objects.filter(workspace=ws).order_by("external_id")
                     .only("id", "attributes"))
    for i, c in enumerate(customers):
        c.owner = owners[int(rng.integers(0, len(owners)))] if rng.random() < 0.9 else None
        churned = i < len(demo.churn) and demo.churn[i] >= 0
        c.status = (Customer.Status.CHURNED if churned else
                    Customer.Status.TRIAL if rng.random() < 0.03 else Customer.Status.ACTIVE)
        c.arr = round(float(demo.traits["arr"][i]), 2) if i < len(demo.traits["arr"]) else None
        c.renewal_date = None if churned else _next_anniversary(
            c.attributes.get("Customer since"), demo.today)
    Customer.objects.bulk_update(customers, ["owner", "status", "arr", "renewal_date"],
                                 batch_size=500)


def _next_anniversary(since: str | None, today: dt.date) -> dt.date | None:
    if not since:
        return None
    start = dt.date.fromisoformat(since)
    for year in (today.year, today.year + 1):
        try:
            day = start.replace(year=year)
        except ValueError:  # 29 February
            day = start.replace(year=year, day=28)
        if day >= today:
            return day
    return None


def notes(demo) -> None:
    ws, rng = demo.workspace, demo.rng("accounts.notes")
    owned = list(Customer.objects.filter(workspace=ws, owner__isnull=False)
                 .select_related("owner").order_by("external_id")[:400])
    for k in rng.choice(len(owned), size=min(25, len(owned)), replace=False):
        c = owned[int(k)]
        add_note(c, NOTES[int(k) % len(NOTES)], author=c.owner)
    check_alerts(ws, today=demo.today, send=False)
