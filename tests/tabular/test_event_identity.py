"""Event identity without an id column: content and occurrence (see tabular/events.py).

A purchase log can hold the same purchase twice (one customer, same product, same day, same
price): both are real. Identical rows of one import are all kept; the same file imported
again adds nothing; overlapping files count a row as often as the file that holds it most.
"""

import datetime as dt
import hashlib

import pyarrow as pa
import pytest

from becoming.tabular import SignalStore, prepare_events

CUSTOMERS = {"u1": 1, "u2": 2}


def lookup(external: pa.Array) -> pa.Array:
    return pa.array([CUSTOMERS.get(x) for x in external.to_pylist()], pa.int64())


def purchases(rows) -> pa.Table:
    """rows: (customer, product, day, price); no id column, like a shop's export."""
    return pa.table({"customer": [r[0] for r in rows], "product": [r[1] for r in rows],
                     "day": [f"2024-03-{r[2]:02d}" for r in rows],
                     "price": [str(r[3]) for r in rows]})


def prepare(table: pa.Table) -> pa.Table:
    return prepare_events(table, file_name="purchases.csv", customer_column="customer",
                          type_column="product", time_column="day", value_column="price",
                          customer_ids=lookup)


A = ("u1", "coffee", 1, 3.5)
B = ("u2", "tea", 1, 2.0)


@pytest.fixture
def store(tmp_path):
    return SignalStore(tmp_path / "signals")


def test_identical_rows_in_one_file_are_all_kept(store):
    from becoming.tabular.events import identical_kept

    events = prepare(purchases([A, A, B, A]))
    assert events.num_rows == 4 and len(set(events.column("event_id").to_pylist())) == 4
    assert identical_kept(events) == 2
    assert store.append(events) == 4 and store.count() == 4


def test_same_file_twice_adds_nothing(store):
    rows = [A, B, A, A, B]
    assert store.append(prepare(purchases(rows))) == 5
    assert store.append(prepare(purchases(rows))) == 0
    # Order within the file does not matter: identical rows are interchangeable.
    assert store.append(prepare(purchases(list(reversed(rows))))) == 0
    assert store.count() == 5


def test_overlapping_files_count_occurrences_per_import(store):
    assert store.append(prepare(purchases([A, A]))) == 2
    assert store.append(prepare(purchases([A]))) == 0  # A is already there (twice)
    assert store.append(prepare(purchases([A, A, A, B]))) == 2  # the third A, and B
    assert store.count() == 4


def test_first_occurrence_keeps_the_id_it_had_before():
    """Re-importing an old file after the upgrade adds only the rows that used to be lost."""
    events = prepare(purchases([A, A]))
    micros = int(dt.datetime(2024, 3, 1).replace(tzinfo=dt.UTC).timestamp() * 1_000_000)
    legacy = "\x1f".join(["1", "event", "coffee", str(micros), "3.5"])
    assert events.column("event_id")[0].as_py() == hashlib.md5(legacy.encode()).hexdigest()
    assert events.column("event_id")[1].as_py() != events.column("event_id")[0].as_py()


def test_id_column_still_decides_identity():
    from becoming.tabular.events import identical_kept

    table = purchases([A, A, B]).append_column("id", pa.array(["p1", "p1", "p2"]))
    events = prepare_events(table, file_name="p.csv", customer_column="customer",
                            type_column="product", time_column="day", value_column="price",
                            id_column="id", customer_ids=lookup)
    assert events.column("event_id").to_pylist() == ["p1", "p2"]
    assert identical_kept(events) == 0


def test_typed_columns_need_no_text():
    """API batches arrive typed: timestamps and floats go straight through."""
    table = pa.table({
        "customer": ["u1", "u1"], "kind": ["event", "answer"], "type": ["buy", "nps"],
        "time": pa.array([dt.datetime(2024, 3, 1, 9, 30, 0, 123456)] * 2, pa.timestamp("us")),
        "value": pa.array([0.1 + 0.2, None], pa.float64()),
    })
    events = prepare_events(table, file_name="events", customer_column="customer",
                            type_column="type", time_column="time", value_column="value",
                            kind_column="kind", customer_ids=lookup)
    assert events.column("kind").to_pylist() == ["event", "answer"]
    assert events.column("time")[0].as_py() == dt.datetime(2024, 3, 1, 9, 30, 0, 123456)
    assert events.column("value")[0].as_py() == 0.1 + 0.2
    assert events.column("properties").null_count == 2
