"""Run every benchmark in sequence and print their `name: value` lines.

Usage: python benchmarks/run_all.py [--quick] [--keep DIR] [--scale]

--quick runs a small size (10,000 customers, 1,000,000 events) to check the scripts work;
without it the sizes are the issue's (100,000 customers, 10,000,000 events), which takes
several minutes on 2 cores. bench_assess.py writes benchmarks/out/results.json, bench_themes.py
benchmarks/out/themes.json; bench_inform.py prints recommendation quality, `recommend` at scale
and digest throughput.
benchmarks/out/themes.json. --scale also runs bench_scale.py (1,000,000 customers and
100,000,000 events: about an hour on 2 cores and 15 GB of disk; with --quick, 100,000 and
10,000,000), which writes benchmarks/out/scale.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {"customers": 10_000, "events": 1_000_000}


def run(script: str, args: list[str]) -> int:
    print(f"\n== {script} {' '.join(args)}", flush=True)
    start = time.perf_counter()
    code = subprocess.call([sys.executable, str(HERE / script), *args])
    print(f"== {script}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size, for a smoke run")
    parser.add_argument("--keep", type=Path, help="bench_assess.py keeps its generated data here")
    parser.add_argument("--scale", action="store_true",
                        help="also the long million-customer benchmark (bench_scale.py)")
    args = parser.parse_args()
    size = []
    if args.quick:
        size = ["--customers", str(QUICK["customers"]), "--events", str(QUICK["events"])]
    codes = [run("bench_import.py", size)]
    assess_args = size + (["--keep", str(args.keep)] if args.keep else [])
    codes.append(run("bench_assess.py", assess_args))
    codes.append(run("bench_themes.py", ["--quick"] if args.quick else []))
    codes.append(run("bench_inspire.py", ["--customers", "10000"] if args.quick else []))
    codes.append(run("bench_levers.py", ["--customers", "2000", "--seeds", "2"] if args.quick else []))
    codes.append(run("bench_inform.py", ["--quick"] if args.quick else []))
    codes.append(run("bench_connect.py", ["--members", "2000", "--group-members", "500"]
                     if args.quick else []))
    codes.append(run("bench_spark.py", size + (["--keep", str(args.keep)] if args.keep else [])))
    if args.scale:
        codes.append(run("bench_scale.py", ["--customers", "100000", "--events", "10000000",
                                            "--file-events", "2000000"] if args.quick else []))
    sys.exit(max(codes))


if __name__ == "__main__":
    main()
