"""Run a compiled model on Apache Spark: the same query as on DuckDB, in Spark SQL.

PySpark is imported only inside these functions, so importing ``becoming.engine`` (and
starting ``becoming assess`` on DuckDB) never pays for it.

Contract, as for :func:`becoming.engine.runner.assess`: attribute types are read from the
``customers`` DataFrame's schema, a model the data cannot answer is refused (ModelError),
and the wide result comes back as a pyarrow Table sorted by customer_id — with exactly the
column types DuckDB gives the same query (Spark says INT where DuckDB says BIGINT, e.g. for
``datediff``), so a snapshot written from either engine reads the same.

The result is collected on the driver (one row per customer, as on DuckDB); the scans and the
aggregation over the signals run on the executors.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date

import duckdb
import pyarrow as pa

from becoming.engine.compiler import compile_model
from becoming.engine.runner import AssessmentResult
from becoming.engine.schema import Model, ModelError, check_attributes

ENGINES = ("duckdb", "spark")

# What the compiled query reads of the signals (the store has event_id and properties too).
SIGNAL_COLUMNS = pa.schema([("customer_id", pa.int64()), ("kind", pa.string()),
                            ("type", pa.string()), ("time", pa.timestamp("us")),
                            ("value", pa.float64())])
_NUMBER_TYPES = {"byte", "short", "integer", "long", "float", "double", "decimal"}
_DATE_TYPES = {"date", "timestamp", "timestamp_ntz"}
# The Delta Lake connector for Spark 4 (Scala 2.13); used only when delta-spark's pip helper
# is absent and the cluster does not ship the connector itself (Databricks does).
DELTA_PACKAGE = "io.delta:delta-spark_2.13:4.0.0"


class EngineUnavailable(RuntimeError):
    """The Spark engine cannot start here: PySpark or Java is missing. The message says which
    and how to install it."""


def check_available() -> None:
    """Raise EngineUnavailable naming what is missing for Spark (PySpark, Java)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise EngineUnavailable(
            "the Spark engine needs PySpark: pip install 'becoming[spark]' "
            "(or pip install 'pyspark>=4.0,<5')") from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))
            or shutil.which("java")):
        raise EngineUnavailable(
            "the Spark engine needs Java 17 or 21: no 'java' on PATH and no JAVA_HOME "
            "(on Debian/Ubuntu: apt-get install default-jre-headless)")


def spark_session(master: str | None = None, conf: dict[str, str] | None = None,
                  delta: bool = False):
    """A SparkSession (the running one, if any).

    ``master``: a Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ...).
    Without one, a session launched by ``spark-submit`` keeps the master it was given, and
    anything else runs locally on every core (``local[*]``). ``delta`` loads the Delta Lake
    connector (``delta-spark``) so the signal store is read as a Delta table.
    """
    check_available()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("becoming assess")
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started this process
    if master or not under_submit:
        builder = builder.master(master or "local[*]")
    settings = {
        "spark.sql.session.timeZone": "UTC",  # the store keeps naive UTC times
        "spark.ui.showConsoleProgress": "false",  # the command line draws its own progress
    }
    if delta:
        settings["spark.sql.extensions"] = "io.delta.sql.DeltaSparkSessionExtension"
        settings["spark.sql.catalog.spark_catalog"] = (
            "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    if delta and not under_submit:
        builder = _with_delta_jars(builder)
    return builder.getOrCreate()


def _with_delta_jars(builder):
    try:
        from delta import configure_spark_with_delta_pip  # the delta-spark pip package
    except ImportError:
        return builder.config("spark.jars.packages", DELTA_PACKAGE)
    return configure_spark_with_delta_pip(builder)


def spark_attribute_types(schema) -> dict[str, str]:
    """Attribute name -> text|number|date|boolean for every field of a Spark schema."""
    types = {}
    for f in schema.fields:
        name = f.dataType.typeName()
        types[f.name] = ("number" if name in _NUMBER_TYPES else "date" if name in _DATE_TYPES
                         else "boolean" if name == "boolean" else "text")
    types.pop("customer_id", None)
    return types


def read_signals(spark, files: list[str] | None = None, delta_path: str | None = None):
    """The signals as a DataFrame: the Delta table at ``delta_path`` through the connector,
    or else the Parquet ``files`` of one table snapshot (empty list: no signals yet)."""
    if delta_path is not None:
        return spark.read.format("delta").load(delta_path)
    schema = _spark_schema(SIGNAL_COLUMNS)
    if not files:
        return spark.createDataFrame([], schema)
    # The store's files carry more columns (event_id, properties); Spark reads only these.
    return spark.read.schema(schema).parquet(*files)


def _spark_schema(schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def assess(model: Model, as_of: date, spark, customers, signals) -> AssessmentResult:
    """Assess every customer of the ``customers`` DataFrame as of ``as_of`` using the
    ``signals`` DataFrame (columns customer_id, kind, type, time, value) on ``spark``."""
    available = spark_attribute_types(customers.schema)
    issues = check_attributes(model, available)
    if issues:
        raise ModelError(issues)
    tag = uuid.uuid4().hex[:12]  # several assessments may share one session (job threads)
    names = (f"becoming_customers_{tag}", f"becoming_signals_{tag}")
    compiled = compile_model(model, as_of, "spark", *names, attribute_types=available)
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    customers.createOrReplaceTempView(names[0])
    signals.createOrReplaceTempView(names[1])
    try:
        table = spark.sql(compiled.sql).toArrow()
    finally:
        for name in names:
            spark.catalog.dropTempView(name)
    table = conform(table, duckdb_result_schema(model, as_of, _arrow_schema(customers.schema),
                                                available))
    return AssessmentResult(table.sort_by("customer_id"), compiled)


def _arrow_schema(schema) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema, timezone="UTC")


def duckdb_result_schema(model: Model, as_of: date, customers: pa.Schema,
                         attribute_types: dict[str, str]) -> pa.Schema:
    """The schema DuckDB gives the compiled model's result over customers of this schema:
    the query run on empty tables, which costs milliseconds."""
    con = duckdb.connect()
    try:
        con.register("customers", customers.empty_table())
        con.register("signals", SIGNAL_COLUMNS.empty_table())
        sql = compile_model(model, as_of, "duckdb", attribute_types=attribute_types).sql
        return con.sql(sql).to_arrow_table().schema
    finally:
        con.close()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` (Spark's result) with ``schema``'s column order and types."""
    if sorted(table.column_names) != sorted(schema.names):
        raise RuntimeError(f"Spark returned columns {table.column_names}, "
                           f"DuckDB's query has {schema.names}")
    columns = [table.column(f.name).cast(f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)
