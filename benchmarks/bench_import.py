"""Benchmark: import events from CSV and Parquet into a fresh SignalStore.

Generates N events (8 types over one year, 100,000 customers), then times
read_table + prepare_events + SignalStore.append per format and prints plain lines:

    import_csv_events_per_s: 412345

Usage: python benchmarks/bench_import.py [--events N] [--customers N] [--out DIR]
Target: >= 200,000 events/s on 2 cores at 10,000,000 events.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from becoming.tabular import SignalStore, prepare_events, read_table

TYPES = [f"type_{i}" for i in range(8)]
YEAR_START = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
YEAR_SECONDS = 366 * 24 * 3600


def generate(n: int, customers: int, seed: int = 7) -> pa.Table:
    """Typed events: customer (string), event (string), time (timestamp), amount (double)."""
    rng = np.random.default_rng(seed)
    customer = pc.binary_join_element_wise(
        "C", pc.cast(pa.array(rng.integers(0, customers, n)), pa.string()), "")
    kinds = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(TYPES), n).astype(np.int8)), pa.array(TYPES))
    seconds = YEAR_START + rng.integers(0, YEAR_SECONDS, n)
    amount = np.round(rng.gamma(2.0, 20.0, n), 2)
    return pa.table({
        "customer": customer,
        "event": pc.cast(kinds, pa.string()),
        "time": pa.array(seconds.astype("datetime64[s]")),
        "amount": pa.array(amount),
    })


def write_inputs(table: pa.Table, out: Path) -> dict[str, Path]:
    csv_table = table.set_column(
        2, "time", pc.strftime(table.column("time"), format="%Y-%m-%dT%H:%M:%SZ"))
    paths = {"csv": out / "events.csv", "parquet": out / "events.parquet"}
    pacsv.write_csv(csv_table, paths["csv"])
    pq.write_table(table, paths["parquet"])
    return paths


def customer_ids(external: pa.Array) -> pa.Array:
    """Stand-in for the application's lookup: 'C123' -> 123."""
    return pc.cast(pc.utf8_slice_codeunits(external, 1), pa.int64())


def import_file(path: Path, store_dir: Path) -> tuple[int, dict[str, float]]:
    timings = {}
    start = time.perf_counter()
    table = read_table(path)
    timings["read"] = time.perf_counter() - start
    start = time.perf_counter()
    events = prepare_events(
        table, file_name=path.name, customer_column="customer", type_column="event",
        time_column="time", value_column="amount", customer_ids=customer_ids)
    timings["prepare"] = time.perf_counter() - start
    start = time.perf_counter()
    added = SignalStore(store_dir).append(events)
    timings["append"] = time.perf_counter() - start
    return added, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None, help="keep generated files here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_import_"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        paths = write_inputs(generate(args.events, args.customers), out)
        print(f"generate_s: {time.perf_counter() - start:.1f}")
        for fmt, path in paths.items():
            store_dir = out / f"store_{fmt}"
            shutil.rmtree(store_dir, ignore_errors=True)
            added, timings = import_file(path, store_dir)
            total = sum(timings.values())
            for stage, seconds in timings.items():
                print(f"import_{fmt}_{stage}_s: {seconds:.2f}")
            print(f"import_{fmt}_events: {added}")
            print(f"import_{fmt}_events_per_s: {int(args.events / total)}")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
