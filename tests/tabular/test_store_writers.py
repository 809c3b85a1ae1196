"""Concurrent writers: the same events appended at once by several processes or threads
are stored once (the store's write lock covers reading stored ids and committing)."""

import datetime as dt
import multiprocessing
import threading

import pyarrow as pa

from becoming.tabular import SIGNAL_SCHEMA, SignalStore

WRITERS = 6


def batch(n: int = 2000) -> pa.Table:
    return pa.Table.from_pylist([
        {"event_id": f"e{i}", "customer_id": i % 50, "kind": "event", "type": "buy",
         "time": dt.datetime(2024, 1, 1) + dt.timedelta(minutes=i), "value": 1.0,
         "properties": None} for i in range(n)], schema=SIGNAL_SCHEMA)


def _append(path: str, start, results) -> None:
    start.wait()  # every writer reads the (empty) store at about the same moment
    results.put(SignalStore(path).append(batch()))


def test_processes_appending_the_same_events_store_them_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(WRITERS), ctx.Queue()
    path = str(tmp_path / "signals")
    workers = [ctx.Process(target=_append, args=(path, start, results)) for _ in range(WRITERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    added = sorted(results.get(timeout=5) for _ in workers)
    assert added == [0] * (WRITERS - 1) + [2000]
    assert SignalStore(path).count() == 2000


def test_threads_appending_the_same_events_store_them_once(tmp_path):
    store, start, added = SignalStore(tmp_path / "signals"), threading.Barrier(WRITERS), []

    def append():
        start.wait()
        added.append(store.append(batch()))

    threads = [threading.Thread(target=append) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(added) == [0] * (WRITERS - 1) + [2000] and store.count() == 2000
