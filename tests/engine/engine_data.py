"""Test data helpers for engine tests: customers/signals from Python lists into DuckDB."""

from __future__ import annotations

import pyarrow as pa

ARROW_TYPES = {"text": pa.string(), "number": pa.float64(), "date": pa.date32(),
               "boolean": pa.bool_()}
SIGNAL_SCHEMA = pa.schema([("customer_id", pa.int64()), ("kind", pa.string()),
                           ("type", pa.string()), ("time", pa.timestamp("us")),
                           ("value", pa.float64())])


def load(con, customers: list[dict], signals: list[dict], types: dict[str, str]) -> None:
    """Register `customers` (typed per `types`) and `signals` as Arrow tables on `con`."""
    schema = pa.schema([("customer_id", pa.int64())]
                       + [(name, ARROW_TYPES[kind]) for name, kind in types.items()])
    cols = {f.name: [c.get(f.name) for c in customers] for f in schema}
    con.register("customers", pa.table(cols, schema=schema))
    sig_cols = {f.name: [s.get(f.name) for s in signals] for f in SIGNAL_SCHEMA}
    con.register("signals", pa.table(sig_cols, schema=SIGNAL_SCHEMA))
