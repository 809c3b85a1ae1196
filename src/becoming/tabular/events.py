"""Normalise an event file (as read by :func:`read_table`) into the signal schema.

Everything is vectorised (pyarrow.compute and DuckDB over Arrow): no Python loop per row,
so ten million rows prepare in seconds. Errors name the file, the row as the user sees it
(see :mod:`becoming.tabular.read`), the column and the offending text.

Event identity. With an id column, the id is the event. Without one, an event is its content
*and its occurrence*: two identical rows in one file are two purchases, not one sent twice.
The id hashes (customer, kind, type, time, value, properties, n), where n counts the earlier
rows of the same import with identical content. So:

* every identical row of one import is kept (the n-th copy gets its own id);
* importing the same file again adds nothing (same rows, same n, same ids);
* numbering is per import, so overlapping files count an identical row as many times as the
  file that holds it most often: a file with rows A, A then a file with A adds nothing for
  the second; a file with A then a file with A, A adds one.

The first occurrence (n = 0) of a row without properties hashes exactly as before this rule,
so re-importing a file after the upgrade adds only the identical rows that used to be dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .read import TabularError, require_plain, row_position

SIGNAL_SCHEMA = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("customer_id", pa.int64()),
    pa.field("kind", pa.string()),
    pa.field("type", pa.string()),
    pa.field("time", pa.timestamp("us")),
    pa.field("value", pa.float64()),
    pa.field("properties", pa.string()),
])

EPOCH_RE = r"^[+-]?\d+(\.\d+)?$"
MAX_EPOCH = 253402300799.0  # 9999-12-31T23:59:59Z in seconds
# Unit separator: cannot appear in normal text, so joined fields cannot collide.
_SEP = "\x1f"
# Schema metadata key carrying how many rows repeated an earlier row and were kept.
META_IDENTICAL = b"becoming.identical_kept"

CustomerIds = Callable[[pa.Array], pa.Array]


class _Context:
    """Where we are: used to build located errors."""

    def __init__(self, table: pa.Table, file_name: str):
        self.table = table
        self.file = file_name
        self.label, self.first_row = row_position(table)

    def error(self, message: str, index: int | None = None, column: str | None = None):
        row = None if index is None else self.first_row + index
        return TabularError(message, file=self.file, row=row, column=column,
                            row_label=self.label)

    def column(self, name: str) -> pa.Array:
        if name not in self.table.column_names:
            available = ", ".join(f'"{c}"' for c in self.table.column_names)
            raise self.error(f"no such column; available columns: {available}", column=name)
        # Every column read through here is an id, type, time or value: one plain value each.
        require_plain(self.table, name, self.file)
        return self.table.column(name).combine_chunks()


def prepare_events(table: pa.Table, *, file_name: str, customer_column: str,
                   type_column: str | None = None, type_value: str | None = None,
                   time_column: str, time_format: str | None = None,
                   value_column: str | None = None, id_column: str | None = None,
                   customer_ids: CustomerIds, kind: str = "event",
                   kind_column: str | None = None) -> pa.Table:
    """Return ``table`` as signals with schema :data:`SIGNAL_SCHEMA`.

    * Exactly one of ``type_column`` / ``type_value`` gives the event type.
    * ``time``: with ``time_format`` (strptime syntax) that format; otherwise ISO 8601 dates
      or datetimes (``T`` or space, optional fraction, optional ``Z``/offset → converted to
      UTC; no offset means UTC), or epoch seconds when every value is numeric. Stored naive UTC.
    * Columns may already be typed (timestamps, numbers): they are used without a detour
      through text.
    * ``customer_ids`` receives the *distinct* external ids (string array) and returns
      int64 internal ids aligned with it, NULL for unknown customers. It is called once, after
      every other check has passed, so a callback that creates customers only ever sees a
      file that is otherwise valid.
    * ``kind`` for every row, or ``kind_column`` naming a column with each row's kind.
    * ``event_id``: the ``id_column`` text (duplicate ids keep the first row), else the
      content-and-occurrence hash described in the module docstring; the number of rows
      kept although identical to an earlier one is :func:`identical_kept` of the result.
    * ``properties``: JSON object of the remaining columns, NULL when there are none.

    Raises :class:`TabularError` for unknown columns, missing or unparseable values and
    unknown customers, naming row and column.
    """
    ctx = _Context(table, file_name)
    if (type_column is None) == (type_value is None):
        raise ctx.error("give either a type column or a fixed type value (exactly one)")
    external = _required_text(ctx, customer_column)
    types = _fixed_or_column(ctx, type_column, type_value)  # type: ignore[arg-type]  # one is given, checked above
    kinds = _fixed_or_column(ctx, kind_column, kind)
    times = parse_times(ctx, time_column, time_format)
    values = (_parse_values(ctx, value_column) if value_column is not None
              else pa.nulls(table.num_rows, pa.float64()))
    ids = _required_text(ctx, id_column) if id_column is not None else None
    used = {customer_column, type_column, time_column, value_column, id_column, kind_column}
    properties = _properties(table, [c for c in table.column_names if c not in used])
    customers = _customer_ids(ctx, customer_column, external, customer_ids)  # last: see above
    return _assemble(customers, kinds, types, times, values, properties, ids)


def identical_kept(events: pa.Table) -> int:
    """How many rows of a :func:`prepare_events` result repeat an earlier row of the same
    import and were kept as events of their own (0 when ids came from an id column)."""
    return int((events.schema.metadata or {}).get(META_IDENTICAL, b"0"))


# --- columns ---------------------------------------------------------------------------


def _text(column: pa.Array) -> pa.Array:
    """Column as trimmed strings with blank cells NULL."""
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _first(mask: pa.Array) -> int | None:
    """Index of the first true value in a boolean array (NULL counts as false)."""
    index = pc.index(pc.fill_null(mask, False), True).as_py()
    return None if index < 0 else index


def _required_text(ctx: _Context, name: str) -> pa.Array:
    text = _text(ctx.column(name))
    missing = _first(pc.is_null(text))
    if missing is not None:
        raise ctx.error("value is missing", missing, name)
    return text


def _fixed_or_column(ctx: _Context, column: str | None, fixed: str) -> pa.Array:
    if column is not None:
        return _required_text(ctx, column)
    return pa.repeat(pa.scalar(fixed, pa.string()), ctx.table.num_rows)


def _customer_ids(ctx: _Context, name: str, external: pa.Array, lookup: CustomerIds) -> pa.Array:
    # Look up each distinct id once: callers hit a database, rows repeat customers a lot.
    encoded = external.dictionary_encode()
    known = pc.cast(lookup(encoded.dictionary), pa.int64())
    if len(known) != len(encoded.dictionary):
        raise ValueError("customer_ids callback must return one id per input id")
    if known.null_count:
        _raise_unknown(ctx, name, encoded, known)
    return pc.take(known, encoded.indices)


def _raise_unknown(ctx, name, encoded, known) -> None:
    unknown_codes = pc.indices_nonzero(pc.is_null(known))
    rows = pc.is_in(encoded.indices, value_set=pc.cast(unknown_codes, encoded.indices.type))
    index = _first(rows)
    bad = encoded.dictionary[encoded.indices[index].as_py()].as_py()
    total = len(unknown_codes)
    more = f" ({total} unknown customers in total)" if total > 1 else ""
    raise ctx.error(f"unknown customer '{bad}'{more}; import the customers first or "
                    "create them during import", index, name)


def parse_times(ctx: _Context, name: str, time_format: str | None) -> pa.Array:
    """Times as naive-UTC ``timestamp[us]``; raises on the first missing/unparseable one."""
    column = ctx.column(name)
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        parsed, raw = _native_times(column), column
    else:
        raw = _text(column)
        missing = _first(pc.is_null(raw))
        if missing is not None:
            raise ctx.error("time is missing", missing, name)
        parsed = _parse_text_times(raw, time_format)
    bad = _first(pc.and_(pc.is_null(parsed), pc.is_valid(raw)))
    if bad is not None:
        expected = (f"the format {time_format}" if time_format else
                    "ISO 8601 such as 2024-03-01 or 2024-03-01T09:30:00Z, or epoch seconds")
        raise ctx.error(f"cannot parse '{raw[bad].as_py()}' as a date/time "
                        f"(expected {expected})", bad, name)
    missing = _first(pc.is_null(parsed))
    if missing is not None:
        raise ctx.error("time is missing", missing, name)
    return parsed


def time_column(table: pa.Table, file_name: str, name: str,
                time_format: str | None = None) -> pa.Array:
    """One column of ``table`` parsed as times, with located errors (see :func:`parse_times`)."""
    return parse_times(_Context(table, file_name), name, time_format)


def _native_times(column: pa.Array) -> pa.Array:
    if pa.types.is_date(column.type):
        column = pc.cast(column, pa.timestamp("s"))
    # Casting a zoned timestamp to a naive one keeps the UTC instant, which is what we store.
    return pc.cast(column, pa.timestamp("us"))


def _parse_text_times(raw: pa.Array, time_format: str | None) -> pa.Array:
    if time_format:
        parsed = pc.strptime(raw, format=time_format, unit="us", error_is_null=True)
        return pc.cast(parsed, pa.timestamp("us"))
    present = pc.drop_null(raw)
    if len(present) and pc.all(pc.match_substring_regex(present, EPOCH_RE)).as_py():
        seconds = pc.cast(raw, pa.float64())
        # Beyond year 9999 the int64 cast would overflow: leave NULL, reported as unparseable.
        seconds = pc.if_else(pc.less_equal(pc.abs(seconds), MAX_EPOCH), seconds, None)
        micros = pc.multiply(seconds, 1e6)
        return pc.cast(pc.cast(pc.round(micros), pa.int64()), pa.timestamp("us"))
    return _duckdb_iso_times(raw)


def _duckdb_iso_times(raw: pa.Array) -> pa.Array:
    """ISO 8601 → naive UTC via DuckDB (multi-threaded; handles offsets and fractions)."""
    con = _connect()
    con.register("raw_times", pa.table({"t": raw}))
    # Strings without an offset are read in the session zone, which is UTC.
    result = con.sql("SELECT try_cast(t AS TIMESTAMPTZ)::TIMESTAMP AS t FROM raw_times")
    return result.to_arrow_table().column("t").combine_chunks().cast(pa.timestamp("us"))


def _parse_values(ctx: _Context, name: str) -> pa.Array:
    column = ctx.column(name)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type) \
            or pa.types.is_decimal(column.type):
        # Unsafe: a uint64 beyond 2**53 loses digits rather than failing; values are doubles.
        return pc.cast(column, pa.float64(), safe=False)
    raw = _text(column)
    con = _connect()
    con.register("raw_values", pa.table({"v": raw}))
    parsed = con.sql("SELECT try_cast(v AS DOUBLE) AS v FROM raw_values").to_arrow_table()
    parsed = parsed.column("v").combine_chunks()
    bad = _first(pc.and_(pc.is_null(parsed), pc.is_valid(raw)))
    if bad is not None:
        raise ctx.error(f"cannot parse '{raw[bad].as_py()}' as a number", bad, name)
    return parsed


def _properties(table: pa.Table, names: list[str]) -> pa.Array:
    if not names:
        return pa.nulls(table.num_rows, pa.string())
    struct = pa.StructArray.from_arrays(
        [table.column(n).combine_chunks() for n in names], names=names)
    con = _connect()
    try:
        con.register("props", pa.table({"p": struct}))
        result = con.sql("SELECT to_json(p)::VARCHAR AS p FROM props").to_arrow_table()
    except duckdb.Error:
        # A type DuckDB cannot take from Arrow (e.g. float16): the slow, general way.
        return pa.array([json.dumps(row, default=str, ensure_ascii=False, separators=(",", ":"))
                         for row in struct.to_pylist()], pa.string())
    return result.column("p").combine_chunks()


# --- assembly --------------------------------------------------------------------------


def _assemble(customers, kinds, types, times, values, properties, ids) -> pa.Table:
    n = len(customers)
    table = pa.table({
        "event_id": ids if ids is not None else pa.nulls(n, pa.string()),
        "customer_id": customers, "kind": kinds,
        "type": types, "time": times, "value": values, "properties": properties,
    })
    if ids is not None:
        out, identical = keep_first(table), 0
    else:
        out, identical = _content_ids(table)
    out = pa.Table.from_arrays([out.column(f.name).cast(f.type) for f in SIGNAL_SCHEMA],
                               schema=SIGNAL_SCHEMA)
    return out.replace_schema_metadata({META_IDENTICAL: str(identical).encode()})


def _content_ids(table: pa.Table) -> tuple[pa.Table, int]:
    """``table`` with content-and-occurrence ids (row order kept), and how many rows repeat
    an earlier one."""
    con = _connect()
    con.register("prepared", table.append_column(
        "_row", pa.array(np.arange(table.num_rows, dtype=np.int64))))
    keyed = con.sql(f"SELECT *, {_content_key()} AS _key FROM prepared")
    # Counting distinct keys is much cheaper than the window below, and most files
    # repeat no row: then every occurrence number is 0.
    distinct = keyed.aggregate("count(DISTINCT _key)").fetchall()[0][0]
    if distinct == table.num_rows:
        occurrence = "0"
    else:
        # Identical rows are interchangeable, so which copy gets which n does not matter.
        occurrence = "row_number() OVER (PARTITION BY _key) - 1"
    result = con.sql(
        "SELECT md5(concat_ws(chr(31), _key, CASE WHEN _n > 0 THEN _n::VARCHAR END)) "
        "AS event_id, * EXCLUDE (event_id, _key, _n, _row) FROM "
        f"(SELECT *, {occurrence} AS _n FROM keyed) ORDER BY _row"
    ).to_arrow_table()
    return result, table.num_rows - distinct


def _content_key() -> str:
    # md5 over this text is stable across DuckDB versions (its hash() is not), so ids survive
    # upgrades. printf %.17g round-trips a double exactly and does not depend on float
    # formatting. concat_ws skips NULLs: a row without properties, first of its kind, hashes
    # as it did before occurrences counted (no collision: properties text starts with "{").
    return ("concat_ws(chr(31), customer_id::VARCHAR, kind, type, epoch_us(time)::VARCHAR, "
            "coalesce(printf('%.17g', value), ''), properties)")


def keep_first(table: pa.Table) -> pa.Table:
    """Drop rows whose ``event_id`` already appeared earlier in ``table`` (order kept)."""
    con = _connect()
    con.register("with_ids", table)
    # Counting is much cheaper than the window below, and batches rarely repeat ids.
    distinct = con.sql("SELECT count(DISTINCT event_id) FROM with_ids").fetchall()[0][0]
    if distinct == table.num_rows:
        return table
    numbered = table.append_column("_row", pa.array(np.arange(table.num_rows, dtype=np.int64)))
    con.register("numbered", numbered)
    return con.sql(
        "SELECT * EXCLUDE (_row) FROM numbered "
        "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _row) = 1 ORDER BY _row"
    ).to_arrow_table()


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con
