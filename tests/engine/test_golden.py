"""The compiled SQL of the example model, kept as reviewed files. Regenerate with
UPDATE_GOLDEN=1 after an intended change, and read the diff."""

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from becoming.engine import compile_model, parse_model

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = """\
vision: Plant managers who run predictive maintenance across every site.
attributes:
  plan: text
  Monthly Charges: number
dimensions:
  - key: practice
    name: Use the product differently
    weight: 2
    target: proficient
    stages:
      - {key: starting, name: Starting}
      - key: adopting
        name: Adopting
        when:
          - event: {type: report_exported, within: 90d, at_least: 3}
      - key: proficient
        name: Proficient
        when:
          - event: {type: workflow_created, at_least: 5}
          - attribute: {name: plan, in: [pro, enterprise]}
      - key: leading
        name: Leading
        when:
          - any:
              - event: {type: dashboard_shared, within: 30d, at_least: 10}
              - answer: {question: teaches_peers, at_least: 4}
  - key: habits
    name: Build habits
    target: regular
    stages:
      - {key: occasional, name: Occasional}
      - key: regular
        name: Regular
        when:
          - event: {type: login, within: 4w, measure: distinct_days, at_least: 8}
          - event: {type: login, measure: days_since_last, at_most: 7}
          - not: {attribute: {name: Monthly Charges, at_most: 10.5}}
          - event: {type: report_exported, within: 1y, measure: sum, at_least: 2.5}
"""


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_golden_sql(dialect):
    sql = compile_model(parse_model(EXAMPLE), date(2026, 1, 31), dialect).sql
    path = GOLDEN / f"example.{dialect}.sql"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(sql + "\n")
    assert sql + "\n" == path.read_text()
    sqlglot.parse_one(sql, read=dialect)  # and it parses back in its own dialect


def test_user_values_are_quoted_not_pasted():
    evil = EXAMPLE.replace("[pro, enterprise]", "[\"pro'; DROP TABLE customers; --\"]")
    sql = compile_model(parse_model(evil), date(2026, 1, 31)).sql
    assert "'pro''; DROP TABLE customers; --'" in sql
    assert len(sqlglot.parse(sql, read="duckdb")) == 1


def test_signals_are_scanned_once_for_all_events():
    sql = compile_model(parse_model(EXAMPLE), date(2026, 1, 31)).sql
    events = sql.split("answers_ranked AS")[0]
    assert events.count("FROM signals") == 1
    assert sql.count("GROUP BY") == 2  # events, answers
