"""Writing Arrow tables as CSV, JSON or Parquet to a file or standard output.

Every CSV cell we write goes through :func:`neutralise_table` or :func:`neutralise_cell`:
exports carry text our users did not write (customer ids and names, feedback), and a
spreadsheet runs a cell such as ``=HYPERLINK(...)`` as a formula. OWASP's rule: a text cell
that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``.

One exception, on purpose: text that is entirely a plain number (``-3.5``, ``+1e3``) is left
alone. It cannot call a function, a spreadsheet reads it as the number it is, and our own
importer reads it back as a number. Numeric columns are never touched.
"""

import json
import re
import sys
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def to_records(table: pa.Table) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def write_table(table: pa.Table, fmt: str, output: str | None) -> None:
    if fmt == "parquet":
        pq.write_table(table, output)
    elif fmt == "json":
        text = json.dumps(to_records(table), indent=1)
        _write_text(text + "\n", output)
    else:
        _write_text(table_csv_bytes(table).decode(), output)


def table_csv_bytes(table: pa.Table) -> bytes:
    """The table as CSV (UTF-8, quoted where needed, formulas neutralised): every CSV export
    of a table goes through here."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(neutralise_table(table), sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue().to_pybytes()


def neutralise_cell(value: Any) -> Any:
    """One CSV cell made safe to open in a spreadsheet; for code writing rows with ``csv``.

    Only strings change: numbers, dates and None come back as they are.
    """
    if isinstance(value, str) and _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_table(table: pa.Table) -> pa.Table:
    """The table with every text cell, and every column name, made safe by :func:`neutralise_cell`."""
    columns = [_neutralise_column(column) for column in table.columns]
    names = [neutralise_cell(name) for name in table.column_names]
    return pa.table(columns, names=names)


def _neutralise_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_dictionary(kind) and _is_text(kind.value_type):
        column = column.cast(kind.value_type)
    elif not _is_text(kind):
        return column
    risky = pc.and_not(pc.match_substring_regex(column, FORMULA_START),
                       pc.match_substring_regex(column, PLAIN_NUMBER))
    quoted = pc.binary_join_element_wise("'", column, "")
    return pc.if_else(risky, quoted, column)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _write_text(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
