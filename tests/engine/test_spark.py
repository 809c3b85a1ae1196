"""The same compiled model on Apache Spark (local mode) gives every customer DuckDB's stages.

One Spark session for the module (local[2], two shuffle partitions, no UI). Both engines read
the same inputs: the customers as one Parquet file, and the signals as the files of one Delta
table snapshot written by the real signal store. Spark costs a JVM start and a few seconds per
query, so the random part is a handful of seeded models, each with several dimensions.
"""

import os
import shutil
import uuid
from datetime import date, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_data import ARROW_TYPES
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import TELCO, need_data
from test_properties import BASE, TYPES, criterion, data
from test_telco_example import EXAMPLE, load_telco

from becoming.engine import ModelError, assess, parse_model, parse_model_data
from becoming.engine import spark as spark_engine
from becoming.tabular.events import SIGNAL_SCHEMA
from becoming.tabular.store import SignalStore

pytestmark = pytest.mark.once


def spark_missing() -> str | None:
    try:
        spark_engine.check_available()
    except spark_engine.EngineUnavailable as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def spark():
    missing = spark_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the Spark engine tests: {missing}")
        pytest.skip(missing)
    session = spark_engine.spark_session("local[2]", {
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        # Tiny inputs: the JVM's warm-up is the cost, so compile quickly rather than well.
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    })
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("spark")


def store_signals(path, rows: list[dict]) -> SignalStore:
    """The rows appended to a real Delta signal store at ``path``."""
    store = SignalStore(path)
    if rows:
        cols = {f.name: [r.get(f.name) for r in rows] for f in SIGNAL_SCHEMA}
        cols["event_id"] = [uuid.uuid4().hex for _ in rows]
        store.append(pa.table(cols, schema=SIGNAL_SCHEMA))
    return store


def both_engines(spark, model, as_of, customers_path, store):
    """(DuckDB's result, Spark's result) over the same Parquet customers and store snapshot."""
    con = duckdb.connect()
    try:
        con.read_parquet(str(customers_path)).create_view("customers")
        store.register(con, "signals")
        want = assess(model, as_of, con).table
    finally:
        con.close()
    got = spark_engine.assess(model, as_of, spark, spark.read.parquet(str(customers_path)),
                              spark_engine.read_signals(spark, store.files()))
    return want, got


def assert_same(want: pa.Table, got: pa.Table, model) -> None:
    assert got.schema == want.schema
    assert got.num_rows == want.num_rows
    for dim in model.dimensions:  # stages exactly; what feeds them exactly too
        assert got.column(f"stage__{dim.key}").equals(want.column(f"stage__{dim.key}")), dim.key
    for name in want.column_names:
        g, w = got.column(name).to_pylist(), want.column(name).to_pylist()
        if pa.types.is_floating(want.schema.field(name).type):
            assert [x is None for x in g] == [x is None for x in w], name
            assert [x for x in g if x is not None] == pytest.approx(
                [x for x in w if x is not None], abs=1e-12, rel=0), name
        else:
            assert g == w, name


# -- Telco: the shipped example model on the real file, plus events and answers -------------

TELCO_EXTRA = """
  - key: engagement
    name: Engaged
    target: regular
    stages:
      - {key: quiet, name: Quiet}
      - key: trying
        name: Trying
        when:
          - event: {type: app_login, at_least: 1}
      - key: regular
        name: Regular
        when:
          - event: {type: app_login, within: 30d, measure: distinct_days, at_least: 3}
          - any:
              - event: {type: top_up, within: 3m, measure: sum, at_least: 20}
              - answer: {question: nps, at_least: 9}
          - not:
              event: {type: app_login, measure: days_since_last, at_least: 14}
"""


def telco_signals(ids: list[int], as_of: date, seed: int = 7) -> list[dict]:
    import random

    rng = random.Random(seed)
    cutoff = datetime.combine(as_of, datetime.min.time()) + timedelta(days=1)
    rows = []
    for cid in rng.sample(ids, len(ids) // 2):
        for _ in range(rng.randint(1, 8)):
            kind, type_ = rng.choice([("event", "app_login"), ("event", "app_login"),
                                      ("event", "top_up"), ("answer", "nps")])
            when = cutoff - timedelta(minutes=rng.randint(-600, 60 * 24 * 120))
            value = float(rng.randint(0, 10)) if type_ == "nps" else rng.choice([None, 5.0, 12.5])
            rows.append({"customer_id": cid, "kind": kind, "type": type_, "time": when,
                         "value": value})
    return rows


def test_telco_every_stage_equals_duckdb(spark, folder):
    need_data(TELCO)
    as_of = date(2026, 1, 31)
    con = duckdb.connect()
    load_telco(con)
    customers = folder / "telco.parquet"
    con.execute(f"COPY customers TO '{customers}' (FORMAT parquet)")
    ids = [r[0] for r in con.execute("SELECT customer_id FROM customers").fetchall()]
    con.close()
    model = parse_model(EXAMPLE.read_text() + TELCO_EXTRA)
    store = store_signals(folder / "telco-signals", telco_signals(ids, as_of))
    want, got = both_engines(spark, model, as_of, customers, store)
    assert want.num_rows == 7043
    assert_same(want, got.table, model)
    # The comparison is not vacuous: customers spread over the stages of every dimension.
    for dim in model.dimensions:
        assert len(set(want.column(f"stage__{dim.key}").to_pylist())) >= 3, dim.key


# -- random models on random data (a handful, seeded) ---------------------------------------

@st.composite
def wide_models(draw):
    """Four to six dimensions of random criteria: one Spark query checks many at once."""
    dims = []
    for i in range(draw(st.integers(4, 6))):
        n = draw(st.integers(2, 4))
        stages = [{"key": "s0", "name": "S0"}] + [
            {"key": f"s{k}", "name": f"S{k}",
             "when": draw(st.lists(criterion(), min_size=1, max_size=3))}
            for k in range(1, n)]
        dims.append({"key": f"d{i}", "name": f"D{i}", "stages": stages,
                     "target": f"s{draw(st.integers(1, n - 1))}",
                     "weight": draw(st.sampled_from([0.5, 1, 2, 3]))})
    return parse_model_data({"vision": "v", "dimensions": dims})


@settings(max_examples=3, derandomize=True, deadline=None, database=None,
          phases=[Phase.generate],  # shrinking reruns Spark hundreds of times
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_models_every_stage_equals_duckdb(spark, folder, payload):
    model = payload.draw(wide_models(), label="model")
    as_of = payload.draw(st.sampled_from([BASE, BASE - timedelta(days=1)]), label="as_of")
    customers, signals = payload.draw(data(as_of), label="data")
    # More than one data set's worth of signals, so windows and answers have rows to choose.
    more = payload.draw(data(as_of), label="more")[1]
    run = folder / uuid.uuid4().hex
    schema = pa.schema([("customer_id", pa.int64())]
                       + [(name, ARROW_TYPES[kind]) for name, kind in TYPES.items()])
    run.mkdir()
    pq.write_table(pa.table({f.name: [c.get(f.name) for c in customers] for f in schema},
                            schema=schema), run / "customers.parquet")
    store = store_signals(run / "signals", signals + more)
    try:
        want, got = both_engines(spark, model, as_of, run / "customers.parquet", store)
        assert_same(want, got.table, model)
    finally:
        shutil.rmtree(run)


def test_no_signals_yet_and_refused_models(spark, folder):
    """An empty store reads as no signals; an attribute name with a space and an accent is
    quoted for Spark; a model the data cannot answer is refused on Spark."""
    customers = folder / "two.parquet"
    pq.write_table(pa.table({"customer_id": pa.array([1, 2], pa.int64()),
                             "plan tier é": ["pro", None]}), customers)
    model = parse_model_data({"vision": "v", "dimensions": [{
        "key": "d", "name": "D", "target": "b", "stages": [
            {"key": "a", "name": "A"},
            {"key": "b", "name": "B", "when": [{"attribute": {"name": "plan tier é",
                                                                 "equals": "pro"}},
                                               {"event": {"type": "x", "at_most": 0}}]}]}]})
    want, got = both_engines(spark, model, date(2026, 1, 31), customers,
                             SignalStore(folder / "empty"))
    assert got.table.column("stage__d").to_pylist() == [1, 0]
    assert_same(want, got.table, model)
    bad = parse_model_data({"vision": "v", "dimensions": [{
        "key": "d", "name": "D", "target": "b", "stages": [
            {"key": "a", "name": "A"},
            {"key": "b", "name": "B", "when": [{"attribute": {"name": "tier", "equals": 1}}]}]}]})
    with pytest.raises(ModelError, match="tier"):
        spark_engine.assess(bad, date(2026, 1, 31), spark, spark.read.parquet(str(customers)),
                            spark_engine.read_signals(spark, []))


def test_pyspark_is_imported_only_on_the_spark_path():
    """`becoming assess` on DuckDB must not pay for PySpark (nor py4j) at start-up."""
    import subprocess
    import sys

    code = ("import sys, becoming.engine, becoming.engine.spark; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
