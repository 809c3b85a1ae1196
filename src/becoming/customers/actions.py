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
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from becoming.tabular.infer import convert_value, infer_attributes
from becoming.tabular.read import TabularError, read_table, require_plain

from .models import Attribute, AttributeType, Contact, Customer, CustomerStage

ID_GUESSES = re.compile(r"^(customer[ _-]?id|external[ _-]?id|account[ _-]?id|id)$", re.IGNORECASE)
NAME_GUESSES = re.compile(r"^(name|customer[ _-]?name|account[ _-]?name|company)$", re.IGNORECASE)
BATCH = 2000


def guess_column(names: list[str], pattern: re.Pattern) -> str | None:
    return next((n for n in names if pattern.match(n.strip())), None)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


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


def filter_customers(workspace, params, dimensions, user=None) -> tuple:
    """The customer list's one filter (pages and API): returns (queryset, active filters).

    ``params`` is a mapping: ``q``, ``stage_<dimension key>`` (a stage index), ``attr``
    with ``value`` (an attribute equal to a value, typed like the attribute), ``owner``
    (``me`` for ``user``'s accounts, ``none`` for accounts without an owner, or a member's
    email) and ``status`` (trial, active or churned).
    """
    q = params.get("q", "").strip()
    qs = search_customers(workspace, q)
    active = {"q": q} if q else {}
    owner = params.get("owner", "").strip()
    if owner == "me" and user is not None:
        qs, active["owner"] = qs.filter(owner=user), owner
    elif owner == "none":
        qs, active["owner"] = qs.filter(owner__isnull=True), owner
    elif "@" in owner:
        qs, active["owner"] = qs.filter(owner__email__iexact=owner), owner
    status = params.get("status", "").strip().lower()
    if status in Customer.Status.values:
        qs, active["status"] = qs.filter(status=status), status
    for dim in dimensions:
        raw = params.get(f"stage_{dim.key}", "")
        if raw.isdigit():
            # The stage rows' index, probed per customer: never the JSON of every customer.
            qs = qs.filter(Exists(CustomerStage.objects.filter(
                customer=OuterRef("pk"), dimension=dim.key, stage_index=int(raw))))
            active[f"stage_{dim.key}"] = raw
    attributes = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    name, value = params.get("attr", ""), params.get("value", "")
    if name in attributes and value != "":
        wanted = typed(value, attributes[name])
        # KeyTransform, not attributes__<name>: a header may hold "__" or spaces.
        qs = qs.alias(_attr=KeyTransform(name, "attributes")).filter(_attr=wanted)
        active.update(attr=name, value=value)
    return qs, active


def list_customers(workspace, params, default_sort: str = "name", user=None) -> dict:
    """The customer list of the page and the API: search, filters and sort from ``params``
    (see :func:`filter_customers`; ``sort`` as in :func:`sort_customers`), with the current
    model's dimensions. Returns {"customers", "active", "sort", "dimensions"}."""
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    dimensions = model.dimensions if model else ()
    qs, active = filter_customers(workspace, params, dimensions, user=user)
    if not params.get("sort") and default_sort == "external_id":
        qs, sort = qs.order_by("external_id"), ""
    else:
        qs, sort = sort_customers(qs, params.get("sort") or default_sort, dimensions)
    return {"customers": qs, "active": active, "sort": sort, "dimensions": dimensions}


def sort_customers(qs, sort: str, dimensions) -> tuple:
    """Order by name, index, arr, renewal or a dimension's stage (``-`` for descending);
    returns (queryset, sort).

    By a stage, the result is a :class:`StageSorted` (customers with a stage on that
    dimension in stage order, then the others), which pages like a queryset.
    """
    keys = {d.key for d in dimensions}
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    columns = {"index": "index", "arr": "arr", "renewal": "renewal_date"}
    if field in columns:
        col = F(columns[field])
        order = col.desc(nulls_last=True) if desc else col.asc(nulls_last=True)
        return qs.order_by(order, "id"), sort
    if field.startswith("stage_") and field[6:] in keys:
        return StageSorted(qs, field[6:], desc), sort
    return qs.order_by("-name" if desc else "name", "id"), ("-name" if desc else "name")


class StageSorted:
    """Customers of ``qs`` ordered by their stage on ``dimension``, ties by id (both
    descending with ``desc``), then the customers without a stage on it (not assessed since
    they came, or since the dimension was added), by id.

    The first part walks the ``CustomerStage`` index in order (no sort of every customer);
    the second is read only by the pages past the first part. Offers what the list pages
    and Django's paginator use of a queryset: ``count()``, slices, iteration, ``only()``, ``select_related()``.
    """

    ordered = True  # for Paginator's check

    def __init__(self, qs, dimension: str, desc: bool):
        self.qs, self.dimension, self.desc = qs, dimension, desc
        staged = qs.filter(stage_rows__dimension=dimension,
                           stage_rows__workspace_id=F("workspace_id"))
        by = ("-stage_rows__stage_index", "-stage_rows__customer_id") if desc else \
            ("stage_rows__stage_index", "stage_rows__customer_id")
        self.staged = staged.order_by(*by)
        self.unstaged = qs.exclude(Exists(CustomerStage.objects.filter(
            customer=OuterRef("pk"), dimension=dimension))).order_by("-id" if desc else "id")

    def only(self, *fields) -> "StageSorted":
        copy = StageSorted.__new__(StageSorted)
        copy.__dict__.update(self.__dict__, staged=self.staged.only(*fields),
                             unstaged=self.unstaged.only(*fields), qs=self.qs.only(*fields))
        return copy

    def select_related(self, *fields) -> "StageSorted":
        copy = StageSorted.__new__(StageSorted)
        copy.__dict__.update(self.__dict__, staged=self.staged.select_related(*fields),
                             unstaged=self.unstaged.select_related(*fields),
                             qs=self.qs.select_related(*fields))
        return copy

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        yield from self.staged
        yield from self.unstaged

    def __getitem__(self, key):
        if isinstance(key, int):
            rows = self[key:key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        start, stop = key.start or 0, key.stop
        rows = list(self.staged[start:stop])
        if stop is not None and len(rows) == stop - start:
            return rows
        # The staged part ended inside (or before) this slice: how long was it?
        staged = start + len(rows) if rows else self.staged.count()
        tail = self.unstaged[max(0, start - staged):None if stop is None else stop - staged]
        return rows + list(tail)


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


# -- the account: owner, lifecycle status, ARR, renewal ----------------------------------------

UNSET = object()  # "leave as it is", as opposed to None ("clear it")
CHURN_TRUE = {"yes", "true", "1", "y", "churned"}
CHURN_FALSE = {"no", "false", "0", "n", ""}


def find_customer(workspace, external_id: str) -> Customer:
    """The workspace's customer with this external id; ValidationError when there is none."""
    found = Customer.objects.filter(workspace=workspace, external_id=external_id).first()
    if found is None:
        raise ValidationError(f"customer {external_id!r}: no such customer in this workspace")
    return found


def workspace_member(workspace, email: str, where: str = "owner"):
    """The user with this email among the workspace's members; ValidationError otherwise."""
    from becoming.workspaces.models import Membership

    email = (email or "").strip()
    membership = (Membership.objects.select_related("user")
                  .filter(workspace=workspace, user__email__iexact=email).first())
    if membership is None:
        raise ValidationError(f"{where}: {email!r} is not a member of this workspace")
    return membership.user


def members(workspace) -> list:
    """The workspace's members (users), by email: who can own an account."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(memberships__workspace=workspace)
                .order_by("email").only("id", "email", "first_name", "last_name"))


def parse_status(raw, where: str = "status") -> str:
    """A lifecycle status from text, case-insensitively (Trial, ACTIVE, churned)."""
    value = str(raw or "").strip().lower()
    if value not in Customer.Status.values:
        raise ValidationError(f"{where}: one of {', '.join(Customer.Status.values)}, not {raw!r}")
    return value


def parse_churn(raw, where: str = "churn") -> bool:
    """A churn flag: Yes/No, true/false, 1/0 (any case)."""
    value = str(raw if raw is not None else "").strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    if value in CHURN_TRUE:
        return True
    if value in CHURN_FALSE:
        return False
    raise ValidationError(f"{where}: Yes or No (true/false, 1/0), not {raw!r}")


def parse_arr(raw, where: str = "arr"):
    """Annual recurring revenue as a Decimal with cents; None for blank."""
    from decimal import Decimal, InvalidOperation

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(f"{where}: a number, not {raw!r}") from None
    if value < 0 or not value.is_finite() or value >= Decimal("1e12"):
        raise ValidationError(f"{where}: a number from 0 to 999,999,999,999, not {raw!r}")
    return value


def parse_day(raw, where: str = "renewal_date") -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise ValidationError(f"{where}: a date like 2026-01-31, not {raw!r}") from None


def set_account(customer: Customer, *, owner=UNSET, status=UNSET, arr=UNSET,
                renewal_date=UNSET) -> Customer:
    """Change what is given of the account: ``owner`` by email ("" or None clears it),
    ``status`` (trial, active, churned), ``arr`` (a number, None clears), ``renewal_date``
    (a date or ISO text, None clears). Checks everything before writing anything."""
    changed: dict = {}
    if owner is not UNSET:
        changed["owner"] = workspace_member(customer.workspace, owner) if owner else None
    if status is not UNSET:
        changed["status"] = parse_status(status)
    if arr is not UNSET:
        changed["arr"] = parse_arr(arr)
    if renewal_date is not UNSET:
        changed["renewal_date"] = parse_day(renewal_date)
    for name, value in changed.items():
        setattr(customer, name, value)
    if changed:
        customer.save(update_fields=[*changed, "updated"])
    return customer


@transaction.atomic
def update_customer(customer: Customer, name: str | None = None, attributes: dict | None = None,
                    kind: str | None = None, account: dict | None = None) -> Customer:
    """Change a customer's name, kind, attributes and account fields (see
    :func:`set_account`; ``account`` holds only the fields to change). All or nothing."""
    customer, _ = upsert_customer(customer.workspace, customer.external_id, name, attributes,
                                  kind=kind)
    return set_account(customer, **(account or {}))


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
    from .lookup import customer_pks

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
