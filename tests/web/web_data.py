"""Data of the page tests: the model and the files (importable as `web_data`)."""

import datetime as dt

MODEL = """\
vision: Customers who export reports every week and run on the pro plan.
dimensions:
  - key: reporting
    name: Report on their work
    target: regular
    stages:
      - {key: starting, name: Starting}
      - key: trying
        name: Trying
        when:
          - event: {type: report_exported, at_least: 1}
      - key: regular
        name: Regular
        when:
          - event: {type: report_exported, within: 30d, at_least: 3}
          - attribute: {name: plan, in: [pro, enterprise]}
"""
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
