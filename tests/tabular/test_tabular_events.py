"""prepare_events: schema, time parsing, ids, and located errors."""

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from becoming.tabular import SIGNAL_SCHEMA, TabularError, prepare_events, read_table

KNOWN = {"u1": 1, "u2": 2}


def lookup(external: pa.Array) -> pa.Array:
    return pa.array([KNOWN.get(x) for x in external.to_pylist()], pa.int64())


def csv_table(tmp_path, text, name="events.csv"):
    path = tmp_path / name
    path.write_text(text)
    return read_table(path)


def prepare(table, **kwargs):
    options = {"file_name": "events.csv", "customer_column": "user", "type_column": "event",
                   "time_column": "time", "customer_ids": lookup}
    options.update(kwargs)
    return prepare_events(table, **options)


def error_of(table, **kwargs) -> TabularError:
    with pytest.raises(TabularError) as info:
        prepare(table, **kwargs)
    return info.value


BASIC = """user,event,time,amount,note
u1,buy,2024-03-01T10:00:00Z,10.5,first
u2, visit ,2024-03-02 11:30:00.25+02:00,,
u1,buy,2024-03-03,-2,x
"""


def test_schema_and_values(tmp_path):
    events = prepare(csv_table(tmp_path, BASIC), value_column="amount")
    assert events.schema == SIGNAL_SCHEMA
    rows = events.to_pylist()
    assert [r["customer_id"] for r in rows] == [1, 2, 1]
    assert [r["type"] for r in rows] == ["buy", "visit", "buy"]
    assert [r["kind"] for r in rows] == ["event"] * 3
    assert [r["time"] for r in rows] == [
        dt.datetime(2024, 3, 1, 10), dt.datetime(2024, 3, 2, 9, 30, 0, 250000),
        dt.datetime(2024, 3, 3)]
    assert [r["value"] for r in rows] == [10.5, None, -2.0]
    assert json.loads(rows[0]["properties"]) == {"note": "first"}
    assert len({r["event_id"] for r in rows}) == 3


def test_event_ids_deterministic_and_properties_distinguish(tmp_path):
    text = BASIC + "u1,buy,2024-03-01T10:00:00Z,10.5,again\n"
    first = prepare(csv_table(tmp_path, text), value_column="amount")
    second = prepare(csv_table(tmp_path, text), value_column="amount")
    # The last row shares customer/type/time/value with row 2 but not its note: another event.
    assert first.num_rows == 4 and len(set(first.column("event_id").to_pylist())) == 4
    assert first.column("event_id").equals(second.column("event_id"))
    assert json.loads(first.column("properties")[3].as_py()) == {"note": "again"}


def test_id_column_type_value_and_kind(tmp_path):
    table = csv_table(tmp_path, "id,user,time\n7,u1,2024-01-01\n7,u2,2024-01-02\n8,u2,x1\n"
                      .replace("x1", "2024-01-03"))
    events = prepare(table, type_column=None, type_value="login", id_column="id",
                     kind="outcome")
    assert events.column("event_id").to_pylist() == ["7", "8"]
    assert set(events.column("type").to_pylist()) == {"login"}
    assert set(events.column("kind").to_pylist()) == {"outcome"}
    assert events.column("properties").null_count == 2


def test_epoch_seconds_and_time_format(tmp_path):
    table = csv_table(tmp_path, "user,event,time\nu1,a,1709287200\nu1,a,1709287200.5\n")
    assert prepare(table).column("time").to_pylist() == [
        dt.datetime(2024, 3, 1, 10), dt.datetime(2024, 3, 1, 10, 0, 0, 500000)]
    table = csv_table(tmp_path, "user,event,time\nu1,a,01/03/2024 10:00\n")
    events = prepare(table, time_format="%d/%m/%Y %H:%M")
    assert events.column("time").to_pylist() == [dt.datetime(2024, 3, 1, 10)]


def test_native_parquet_like_types():
    table = pa.table({
        "user": ["u1", "u2"], "event": ["a", "b"],
        "time": pa.array([dt.datetime(2024, 1, 1, 12), dt.datetime(2024, 1, 2)],
                         pa.timestamp("ms", tz="Europe/Paris")),
        "amount": [1, 2],
    })
    events = prepare(table, value_column="amount")
    assert events.column("time").to_pylist()[0] == dt.datetime(2024, 1, 1, 12)
    assert events.column("value").to_pylist() == [1.0, 2.0]


def test_unknown_column_lists_available(tmp_path):
    err = error_of(csv_table(tmp_path, BASIC), time_column="when")
    assert str(err) == ('events.csv, column "when": no such column; available columns: '
                        '"user", "event", "time", "amount", "note"')


def test_bad_time_names_row_column_and_text(tmp_path):
    text = BASIC + "u2,buy,2024-13-45,1,\n"
    err = error_of(csv_table(tmp_path, text))
    assert str(err).startswith(
        "events.csv, row 5, column \"time\": cannot parse '2024-13-45' as a date/time")


def test_bad_time_with_format(tmp_path):
    table = csv_table(tmp_path, "user,event,time\nu1,a,01/03/2024\nu1,a,2024-03-01\n")
    err = error_of(table, time_format="%d/%m/%Y")
    assert str(err).startswith(
        "events.csv, row 3, column \"time\": cannot parse '2024-03-01' as a date/time "
        "(expected the format %d/%m/%Y)")


def test_missing_time_type_customer(tmp_path):
    table = csv_table(tmp_path, "user,event,time\nu1,a,2024-01-01\nu1,a,\n")
    assert str(error_of(table)) == 'events.csv, row 3, column "time": time is missing'
    table = csv_table(tmp_path, "user,event,time\nu1,a,2024-01-01\nu1, ,2024-01-01\n")
    assert str(error_of(table)) == 'events.csv, row 3, column "event": value is missing'
    table = csv_table(tmp_path, "user,event,time\n,a,2024-01-01\n")
    assert str(error_of(table)) == 'events.csv, row 2, column "user": value is missing'


def test_bad_value(tmp_path):
    err = error_of(csv_table(tmp_path, BASIC + "u1,buy,2024-01-01,ten,\n"),
                   value_column="amount")
    assert str(err) == "events.csv, row 5, column \"amount\": cannot parse 'ten' as a number"


def test_unknown_customers_first_and_total(tmp_path):
    text = BASIC + "u9,buy,2024-01-01,1,\nu8,buy,2024-01-01,1,\nu9,a,2024-01-02,1,\n"
    err = error_of(csv_table(tmp_path, text))
    assert err.row == 5 and err.column == "user"
    assert "unknown customer 'u9' (2 unknown customers in total)" in str(err)


def test_type_column_xor_value(tmp_path):
    with pytest.raises(TabularError, match="exactly one"):
        prepare(csv_table(tmp_path, BASIC), type_value="x")


def test_json_lines_rows_are_line_numbers(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text('{"user": "u1", "event": "a", "time": "2024-01-01"}\n'
                    '{"user": "u1", "event": "a", "time": "soon"}\n')
    err = error_of(read_table(path), file_name="e.jsonl")
    assert str(err).startswith("e.jsonl, line 2, column \"time\": cannot parse 'soon'")


def test_header_only_file_gives_no_events(tmp_path):
    events = prepare(csv_table(tmp_path, "user,event,time\n"))
    assert events.num_rows == 0 and events.schema == SIGNAL_SCHEMA


# --- column types from Parquet and JSON: role columns plain, the rest kept as JSON ---------

PLAIN = {"user": ["u1", "u2"], "event": ["buy", "visit"], "time": ["2024-03-01", "2024-03-02"],
         "amount": [1.0, 2.0]}
NESTED = {
    "list": pa.array([["a"], ["b", "c"]]),
    "struct": pa.array([{"x": 1}, {"x": 2}]),
    "map": pa.array([[("k", 1)], [("j", 2)]], pa.map_(pa.string(), pa.int64())),
    "binary": pa.array([b"u1", b"u2"]),
}


def parquet_table(tmp_path, columns):
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table(columns), path)
    return read_table(path)


@pytest.mark.parametrize("role", ["user", "event", "time", "amount"])
@pytest.mark.parametrize("kind", list(NESTED))
def test_a_nested_role_column_is_refused(tmp_path, role, kind):
    table = parquet_table(tmp_path, {**PLAIN, role: NESTED[kind]})
    err = error_of(table, file_name="events.parquet", value_column="amount")
    label = "binary (not text)" if kind == "binary" else kind
    assert str(err).startswith(f'events.parquet, column "{role}": holds {label} values (')
    assert str(err).endswith("); this column needs plain values such as text, numbers or dates")


def test_nested_extra_columns_become_json_properties(tmp_path):
    nested = {k: v for k, v in NESTED.items() if k != "binary"}
    rows = prepare(parquet_table(tmp_path, {**PLAIN, **nested})).to_pylist()
    assert json.loads(rows[0]["properties"]) == {
        "amount": 1.0, "list": ["a"], "struct": {"x": 1}, "map": {"k": 1}}


def test_a_type_duckdb_cannot_read_still_becomes_json(tmp_path):
    half = pa.array(np.array([1.5, 2.5], dtype=np.float16))
    rows = prepare(parquet_table(tmp_path, {**PLAIN, "half": half, "list": NESTED["list"]})).to_pylist()
    assert json.loads(rows[1]["properties"]) == {"amount": 2.0, "half": 2.5, "list": ["b", "c"]}


def test_huge_numbers_do_not_crash(tmp_path):
    big = pa.array([2**64 - 1, 1], pa.uint64())
    rows = prepare(parquet_table(tmp_path, {**PLAIN, "amount": big}), value_column="amount").to_pylist()
    assert rows[0]["value"] == float(2**64)
    err = error_of(parquet_table(tmp_path, {**PLAIN, "time": big}))
    assert str(err).startswith(
        "events.csv, row 1, column \"time\": cannot parse '18446744073709551615' as a date/time")
