"""A small workspace with a short real history, for the portal and Inspire tests.

Four customers on the small model (reporting: Starting → Trying → Regular). Their signals go
in through the signal store and the month-end snapshots are rebuilt from them, so the stage
history is the one the engine computes:

- Alpha Logistics (A): one report export before the second month-end (Trying from then on);
- Bravo Foods (B): nothing (Starting throughout);
- Charlie Metals (C): one export in the month before the second month-end (moves to Trying
  there), a meeting and three exports in the month before the third (plan pro: moves to
  Regular, its target);
- Delta Paper (D): nothing.
"""

import datetime as dt
import re

from becoming.assessments.actions import month_ends, rebuild_history
from becoming.customers.models import Attribute, Contact, Customer
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import apply_model

MONTHS = 3


def build(workspace, owner, model_text, today=None, with_history=True):
    today = today or dt.date.today()
    ends = month_ends(MONTHS, today)  # three month-ends, oldest first
    for name, kind in (("plan", "text"), ("Industry", "text"), ("Employees", "number")):
        Attribute.objects.create(workspace=workspace, name=name, type=kind)
    apply_model(workspace, model_text, owner)
    people = {}
    rows = [("A", "Alpha Logistics", "pro", "Logistics", 200.0),
            ("B", "Bravo Foods", "starter", "Food", 40.0),
            ("C", "Charlie Metals", "pro", "Metals", 900.0),
            ("D", "Delta Paper", "starter", "Paper", 60.0)]
    customers = {}
    for key, name, plan, industry, size in rows:
        customer = Customer.objects.create(workspace=workspace, external_id=key, name=name,
                                           attributes={"plan": plan, "Industry": industry, "Employees": size})
        customers[key] = customer
        people[key] = Contact.objects.create(workspace=workspace, customer=customer, name=f"{name.split()[0]} Person",
                                             email=f"person@{name.split()[0].lower()}.test")

    def at(day: dt.date, hour=10):
        return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)

    events = [
        {"customer_id": "C", "type": "report_exported", "time": at(ends[1] - dt.timedelta(days=10)), "id": "c1"},
        {"customer_id": "A", "type": "report_exported", "time": at(ends[1] - dt.timedelta(days=12)), "id": "a1"},
    ] + [{"customer_id": "C", "type": "report_exported", "time": at(ends[2] - dt.timedelta(days=3 + i)),
          "id": f"c2-{i}"} for i in range(3)] + [
        {"customer_id": "C", "type": "meeting_held", "time": at(ends[2] - dt.timedelta(days=20)), "id": "cm"}]
    if not with_history:
        return {"customers": customers, "contacts": people, "ends": ends, "today": today}
    ingest_batch(workspace, events)
    rebuild_history(workspace, MONTHS, today=today)
    for c in customers.values():
        c.refresh_from_db()
    return {"customers": customers, "contacts": people, "ends": ends, "today": today}


def link_in(message) -> str:

    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/portal/sign-in/\S+/", text).group(0)


def signal_types(workspace) -> list[str]:
    """Every stored signal's type (read through DuckDB, as the engine reads them)."""
    import duckdb

    from becoming.signals.actions import store_for

    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    return [r[0] for r in con.execute("SELECT type FROM signals ORDER BY time").fetchall()]
