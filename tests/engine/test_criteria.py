"""Each criterion kind on tiny hand-made data, run through DuckDB (and the reference)."""

from datetime import date, datetime

import pytest
from engine_data import load

from becoming.engine import assess, explain, long_stages, parse_model_data, reference

AS_OF = date(2026, 1, 31)
TYPES = {"plan": "text", "seats": "number", "since": "date", "active": "boolean",
         "Monthly Charges": "text"}


def one_criterion(criterion: dict) -> dict:
    return {"vision": "v", "dimensions": [{
        "key": "d", "name": "D", "target": "b",
        "stages": [{"key": "a", "name": "A"}, {"key": "b", "name": "B", "when": [criterion]}]}]}


def run(con, criterion, customers, signals=()):
    """{customer_id: (observed, met)}; also checks the reference agrees on the stage."""
    model = parse_model_data(one_criterion(criterion))
    load(con, customers, list(signals), TYPES)
    rows = assess(model, AS_OF, con).table.to_pylist()
    ref = reference.assess(model, AS_OF, customers, list(signals), TYPES)
    assert [r["stage__d"] for r in rows] == [r["stage__d"] for r in sorted(
        ref, key=lambda r: r["customer_id"])]
    return {r["customer_id"]: (r["v_1"], r["c_1"]) for r in rows}


CUSTOMERS = [{"customer_id": 1, "plan": "pro", "seats": 10.0, "since": date(2024, 5, 1),
              "active": True, "Monthly Charges": "high"},
             {"customer_id": 2, "plan": "basic", "seats": 2.0, "since": date(2025, 12, 1),
              "active": False},
             {"customer_id": 3}]


@pytest.mark.parametrize("attr, expected", [
    ({"name": "plan", "equals": "pro"}, [True, False, False]),
    ({"name": "plan", "not_equals": "pro"}, [False, True, False]),
    ({"name": "plan", "in": ["basic", "enterprise"]}, [False, True, False]),
    ({"name": "seats", "at_least": 5}, [True, False, False]),
    ({"name": "seats", "at_least": 2, "at_most": 5}, [False, True, False]),
    ({"name": "seats", "equals": "10"}, [True, False, False]),
    ({"name": "since", "at_most": "2025-01-01"}, [True, False, False]),
    ({"name": "active", "equals": "Yes"}, [True, False, False]),
    ({"name": "active", "equals": False}, [False, True, False]),
    ({"name": "plan", "present": True}, [True, True, False]),
    ({"name": "plan", "present": False}, [False, False, True]),
    ({"name": "Monthly Charges", "equals": "high"}, [True, False, False]),
])
def test_attribute_ops(con, attr, expected):
    result = run(con, {"attribute": attr}, CUSTOMERS)
    assert [result[i][1] for i in (1, 2, 3)] == expected


def ev(cid, t, when, value=None, kind="event"):
    return {"customer_id": cid, "kind": kind, "type": t, "time": when, "value": value}


SIGNALS = [
    ev(1, "login", datetime(2026, 1, 31, 23, 59, 59)),  # last instant before the cutoff
    ev(1, "login", datetime(2026, 2, 1)),  # at the cutoff: does not count
    ev(1, "login", datetime(2026, 1, 31, 8), 2.5),
    ev(1, "login", datetime(2025, 11, 2, 23, 59)),  # just outside a 90d window
    ev(1, "login", datetime(2025, 11, 3)),  # exactly at the window start: counts
    ev(2, "login", datetime(2026, 1, 1), 4.0),
    ev(2, "export", datetime(2026, 1, 1), 1.0),
    ev(1, "q1", datetime(2026, 1, 10), 3.0, kind="answer"),
    ev(1, "q1", datetime(2026, 1, 20), 2.0, kind="answer"),  # latest wins
    ev(1, "q1", datetime(2026, 2, 5), 5.0, kind="answer"),  # after as_of: ignored
    ev(2, "q1", datetime(2026, 1, 20), 1.0, kind="answer"),
    ev(2, "q1", datetime(2026, 1, 20), 4.0, kind="answer"),  # tie: larger value wins
    ev(2, "login", datetime(2026, 1, 2), kind="answer"),  # an answer, not an event
]


@pytest.mark.parametrize("event, observed", [
    ({"type": "login", "at_least": 1}, [4, 1, 0]),
    ({"type": "login", "within": "90d", "at_least": 1}, [3, 1, 0]),
    # 3m is 91 days (a month is a twelfth of 365 days): it reaches the 2025-11-02 login too.
    ({"type": "login", "within": "3m", "at_least": 1}, [4, 1, 0]),
    ({"type": "login", "measure": "sum", "at_least": 1}, [2.5, 4.0, 0]),
    ({"type": "login", "measure": "distinct_days", "at_least": 1}, [3, 1, 0]),
    ({"type": "login", "within": "1d", "measure": "distinct_days", "at_least": 1}, [1, 0, 0]),
    ({"type": "login", "measure": "days_since_last", "at_most": 100}, [0, 30, None]),
    ({"type": "export", "measure": "days_since_last", "at_least": 0}, [None, 30, None]),
])
def test_event_measures(con, event, observed):
    result = run(con, {"event": event}, CUSTOMERS, SIGNALS)
    assert [result[i][0] for i in (1, 2, 3)] == observed


def test_missing_event_observation_is_false_and_not_negates(con):
    crit = {"not": {"event": {"type": "export", "measure": "days_since_last", "at_most": 60}}}
    result = run(con, crit, CUSTOMERS, SIGNALS)
    # c_1 is the leaf (never NULL); the stage needs it to be false.
    assert [result[i][1] for i in (1, 2, 3)] == [False, True, False]


@pytest.mark.parametrize("answer, met", [
    ({"question": "q1", "at_least": 2}, [True, True, False]),
    ({"question": "q1", "equals": 4}, [False, True, False]),
    ({"question": "q1", "at_most": 3}, [True, False, False]),
])
def test_latest_answer(con, answer, met):
    result = run(con, {"answer": answer}, CUSTOMERS, SIGNALS)
    assert [result[i][0] for i in (1, 2, 3)] == [2.0, 4.0, None]
    assert [result[i][1] for i in (1, 2, 3)] == met


LADDER = {"vision": "v", "dimensions": [
    {"key": "d", "name": "D", "target": "s2", "weight": 3, "stages": [
        {"key": "s0", "name": "S0"},
        {"key": "s1", "name": "S1", "when": [{"attribute": {"name": "plan", "equals": "pro"}}]},
        {"key": "s2", "name": "S2", "when": [
            {"attribute": {"name": "seats", "at_least": 5}},
            {"any": [{"event": {"type": "login", "at_least": 2}},
                     {"answer": {"question": "q1", "at_least": 5}}]}]},
        {"key": "s3", "name": "S3", "when": [{"event": {"type": "export", "at_least": 1}}]}]},
    {"key": "e", "name": "E", "target": "t1", "stages": [
        {"key": "t0", "name": "T0"},
        {"key": "t1", "name": "T1", "when": [{"event": {"type": "export", "at_least": 1}}]}]}]}


def test_ladder_progress_index_long_and_explain(con):
    customers = [{"customer_id": 1, "plan": "pro", "seats": 1.0},
                 {"customer_id": 2, "plan": "basic", "seats": 10.0},
                 {"customer_id": 3, "plan": "pro", "seats": 10.0}]
    model = parse_model_data(LADDER)
    load(con, customers, SIGNALS, TYPES)
    result = assess(model, AS_OF, con)
    rows = {r["customer_id"]: r for r in result.table.to_pylist()}
    # 1: stage s1; of s2's two top-level criteria only the `any` holds -> (1 + 1/2) / 2.
    assert (rows[1]["stage__d"], rows[1]["progress__d"]) == (1, 0.75)
    # 2: s2's criteria hold but s1's do not -> stage 0, no partial credit from s2.
    assert (rows[2]["stage__d"], rows[2]["progress__d"]) == (0, 0.0)
    assert (rows[2]["stage__e"], rows[2]["progress__e"]) == (1, 1.0)
    assert rows[2]["index"] == pytest.approx(100 * (3 * 0.0 + 1 * 1.0) / 4, abs=1e-9)
    assert rows[3]["stage__d"] == 1  # no logins, no answer
    ref = {r["customer_id"]: r for r in reference.assess(model, AS_OF, customers, SIGNALS, TYPES)}
    for cid, row in rows.items():
        assert row["index"] == pytest.approx(ref[cid]["index"], abs=1e-9)

    long = long_stages(result).to_pylist()
    assert len(long) == 6
    assert long[0] == {"customer_id": 1, "dimension": "d", "stage": "s1", "stage_index": 1,
                       "target": "s2", "target_index": 2, "progress": 0.75,
                       "index": rows[1]["index"]}

    dims = explain(model, result.compiled, rows[1])
    assert dims[0].stage == "s1" and dims[0].next_stage == "s2"
    seats, logins, answer = dims[0].criteria
    assert (seats.observed, seats.met, seats.missing) == (1.0, False, "seats is 1, needs at least 5")
    assert logins.missing == "" and logins.met
    assert answer.missing == "answer to q1 is 2, needs at least 5"
    assert dims[1].criteria[0].missing == "0 of 1 export events"
    top = explain(model, result.compiled, rows[2])[1]
    assert top.next_stage is None and top.criteria == ()


def test_explain_texts_for_in_and_missing_answer(con):
    model = parse_model_data(one_criterion({"all": [
        {"attribute": {"name": "plan", "in": ["pro", "enterprise"]}},
        {"answer": {"question": "teaches_peers", "at_least": 4}}]}))
    load(con, CUSTOMERS, [], TYPES)
    result = assess(model, AS_OF, con)
    row = result.table.to_pylist()[1]
    plan, answer = explain(model, result.compiled, row)[0].criteria
    assert plan.missing == "plan is 'basic', needs one of pro, enterprise"
    assert answer.missing == "no answer to teaches_peers yet"
    assert plan.label == "plan" and answer.threshold == "at least 4"


def test_assess_refuses_unknown_attributes(con):
    from becoming.engine import ModelError

    load(con, CUSTOMERS, [], TYPES)
    model = parse_model_data(one_criterion({"attribute": {"name": "region", "equals": "EU"}}))
    with pytest.raises(ModelError, match="unknown attribute 'region'"):
        assess(model, AS_OF, con)
