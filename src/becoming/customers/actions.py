"""Customers in: file imports and single upserts, with attribute types inferred from the data.

File imports of any size: rows are saved in slices (bounded memory: a slice's rows become
Python objects, the file stays in Arrow), every statement stays under the database's
parameter limit (see customers/lookup.py), and the whole import is one transaction.
"""

import datetime as dt
import json
import re

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from becoming.tabular.infer import convert_value, infer_attributes
from becoming.tabular.read import TabularError, read_table, require_plain

from .models import Attribute, AttributeType, Contact, Customer

ID_GUESSES = re.compile(r"^(customer[ _-]?id|external[ _-]?id|account[ _-]?id|id)$", re.IGNORECASE)
NAME_GUESSES = re.compile(r"^(name|customer[ _-]?name|account[ _-]?name|company)$", re.IGNORECASE)
BATCH = 2000


def guess_column(names: list[str], pattern: re.Pattern) -> str | None:
    return next((n for n in names if pattern.match(n.strip())), None)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def import_customers(workspace, path, id_column=None, name_column=None, progress=None,
                     file_name=None, dry_run=False) -> dict:
    """Create or update customers from a file; all rows land or none do.

    Columns other than id and name become attributes named exactly as their headers.
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
    columns = infer_attributes(table, exclude=(id_column, name_column))
    for name in columns:
        check_attribute_name(name, f'{label}, column "{name}"')
    types = {name: col.type for name, col in columns.items()}
    _check_types(workspace, label, types, columns)
    report(0, total=len(ids), message="saving customers")
    with transaction.atomic():
        created, updated = _save(workspace, ids, cust_names, columns, types, report)
        if dry_run:  # every check ran; keep nothing
            transaction.set_rollback(True)
    return {"rows": len(ids), "created": created, "updated": updated, "attributes": types}


NAME_MAX: int = Attribute._meta.get_field("name").max_length or 200


def check_attribute_name(name, where: str) -> None:
    """Refuse a name no criterion, filter or DuckDB column could use: blank or too long."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{where}: an attribute needs a name that is not blank")
    if len(name) > NAME_MAX:
        raise ValidationError(f"{where}: an attribute name has at most {NAME_MAX} characters")


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


@transaction.atomic
def upsert_customer(workspace, external_id: str, name: str | None = None,
                    attributes: dict | None = None, kind: str | None = None) -> tuple[Customer, bool]:
    """Create or update one customer by external id; attribute values are checked against types.

    ``kind`` (company or person) changes only when given.
    """
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationError("external_id: must not be blank")
    clean = {}
    known = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    for key, raw in (attributes or {}).items():
        check_attribute_name(key, f"attributes[{key!r}]")
        type_ = known.get(key) or _type_of(raw)
        try:
            value = convert_value(type_, raw)
        except ValueError as exc:
            raise ValidationError(f"attributes.{key}: {exc}") from None
        if key not in known:
            # Not create(): a concurrent request may be adding the same new attribute.
            Attribute.objects.get_or_create(workspace=workspace, name=key, defaults={"type": type_})
            known[key] = type_
        clean[key] = _json_value(value)
    customer, created = Customer.objects.get_or_create(workspace=workspace, external_id=external_id)
    customer.attributes = {**customer.attributes, **clean}
    customer.attributes = {k: v for k, v in customer.attributes.items() if v is not None}
    if name is not None:
        customer.name = name
    if kind:
        if kind not in Customer.Kind.values:
            raise ValidationError(f"kind: one of {', '.join(Customer.Kind.values)}, not {kind!r}")
        customer.kind = kind
    customer.save()
    return customer, created


def _type_of(raw) -> str:
    if isinstance(raw, bool):
        return AttributeType.BOOLEAN
    if isinstance(raw, (int, float)):
        return AttributeType.NUMBER
    return AttributeType.TEXT


def rename_attribute(workspace, old: str, new: str) -> int:
    """Rename attribute ``old`` to ``new`` on the Attribute row and in every customer's JSON.

    All or nothing; returns how many customers held a value. Refuses an unknown ``old`` and a
    ``new`` that is blank or already taken (ignoring case: DuckDB, which runs assessments,
    does not tell ``Plan`` from ``plan``).
    """
    check_attribute_name(new, f"attribute {new!r}")
    with transaction.atomic():
        attribute = _locked_attribute(workspace, old)
        if new == old:
            return 0
        taken = (Attribute.objects.filter(workspace=workspace, name__iexact=new)
                 .exclude(pk=attribute.pk).values_list("name", flat=True).first())
        if taken is not None:
            raise ValidationError(f"attribute {old!r} cannot be renamed to {new!r}: "
                                  f"the workspace already has an attribute {taken!r}")
        attribute.name = new
        attribute.save(update_fields=["name"])
        return _rewrite_attributes(workspace, old, lambda attrs: _renamed(attrs, old, new))


def drop_attribute(workspace, name: str) -> int:
    """Delete attribute ``name`` and its value from every customer; all or nothing.

    Returns how many customers held a value. Refuses an unknown name.
    """
    with transaction.atomic():
        _locked_attribute(workspace, name).delete()
        return _rewrite_attributes(workspace, name, lambda attrs: _without(attrs, name))


def _locked_attribute(workspace, name: str) -> Attribute:
    # Row lock (PostgreSQL) so two renames of one attribute cannot interleave.
    attribute = Attribute.objects.select_for_update().filter(workspace=workspace, name=name).first()
    if attribute is None:
        raise ValidationError(f"attribute {name!r}: no such attribute in this workspace")
    return attribute


def _renamed(attrs: dict, old: str, new: str) -> dict:
    return {(new if key == old else key): value for key, value in attrs.items()}


def _without(attrs: dict, key: str) -> dict:
    return {k: value for k, value in attrs.items() if k != key}


def _rewrite_attributes(workspace, key: str, change) -> int:
    """Apply ``change`` to the attributes of every customer holding ``key``, BATCH at a time.

    Walks primary keys in order (keyset pagination) so memory stays bounded whatever the
    workspace size. Filtering on the key in Python, not with ``has_key``, keeps one code
    path for both databases and for odd keys (a blank legacy name, quotes, dots).
    """
    qs = Customer.objects.filter(workspace=workspace).order_by("pk")
    last, changed = 0, 0
    while batch := list(qs.filter(pk__gt=last).values_list("pk", "attributes")[:BATCH]):
        last = batch[-1][0]
        rows = [Customer(pk=pk, attributes=change(attrs)) for pk, attrs in batch if key in attrs]
        Customer.objects.bulk_update(rows, ["attributes"], batch_size=BATCH)
        changed += len(rows)
    return changed


DUCKDB_TYPES = {"text": "VARCHAR", "number": "DOUBLE", "date": "DATE", "boolean": "BOOLEAN"}


def engine_customers(workspace) -> pa.Table:
    """Customers as the engine reads them: customer_id and one typed column per attribute.

    The attributes JSON is read raw and typed by DuckDB: with 100,000 customers, decoding it
    row by row in Python would cost more than the assessment itself.
    """
    import duckdb
    from django.db import connection
    from sqlglot import exp

    attrs = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, CAST(attributes AS TEXT) FROM {Customer._meta.db_table} "
                       "WHERE workspace_id = %s", [workspace.pk])
        rows = cursor.fetchall()
    raw = pa.table({"id": pa.array([r[0] for r in rows], pa.int64()),
                    "attributes": pa.array([r[1] for r in rows], pa.string())})
    columns = [exp.alias_(exp.column("id"), "customer_id")]
    for name, type_ in attrs.items():
        if not name.strip():  # legacy data from before names were checked: no criterion can use it
            continue
        # ensure_ascii=False: DuckDB does not decode \uXXXX in a JSON path, so "é" must stay "é".
        path = exp.Literal.string("$." + json.dumps(name, ensure_ascii=False))
        value = exp.func("json_extract_string", exp.column("attributes"), path)
        columns.append(exp.alias_(exp.TryCast(this=value, to=exp.DataType.build(DUCKDB_TYPES[type_])), name, quoted=True))
    con = duckdb.connect()
    con.register("raw", raw)
    return con.sql(exp.select(*columns).from_("raw").sql("duckdb")).to_arrow_table()


def search_customers(workspace, q: str = ""):
    """Customers whose name or external id contains ``q`` (all of them when blank)."""
    qs = Customer.objects.filter(workspace=workspace)
    q = (q or "").strip()
    return qs.filter(Q(name__icontains=q) | Q(external_id__icontains=q)) if q else qs


def typed(value: str, type_: str):
    """A filter value from a query string as it is stored in the attributes JSON."""
    if type_ == "number":
        try:
            return float(value)
        except ValueError:
            return None
    if type_ == "boolean":
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value


def filter_customers(workspace, params, dimensions) -> tuple:
    """The customer list's one filter (pages and API): returns (queryset, active filters).

    ``params`` is a mapping: ``q``, ``stage_<dimension key>`` (a stage index), and ``attr``
    with ``value`` (an attribute equal to a value, typed like the attribute).
    """
    q = params.get("q", "").strip()
    qs = search_customers(workspace, q)
    active = {"q": q} if q else {}
    for dim in dimensions:
        raw = params.get(f"stage_{dim.key}", "")
        if raw.isdigit():
            qs = qs.filter(**{f"stages__{dim.key}": int(raw)})
            active[f"stage_{dim.key}"] = raw
    attributes = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    name, value = params.get("attr", ""), params.get("value", "")
    if name in attributes and value != "":
        wanted = typed(value, attributes[name])
        # KeyTransform, not attributes__<name>: a header may hold "__" or spaces.
        qs = qs.alias(_attr=KeyTransform(name, "attributes")).filter(_attr=wanted)
        active.update(attr=name, value=value)
    return qs, active


def sort_customers(qs, sort: str, dimensions) -> tuple:
    """Order by name, index or a dimension's stage (``-`` for descending); (queryset, sort)."""
    keys = {d.key for d in dimensions}
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    expr: F | KeyTransform
    if field == "index":
        expr = F("index")
    elif field.startswith("stage_") and field[6:] in keys:
        expr = KeyTransform(field[6:], "stages")
    else:
        return qs.order_by("-name" if desc else "name", "id"), ("-name" if desc else "name")
    order = expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True)
    return qs.order_by(order, "id"), sort


@transaction.atomic
def delete_customer(customer: Customer) -> None:
    """Delete a customer, their contacts and their signals.

    The row goes first inside the transaction, the signals last: if deleting signals fails
    the row comes back, and signals of a deleted customer are never read (every read joins
    on customers).
    """
    from becoming.signals.actions import store_for

    pk, workspace = customer.pk, customer.workspace
    customer.delete()
    store_for(workspace).delete_customers([pk])


def add_contact(customer: Customer, name: str = "", email: str = "", title: str = "") -> Contact:
    return customer.contacts.create(workspace=customer.workspace, name=name, email=email, title=title)


def remove_contact(contact: Contact) -> None:
    contact.delete()
