"""Signals in and out of the workspace's columnar store."""

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction

from becoming.customers.models import Customer
from becoming.tabular.events import prepare_events
from becoming.tabular.read import TabularError, read_table
from becoming.tabular.store import SignalStore


def store_for(workspace) -> SignalStore:
    return SignalStore(str(workspace.data_dir / "signals"))


class CustomerIds:
    """Maps external customer ids to internal ones; optionally creates the unknown ones.

    Creation happens inside the caller's transaction, so a failed import leaves no customers.
    """

    def __init__(self, workspace, create: bool = False):
        self.workspace = workspace
        self.create = create
        self.known = dict(
            Customer.objects.filter(workspace=workspace).values_list("external_id", "id")
        )
        self.created = 0

    def __call__(self, external: pa.Array) -> pa.Array:
        values = external.to_pylist()
        if self.create:
            missing = sorted({v for v in values if v is not None and v not in self.known})
            if missing:
                Customer.objects.bulk_create(
                    [Customer(workspace=self.workspace, external_id=v, name="") for v in missing],
                    batch_size=2000,
                )
                self.known.update(
                    Customer.objects.filter(workspace=self.workspace, external_id__in=missing)
                    .values_list("external_id", "id")
                )
                self.created += len(missing)
        return pa.array([self.known.get(v) for v in values], type=pa.int64())


def import_events(workspace, path, *, progress=None, file_name=None, **options) -> dict:
    """Read, check and append a file of events: all of it lands or none of it does."""
    report = progress or (lambda *a, **k: None)
    report(0, message="reading the file")
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return import_table(workspace, table, file_name=file_name or str(path), progress=progress, **options)


def import_table(workspace, table, *, file_name, customer_column="customer_id", type_column=None,
                 type_value=None, time_column="time", time_format=None, value_column=None,
                 id_column=None, create_customers=False, kind="event", progress=None,
                 dry_run=False) -> dict:
    """Check and append an Arrow table of signals (see prepare_events for the columns)."""
    if not type_column and not type_value:
        raise ValidationError("name the event type: a type column or one type for every row")
    report = progress or (lambda *a, **k: None)
    report(0, total=table.num_rows, message="checking rows")
    try:
        with transaction.atomic():
            ids = CustomerIds(workspace, create=create_customers)
            events = prepare_events(
                table, file_name=file_name, customer_column=customer_column,
                type_column=type_column, type_value=type_value, time_column=time_column,
                time_format=time_format, value_column=value_column, id_column=id_column,
                customer_ids=ids, kind=kind,
            )
            if dry_run:  # every row was checked; keep nothing
                transaction.set_rollback(True)
                added = events.num_rows
            else:
                report(0, message="writing signals")
                added = store_for(workspace).append(events)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    report(table.num_rows, total=table.num_rows, message="done")
    return {"rows": table.num_rows, "added": added, "duplicates": table.num_rows - added,
            "customers_created": ids.created}


def import_events_job(job, progress, path, **options):
    return import_events(job.workspace, path, progress=progress, **options)


def ingest_batch(workspace, events: list[dict], create_customers: bool = False) -> dict:
    """Append events sent through the API (already typed); all of the batch lands or none.

    Each event is a product event (kind "event") or a survey answer (kind "answer").
    """
    ids_given = [bool(e.get("id")) for e in events]
    if any(ids_given) and not all(ids_given):
        raise ValidationError("events: give every event an id, or none")
    try:
        with transaction.atomic():
            ids = CustomerIds(workspace, create=create_customers)
            parts = [
                prepare_events(
                    _batch_table([e for e in events if (e.get("kind") or "event") == kind]),
                    file_name=f"{kind}s", customer_column="customer_id", type_column="type",
                    time_column="time", value_column="value",
                    id_column="id" if any(ids_given) else None, customer_ids=ids, kind=kind,
                )
                for kind in sorted({e.get("kind") or "event" for e in events})
            ]
            added = store_for(workspace).append(pa.concat_tables(parts)) if parts else 0
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return {"received": len(events), "added": added, "duplicates": len(events) - added,
            "customers_created": ids.created}


def _batch_table(events: list[dict]) -> pa.Table:
    import json

    table = pa.table({
        "customer_id": pa.array([e["customer_id"] for e in events], pa.string()),
        "type": pa.array([e["type"] for e in events], pa.string()),
        "time": pa.array([_utc_iso(e["time"]) for e in events], pa.string()),
        "value": pa.array([None if e.get("value") is None else repr(float(e["value"])) for e in events], pa.string()),
        "id": pa.array([e.get("id") for e in events], pa.string()),
    })
    # Properties become columns of their own, which prepare_events folds into one JSON object,
    # as it does for the extra columns of a file.
    keys = sorted({k for e in events for k in (e.get("properties") or {})} - set(table.column_names))
    for key in keys:
        values = [(e.get("properties") or {}).get(key) for e in events]
        table = table.append_column(key, pa.array(
            [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values], pa.string()))
    return table


def _utc_iso(moment) -> str:
    import datetime as dt

    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat()
