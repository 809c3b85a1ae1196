"""The shipped example model on IBM's Telco churn sample: parses, runs, spreads customers."""

from datetime import date
from pathlib import Path

import duckdb
from support import TELCO, need_data

import becoming
from becoming.engine import assess, explain, long_stages, parse_model, parse_model_data

EXAMPLE = Path(becoming.__file__).parent / "examples" / "telco.yaml"
NUMBERS = ("tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen")


def test_example_parses_and_round_trips():
    model = parse_model(EXAMPLE.read_text())
    assert [d.key for d in model.dimensions] == ["protection", "support", "commitment"]
    assert parse_model_data(model.to_dict()) == model


def load_telco(con) -> None:
    """The CSV as typed customers: declared numbers cast, blank TotalCharges NULL."""
    rel = con.read_csv(str(TELCO), all_varchar=True)
    text = [c for c in rel.columns if c not in NUMBERS + ("customerID",)]
    typed = [f'TRY_CAST(NULLIF(TRIM("{c}"), \'\') AS DOUBLE) AS "{c}"' for c in NUMBERS]
    rel.create_view("telco_raw")
    con.execute("CREATE TABLE customers AS SELECT ROW_NUMBER() OVER () AS customer_id, "
                "customerID, " + ", ".join([f'"{c}"' for c in text] + typed)
                + " FROM telco_raw")
    con.execute("CREATE TABLE signals (customer_id BIGINT, kind VARCHAR, type VARCHAR, "
                "time TIMESTAMP, value DOUBLE)")


def test_example_on_the_real_csv_spreads_customers():
    need_data(TELCO)
    model = parse_model(EXAMPLE.read_text())
    con = duckdb.connect()
    load_telco(con)
    assert con.sql("SELECT COUNT(*) FROM customers WHERE TotalCharges IS NULL").fetchall()[0][0] > 0
    result = assess(model, date(2026, 1, 31), con)
    assert result.table.num_rows == 7043
    for dim in model.dimensions:
        stages = set(result.table.column(f"stage__{dim.key}").to_pylist())
        assert len(stages) >= 3, (dim.key, stages)  # nobody-at-one-stage is not plausible
    index = result.table.column("index").to_pylist()
    assert 0 <= min(index) < max(index) <= 100
    assert long_stages(result).num_rows == 7043 * 3
    row = result.table.to_pylist()[0]
    assert len(explain(model, result.compiled, row)) == 3
