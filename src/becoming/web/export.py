"""Writing Arrow tables as CSV, JSON or Parquet to a file or standard output."""

import json
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


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
    """The table as CSV (UTF-8, quoted where needed): every CSV export goes through here."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue().to_pybytes()


def _write_text(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
