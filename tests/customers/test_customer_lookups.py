"""Lookups by a list of ids stay under the database's parameter limit (SQLite: 999 in old
builds, 32,766 or 250,000 in newer ones), however many ids an import names."""

import datetime as dt
import sqlite3

import pyarrow as pa
import pytest
from django.db import connection
from django.utils import timezone

from becoming.customers.models import Customer

MANY = 5_000


@pytest.fixture(autouse=True)
def old_sqlite_limit(db):
    """On SQLite, lower the limit to an old build's 999 so a few thousand ids exceed it."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_events_creating_many_customers(workspace):
    from becoming.signals.actions import import_table, store_for

    ids = [f"N{i}" for i in range(MANY)]
    table = pa.table({"customer_id": ids, "time": pa.array([dt.datetime(2026, 1, 1)] * MANY)})
    result = import_table(workspace, table, file_name="e.csv", type_value="signup",
                          create_customers=True)
    assert (result["customers_created"], result["added"]) == (MANY, MANY)
    assert Customer.objects.filter(workspace=workspace).count() == MANY
    assert store_for(workspace).count() == MANY


def test_feedback_with_many_known_source_ids(workspace):
    from becoming.engage.actions.feedback import save_feedback
    from becoming.engage.models import Feedback

    now = timezone.now()
    known = [Feedback(workspace=workspace, channel="import", source_id=str(i), text="x", time=now)
             for i in range(MANY)]
    Feedback.objects.bulk_create(known, batch_size=2000)
    again = [Feedback(workspace=workspace, channel="import", source_id=str(i), text="x", time=now)
             for i in range(MANY)]
    assert save_feedback(workspace, again) == {"rows": MANY, "added": 0, "skipped": MANY}
