"""Signals in and out of the workspace's columnar store.

The order of commits, and why. An import may write to two stores that share no transaction:
the database (the customers it creates) and the Delta table (the signals). The database
commits first and the Delta table last; the Delta commit is the import's commit point.

1. Check every row. Nothing is written yet, so a bad row fails the import with no change.
2. Create the customers the rows name but the workspace lacks, in a transaction of their
   own that commits (crash point ``customers-committed``).
3. Append the signals, under the store's write lock; Delta commits atomically (crash point
   ``signals-committed``).

A crash before 2 leaves nothing. A crash between 2 and 3 leaves the new customers without
these events: real customers named by the file, found by external id on a retry, which then
adds the events and nothing else. A crash after 3 leaves everything. Signals never name a
customer id the database could still roll back: that was the old order (Delta committed
inside a database transaction), where a kill left signals pointing at customers that were
never created, whose ids were handed out again, so a retry stored every event anew.

So do not call these functions inside ``transaction.atomic()``: step 2 would only be a
savepoint, and the Delta commit would again come before the database's.
"""

import datetime as dt
import json
import os

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import transaction

from becoming.customers.lookup import chunks, customer_pk_array, customer_pks
from becoming.customers.models import Customer
from becoming.tabular.events import identical_kept, prepare_events
from becoming.tabular.read import TabularError, read_table
from becoming.tabular.store import SignalStore


def store_for(workspace) -> SignalStore:
    return SignalStore(str(workspace.data_dir / "signals"))


def crash_point(name: str) -> None:
    """Test hook for the commit order: with ``BECOMING_CRASH_AT=<name>`` the process dies
    here at once, as under ``kill -9`` (no cleanup, no rollback handlers)."""
    if os.environ.get("BECOMING_CRASH_AT") == name:
        os._exit(137)


class CustomerIds:
    """Maps external customer ids to internal ones for ``prepare_events``.

    With ``create``, unknown customers are created in a transaction of their own that
    commits at once (step 2 of the commit order); creating is idempotent, so a retry or a
    concurrent import finds them. With ``dry_run`` they are only counted (placeholder id -1).
    """

    def __init__(self, workspace, create: bool = False, dry_run: bool = False):
        self.workspace = workspace
        self.create = create
        self.dry_run = dry_run
        self.created = 0

    def __call__(self, external: pa.Array) -> pa.Array:
        found = customer_pk_array(self.workspace, external)
        if not found.null_count or not self.create:
            return found
        unknown = pc.and_(pc.is_null(found), pc.is_valid(external))
        missing = sorted(set(pc.filter(external, unknown).to_pylist()))
        if not missing:
            return found
        self.created = len(missing)
        added = dict.fromkeys(missing, -1) if self.dry_run else self._add(missing)
        fill = pc.take(pa.array([added.get(v) for v in missing], pa.int64()),
                       pc.index_in(external, value_set=pa.array(missing, pa.string())))
        return pc.coalesce(found, fill)

    def _add(self, missing: list[str]) -> dict[str, int]:
        with transaction.atomic():
            for part in chunks(missing):
                Customer.objects.bulk_create(
                    [Customer(workspace=self.workspace, external_id=v, name="") for v in part],
                    ignore_conflicts=True)  # another import may have just created some
        crash_point("customers-committed")
        return customer_pks(self.workspace, missing)


def _append(workspace, events: pa.Table) -> int:
    """Step 3 of the commit order: the Delta commit."""
    added = store_for(workspace).append(events)
    crash_point("signals-committed")
    return added


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
    """Check and append an Arrow table of signals (see prepare_events for the columns); all
    of it lands or none of it does, in the commit order of the module docstring.

    The result counts rows, events ``added``, ``duplicates`` (rows already stored, or
    repeating an id), ``identical_kept`` (rows identical to an earlier row of this table,
    each kept as an event of its own) and ``customers_created``.
    """
    if not type_column and not type_value:
        raise ValidationError("name the event type: a type column or one type for every row")
    report = progress or (lambda *a, **k: None)
    report(0, total=table.num_rows, message="checking rows")
    ids = CustomerIds(workspace, create=create_customers, dry_run=dry_run)
    try:
        events = prepare_events(
            table, file_name=file_name, customer_column=customer_column,
            type_column=type_column, type_value=type_value, time_column=time_column,
            time_format=time_format, value_column=value_column, id_column=id_column,
            customer_ids=ids, kind=kind,
        )
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    if dry_run:  # every row was checked; keep nothing
        added = events.num_rows
    else:
        report(0, message="writing signals")
        added = _append(workspace, events)
    report(table.num_rows, total=table.num_rows, message="done")
    return {"rows": table.num_rows, "added": added, "duplicates": table.num_rows - added,
            "identical_kept": identical_kept(events), "customers_created": ids.created}


def import_events_job(job, progress, path, **options):
    return import_events(job.workspace, path, progress=progress, **options)


def ingest_batch(workspace, events: list[dict], create_customers: bool = False) -> dict:
    """Append events sent through the API (already typed); all of the batch lands or none,
    in the commit order of the module docstring.

    Each event is a product event (kind "event") or a survey answer (kind "answer"). Without
    ids, identity follows the file rule: identical events of one batch are each kept
    (``identical_kept``), and the same batch sent again adds nothing.
    """
    ids_given = [bool(e.get("id")) for e in events]
    if any(ids_given) and not all(ids_given):
        raise ValidationError("events: give every event an id, or none")
    ids = CustomerIds(workspace, create=create_customers)
    if not events:
        return {"received": 0, "added": 0, "duplicates": 0, "identical_kept": 0,
                "customers_created": 0}
    try:
        prepared = prepare_events(
            _batch_table(events, with_ids=any(ids_given)), file_name="events",
            customer_column="customer_id", type_column="type", time_column="time",
            value_column="value", id_column="id" if any(ids_given) else None,
            kind_column="kind", customer_ids=ids,
        )
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    added = _append(workspace, prepared)
    return {"received": len(events), "added": added, "duplicates": len(events) - added,
            "identical_kept": identical_kept(prepared), "customers_created": ids.created}


def _batch_table(events: list[dict], *, with_ids: bool) -> pa.Table:
    """The batch as a typed table: times as UTC timestamps, values as float64 (no text)."""
    columns = {
        "customer_id": pa.array([e["customer_id"] for e in events], pa.string()),
        "kind": pa.array([e.get("kind") or "event" for e in events], pa.string()),
        "type": pa.array([e["type"] for e in events], pa.string()),
        "time": pa.array([_naive_utc(e["time"]) for e in events], pa.timestamp("us")),
        "value": pa.array([e.get("value") for e in events], pa.float64()),
    }
    if with_ids:
        columns["id"] = pa.array([e["id"] for e in events], pa.string())
    table = pa.table(columns)
    # Properties become columns of their own, which prepare_events folds into one JSON object,
    # as it does for the extra columns of a file.
    keys = sorted({k for e in events for k in (e.get("properties") or {})} - set(columns))
    for key in keys:
        values = [(e.get("properties") or {}).get(key) for e in events]
        table = table.append_column(key, pa.array(
            [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values],
            pa.string()))
    return table


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
