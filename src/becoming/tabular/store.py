"""The signal store: one Delta Lake table per directory, read through DuckDB.

Why Delta: appends, deletes and compaction commit atomically (a failed write leaves only
orphan files that no snapshot references), and Spark reads the same table natively. We read
the current snapshot with DuckDB's ``read_parquet`` over the snapshot's file list rather
than DuckDB's delta extension, which needs a download. That is only correct while no file
carries deletion vectors; deltalake-python never writes them (deletes rewrite files).

Layout: no partitioning. Kinds are few and skewed, so partitioning by kind would only add
small files; instead each append is written sorted by ``(customer_id, time)`` in modest row
groups, so per-customer reads (``timeline``) skip most row groups by their statistics.

Writers. Idempotent appends read the stored ids, then commit the new rows; two writers doing
that at once would each see the other's rows as absent and store them twice. So every write
holds an exclusive lock on ``<table>.lock`` beside the table (``flock``: it serialises
processes and threads on one machine, and the kernel releases it when a process dies, so a
crash never leaves it stuck). ``flock`` does not reach across machines (NFS, object
storage): writers on several machines need a lock of their own, e.g. a PostgreSQL advisory
lock around the same calls. Readers take no lock: they see the files of one committed
version.
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
from deltalake import DeltaTable, WriterProperties, write_deltalake

from .events import SIGNAL_SCHEMA, keep_first

# Small enough that one customer's rows span few row groups, large enough to scan fast.
ROW_GROUP_SIZE = 128 * 1024
_WRITER = WriterProperties(compression="ZSTD", max_row_group_size=ROW_GROUP_SIZE)
_EMPTY_VIEW = """
SELECT NULL::VARCHAR AS event_id, NULL::BIGINT AS customer_id, NULL::VARCHAR AS kind,
       NULL::VARCHAR AS type, NULL::TIMESTAMP AS time, NULL::DOUBLE AS value,
       NULL::VARCHAR AS properties
WHERE false
"""


class SignalStore:
    """Append-only signals (schema :data:`SIGNAL_SCHEMA`) in the Delta table at ``path``.

    Writers are serialised by a file lock (see the module docstring), so concurrent appends
    of the same events store them once. Readers see a consistent snapshot (the files of one
    table version).
    """

    def __init__(self, path: str | Path):
        self.path = str(path)

    # --- snapshot ----------------------------------------------------------------------

    def _table(self) -> DeltaTable | None:
        if not DeltaTable.is_deltatable(self.path):
            return None
        return DeltaTable(self.path)

    def version(self) -> int:
        """Current Delta version; -1 before the first append. Changes on every write."""
        table = self._table()
        return -1 if table is None else table.version()

    def files(self) -> list[str]:
        """Parquet file URIs of the current snapshot (empty before the first append)."""
        table = self._table()
        return [] if table is None else table.file_uris()

    def register(self, con: duckdb.DuckDBPyConnection, name: str = "signals") -> None:
        """Create (or replace) the temporary view ``name`` over the current snapshot.

        Columns: event_id, customer_id, kind, type, time, value, properties. The view is
        pinned to today's files: call again after writes to see them.
        """
        files = self.files()
        if files:
            con.read_parquet(files).create_view(name, replace=True)
        else:
            con.sql(_EMPTY_VIEW).create_view(name, replace=True)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        self.register(con)
        return con

    # --- writes ------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this store's exclusive write lock (blocks until it is free)."""
        table_dir = Path(self.path)
        table_dir.parent.mkdir(parents=True, exist_ok=True)
        # Beside the table, not in it: vacuum would treat an unknown file inside as garbage.
        with open(table_dir.parent / f"{table_dir.name}.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, table: pa.Table) -> int:
        """Append the rows whose ``event_id`` is not yet stored; return how many were new.

        Duplicate ids inside ``table`` keep their first row. Atomic: on failure the store
        is unchanged. Idempotent under concurrent writers: reading the stored ids and
        committing happen under :meth:`locked`. Time grows with the store (every stored
        event_id is read once); memory with the batch only.
        """
        batch = keep_first(conform(table))
        if batch.num_rows == 0:
            return 0
        with self.locked():
            return self._append_new(batch)

    def _append_new(self, batch: pa.Table) -> int:
        con = self._connect()
        con.register("batch", batch)
        # The stored ids that the batch repeats, found by streaming the store's ids past a
        # hash table of the batch's. Written as an anti-join, DuckDB builds the hash table on
        # the store instead: memory grew with every import (7 GB at 50,000,000 events).
        con.sql("CREATE TEMP TABLE present AS SELECT event_id FROM signals "
                "WHERE event_id IN (SELECT event_id FROM batch)")
        new = con.sql(
            "SELECT * FROM batch b WHERE NOT EXISTS "
            "(SELECT 1 FROM present p WHERE p.event_id = b.event_id) "
            "ORDER BY customer_id, time"
        ).to_arrow_table()
        if new.num_rows == 0:
            return 0
        self._write(new.cast(SIGNAL_SCHEMA), mode="append")
        return new.num_rows

    def _write(self, table: pa.Table, *, mode: str) -> None:
        Path(self.path).mkdir(parents=True, exist_ok=True)
        write_deltalake(self.path, table, mode=mode, writer_properties=_WRITER)  # type: ignore[call-overload]  # mode is "append" or "overwrite"

    def delete_customers(self, ids: Iterable[int]) -> int:
        """Delete every signal of the given internal customer ids; return rows deleted."""
        wanted = sorted({int(i) for i in ids})  # int() also keeps the predicate injection-free
        if not wanted:
            return 0
        with self.locked():
            table = self._table()
            if table is None:
                return 0
            predicate = f"customer_id IN ({', '.join(map(str, wanted))})"
            metrics = table.delete(predicate, writer_properties=_WRITER)
        return int(metrics.get("num_deleted_rows", 0))

    def compact(self, *, sort: bool = False) -> dict:
        """Merge small files (one per import) into larger ones; return Delta's metrics.

        ``sort=True`` rewrites the whole table ordered by customer_id (Z-order on one
        column), restoring fast per-customer reads after many imports; it costs a full
        rewrite, so run it off-peak. Old files stay on disk until ``vacuum``.
        """
        with self.locked():
            table = self._table()
            if table is None:
                return {}
            if sort:
                return table.optimize.z_order(["customer_id"], writer_properties=_WRITER)
            return table.optimize.compact(writer_properties=_WRITER)

    def vacuum(self, retention_hours: int = 168) -> list[str]:
        """Remove files no snapshot newer than ``retention_hours`` needs; return them."""
        with self.locked():
            table = self._table()
            if table is None:
                return []
            return table.vacuum(retention_hours=retention_hours, dry_run=False,
                                enforce_retention_duration=False)

    # --- reads -------------------------------------------------------------------------

    def count(self, kind: str | None = None) -> int:
        """Number of stored signals, optionally of one kind."""
        if not self.files():
            return 0
        con = self._connect()
        if kind is None:
            return con.sql("SELECT count(*) FROM signals").fetchall()[0][0]
        return con.sql("SELECT count(*) FROM signals WHERE kind = ?", params=[kind]).fetchall()[0][0]

    def timeline(self, customer_id: int, limit: int = 100,
                 before: dt.datetime | None = None, kind: str | None = None) -> list[dict]:
        """Signals of one customer, newest first, at most ``limit``, strictly before
        ``before`` (naive UTC) when given, only of ``kind`` when given. Rows are dicts with
        the schema's columns."""
        if not self.files():
            return []
        con = self._connect()
        sql = "SELECT * FROM signals WHERE customer_id = ?"
        params: list = [int(customer_id)]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        if before is not None:
            sql += " AND time < ?"
            params.append(before)
        sql += " ORDER BY time DESC, event_id DESC LIMIT ?"
        params.append(int(limit))
        return con.sql(sql, params=params).to_arrow_table().to_pylist()


def conform(table: pa.Table) -> pa.Table:
    """``table`` with exactly :data:`SIGNAL_SCHEMA` (column order, types); raises
    ``ValueError`` naming a missing column or a NULL event_id."""
    missing = [f.name for f in SIGNAL_SCHEMA if f.name not in table.column_names]
    if missing:
        raise ValueError(f"signals lack columns: {', '.join(missing)}")
    if table.column("event_id").null_count:
        raise ValueError("every signal needs an event_id")
    columns = [table.column(f.name).cast(f.type) for f in SIGNAL_SCHEMA]
    return pa.Table.from_arrays(columns, schema=SIGNAL_SCHEMA)
