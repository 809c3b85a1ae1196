"""infer_attributes / convert_value: the type rules from the module docstring."""

import datetime as dt

import pyarrow as pa
import pytest
from support import TELCO, need_data

from becoming.tabular import convert_value, infer_attributes, read_table
from becoming.tabular.infer import infer_column


def infer(values):
    table = pa.table({"c": pa.array(values, pa.string())})
    column = infer_attributes(table)["c"]
    return column.type, column.values.to_pylist()


@pytest.mark.parametrize("values, expected_type, expected", [
    (["1", "20", "-3"], "number", [1.0, 20.0, -3.0]),
    ([" 1.5", "+2e3 ", "-.5", "7."], "number", [1.5, 2000.0, -0.5, 7.0]),
    (["1", "", "  ", None], "number", [1.0, None, None, None]),
    (["0", "0.25", "10"], "number", [0.0, 0.25, 10.0]),
    (["2024-03-01", "2024-02-29T10:00:00Z", "2024-12-31 23:59:59.5+02:00"], "date",
     [dt.date(2024, 3, 1), dt.date(2024, 2, 29), dt.date(2024, 12, 31)]),
    (["true", "False", "TRUE", ""], "boolean", [True, False, True, None]),
    (["Yes", "No"], "text", ["Yes", "No"]),
    (["1", "0", "1"], "number", [1.0, 0.0, 1.0]),
    (["1", "two", "3"], "text", ["1", "two", "3"]),
    (["1,000", "2"], "text", ["1,000", "2"]),
    (["2024-13-45", "2024-01-01"], "text", ["2024-13-45", "2024-01-01"]),
    (["01234", "90210"], "text", ["01234", "90210"]),
    (["true", "yes"], "text", ["true", "yes"]),
    ([None, " ", ""], "text", [None, None, None]),
    (["  padded  "], "text", ["padded"]),
])
def test_string_rules(values, expected_type, expected):
    assert infer(values) == (expected_type, expected)


def test_native_types_and_exclude():
    table = pa.table({
        "id": ["a", "b"], "n": [1, None], "f": [0.5, 1.5], "b": [True, False],
        "d": pa.array([dt.date(2024, 1, 1), None]),
        "ts": pa.array([dt.datetime(2024, 1, 1, 5), None], pa.timestamp("us")),
        "l": [[1], [2, 3]],
    })
    result = infer_attributes(table, exclude=("id",))
    assert list(result) == ["n", "f", "b", "d", "ts", "l"]
    assert {k: v.type for k, v in result.items()} == {
        "n": "number", "f": "number", "b": "boolean", "d": "date", "ts": "date", "l": "text"}
    assert result["n"].missing == 1 and result["n"].values.type == pa.float64()
    assert result["l"].values.to_pylist() == ["[1]", "[2, 3]"]


@pytest.mark.parametrize("type_, raw, expected", [
    ("number", " 2.5 ", 2.5), ("number", 3, 3.0), ("number", "", None),
    ("date", "2024-03-01T10:00:00Z", dt.date(2024, 3, 1)),
    ("date", dt.datetime(2024, 3, 1, 9), dt.date(2024, 3, 1)),
    ("boolean", "TRUE", True), ("boolean", False, False),
    ("text", "Yes", "Yes"), ("text", 5, "5"), ("text", None, None),
])
def test_convert_value(type_, raw, expected):
    assert convert_value(type_, raw) == expected


@pytest.mark.parametrize("type_, raw", [
    ("number", "1,000"), ("number", True), ("date", "2024-13-01"), ("date", "03/01/2024"),
    ("boolean", "yes"), ("colour", "red"),
])
def test_convert_value_rejects(type_, raw):
    with pytest.raises(ValueError):
        convert_value(type_, raw)


def test_telco_churn():
    need_data(TELCO)  # skips when ../shared/data is absent, fails in CI (CI=true)
    table = read_table(TELCO)
    assert table.num_rows == 7043
    result = infer_attributes(table, exclude=("customerID",))
    numbers = {"tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"}
    assert {k for k, v in result.items() if v.type == "number"} == numbers
    assert all(v.type == "text" for k, v in result.items() if k not in numbers)
    assert result["TotalCharges"].missing == 11
    assert result["Churn"].values.to_pylist()[:2] == ["No", "No"]


def test_a_uint64_beyond_double_precision_is_still_a_number():
    kind, values = infer_column(pa.array([2**64 - 1, None], pa.uint64()))
    assert (kind, values.to_pylist()) == ("number", [float(2**64), None])
