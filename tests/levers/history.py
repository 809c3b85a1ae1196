"""A small workspace history with a planted lever effect (shared by the levers tests).

SMALL_MODEL's one dimension "reporting": starting → trying (a report ever) → regular (3
reports in the last 30 days, plan pro). Every month end T of the last year, 35% of the
customers get a meeting (``engage.meeting``) in the 30 days up to T; 70% of those, against 10%
of the others, export 3 reports 70–85 days after T, so they stand at "regular" 90 days after T.
"""

import datetime as dt

import numpy as np
import pandas as pd

from becoming.assessments.actions import month_ends


def history(customers: int = 100, seed: int = 5, today: dt.date | None = None):
    """(customers DataFrame, events DataFrame) with the planted meeting effect."""
    today = today or dt.date.today()
    rng = np.random.default_rng(seed)
    ids = [f"C{i:04d}" for i in range(customers)]
    people = pd.DataFrame({"id": ids, "name": [f"Customer {i}" for i in range(customers)],
                           "plan": ["pro"] * customers})
    rows = []
    for T in month_ends(15, today):
        if T + dt.timedelta(days=90) > today:
            continue
        met = rng.random(customers) < 0.35
        for i, cid in enumerate(ids):
            if met[i]:
                day = T - dt.timedelta(days=int(rng.integers(0, 30)))
                rows.append((cid, "engage.meeting", f"{day}T10:00:00"))
            if rng.random() < (0.7 if met[i] else 0.1):
                for k in range(3):
                    day = T + dt.timedelta(days=int(rng.integers(70, 86)))
                    rows.append((cid, "report_exported", f"{day}T1{k}:00:00"))
            if rng.random() < 0.3:  # noise: a single report keeps customers "trying"
                day = T - dt.timedelta(days=int(rng.integers(0, 30)))
                rows.append((cid, "report_exported", f"{day}T09:00:00"))
    events = pd.DataFrame(rows, columns=["customer_id", "type", "time"])
    return people, events


def load(workspace, customers: int = 100, seed: int = 5):
    """Put the history in a workspace (customers, model, signals)."""
    import pyarrow as pa
    from support import SMALL_MODEL

    from becoming.assessments.actions import run_assessment
    from becoming.customers.models import Attribute, Customer
    from becoming.signals.actions import import_table
    from becoming.transformation.actions import apply_model

    people, events = history(customers, seed)
    Customer.objects.bulk_create([
        Customer(workspace=workspace, external_id=r.id, name=r.name, attributes={"plan": r.plan})
        for r in people.itertuples()])
    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, SMALL_MODEL)
    import_table(workspace, pa.Table.from_pandas(events, preserve_index=False), file_name="events",
                 type_column="type")
    run_assessment(workspace)  # today's stages on the customers, which next actions start from
    return people, events
