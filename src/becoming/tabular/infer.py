"""Decide the attribute type of each column in a customer file, and convert it.

Types and the rules (applied to string columns; blank or whitespace-only cells are missing):

* ``number``  — every value is a plain decimal: optional sign, digits, optional fraction,
  optional exponent, surrounding spaces allowed. No thousands separators. A column where
  any value has a leading zero before another digit (``007``, ``01234``) stays text:
  those are codes (zip codes, account numbers) and turning them into numbers loses digits.
* ``date``    — every value is an ISO date ``2024-03-01`` or ISO datetime (``T`` or space,
  optional seconds/fraction/offset); datetimes keep their calendar date as written.
* ``boolean`` — every value is ``true``/``false`` (any case). ``yes``/``no`` and ``1``/``0``
  are *not* booleans: people compare them as text (``equals: "Yes"``) or numbers.
* ``text``    — anything else, including a column with no values at all.

Columns with native types (Parquet, JSON) map directly: integers/floats/decimals → number,
dates/timestamps → date, bool → boolean, everything else → text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

NUMBER, DATE, BOOLEAN, TEXT = "number", "date", "boolean", "text"
TYPES = (NUMBER, DATE, BOOLEAN, TEXT)
ARROW_TYPES = {NUMBER: pa.float64(), DATE: pa.date32(), BOOLEAN: pa.bool_(), TEXT: pa.string()}

NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
LEADING_ZERO_RE = r"^[+-]?0\d"
DATE_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?)?$"
BOOLEAN_VALUES = ("true", "false")


@dataclass(frozen=True)
class AttributeColumn:
    """One inferred attribute: its type, values converted to ``ARROW_TYPES[type]``, and how
    many values are missing (NULL)."""

    name: str
    type: str
    values: pa.Array
    missing: int


def infer_attributes(table: pa.Table, exclude: Iterable[str] = ()) -> dict[str, AttributeColumn]:
    """Infer and convert every column of ``table`` not in ``exclude`` (e.g. id and name).

    Returns a dict in the table's column order. Never raises for odd values: anything that
    does not fit a stricter type is text.
    """
    skip = set(exclude)
    result = {}
    for name in table.column_names:
        if name in skip:
            continue
        column = table.column(name).combine_chunks()
        kind, values = infer_column(column)
        result[name] = AttributeColumn(name, kind, values, values.null_count)
    return result


def infer_column(column: pa.Array) -> tuple[str, pa.Array]:
    """Return ``(type, converted values)`` for one column."""
    t = column.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        # Unsafe: a uint64 beyond 2**53 loses digits rather than failing; numbers are doubles.
        return NUMBER, pc.cast(column, pa.float64(), safe=False)
    if pa.types.is_boolean(t):
        return BOOLEAN, column
    if pa.types.is_date(t):
        return DATE, pc.cast(column, pa.date32())
    if pa.types.is_timestamp(t):
        return DATE, pc.cast(column, pa.date32())
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _infer_strings(pc.cast(column, pa.string()))
    return TEXT, _to_text(column)


def _infer_strings(column: pa.Array) -> tuple[str, pa.Array]:
    trimmed = pc.utf8_trim_whitespace(column)
    # Blank cells are missing, not empty text: replace them with NULL before testing types.
    values = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    present = pc.drop_null(values)
    if len(present) == 0:
        return TEXT, values
    if _all(present, NUMBER_RE) and not pc.any(
            pc.match_substring_regex(present, LEADING_ZERO_RE)).as_py():
        return NUMBER, pc.cast(values, pa.float64())
    if _all(present, DATE_RE):
        dates = _iso_dates(values)
        if dates.null_count == values.null_count:  # every date was a real calendar date
            return DATE, dates
    if pc.all(pc.is_in(pc.utf8_lower(present), pa.array(BOOLEAN_VALUES))).as_py():
        return BOOLEAN, pc.equal(pc.utf8_lower(values), "true")
    return TEXT, values


def _all(values: pa.Array, pattern: str) -> bool:
    return pc.all(pc.match_substring_regex(values, pattern)).as_py()


def _iso_dates(values: pa.Array) -> pa.Array:
    """Calendar date of ISO date/datetime strings; NULL where the date does not exist."""
    day = pc.utf8_slice_codeunits(values, 0, 10)
    stamps = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
    return pc.cast(stamps, pa.date32())


def _to_text(column: pa.Array) -> pa.Array:
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        # Nested values (lists, structs) have no cast to string; JSON is what users expect.
        return pa.array([None if v is None else json.dumps(v, default=str)
                         for v in column.to_pylist()], pa.string())


def convert_value(type_: str, raw):
    """Convert one value (e.g. from the API) to the Python value for ``type_``.

    ``None`` and blank strings give ``None``. Raises ``ValueError`` when ``raw`` does not
    fit: number → ``float``, date → ``datetime.date``, boolean → ``bool``, text → ``str``.
    """
    if type_ not in TYPES:
        raise ValueError(f"unknown attribute type {type_!r}; expected one of {', '.join(TYPES)}")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _CONVERTERS[type_](raw)


def _number(raw) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")  # noqa: TRY004 (one error type for callers)
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    if not re.fullmatch(NUMBER_RE, text):
        raise ValueError(f"cannot parse {raw!r} as a number")
    return float(text)


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if re.fullmatch(DATE_RE, text):
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise ValueError(f"cannot parse {raw!r} as a date (expected YYYY-MM-DD)")


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in BOOLEAN_VALUES:
        return text == "true"
    raise ValueError(f"cannot parse {raw!r} as a boolean (expected true or false)")


def _text(raw) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, default=str)


_CONVERTERS = {NUMBER: _number, DATE: _date, BOOLEAN: _boolean, TEXT: _text}
