"""Benchmark: `becoming assess --engine spark` against `--engine duckdb`, as whole processes.

Two data sets: IBM's Telco sample (7,043 customers, the shipped example model, attributes
only) and bench_assess.py's generated one (default 100,000 customers x 10,000,000 events, a
model of 5 dimensions x 4 stages). For each: the median wall time of `becoming assess` on each
engine (subprocess: Python, Django, for Spark the JVM start too), whether the two snapshots'
stages agree for every customer, and, in one process, how Spark's time splits into session
start, a cold first query and a warm one.

Spark runs on SPARK_MASTER, else local[*] (every core of this machine).

Prints `name: value` lines and a summary; writes benchmarks/out/spark.json.

Usage: python benchmarks/bench_spark.py [--customers N] [--events N] [--keep DIR] [--home DIR]
       [--repeat N] [--skip-telco] [--skip-generated] [--generated-slug SLUG]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_assess import django_setup, import_workspace, prepare_data  # noqa: E402
from workload import AS_OF, Cli  # noqa: E402

ROOT = HERE.parent
TELCO = ROOT.parent / "shared" / "data" / "telco-churn" / "Telco-Customer-Churn.csv"
EXAMPLE = ROOT / "src" / "becoming" / "examples" / "telco.yaml"
TELCO_AS_OF = "2026-01-31"


def timed_assess(cli: Cli, slug: str, as_of: str, engine: str, repeat: int,
                 export: Path) -> tuple[list[float], str]:
    """Wall times of `becoming assess --engine ENGINE`, then the snapshot's stages exported."""
    times = []
    text = ""
    for _ in range(repeat):
        seconds, text = cli.run("assess", "--workspace", slug, "--as-of", as_of,
                                "--engine", engine)
        times.append(seconds)
    cli.run("export", "assessments", "--workspace", slug, "--as-of", as_of,
            "--format", "parquet", "-o", str(export))
    return times, text.splitlines()[-1]


def agree(a: Path, b: Path) -> bool:
    cols = ["customer_id", "dimension", "stage", "progress", "index"]
    x = pq.read_table(a, columns=cols).sort_by([("customer_id", "ascending"),
                                                ("dimension", "ascending")])
    y = pq.read_table(b, columns=cols).sort_by([("customer_id", "ascending"),
                                                ("dimension", "ascending")])
    if x.num_rows != y.num_rows:
        return False
    same = x.select(cols[:3]).equals(y.select(cols[:3]))
    close = all(abs(p - q) <= 1e-9 for c in ("progress", "index")
                for p, q in zip(x.column(c).to_pylist(), y.column(c).to_pylist()))
    return same and close


def compare(cli: Cli, slug: str, as_of: str, repeat: int, tmp: Path, label: str) -> dict:
    out: dict = {}
    for engine in ("duckdb", "spark"):
        times, text = timed_assess(cli, slug, as_of, engine, repeat, tmp / f"{label}-{engine}.pq")
        out[f"{label}_{engine}_cli_seconds"] = statistics.median(times)
        out[f"{label}_{engine}_cli_seconds_all"] = [round(t, 2) for t in times]
        print(f"  {label} {engine}: {text} in {statistics.median(times):.1f} s", flush=True)
    out[f"{label}_ratio_spark_vs_duckdb"] = (out[f"{label}_spark_cli_seconds"]
                                             / out[f"{label}_duckdb_cli_seconds"])
    out[f"{label}_stages_agree"] = agree(tmp / f"{label}-duckdb.pq", tmp / f"{label}-spark.pq")
    return out


def spark_split(slugs: dict[str, str]) -> dict:
    """In one process: session start, then per data set a cold and a warm engine run."""
    import datetime as dt

    from django.conf import settings

    from becoming.assessments.actions import assess_workspace
    from becoming.engine.spark import spark_session
    from becoming.transformation.actions import current_version
    from becoming.workspaces.actions import get_workspace

    out: dict = {}
    start = time.perf_counter()
    spark_session(settings.SPARK_MASTER or None)
    out["spark_session_start_seconds"] = time.perf_counter() - start
    for label, (slug, as_of) in slugs.items():
        ws = get_workspace(slug)
        model = current_version(ws).parsed()
        for run in ("cold", "warm"):
            start = time.perf_counter()
            assess_workspace(ws, model, dt.date.fromisoformat(as_of), engine="spark")
            out[f"{label}_spark_engine_{run}_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        assess_workspace(ws, model, dt.date.fromisoformat(as_of), engine="duckdb")
        out[f"{label}_duckdb_engine_seconds"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="generate data here once and reuse it")
    parser.add_argument("--home", type=Path,
                        help="BECOMING_HOME to use and keep (default: a temporary one, removed)")
    parser.add_argument("--repeat", type=int, default=3, help="`becoming assess` runs per engine")
    parser.add_argument("--skip-telco", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--generated-slug",
                        help="reuse this workspace of --home (imported by an earlier run)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "spark.json")
    args = parser.parse_args()

    data = args.keep or Path(tempfile.mkdtemp(prefix="bench_spark_data_"))
    home = args.home or Path(tempfile.mkdtemp(prefix="bench_spark_home_"))
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench_spark_out_"))
    results: dict = {"customers": args.customers, "events": args.events, "cpus": os.cpu_count(),
                     "spark_master": os.environ.get("SPARK_MASTER") or "local[*]",
                     "load_average_start": os.getloadavg()[0]}
    slugs: dict[str, tuple[str, str]] = {}
    try:
        cli = Cli(home)
        if not args.skip_telco:
            if not TELCO.exists():
                raise SystemExit(f"{TELCO} is absent: add --skip-telco")
            _, slug = cli.run("workspace", "create", f"Telco {time.time_ns()}")
            slug = slug.splitlines()[-1].strip()
            cli.run("import", "customers", str(TELCO), "--workspace", slug,
                    "--id-column", "customerID")
            cli.run("model", "apply", str(EXAMPLE), "--workspace", slug)
            results.update(compare(cli, slug, TELCO_AS_OF, args.repeat, tmp, "telco"))
            slugs["telco"] = (slug, TELCO_AS_OF)
        if not args.skip_generated:
            if args.generated_slug:
                slug = args.generated_slug
            else:
                paths = prepare_data(data, args.customers, args.events, ["parquet"])
                slug, _ = import_workspace(cli, f"Spark bench {time.time_ns()}", paths,
                                           "parquet", args.events)
            results.update(compare(cli, slug, AS_OF, args.repeat, tmp, "generated"))
            slugs["generated"] = (slug, AS_OF)
        django_setup(home)
        results.update(spark_split(slugs))
        results["load_average_end"] = os.getloadavg()[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(data, ignore_errors=True)

    report(results, slugs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written: {args.out}")


def report(r: dict, slugs: dict) -> None:
    for key, value in r.items():
        if isinstance(value, float):
            value = f"{value:.3f}" if value < 100 else f"{value:.0f}"
        elif isinstance(value, bool):
            value = str(value).lower()
        print(f"{key}: {value}")
    print(f"\nSummary ({r['cpus']} CPUs, Spark on {r['spark_master']}, "
          f"load average {r['load_average_start']:.1f} at the start):")
    for label in slugs:
        print(f"  {label}: becoming assess on DuckDB {r[f'{label}_duckdb_cli_seconds']:.1f} s, "
              f"on Spark {r[f'{label}_spark_cli_seconds']:.1f} s "
              f"(x{r[f'{label}_ratio_spark_vs_duckdb']:.1f}); engine alone: DuckDB "
              f"{r[f'{label}_duckdb_engine_seconds']:.2f} s, Spark cold "
              f"{r[f'{label}_spark_engine_cold_seconds']:.1f} s / warm "
              f"{r[f'{label}_spark_engine_warm_seconds']:.1f} s; "
              f"stages agree: {str(r[f'{label}_stages_agree']).lower()}")
    if "spark_session_start_seconds" in r:
        print(f"  Spark session start: {r['spark_session_start_seconds']:.1f} s")


if __name__ == "__main__":
    main()
