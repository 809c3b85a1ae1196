"""Run a compiled model on DuckDB and reshape the result.

Contract: `assess` reads attribute types from the `customers` relation (a table, view or
registered Arrow object on `con`), refuses (ModelError) a model whose attribute criteria the
data cannot answer, and returns the wide result as a pyarrow Table, one row per customer,
sorted by customer_id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
from sqlglot import exp

from becoming.engine.compiler import CompiledModel, compile_model
from becoming.engine.schema import Model, ModelError, check_attributes

_NUMBER_IDS = {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint",
               "uinteger", "ubigint", "uhugeint", "float", "double", "decimal"}
_DATE_IDS = {"date", "timestamp", "timestamp with time zone", "timestamp_s", "timestamp_ms",
             "timestamp_ns"}


@dataclass(frozen=True)
class AssessmentResult:
    table: pa.Table = field(repr=False)
    compiled: CompiledModel


def duckdb_attribute_types(con, customers: str = "customers") -> dict[str, str]:
    """Attribute name -> text|number|date|boolean for every column of `customers`."""
    query = exp.select(exp.Star()).from_(exp.to_table(customers)).limit(0)
    rel = con.sql(query.sql(dialect="duckdb"))
    types = {}
    for name, dtype in zip(rel.columns, rel.types):
        tid = dtype.id
        types[name] = ("number" if tid in _NUMBER_IDS else "date" if tid in _DATE_IDS
                       else "boolean" if tid == "boolean" else "text")
    types.pop("customer_id", None)
    return types


def assess(model: Model, as_of: date, con, customers: str = "customers",
           signals: str = "signals") -> AssessmentResult:
    """Assess every customer of `customers` as of `as_of` using `signals` on DuckDB `con`."""
    available = duckdb_attribute_types(con, customers)
    issues = check_attributes(model, available)
    if issues:
        raise ModelError(issues)
    compiled = compile_model(model, as_of, "duckdb", customers, signals,
                             attribute_types=available)
    # Sorted by DuckDB, in parallel (Arrow's sort is one thread: 4.7 s at 1,000,000 rows).
    table = con.sql(compiled.sql).order("customer_id").to_arrow_table()
    return AssessmentResult(table, compiled)


def long_stages(result: AssessmentResult) -> pa.Table:
    """One row per customer x dimension: customer_id, dimension, stage (key), stage_index,
    target, target_index, progress, index."""
    wide = result.table.to_pydict()
    cols: dict[str, list] = {k: [] for k in ("customer_id", "dimension", "stage", "stage_index",
                                              "target", "target_index", "progress", "index")}
    for i, cid in enumerate(wide["customer_id"]):
        for dim in result.compiled.model.dimensions:
            s = wide[f"stage__{dim.key}"][i]
            for key, val in (("customer_id", cid), ("dimension", dim.key),
                             ("stage", dim.stages[s].key), ("stage_index", s),
                             ("target", dim.target), ("target_index", dim.target_index),
                             ("progress", wide[f"progress__{dim.key}"][i]),
                             ("index", wide["index"][i])):
                cols[key].append(val)
    id_type = result.table.schema.field("customer_id").type
    schema = pa.schema([("customer_id", id_type), ("dimension", pa.string()),
                        ("stage", pa.string()), ("stage_index", pa.int32()),
                        ("target", pa.string()), ("target_index", pa.int32()),
                        ("progress", pa.float64()), ("index", pa.float64())])
    return pa.table(cols, schema=schema)
