"""Property: on random models and random data, the compiled SQL run on DuckDB gives exactly
the plain-Python reference's stages, and progress/index within 1e-9."""

from datetime import date, datetime, timedelta

import duckdb
import pytest
from engine_data import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from becoming.engine import assess, parse_model_data, reference

TYPES = {"t": "text", "n": "number", "d": "date", "b": "boolean"}
TEXTS = ["a", "b", "c"]
NUMBERS = [0, 1, 2.5, 5, 10]
BASE = date(2026, 1, 31)
DATES = [BASE + timedelta(days=k) for k in (-400, -31, -30, -1, 0, 1)]
EVENT_TYPES, QUESTIONS = ["e1", "e2", "e3"], ["q1", "q2"]
WINDOWS = [None, "1d", "7d", "2w", "1m"]


def bounds(values):
    one = st.sampled_from(values)
    return st.one_of(st.fixed_dictionaries({"at_least": one}),
                     st.fixed_dictionaries({"at_most": one}),
                     st.fixed_dictionaries({"at_least": one, "at_most": one}))


def attribute_leaf():
    text = st.one_of(
        st.builds(lambda op, v: {op: v}, st.sampled_from(["equals", "not_equals"]),
                  st.sampled_from(TEXTS)),
        st.builds(lambda v: {"in": v}, st.lists(st.sampled_from(TEXTS), min_size=1, max_size=2)))
    number = st.one_of(
        bounds(NUMBERS),
        st.builds(lambda v: {"equals": v}, st.sampled_from(NUMBERS)),
        st.builds(lambda v: {"in": v}, st.lists(st.sampled_from(NUMBERS), min_size=1,
                                                max_size=3)))
    dates = st.one_of(bounds([d.isoformat() for d in DATES]),
                      st.builds(lambda v: {"equals": v.isoformat()}, st.sampled_from(DATES)))
    boolean = st.builds(lambda v: {"equals": v}, st.sampled_from([True, False, "Yes", "no"]))
    present = st.builds(lambda v: {"present": v}, st.booleans())
    ops = st.one_of(
        st.tuples(st.just("t"), st.one_of(text, present)),
        st.tuples(st.just("n"), st.one_of(number, present)),
        st.tuples(st.just("d"), st.one_of(dates, present)),
        st.tuples(st.just("b"), st.one_of(boolean, present)))
    return ops.map(lambda p: {"attribute": {"name": p[0], **p[1]}})


def event_leaf():
    return st.builds(
        lambda t, w, m, b: {"event": {"type": t, **({"within": w} if w else {}),
                                      "measure": m, **b}},
        st.sampled_from(EVENT_TYPES), st.sampled_from(WINDOWS),
        st.sampled_from(["count", "sum", "distinct_days", "days_since_last"]),
        bounds([0, 1, 2, 3, 1.5, 30]))


def answer_leaf():
    return st.builds(lambda q, b: {"answer": {"question": q, **b}}, st.sampled_from(QUESTIONS),
                     st.one_of(bounds([0, 1, 2.5, 4]),
                               st.builds(lambda v: {"equals": v}, st.sampled_from([1, 4]))))


def criterion(depth=3):
    leaf = st.one_of(attribute_leaf(), event_leaf(), answer_leaf())
    if depth <= 1:
        return leaf
    inner = st.deferred(lambda: criterion(depth - 1))
    return st.one_of(
        leaf, leaf,
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner))


@st.composite
def models(draw):
    dims = []
    for i in range(draw(st.integers(1, 3))):
        n = draw(st.integers(2, 4))
        stages = [{"key": "s0", "name": "S0"}] + [
            {"key": f"s{k}", "name": f"S{k}",
             "when": draw(st.lists(criterion(), min_size=1, max_size=3))}
            for k in range(1, n)]
        dims.append({"key": f"d{i}", "name": f"D{i}", "stages": stages,
                     "target": f"s{draw(st.integers(1, n - 1))}",
                     "weight": draw(st.sampled_from([0.5, 1, 2, 3]))})
    return parse_model_data({"vision": "v", "dimensions": dims})


def times(as_of):
    cutoff = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    borders = [cutoff - timedelta(days=k) for k in (0, 1, 7, 14, 30, 31, 400)]
    near = [b + timedelta(microseconds=s) for b in borders for s in (-1, 0, 1)]
    return st.one_of(st.sampled_from(near),
                     st.builds(lambda m: cutoff - timedelta(minutes=m), st.integers(-3000, 60000)))


@st.composite
def data(draw, as_of):
    ids = list(range(1, draw(st.integers(1, 6)) + 1))
    customers = [{"customer_id": cid,
                  "t": draw(st.sampled_from(TEXTS + [None])),
                  "n": draw(st.sampled_from(NUMBERS + [None, -1])),
                  "d": draw(st.sampled_from(DATES + [None])),
                  "b": draw(st.sampled_from([True, False, None]))} for cid in ids]
    signal = st.builds(
        lambda cid, kind, t, when, value: {"customer_id": cid, "kind": kind, "type": t,
                                           "time": when, "value": value},
        st.sampled_from(ids + [99]), st.sampled_from(["event", "answer"]),
        st.sampled_from(EVENT_TYPES + QUESTIONS), times(as_of),
        st.sampled_from([None, 0.0, 1.0, 2.5, 4.0, -1.0]))
    return customers, draw(st.lists(signal, max_size=25))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_compiled_sql_matches_reference(payload):
    model = payload.draw(models(), label="model")
    as_of = payload.draw(st.sampled_from([BASE, BASE - timedelta(days=1)]), label="as_of")
    customers, signals = payload.draw(data(as_of), label="data")
    con = duckdb.connect()
    try:
        load(con, customers, signals, TYPES)
        got = assess(model, as_of, con).table.to_pylist()
    finally:
        con.close()
    want = reference.assess(model, as_of, customers, signals, TYPES)
    assert [r["customer_id"] for r in got] == [r["customer_id"] for r in want]
    for g, w in zip(got, want):
        for dim in model.dimensions:
            assert g[f"stage__{dim.key}"] == w[f"stage__{dim.key}"], (dim.key, g, w)
            assert g[f"progress__{dim.key}"] == pytest.approx(w[f"progress__{dim.key}"],
                                                              abs=1e-9, rel=0)
        assert g["index"] == pytest.approx(w["index"], abs=1e-9, rel=0)
