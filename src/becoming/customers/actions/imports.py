"""Customer files in.

File imports of any size: rows are saved in slices (bounded memory: a slice's rows become
Python objects, the file stays in Arrow), every statement stays under the database's
parameter limit (see customers/lookup.py), and the whole import is one transaction.
"""

import json
import re

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from becoming.tabular.infer import infer_attributes
from becoming.tabular.read import TabularError, read_table, require_plain

from ..models import Attribute, Customer
from .records import (
    BATCH,
    check_attribute_name,
    parse_arr,
    parse_churn,
    parse_day,
    parse_status,
    workspace_member,
)

ID_GUESSES = re.compile(r"^(customer[ _-]?id|external[ _-]?id|account[ _-]?id|id)$", re.IGNORECASE)
NAME_GUESSES = re.compile(r"^(name|customer[ _-]?name|account[ _-]?name|company)$", re.IGNORECASE)


def guess_column(names: list[str], pattern: re.Pattern) -> str | None:
    return next((n for n in names if pattern.match(n.strip())), None)


def import_customers(workspace, path, id_column=None, name_column=None, progress=None,
                     file_name=None, dry_run=False, owner_column=None, status_column=None,
                     churn_column=None, arr_column=None, renewal_column=None) -> dict:
    """Create or update customers from a file; all rows land or none do.

    Columns other than id, name and owner become attributes named exactly as their headers.
    The account columns, when named, also set the account: ``owner_column`` (a member's
    email), ``status_column`` (trial/active/churned, any case), ``churn_column`` (Yes/No,
    true/false, 1/0: yes makes the customer churned), ``arr_column`` and ``renewal_column``.
    """
    report = progress or (lambda *a, **k: None)
    label = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    names = table.column_names
    id_column = id_column or guess_column(names, ID_GUESSES) or names[0]
    for option, col in (("id", id_column), ("name", name_column)):
        if col and col not in names:
            raise ValidationError(
                f"{label}: no column {col!r} for the customer {option}; columns are: {', '.join(names)}"
            )
    if name_column is None:
        name_column = guess_column([n for n in names if n != id_column], NAME_GUESSES)
    try:
        for col in filter(None, (id_column, name_column)):
            require_plain(table, col, label)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    ids = _check_ids(label, table.column(id_column).to_pylist(), id_column)
    cust_names = table.column(name_column) if name_column else pa.nulls(len(ids), pa.string())
    account = _account_values(workspace, label, table, {
        "owner": owner_column, "status": status_column, "churn": churn_column,
        "arr": arr_column, "renewal": renewal_column})
    columns = infer_attributes(table, exclude=(id_column, name_column, owner_column))
    for name in columns:
        check_attribute_name(name, f'{label}, column "{name}"')
    types = {name: col.type for name, col in columns.items()}
    _check_types(workspace, label, types, columns)
    report(0, total=len(ids), message="saving customers")
    with transaction.atomic():
        created, updated = _save(workspace, ids, cust_names, columns, types, report)
        _save_account_values(workspace, ids, account)
        if dry_run:  # every check ran; keep nothing
            transaction.set_rollback(True)
    return {"rows": len(ids), "created": created, "updated": updated, "attributes": types}


def _check_ids(label, ids, column) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(ids):
        row = i + 2  # spreadsheet rows: the header is row 1
        value = "" if raw is None else str(raw).strip()
        if not value:
            raise ValidationError(f'{label}, row {row}, column "{column}": the customer id is blank')
        if value in seen:
            raise ValidationError(
                f'{label}, row {row}, column "{column}": customer id {value!r} repeats row {seen[value]}'
            )
        seen[value] = row
        out.append(value)
    return out


def _check_types(workspace, label, types, columns) -> None:
    known = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    for name, new in types.items():
        old = known.get(name)
        if old and old != new and columns[name].values.null_count < len(columns[name].values):
            raise ValidationError(
                f'{label}, column "{name}": the workspace keeps {name!r} as {old}, '
                f"but this file's values read as {new}"
            )


def _save(workspace, ids, names, columns, types, report) -> tuple[int, int]:
    """Stage the rows in a temporary table, then update the known customers and insert the
    new ones with one set-based statement each: no list of ids in any statement, and no
    Python object per stored row (bulk_create/bulk_update compile SQL per object and take
    minutes at a million rows). Runs inside the caller's transaction."""
    for name, type_ in types.items():
        Attribute.objects.get_or_create(workspace=workspace, name=name, defaults={"type": type_})
    with connection.cursor() as cursor:
        _stage(cursor, ids, names, columns, report)
        _merge_known(cursor, workspace)
        created = _insert_new(cursor, workspace)
        cursor.execute(f"DROP TABLE {STAGE}")
    report(len(ids), message="done")
    return created, len(ids) - created


STAGE = "becoming_import_customers"
SLICE = 50_000  # rows turned into Python objects at a time: bounds the import's memory


def _stage(cursor, ids, names, columns, report) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (position INTEGER, "
                   "external_id VARCHAR(200), name VARCHAR(300), attributes TEXT)")
    for start in range(0, len(ids), SLICE):
        part = ids[start:start + SLICE]
        # Compact, as SQLite's json_patch writes it, so an unchanged row compares equal.
        attrs = (json.dumps(a, separators=(",", ":"))
                 for a in _attribute_rows(columns, start, len(part)))
        rows = zip(range(start, start + len(part)), part,
                   names.slice(start, SLICE).to_pylist(), attrs)
        _copy(cursor, rows)
        report(start + len(part))
    cursor.execute(f"ANALYZE {STAGE}")  # row counts, so the joins below are planned well


def _attribute_rows(columns, start: int, count: int) -> list[dict]:
    """Attributes of the ``count`` rows from ``start`` (missing values left out)."""
    values = {name: _json_values(col.values.slice(start, count)) for name, col in columns.items()}
    return [{name: v[i] for name, v in values.items() if v[i] is not None} for i in range(count)]


def _json_values(values: pa.Array) -> list:
    # Dates as ISO text, converted by Arrow in one go rather than value by value.
    if pa.types.is_date(values.type):
        values = values.cast(pa.string())
    return values.to_pylist()


def _copy(cursor, rows) -> None:
    if connection.vendor == "postgresql":  # COPY: the fastest way in, by far
        with cursor.cursor.copy(f"COPY {STAGE} (position, external_id, name, attributes) "
                                "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", list(rows))


def _merge_known(cursor, workspace) -> None:
    """Customers already in the workspace: new attribute values win, others are kept; a
    blank name keeps the old one. Rows that would not change are not rewritten."""
    merged = ("c.attributes || " + _cast("t.attributes") if connection.vendor == "postgresql"
              else "json_patch(c.attributes, t.attributes)")  # both: top-level merge
    name = "COALESCE(NULLIF(t.name, ''), c.name)"
    now = Customer._meta.get_field("updated").get_db_prep_save(timezone.now(), connection)
    cursor.execute(
        f"UPDATE {_quote(Customer._meta.db_table)} AS c SET name = {name}, attributes = {merged}, "
        f"updated = {_placeholder('updated')} FROM {STAGE} AS t WHERE c.workspace_id = %s "
        f"AND c.external_id = t.external_id AND (c.name <> {name} OR c.attributes <> {merged})",
        [now, workspace.pk])


def _insert_new(cursor, workspace) -> int:
    """The other rows become customers, with the model's defaults, in file order; returns
    how many."""
    now = timezone.now()
    defaults = Customer(workspace=workspace, created=now, updated=now)
    taken = {"external_id": "t.external_id", "name": "COALESCE(t.name, '')",
             "attributes": _cast("t.attributes")}
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    exprs = [taken.get(f.attname) or _placeholder(f.attname) for f in fields]
    params = [f.get_db_prep_save(getattr(defaults, f.attname), connection)
              for f in fields if f.attname not in taken]
    table = _quote(Customer._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(_quote(f.column or f.attname) for f in fields)}) "
        f"SELECT {', '.join(exprs)} FROM {STAGE} AS t WHERE NOT EXISTS (SELECT 1 FROM {table} "
        "AS c WHERE c.workspace_id = %s AND c.external_id = t.external_id) ORDER BY t.position",
        [*params, workspace.pk])
    return cursor.rowcount


def _placeholder(attname: str) -> str:
    # PostgreSQL types a bare parameter in a SELECT list as text; say what the column wants.
    if connection.vendor != "postgresql":
        return "%s"
    return f"CAST(%s AS {Customer._meta.get_field(attname).db_type(connection)})"


def _cast(expr: str) -> str:
    return f"CAST({expr} AS jsonb)" if connection.vendor == "postgresql" else expr


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def import_customers_job(job, progress, path, **options):
    return import_customers(job.workspace, path, progress=progress, **options)


def _account_values(workspace, label: str, table, columns: dict) -> dict[str, list]:
    """The account fields mapped from the file's columns, one value per row, checked: a bad
    value fails the import naming its row and column. ``columns`` maps owner, status, churn,
    arr and renewal to a column name (or None)."""
    out: dict[str, list] = {}
    emails: dict[str, object] = {}
    parsers = {"status": parse_status, "churn": parse_churn, "arr": parse_arr,
               "renewal": parse_day}
    for field_, col in columns.items():
        if not col:
            continue
        if col not in table.column_names:
            raise ValidationError(f"{label}: no column {col!r} for the account {field_}; "
                                  f"columns are: {', '.join(table.column_names)}")
        values = []
        for i, raw in enumerate(table.column(col).to_pylist()):
            where = f'{label}, row {i + 2}, column "{col}"'
            if field_ == "owner":
                email = str(raw or "").strip().lower()
                if email and email not in emails:
                    emails[email] = workspace_member(workspace, email, where)
                values.append(emails[email] if email else None)
            elif field_ == "status" and (raw is None or str(raw).strip() == ""):
                values.append(None)  # blank: leave the status as it is
            else:
                values.append(parsers[field_](raw, where))
        out[field_] = values
    return out


def _save_account_values(workspace, ids: list[str], values: dict[str, list]) -> None:
    """Write the mapped account fields of an import's rows (inside its transaction). A churn
    flag that says yes makes the customer churned; no leaves the status column (or the
    stored status) to decide."""
    if not values:
        return
    from ..lookup import customer_pks

    pks = customer_pks(workspace, ids)
    names = {"owner": "owner", "arr": "arr", "renewal": "renewal_date", "status": "status"}
    rows: list[tuple[Customer, tuple[str, ...]]] = []
    for i, external_id in enumerate(ids):
        row = Customer(pk=pks[external_id])
        fields: list[str] = []
        for key, column in names.items():
            if key in values and not (key == "status" and values[key][i] is None):
                setattr(row, column, values[key][i])
                fields.append(column)
        if values.get("churn", [False] * len(ids))[i]:
            row.status = Customer.Status.CHURNED
            fields.append("status")
        rows.append((row, tuple(sorted(set(fields)))))
    by_fields: dict[tuple[str, ...], list[Customer]] = {}
    for row, names_ in rows:
        if names_:
            by_fields.setdefault(names_, []).append(row)
    for names_, group in by_fields.items():
        Customer.objects.bulk_update(group, list(names_), batch_size=BATCH)
