"""In-process contracts of signal writes: API batches keep types and identity, concurrent
batches are stored once, and a meeting is never half-written across the database and the
signal store (the database commits first, the store last)."""

import datetime as dt
import threading

import duckdb
import pytest
from django.db import connection

from becoming.customers.actions import upsert_customer
from becoming.engage.models import Meeting
from becoming.signals.actions import ingest_batch, store_for


def test_batch_without_ids_keeps_identical_events_once_per_occurrence(workspace):
    upsert_customer(workspace, "C-1")
    sale = {"customer_id": "C-1", "type": "purchase", "time": dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            "value": 19.9}
    first = ingest_batch(workspace, [sale, sale, {**sale, "value": 5.0}])
    assert (first["added"], first["identical_kept"], first["duplicates"]) == (3, 1, 0)
    again = ingest_batch(workspace, [sale, sale, {**sale, "value": 5.0}])
    assert (again["added"], again["duplicates"]) == (0, 3)
    assert store_for(workspace).count() == 3
    # No id column is invented as a property (it used to be stored as {"id": null}).
    con = duckdb.connect()
    store_for(workspace).register(con)
    assert con.sql("SELECT count(*) FROM signals WHERE properties IS NOT NULL").fetchall() == [(0,)]


def test_batch_keeps_types_end_to_end(workspace):
    customer, _ = upsert_customer(workspace, "C-1")
    paris = dt.timezone(dt.timedelta(hours=1))
    ingest_batch(workspace, [
        {"customer_id": "C-1", "type": "t", "time": dt.datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=paris),
         "value": 0.1 + 0.2, "id": "a"},
        {"customer_id": "C-1", "kind": "answer", "type": "nps", "time": dt.datetime(2026, 1, 6), "value": 9,
         "id": "b", "properties": {"channel": "web"}},
    ])
    rows = {r["event_id"]: r for r in store_for(workspace).timeline(customer.pk)}
    assert rows["a"]["time"] == dt.datetime(2026, 1, 5, 9, 0, 0, 123456)  # UTC, microseconds kept
    assert rows["a"]["value"] == 0.1 + 0.2  # exactly, not through repr()
    assert (rows["a"]["kind"], rows["b"]["kind"]) == ("event", "answer")
    assert rows["b"]["properties"] == '{"channel":"web"}'


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_with_the_same_ids_store_each_once(workspace):
    upsert_customer(workspace, "C-1")
    events = [{"customer_id": "C-1", "type": "login", "time": dt.datetime(2026, 1, 1) + dt.timedelta(hours=i),
               "id": f"e{i}"} for i in range(20)]
    start, added, errors = threading.Barrier(8), [], []

    def post():
        try:
            start.wait()
            added.append(ingest_batch(workspace, events)["added"])
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and sorted(added) == [0] * 7 + [20]
    assert store_for(workspace).count() == 20


def _log(workspace, customer, notes="Wants SSO before renewal"):
    from becoming.engage.actions.meetings import log_meeting

    return log_meeting(workspace, customer, kind="call", when=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                       title="Renewal", notes=notes)


def test_meeting_whose_notes_fail_leaves_neither_meeting_nor_signal(workspace, monkeypatch):
    customer, _ = upsert_customer(workspace, "C-1")

    def broken(*args, **kwargs):
        raise RuntimeError("embedding model unavailable")

    monkeypatch.setattr("becoming.engage.actions.feedback.save_feedback", broken)
    with pytest.raises(RuntimeError):
        _log(workspace, customer)
    assert Meeting.objects.count() == 0
    assert store_for(workspace).count() == 0  # no signal for a meeting that does not exist


def test_meeting_whose_signal_fails_stands_and_heals_at_the_next(workspace, monkeypatch):
    from becoming.tabular.store import SignalStore

    customer, _ = upsert_customer(workspace, "C-1")
    real_append = SignalStore.append

    def broken(self, table):
        raise OSError("disk full")

    monkeypatch.setattr(SignalStore, "append", broken)
    with pytest.raises(OSError):
        _log(workspace, customer, notes="")
    assert Meeting.objects.count() == 1 and store_for(workspace).count() == 0
    monkeypatch.setattr(SignalStore, "append", real_append)
    second = _log(workspace, customer, notes="")
    ids = {r["event_id"] for r in store_for(workspace).timeline(customer.pk)}
    assert ids == {f"meeting-{m.pk}" for m in Meeting.objects.all()} and len(ids) == 2
    assert second.pk in {m.pk for m in Meeting.objects.all()}
