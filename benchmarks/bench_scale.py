"""Benchmark: a million customers and a hundred million events on one machine (issue 9, item 3).

Generates, in chunks (bounded memory), 1,000,000 customers (CSV) and 100,000,000 events (Parquet,
one file per ``--file-events`` rows) with bench_assess.py's generators' shape and model, then
measures through the real CLI in a fresh ``BECOMING_HOME`` (SQLite unless ``--database-url``):

1. ``becoming import customers`` of every customer (wall time; target < 60 s);
2. ``becoming import events``, file after file, to the full 100M: events/s overall and per
   file, to see whether the rate is sustained as the store grows (target >= 400,000/s);
3. ``becoming assess`` as a whole process, twice (the first writes every customer's stages,
   the second only those that changed), with the peak resident memory of the process tree
   (psutil polling every 200 ms; target < 8 GB), against bench_assess.py's hand-written DuckDB
   query on the same data, run in a process of its own with the same DuckDB settings (ratio
   target <= 1.2x); and whether their stages agree for every customer;
4. the customers page over HTTP (``becoming serve``): median of ``--requests`` requests,
   plain, filtered by a stage and sorted by the index, sorted by a stage, filtered and sorted
   by a stage, and a deep page (target < 200 ms median).

It is long (about an hour on 2 cores) and needs about 15 GB of disk; not part of
``run_all.py`` unless asked (``run_all.py --scale``). Reuse generated data with ``--keep DIR``
and a loaded home with ``--home DIR --skip-import``. Prints ``name: value`` lines and a
summary; writes benchmarks/out/scale.json.

Usage: python benchmarks/bench_scale.py [--customers N] [--events N] [--keep DIR] [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workload import (  # noqa: E402  (a sibling script, not a package)
    AS_OF,
    BECOMING,
    DIMENSIONS,
    MODEL_YAML,
    TYPES,
    YEAR_SECONDS,
    YEAR_START,
    Cli,
    children_cpu,
    generate_customers,
    hand_sql,
    measure_pages,
    print_checks,
    print_figures,
    save_figures,
)

CHUNK = 5_000_000  # events generated at a time


# ------------------------------------------------------------------------------ data

def write_events(folder: Path, events: int, customers: int, per_file: int, seed: int = 7) -> list[Path]:
    """Events like bench_assess.generate_events (lognormal activity per customer, 30% gone
    quiet mid-year), generated CHUNK rows at a time into Parquet files of ``per_file`` rows."""
    base = np.random.default_rng(seed)
    weight = base.lognormal(0.0, 1.0, customers)
    cumulative = np.cumsum(weight / weight.sum())
    active_until = np.where(base.random(customers) < 0.3, base.uniform(0.3, 1.0, customers), 1.0)
    names = pa.array(list(TYPES))
    type_cdf = np.cumsum(list(TYPES.values()))
    paths, done, number = [], 0, 0
    while done < events:
        path = folder / f"events-{number:03d}.parquet"
        rows = min(per_file, events - done)
        writer = None
        written = 0
        while written < rows:
            n = min(CHUNK, rows - written)
            rng = np.random.default_rng([seed, number, written])
            who = np.minimum(np.searchsorted(cumulative, rng.random(n)), customers - 1)
            kind = np.searchsorted(type_cdf, rng.random(n) * 0.999999).astype(np.int8)
            seconds = YEAR_START + (rng.random(n) * active_until[who] * YEAR_SECONDS).astype(np.int64)
            table = pa.table({
                "customer": pc.binary_join_element_wise("C", pc.cast(pa.array(who), pa.string()), ""),
                "event": pc.cast(pa.DictionaryArray.from_arrays(pa.array(kind), names), pa.string()),
                "time": pa.array(seconds.astype("datetime64[s]")),
                "amount": pa.array(np.round(rng.gamma(2.0, 20.0, n), 2)),
            })
            writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            written += n
        writer.close()
        paths.append(path)
        done += rows
        number += 1
    return paths


def prepare(folder: Path, customers: int, events: int, per_file: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "meta.json"
    want = {"customers": customers, "events": events, "per_file": per_file, "version": 1}
    paths = {"customers": folder / "customers.csv", "model": folder / "model.yaml"}
    if meta.exists() and json.loads(meta.read_text()) == want:
        paths["events"] = sorted(folder.glob("events-*.parquet"))
        return paths
    start = time.perf_counter()
    for old in folder.glob("events-*.parquet"):
        old.unlink()
    pacsv.write_csv(generate_customers(customers), paths["customers"])
    paths["model"].write_text(MODEL_YAML)
    paths["events"] = write_events(folder, events, customers, per_file)
    meta.write_text(json.dumps(want))
    print(f"generate_seconds: {time.perf_counter() - start:.0f}", flush=True)
    return paths


# ------------------------------------------------------------------------------ measuring

class PeakRss:
    """The largest summed resident memory of a process and its children, polled every 50 ms."""

    def __init__(self, pid: int):
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        import psutil

        while not self.done.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            self.done.wait(0.2)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


CPU: dict = {}  # CPU seconds (all threads) of the last command run by timed()


def timed(cmd: list[str], env: dict) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) of the process tree, and stdout of ``cmd``; its CPU
    seconds in CPU["last"] (a steadier figure than wall time on a busy machine)."""
    start, cpu = time.perf_counter(), children_cpu()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        rss = PeakRss(proc.pid)
        code = proc.wait()
        peak = rss.stop()
        seconds = time.perf_counter() - start
        CPU["last"] = children_cpu() - cpu
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode(), err.read().decode()
    if code:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{text}\n{problem}")
    return seconds, peak, text.strip()


HAND_RUNNER = """
import json, sys, time, duckdb, pyarrow.parquet as pq
spec = json.load(open(sys.argv[1]))
con = duckdb.connect(config=spec["config"])
con.read_parquet(spec["customers"]).create_view("customers")
start = time.perf_counter()
table = con.sql(spec["sql"]).to_arrow_table()
seconds = time.perf_counter() - start
pq.write_table(table, spec["out"])
print(json.dumps({"seconds": seconds, "rows": table.num_rows}))
"""


def hand_written(home: Path, slug: str, scratch: Path, repeat: int) -> dict:
    """bench_assess.py's hand-written query over the store's files and the engine's own
    customers table, in a fresh process each time with the engine's DuckDB settings."""
    env = {**os.environ, "BECOMING_HOME": str(home), "DJANGO_SETTINGS_MODULE": "becoming.settings"}
    env.pop("DATABASE_URL", None)
    prep = f"""
import json, sys
from becoming.cli import setup_django
setup_django()
import pyarrow.parquet as pq
from django.conf import settings
from becoming.assessments.actions import duckdb_config
from becoming.customers.actions import load_customers
from becoming.signals.actions import store_for
from becoming.workspaces.actions import get_workspace
ws = get_workspace({slug!r})
con = __import__("duckdb").connect()
load_customers(ws, con, "customers")
con.sql("SELECT * FROM customers").write_parquet({str(scratch / 'customers.parquet')!r})
store = store_for(ws)
print(json.dumps({{"files": store.files(), "config": duckdb_config(), "events": store.count(),
                  "customers": ws.customers.count()}}))
"""
    info = json.loads(subprocess.run([sys.executable, "-c", prep], env=env, check=True,
                                     capture_output=True, text=True).stdout.strip().splitlines()[-1])
    spec = scratch / "hand.json"
    spec.write_text(json.dumps({"config": info["config"], "customers": str(scratch / "customers.parquet"),
                                "sql": hand_sql(info["files"]), "out": str(scratch / "hand.parquet")}))
    seconds, peaks, cpu = [], [], []
    for _ in range(repeat):
        _, peak, text = timed([sys.executable, "-c", HAND_RUNNER, str(spec)], env)
        seconds.append(json.loads(text.splitlines()[-1])["seconds"])
        peaks.append(peak)
        cpu.append(CPU["last"])  # the whole process: start-up and writing the result too
    return {"handwritten_sql_seconds": statistics.median(seconds),
            "handwritten_seconds_all": [round(s, 2) for s in seconds],
            "handwritten_process_cpu_seconds": statistics.median(cpu),
            "handwritten_peak_rss_gb": max(peaks) / 1e9, "duckdb_config": info["config"],
            "store_files": len(info["files"]), "events_stored": info["events"],
            "customers_stored": info["customers"]}


def stages_agree(home: Path, slug: str, scratch: Path) -> bool:
    """The latest snapshot's stages equal the hand-written query's for every customer."""
    env = {**os.environ, "BECOMING_HOME": str(home), "DJANGO_SETTINGS_MODULE": "becoming.settings"}
    env.pop("DATABASE_URL", None)
    code = f"""
from becoming.cli import setup_django
setup_django()
import duckdb
from becoming.assessments.actions import latest_snapshot
from becoming.workspaces.actions import get_workspace
snap = latest_snapshot(get_workspace({slug!r}))
cols = {DIMENSIONS!r}
on = " OR ".join(f"e.stage__{{d}} IS DISTINCT FROM h.stage__{{d}}" for d in cols)
con = duckdb.connect()
n, diff = con.execute(
    f"SELECT count(*), count(*) FILTER ({{on}}) FROM read_parquet(?) e FULL JOIN read_parquet(?) h "
    "USING (customer_id)", [snap.path, {str(scratch / 'hand.parquet')!r}]).fetchone()
print(n, diff)
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    print(f"  stages compared: {out[0]} customers, {out[1]} differ", flush=True)
    return int(out[1]) == 0


# ------------------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--file-events", type=int, default=10_000_000,
                        help="events per generated Parquet file (one `becoming import events` each)")
    parser.add_argument("--keep", type=Path, help="generate data here once and reuse it")
    parser.add_argument("--home", type=Path, help="BECOMING_HOME to use and keep")
    parser.add_argument("--skip-import", action="store_true",
                        help="the --home workspace 'scale' is already loaded: measure the rest")
    parser.add_argument("--import-only", action="store_true",
                        help="stop after the imports (then measure later with --skip-import)")
    parser.add_argument("--assessed", type=float, nargs=2, metavar=("FIRST", "SECOND"),
                        help="with --skip-import: skip the assess runs, use these wall seconds")
    parser.add_argument("--repeat", type=int, default=2, help="hand-written query runs (median)")
    parser.add_argument("--requests", type=int, default=15, help="requests per page variant")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scale.json")
    args = parser.parse_args()

    data = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_data_"))
    home = args.home or Path(tempfile.mkdtemp(prefix="bench_scale_home_"))
    home.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench_scale_tmp_"))
    r: dict = {"customers": args.customers, "events": args.events, "cpus": os.cpu_count(),
               "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
               "load_average_start": os.getloadavg()}
    cli = Cli(home)
    slug = "scale"
    try:
        if not args.skip_import:
            paths = prepare(data, args.customers, args.events, args.file_events)
            _, out = cli.run("workspace", "create", "Scale")
            slug = out.splitlines()[-1].strip()
            r["import_customers_seconds"], peak, text = timed(
                [BECOMING, "import", "customers", str(paths["customers"]), "--workspace", slug,
                 "--id-column", "customer_id", "--name-column", "name"], cli.env)
            r["import_customers_peak_rss_gb"] = peak / 1e9
            print(f"  customers: {text} in {r['import_customers_seconds']:.1f} s", flush=True)
            cli.run("model", "apply", str(paths["model"]), "--workspace", slug)
            rates, total_s, total_n, peaks = [], 0.0, 0, []
            for path in paths["events"]:
                rows = pq.ParquetFile(path).metadata.num_rows
                seconds, peak, text = timed(
                    [BECOMING, "import", "events", str(path), "--workspace", slug,
                     "--customer-column", "customer", "--type-column", "event", "--time-column",
                     "time", "--value-column", "amount"], cli.env)
                total_s += seconds
                total_n += rows
                rates.append(int(rows / seconds))
                peaks.append(peak)
                print(f"  events {total_n:,}: {rows / seconds:,.0f}/s ({seconds:.1f} s, "
                      f"peak {peak / 1e9:.1f} GB, load {os.getloadavg()[0]:.1f})", flush=True)
            r["import_events_seconds"] = total_s
            r["import_events_per_s"] = int(total_n / total_s)
            r["import_events_per_s_by_file"] = rates
            r["import_events_peak_rss_gb"] = max(peaks) / 1e9
        if args.import_only:
            print(json.dumps(r, default=str))
            return
        for run in ("first", "second") if not args.assessed else ():
            seconds, peak, text = timed([BECOMING, "assess", "--workspace", slug, "--as-of", AS_OF],
                                        cli.env)
            r[f"assess_cli_{run}_seconds"] = seconds
            r[f"assess_cli_{run}_peak_rss_gb"] = peak / 1e9
            r[f"assess_cli_{run}_cpu_seconds"] = CPU["last"]
            print(f"  assess ({run}): {text.splitlines()[-1]} in {seconds:.1f} s, "
                  f"peak {peak / 1e9:.2f} GB, load {os.getloadavg()[0]:.1f}", flush=True)
        if args.assessed:
            r["assess_cli_first_seconds"], r["assess_cli_second_seconds"] = args.assessed
        r.update(hand_written(home, slug, scratch, args.repeat))
        hand = r["handwritten_sql_seconds"]
        r["ratio_cli_first_vs_handwritten"] = r["assess_cli_first_seconds"] / hand
        r["ratio_cli_second_vs_handwritten"] = r["assess_cli_second_seconds"] / hand
        r["stages_agree"] = stages_agree(home, slug, scratch)
        r.update(measure_pages(cli, slug, args.requests, extra={
            "customers_page_filtered_stage_sorted_stage":
                f"/w/{slug}/customers/?stage_health=2&sort=-stage_adoption",
        }))
        r["load_average_end"] = os.getloadavg()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(data, ignore_errors=True)
    report(r)
    save_figures(r, args.out)


def report(r: dict) -> None:
    print_figures(r)
    checks = {}
    if "import_customers_seconds" in r:  # not with --skip-import
        checks["import customers < 60 s"] = r["import_customers_seconds"] < 60
        checks["import events >= 400,000/s"] = r["import_events_per_s"] >= 400_000
    checks |= {
        "assess (first run) within 1.2x of hand-written SQL": r["ratio_cli_first_vs_handwritten"] <= 1.2,
        "assess (second run) within 1.2x of hand-written SQL": r["ratio_cli_second_vs_handwritten"] <= 1.2,
        "stages equal the hand-written query's": r["stages_agree"],
        **{f"{name} median < 200 ms": r[f"{name}_median_ms"] < 200
           for name in ("customers_page", "customers_page_filtered_sorted",
                        "customers_page_sorted_stage", "customers_page_filtered_stage_sorted_stage",
                        "customers_page_page_100")},
    }
    if "assess_cli_first_peak_rss_gb" in r:  # not with --assessed
        checks["assess peak memory < 8 GB"] = max(r["assess_cli_first_peak_rss_gb"],
                                                  r["assess_cli_second_peak_rss_gb"]) < 8
    print(f"\nSummary ({r['customers_stored']:,} customers, {r['events_stored']:,} events stored, "
          f"{r['cpus']} CPUs, load average {r['load_average_start'][0]:.1f} at the start):")
    print_checks(checks)


if __name__ == "__main__":
    main()
