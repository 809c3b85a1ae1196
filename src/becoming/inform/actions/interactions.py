"""Reading: who viewed, clicked, downloaded, registered for or attended which item.

Every interaction is a row of ``Interaction`` and a signal ``inform.<type>`` of the reader's
customer (with the item and the contact in its properties), under one key: the signal's
event id, which follows the house rule of identity (an id column is the event; without one,
content and occurrence, so two identical rows are two readings and the same file imported
again adds nothing).

Commit order (as in ``becoming.signals.actions``): customers named by the file are created
first when asked (their own commit), then the interaction rows commit (one transaction),
then the signals go to the Delta store last. A crash after the rows and before the signals
leaves readings the store lacks; importing the file again finds the rows (same keys, kept)
and appends only the missing signals, and :func:`send_signals` restores them for a
workspace at any time. Call these functions outside ``transaction.atomic()``.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from becoming.customers.models import Contact, Customer
from becoming.signals.actions import CustomerIds, _append, crash_point
from becoming.tabular.events import SIGNAL_SCHEMA, prepare_events
from becoming.tabular.read import TabularError, read_table, require_plain, row_position

from ..models import ContactKey, Interaction, Item

TYPES = tuple(Interaction.Type.values)
BATCH = 5000
CHUNK = 900  # below SQLite's 999 parameters


def signal_type(kind: str) -> str:
    return f"inform.{kind}"


def _where(name: str, label: str, first: int, index: int, column: str) -> str:
    return f'{name}, {label} {first + index}, column "{column}"'


def _text_column(table: pa.Table, column: str, name: str) -> pa.Array:
    if column not in table.column_names:
        available = ", ".join(f'"{c}"' for c in table.column_names)
        raise ValidationError(f'{name}: no column "{column}"; available columns: {available}')
    try:
        require_plain(table, column, name)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return pc.utf8_trim_whitespace(pc.cast(table.column(column).combine_chunks(), pa.string()))


def _first_null(values: pa.Array) -> int | None:
    mask = np.asarray(pc.fill_null(pc.or_(pc.is_null(values), pc.equal(values, "")), True))
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def contact_keys(workspace, keys: list[str]) -> dict[str, tuple[int, int]]:
    """Contacts named in files: by their file key (ContactKey), else their email (any case),
    else their number. Returns key → (contact pk, customer pk)."""
    found: dict[str, tuple[int, int]] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        for key, pk, customer in (ContactKey.objects.filter(workspace=workspace, key__in=part)
                                  .values_list("key", "contact_id", "contact__customer_id")):
            found[key] = (pk, customer)
    rest = [k for k in wanted if k not in found]
    lowered = {k.lower(): k for k in rest}
    for start in range(0, len(rest), CHUNK):
        part = [k.lower() for k in rest[start:start + CHUNK]]
        for email, pk, customer in (Contact.objects.filter(workspace=workspace, email__in=part)
                                    .values_list("email", "id", "customer_id")):
            if email.lower() in lowered:
                found.setdefault(lowered[email.lower()], (pk, customer))
    numbers = [k for k in rest if k.isdigit() and k not in found]
    for start in range(0, len(numbers), CHUNK):
        for pk, customer in (Contact.objects.filter(workspace=workspace, pk__in=numbers[start:start + CHUNK])
                             .values_list("id", "customer_id")):
            found[str(pk)] = (pk, customer)
    return found


def item_pks(workspace, external_ids) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        found.update(Item.objects.filter(workspace=workspace, external_id__in=wanted[start:start + CHUNK])
                     .values_list("external_id", "id"))
    return found


def import_interactions(workspace, path, *, customer_column: str, item_column: str,
                        contact_column: str | None = None, type_column: str | None = None,
                        type: str | None = None, time_column: str | None = None,
                        time_format: str | None = None, value_column: str | None = None,
                        id_column: str | None = None, create_customers: bool = False,
                        file_name: str | None = None, dry_run: bool = False, progress=None) -> dict:
    """Read, check and store a file of readings: all of it lands or none of it does.

    Unknown items, readers (customers, unless ``create_customers``; contacts) and types,
    missing values and unparseable times are errors naming the file, the row and the column.
    Without a time column every row is read now.
    """
    name = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return import_table(workspace, table, name=name, customer_column=customer_column,
                        item_column=item_column, contact_column=contact_column,
                        type_column=type_column, type=type, time_column=time_column,
                        time_format=time_format, value_column=value_column, id_column=id_column,
                        create_customers=create_customers, dry_run=dry_run, progress=progress)


def import_table(workspace, table: pa.Table, *, name: str, customer_column: str, item_column: str,
                 contact_column: str | None = None, type_column: str | None = None,
                 type: str | None = None, time_column: str | None = None,
                 time_format: str | None = None, value_column: str | None = None,
                 id_column: str | None = None, create_customers: bool = False,
                 dry_run: bool = False, progress=None, source: str = "import") -> dict:
    report = progress or (lambda *a, **k: None)
    if bool(type_column) == bool(type):
        raise ValidationError("name the interaction type: a type column or one type for every row "
                              f"({', '.join(TYPES)})")
    if type and type not in TYPES:
        raise ValidationError(f"unknown type {type!r}; types are {', '.join(TYPES)}")
    label, first = row_position(table)
    n = table.num_rows
    report(0, total=n, message="checking rows")
    # The item, first: an unknown one fails before anything else is looked up.
    items_raw = _text_column(table, item_column, name)
    missing = _first_null(items_raw)
    if missing is not None:
        raise ValidationError(f"{_where(name, label, first, missing, item_column)}: the item id is missing")
    known_items = item_pks(workspace, pc.unique(items_raw).to_pylist())
    item_ids = pc.index_in(items_raw, pa.array(list(known_items), pa.string()))
    bad = _first_null(pc.cast(item_ids, pa.string()))
    if bad is not None:
        unknown = len(set(pc.unique(items_raw).to_pylist()) - set(known_items))
        more = f" ({unknown} unknown items in total)" if unknown > 1 else ""
        raise ValidationError(f"{_where(name, label, first, bad, item_column)}: unknown item "
                              f"{items_raw[bad].as_py()!r}{more}; import the content first")
    item_pk = np.asarray(list(known_items.values()), dtype=np.int64)[np.asarray(item_ids)]
    # The type.
    if type_column:
        raw_types = pc.utf8_lower(_text_column(table, type_column, name))
        present = set(pc.unique(raw_types).to_pylist())
        wrong = present - set(TYPES)
        if wrong:
            idx = next(i for i, v in enumerate(raw_types.to_pylist()) if v not in TYPES)
            raise ValidationError(f"{_where(name, label, first, idx, type_column)}: unknown type "
                                  f"{raw_types[idx].as_py()!r}; types are {', '.join(TYPES)}")
        types = raw_types
    else:
        types = pa.array([type] * n, pa.string())
    # The contact.
    contact_pk = np.full(n, -1, dtype=np.int64)
    if contact_column:
        raw_contacts = _text_column(table, contact_column, name)
        values = raw_contacts.to_pylist()
        keys = contact_keys(workspace, [v for v in values if v])
        for i, v in enumerate(values):
            if not v:
                continue
            if v not in keys:
                raise ValidationError(f"{_where(name, label, first, i, contact_column)}: unknown contact "
                                      f"{v!r}; import the contacts first")
            contact_pk[i] = keys[v][0]
        owners = dict(Customer.objects.filter(pk__in={c for _, c in keys.values()})
                      .values_list("pk", "external_id"))
        owner_of = {pk: owners.get(customer) for pk, customer in keys.values()}
        row_customers = _text_column(table, customer_column, name).to_pylist() \
            if customer_column in table.column_names else [None] * n
        for i, c in enumerate(contact_pk):
            if c >= 0 and row_customers[i] and owner_of.get(int(c)) != row_customers[i]:
                raise ValidationError(f"{_where(name, label, first, i, contact_column)}: the contact "
                                      f"{values[i]!r} is not a contact of customer {row_customers[i]!r}")
    # A derived table for the signal store: the customer column as in the file (so its
    # errors name it), the type, time and value, and the item and contact as properties.
    if customer_column not in table.column_names:
        available = ", ".join(f'"{c}"' for c in table.column_names)
        raise ValidationError(f'{name}: no column "{customer_column}"; available columns: {available}')
    columns: dict[str, pa.Array] = {customer_column: table.column(customer_column).combine_chunks()}
    columns["__type"] = pc.binary_join_element_wise("inform.", types, "")
    now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    if time_column:
        if time_column not in table.column_names:
            available = ", ".join(f'"{c}"' for c in table.column_names)
            raise ValidationError(f'{name}: no column "{time_column}"; available columns: {available}')
        columns[time_column] = table.column(time_column).combine_chunks()
    else:
        columns["__time"] = pa.array([now] * n, pa.timestamp("us"))
    if value_column:
        columns[value_column] = table.column(value_column).combine_chunks()
    if id_column:
        columns[id_column] = table.column(id_column).combine_chunks()
    columns["item"] = items_raw
    if contact_column:
        columns["contact"] = pa.array([str(c) if c >= 0 else None for c in contact_pk], pa.string())
    derived = pa.table(columns).replace_schema_metadata(table.schema.metadata)
    ids = CustomerIds(workspace, create=create_customers, dry_run=dry_run)
    try:
        events = prepare_events(derived, file_name=name, customer_column=customer_column,
                                type_column="__type", time_column=time_column or "__time",
                                time_format=time_format, value_column=value_column,
                                id_column=id_column, customer_ids=ids)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    type_list = types.to_pylist()
    if id_column and events.num_rows < n:  # repeated ids: the first row of each is the event
        _, first_rows = np.unique(np.asarray(_text_column(table, id_column, name).to_pylist(), dtype=object),
                                  return_index=True)
        keep = np.sort(first_rows)
        item_pk, contact_pk = item_pk[keep], contact_pk[keep]
        type_list = [type_list[i] for i in keep]
    result = {"rows": n, "added": 0, "duplicates": 0, "customers_created": ids.created}
    if dry_run:
        result["added"] = n
        return result
    report(0, message="saving readings")
    added = save_interactions(workspace, events, item_pk, contact_pk, type_list, source, report)
    result.update(added=added, duplicates=n - added)
    report(n, total=n, message="done")
    return result


def save_interactions(workspace, events: pa.Table, item_pk: np.ndarray, contact_pk: np.ndarray,
                      types: list[str], source: str, report=None) -> int:
    """Rows first (keyed by the event id, a repeat kept once), signals last; returns how many
    rows were new. ``events`` is a prepared signal table aligned with the other arguments
    (an id column may have dropped repeats: rows are matched by event id)."""
    keys = events.column("event_id").to_pylist()
    customers = events.column("customer_id").to_pylist()
    times = events.column("time").to_pylist()
    values = events.column("value").to_pylist()
    with transaction.atomic():
        existing: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            existing.update(Interaction.objects.filter(workspace=workspace, key__in=keys[start:start + CHUNK])
                            .values_list("key", flat=True))
        rows, seen = [], set()
        for i, key in enumerate(keys):
            if key in existing or key in seen:
                continue
            seen.add(key)
            rows.append(Interaction(
                workspace=workspace, item_id=int(item_pk[i]), customer_id=customers[i],
                contact_id=int(contact_pk[i]) if contact_pk[i] >= 0 else None, type=types[i],
                time=times[i].replace(tzinfo=dt.UTC), value=values[i], key=key, source=source))
        for start in range(0, len(rows), BATCH):
            Interaction.objects.bulk_create(rows[start:start + BATCH])
            if report:
                report(start, message="saving readings")
    crash_point("inform-rows-committed")
    _append(workspace, events.cast(SIGNAL_SCHEMA))
    return len(rows)


def record(workspace, item: Item, customer: Customer, kind: str, *, contact: Contact | None = None,
           time: dt.datetime | None = None, value: float | None = None, key: str = "",
           source: str = "app") -> Interaction | None:
    """One reading (a tracked link followed, a registration, an attendance marked); with
    ``key`` a repeat is a no-op (None returned). Row first, signal last."""
    if kind not in TYPES:
        raise ValidationError(f"type: one of {', '.join(TYPES)}")
    if item.workspace_id != workspace.pk or customer.workspace_id != workspace.pk:
        raise ValidationError("not in this workspace")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError("contact: not a contact of this customer")
    time = time or timezone.now()
    key = key or f"{source}-{item.pk}-{customer.pk}-{contact.pk if contact else 0}-{kind}-{time.timestamp()}"
    with transaction.atomic():
        if Interaction.objects.filter(workspace=workspace, key=key).exists():
            return None
        interaction = Interaction.objects.create(workspace=workspace, item=item, customer=customer,
                                                 contact=contact, type=kind, time=time, value=value,
                                                 key=key, source=source)
    _append(workspace, _signal_rows([interaction]))
    return interaction


def _signal_rows(interactions: list[Interaction]) -> pa.Table:
    props = []
    for i in interactions:
        p = {"item": i.item.external_id}
        if i.contact_id:
            p["contact"] = str(i.contact_id)
        props.append(json.dumps(p, sort_keys=True))
    return pa.table({
        "event_id": pa.array([i.key for i in interactions], pa.string()),
        "customer_id": pa.array([i.customer_id for i in interactions], pa.int64()),
        "kind": pa.array(["event"] * len(interactions), pa.string()),
        "type": pa.array([signal_type(i.type) for i in interactions], pa.string()),
        "time": pa.array([i.time.astimezone(dt.UTC).replace(tzinfo=None) for i in interactions],
                         pa.timestamp("us")),
        "value": pa.array([i.value for i in interactions], pa.float64()),
        "properties": pa.array(props, pa.string()),
    }, schema=SIGNAL_SCHEMA)


def send_signals(workspace) -> int:
    """Append the signal of every interaction the store lacks (the store skips known ids);
    returns how many it added."""
    added = 0
    qs = Interaction.objects.filter(workspace=workspace).select_related("item").order_by("id")
    batch: list[Interaction] = []
    for interaction in qs.iterator(chunk_size=BATCH):
        batch.append(interaction)
        if len(batch) >= BATCH:
            added += _append(workspace, _signal_rows(batch))
            batch = []
    if batch:
        added += _append(workspace, _signal_rows(batch))
    return added


def import_interactions_job(job, progress, path, **options) -> dict:
    return import_interactions(job.workspace, path, progress=progress, **options)


def reader_history(workspace, customer, contact=None, limit: int = 20):
    qs = Interaction.objects.filter(workspace=workspace, customer=customer).select_related("item")
    if contact is not None:
        qs = qs.filter(Q(contact=contact) | Q(contact__isnull=True))
    return qs.order_by("-time", "-id")[:limit]
