"""The workspace's customers as the engine reads them: one typed DuckDB column per attribute."""

import json

import pyarrow as pa
from django.db import connection

from ..models import Attribute, Customer
from .imports import _quote

DUCKDB_TYPES = {"text": "VARCHAR", "number": "DOUBLE", "date": "DATE", "boolean": "BOOLEAN"}


def engine_customers(workspace) -> pa.Table:
    """Customers as the engine reads them (see :func:`load_customers`), as an Arrow table."""
    import duckdb

    con = duckdb.connect()
    load_customers(workspace, con)
    return con.sql("SELECT * FROM customers").to_arrow_table()


RAW_SLICE = 200_000  # customers read from SQLite into one piece of text at a time


def load_customers(workspace, con, name: str = "customers", customer_id: int | None = None) -> None:
    """Create the table ``name`` on DuckDB connection ``con``: the workspace's customers as
    the engine reads them, ``customer_id`` and one typed column per attribute (only that
    customer's row with ``customer_id``).

    The database hands DuckDB the rows as tab-separated text (COPY on PostgreSQL, text built
    by SQLite itself), and DuckDB types the attributes JSON: no Python object per customer,
    and no pandas (which making an Arrow array from Python values imports, 0.3 s).
    """
    import tempfile

    from django.conf import settings

    attrs = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    settings.DUCKDB_TEMP.mkdir(exist_ok=True)
    # A file, not a BytesIO: DuckDB reads a Python file object through fsspec (0.1 s to import).
    with tempfile.NamedTemporaryFile(dir=settings.DUCKDB_TEMP, suffix=".tsv") as text:
        _raw_customers(workspace, customer_id, text)
        text.flush()
        raw = con.read_csv(text.name, sep="\t", quotechar='"', escapechar='"', header=False,
                           auto_detect=False, columns={"id": "BIGINT", "attributes": "VARCHAR"})
        _typed_customers(con, raw, attrs, name)


def _typed_customers(con, raw, attrs: dict, name: str) -> None:
    from sqlglot import exp

    columns = [exp.alias_(exp.column("id"), "customer_id")]
    for attr, type_ in attrs.items():
        if not attr.strip():  # legacy data from before names were checked: no criterion can use it
            continue
        # ensure_ascii=False: DuckDB does not decode \uXXXX in a JSON path, so "é" must stay "é".
        path = exp.Literal.string("$." + json.dumps(attr, ensure_ascii=False))
        value = exp.func("json_extract_string", exp.column("attributes"), path)
        columns.append(exp.alias_(exp.TryCast(this=value, to=exp.DataType.build(DUCKDB_TYPES[type_])), attr, quoted=True))
    raw.query("raw", exp.select(*columns).from_("raw").sql("duckdb")).create(name)


def _raw_customers(workspace, customer_id: int | None, out) -> None:
    """Write ``id<TAB>attributes JSON`` lines (CSV quoting) of the customers to ``out``."""
    table = _quote(Customer._meta.db_table)
    where, params = "workspace_id = %s", [workspace.pk]
    if customer_id is not None:
        where, params = where + " AND id = %s", [*params, customer_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (f"COPY (SELECT id, attributes::text FROM {table} WHERE {where}) "
                   "TO STDOUT (FORMAT csv, DELIMITER E'\\t')")
            with cursor.cursor.copy(sql, params) as copy:
                for block in copy:
                    out.write(block)
            return
        # SQLite: one text per slice of ids, built by SQLite; keyset pagination on id.
        line = "id || char(9) || '\"' || replace(CAST(attributes AS TEXT), '\"', '\"\"') || '\"'"
        last = -1
        while True:
            cursor.execute(
                f"SELECT max(id), count(*), group_concat(line, char(10)) FROM (SELECT id, {line} "
                f"AS line FROM {table} WHERE {where} AND id > %s ORDER BY id LIMIT {RAW_SLICE})",
                [*params, last])
            last, count, text = cursor.fetchone()
            if not count:
                return
            out.write(text.encode())
            out.write(b"\n")
            if count < RAW_SLICE:
                return
