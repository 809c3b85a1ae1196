"""SignalStore on Delta Lake: idempotent appends, snapshot view, deletes, timeline."""

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from becoming.tabular import SIGNAL_SCHEMA, SignalStore


def signals(rows):
    """rows: (event_id, customer_id, type, day, value) tuples."""
    return pa.Table.from_pylist([
        {"event_id": e, "customer_id": c, "kind": "event", "type": t,
         "time": dt.datetime(2024, 1, day), "value": v, "properties": None}
        for e, c, t, day, v in rows], schema=SIGNAL_SCHEMA)


BATCH = signals([("a", 1, "buy", 1, 1.0), ("b", 1, "visit", 2, None),
                 ("c", 2, "buy", 3, 5.0)])


@pytest.fixture
def store(tmp_path):
    return SignalStore(tmp_path / "signals")


def test_empty_store(store):
    assert (store.version(), store.files(), store.count(), store.timeline(1)) == (-1, [], 0, [])
    con = duckdb.connect()
    store.register(con)
    assert con.sql("SELECT count(*) FROM signals").fetchall() == [(0,)]
    assert [c[0] for c in con.sql("DESCRIBE signals").fetchall()] == SIGNAL_SCHEMA.names


def test_append_is_idempotent(store):
    assert store.append(BATCH) == 3
    version = store.version()
    assert store.append(BATCH) == 0
    assert store.version() == version  # nothing new: no empty commit
    assert store.append(signals([("c", 2, "buy", 3, 5.0), ("d", 2, "buy", 4, 1.0),
                                 ("d", 2, "buy", 4, 1.0)])) == 1
    assert store.count() == 4
    assert store.count("event") == 4 and store.count("outcome") == 0


def test_register_view_columns(store):
    store.append(BATCH)
    con = duckdb.connect()
    store.register(con, name="s")
    rows = con.sql("SELECT customer_id, kind, type, time, value FROM s ORDER BY event_id")
    assert rows.fetchall()[0] == (1, "event", "buy", dt.datetime(2024, 1, 1), 1.0)
    assert len(store.files()) == 1


def test_timeline_newest_first_with_before(store):
    store.append(BATCH)
    assert [r["event_id"] for r in store.timeline(1)] == ["b", "a"]
    assert [r["event_id"] for r in store.timeline(1, limit=1)] == ["b"]
    assert [r["event_id"] for r in store.timeline(1, before=dt.datetime(2024, 1, 2))] == ["a"]


def test_delete_customers_and_compact(store):
    store.append(BATCH)
    store.append(signals([("d", 3, "buy", 4, 1.0)]))
    assert store.delete_customers([1, 99]) == 2
    assert store.delete_customers([]) == 0
    assert store.count() == 2
    store.compact()
    assert store.count() == 2 and len(store.files()) == 1
    store.compact(sort=True)
    assert sorted(r["event_id"] for r in store.timeline(2) + store.timeline(3)) == ["c", "d"]


def test_failed_append_leaves_store_unchanged(store):
    store.append(BATCH)
    version = store.version()
    bad = BATCH.drop_columns(["event_id"])
    with pytest.raises(ValueError):
        store.append(bad)
    assert store.version() == version and store.count() == 3
