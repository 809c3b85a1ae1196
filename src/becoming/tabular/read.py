"""Read a user's file into a ``pyarrow.Table``, or fail with an error a user can act on.

Row numbers in every error are the ones the user sees when opening the file:

* CSV/TSV: spreadsheet convention — the header is row 1, the first data row is row 2.
* JSON lines: the line number in the file (first line is line 1).
* Parquet: the 1-based row position.

``read_table`` stores that convention in the table's schema metadata so later stages
(``prepare_events``) can turn a 0-based row index back into what the user sees; see
:func:`row_position`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

CSV_EXTENSIONS = {".csv", ".tsv", ".txt"}
JSON_EXTENSIONS = {".jsonl", ".ndjson", ".json"}
PARQUET_EXTENSIONS = {".parquet"}
DELIMITERS = (",", ";", "\t")
_BOM = codecs.BOM_UTF8
_SNIFF_BYTES = 64 * 1024
# Big blocks let pyarrow's threads each parse a large slice; measured faster than the 1 MB
# default on multi-million-row files.
_BLOCK_SIZE = 16 * 1024 * 1024

META_FIRST_ROW = b"becoming.first_row"
META_ROW_LABEL = b"becoming.row_label"


class TabularError(ValueError):
    """A problem with a user's file, located as precisely as we can.

    ``str()`` reads like ``events.csv, row 17, column "time": cannot parse ...``; parts that
    are unknown are left out. ``row`` follows the module's user-visible numbering.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, row_label: str = "row"):
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.row_label = row_label

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        return f"{', '.join(where)}: {self.message}" if where else self.message


def row_position(table: pa.Table) -> tuple[str, int]:
    """Return ``(label, first_row)``: index ``i`` of ``table`` is ``label first_row + i``.

    Tables not produced by :func:`read_table` use the spreadsheet convention (row 2 first).
    """
    meta = table.schema.metadata or {}
    label = meta.get(META_ROW_LABEL, b"row").decode()
    return label, int(meta.get(META_FIRST_ROW, b"2"))


def _with_position(table: pa.Table, label: str, first_row: int) -> pa.Table:
    meta = dict(table.schema.metadata or {})
    meta[META_ROW_LABEL] = label.encode()
    meta[META_FIRST_ROW] = str(first_row).encode()
    return table.replace_schema_metadata(meta)


def read_table(path: str | os.PathLike) -> pa.Table:
    """Read ``path`` (CSV/TSV/TXT, Parquet, JSON lines) into a table.

    CSV columns are all strings, header names kept exactly, empty cells NULL. Parquet keeps
    its native types. JSON lines keeps the types pyarrow infers; if values of one key have
    mixed types, every scalar is read as a string. Raises :class:`TabularError` on any
    problem (missing/empty file, bad encoding, ragged rows, blank or duplicate column names,
    bad JSON).
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise TabularError("file not found", file=name)
    ext = path.suffix.lower()
    if ext not in CSV_EXTENSIONS | JSON_EXTENSIONS | PARQUET_EXTENSIONS:
        known = ", ".join(sorted(CSV_EXTENSIONS | JSON_EXTENSIONS | PARQUET_EXTENSIONS))
        raise TabularError(f"unknown file type '{ext or '(none)'}'; expected one of {known}",
                           file=name)
    if path.stat().st_size == 0:
        raise TabularError("the file is empty", file=name)
    if ext in PARQUET_EXTENSIONS:
        return _read_parquet(path)
    if ext in JSON_EXTENSIONS:
        return _read_json(path)
    return _read_csv(path, tab=(ext == ".tsv"))


def require_plain(table: pa.Table, column: str, file_name: str) -> None:
    """Refuse ``column`` unless its values are plain (text, numbers, booleans, dates, times).

    Ids, names, event types and times are compared and cast as single values: a list, struct
    or map there has no sensible reading (and pyarrow cannot cast it to text). Other columns
    may be nested; they are kept as JSON.
    """
    kind = table.schema.field(column).type
    if not _is_plain(kind):
        raise TabularError(
            f"holds {_kind_name(kind)} values ({kind}); this column needs plain values "
            "such as text, numbers or dates", file=file_name, column=column)


def _is_plain(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _is_plain(kind.value_type)
    t = pa.types
    return any(test(kind) for test in (
        t.is_string, t.is_large_string, t.is_integer, t.is_floating, t.is_decimal,
        t.is_boolean, t.is_date, t.is_timestamp, t.is_null))


def _kind_name(kind: pa.DataType) -> str:
    t = pa.types
    if t.is_struct(kind):
        return "struct"
    if t.is_map(kind):
        return "map"
    if t.is_list(kind) or t.is_large_list(kind) or t.is_fixed_size_list(kind):
        return "list"
    if t.is_binary(kind) or t.is_large_binary(kind) or t.is_fixed_size_binary(kind):
        return "binary (not text)"
    return str(kind)


# --- CSV -------------------------------------------------------------------------------


def _read_csv(path: Path, *, tab: bool) -> pa.Table:
    name = path.name
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    head = head.removeprefix(_BOM)
    if not head.strip():
        raise TabularError("the file is empty", file=name)
    text = head.decode("utf-8", errors="replace")
    delimiter = "\t" if tab else _sniff_delimiter(text)
    header = _parse_header(text, delimiter)
    _check_header(header, name, delimited=True)
    try:
        table = _pyarrow_csv(path, header, delimiter, newlines_in_values=False)
    except pa.ArrowInvalid as exc:
        _diagnose_csv(path, delimiter, len(header))
        # No structural fault found: most likely quoted line breaks inside cells, which the
        # fast parser refuses. Retry with the slower quote-aware chunking.
        try:
            table = _pyarrow_csv(path, header, delimiter, newlines_in_values=True)
        except pa.ArrowInvalid:
            raise TabularError(f"cannot read as CSV: {exc}", file=name) from exc
    return _with_position(table, "row", 2)


def _sniff_delimiter(text: str) -> str:
    """Pick the candidate delimiter that appears most often in the header line."""
    first = text.splitlines()[0] if text else ""
    counts = {d: _count_unquoted(first, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_unquoted(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _parse_header(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def _check_header(header: list[str], name: str, *, delimited: bool = False) -> None:
    """Every column needs a distinct, non-blank name: a blank one becomes an attribute or a
    property nobody can refer to (and an empty identifier that DuckDB refuses)."""
    if not header:
        raise TabularError("the file has no columns", file=name)
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if not column.strip():
            # The usual cause: a spreadsheet export with a delimiter at the end of each line.
            hint = " (a delimiter at the end of the header line?)" if (
                delimited and position == len(header)) else ""
            raise TabularError(f"column {position} has no name{hint}; every column needs a name",
                               file=name)
        if column in seen:
            raise TabularError(
                f"duplicate column name (columns {seen[column]} and {position}); "
                "every column needs a distinct name", file=name, row=1, column=column)
        seen[column] = position


def _pyarrow_csv(path: Path, header: list[str], delimiter: str, *,
                 newlines_in_values: bool) -> pa.Table:
    read = pacsv.ReadOptions(use_threads=True, block_size=_BLOCK_SIZE)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in header},
        null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
    )
    return pacsv.read_csv(path, read_options=read, parse_options=parse,
                          convert_options=convert)


def _diagnose_csv(path: Path, delimiter: str, width: int) -> None:
    """Slow pass run only after a failed fast read: raise the precise fault if we find one."""
    _check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        for row_number, fields in enumerate(reader, start=1):
            if fields and len(fields) != width:
                raise TabularError(
                    f"expected {width} fields like the header, found {len(fields)}",
                    file=path.name, row=row_number)


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                row = lines + chunk.count(b"\n", 0, exc.start) + 1
                raise TabularError(
                    f"not valid UTF-8 text (byte offset {bad}); save the file as UTF-8",
                    file=path.name, row=row) from None
            offset += len(chunk)
            lines += chunk.count(b"\n")


# --- Parquet ---------------------------------------------------------------------------


def _read_parquet(path: Path) -> pa.Table:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise TabularError(f"cannot read as Parquet: {exc}", file=path.name) from exc
    _check_header(table.column_names, path.name)
    return _with_position(table, "row", 1)


# --- JSON lines ------------------------------------------------------------------------


def _read_json(path: Path) -> pa.Table:
    with open(path, "rb") as f:
        start = f.read(_SNIFF_BYTES).lstrip(_BOM).lstrip()
    if not start:
        raise TabularError("the file is empty", file=path.name)
    if start.startswith(b"["):
        # A JSON array rather than JSON lines: fine for small files, read it directly.
        return _json_rows(path, _load_array(path), label="item")
    try:
        table = pajson.read_json(path, read_options=pajson.ReadOptions(block_size=_BLOCK_SIZE))
    except pa.ArrowInvalid:
        # Find the bad line (raises); if every line is valid the types were mixed.
        return _json_rows(path, list(_iter_json_lines(path)), label="line")
    _check_header(table.column_names, path.name)
    return _with_position(table, "line", 1)


def _load_array(path: Path) -> list:
    try:
        with open(path, encoding="utf-8-sig") as f:
            rows = json.load(f)
    except UnicodeDecodeError:
        _check_utf8(path)
        raise
    except json.JSONDecodeError as exc:
        raise TabularError(f"not valid JSON: {exc.msg}", file=path.name, row=exc.lineno,
                           row_label="line") from exc
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise TabularError(f"item {i} of the JSON array is not an object", file=path.name)
    return rows


def _iter_json_lines(path: Path):
    _check_utf8(path)
    with open(path, encoding="utf-8-sig") as f:
        for line_number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TabularError(f"not valid JSON: {exc.msg} (character {exc.pos + 1})",
                                   file=path.name, row=line_number, row_label="line") from exc
            if not isinstance(row, dict):
                raise TabularError("each line must be a JSON object {...}", file=path.name,
                                   row=line_number, row_label="line")
            yield row


def _json_rows(path: Path, rows: list[dict], *, label: str) -> pa.Table:
    """Build a table of strings from parsed rows (slow path for arrays and mixed types)."""
    columns: dict[str, list] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    for row in rows:
        for key, values in columns.items():
            values.append(_as_text(row.get(key)))
    _check_header(list(columns), path.name)
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    # Blank lines are skipped in this path, so line numbers are only exact without them.
    return _with_position(table, label, 1)


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
