"""Data of the page tests: the model and the files (importable as `web_data`)."""

import datetime as dt

from support import SMALL_MODEL as MODEL  # noqa: F401  (one small model for all tests)

CUSTOMERS = 120  # more than two pages of 50


def customers_csv(n: int = CUSTOMERS) -> str:
    rows = ["customer_id,name,plan,seats"]
    rows += [f"C{i:04d},Customer {i:04d},{'pro' if i % 2 == 0 else 'free'},{i % 17}" for i in range(n)]
    return "\n".join(rows) + "\n"


def events_csv(today: dt.date, n: int = CUSTOMERS) -> str:
    """Every third customer exports reports recently; every fifth did once long ago."""
    rows = ["customer_id,type,time"]
    for i in range(n):
        if i % 3 == 0:
            rows += [f"C{i:04d},report_exported,{today - dt.timedelta(days=d)}" for d in (1, 2, 3, 4)]
        elif i % 5 == 0:
            rows.append(f"C{i:04d},report_exported,{today - dt.timedelta(days=200)}")
    return "\n".join(rows) + "\n"


def load_data(workspace, folder, owner, assess: bool = True):
    """Import customers and events, apply the model, and assess a month ago and today."""
    from becoming.assessments.actions import run_assessment
    from becoming.customers.actions import import_customers
    from becoming.signals.actions import import_events
    from becoming.transformation.actions import apply_model

    today = dt.date.today()
    (folder / "customers.csv").write_text(customers_csv())
    (folder / "events.csv").write_text(events_csv(today))
    import_customers(workspace, folder / "customers.csv")
    import_events(workspace, folder / "events.csv", type_column="type")
    apply_model(workspace, MODEL, owner)
    if assess:
        run_assessment(workspace, today - dt.timedelta(days=60))
        run_assessment(workspace, today)
    return workspace
