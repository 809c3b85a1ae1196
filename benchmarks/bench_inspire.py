"""Benchmark: Inspire's peers and goals over a large stage history, in-process.

Generates N customers (an Industry attribute of 8 values), a model of 3 dimensions x 4 stages,
and 13 month-end snapshots in which each customer climbs a stage with a small monthly chance;
then measures `peer_rows` (percentiles, peer groups by Industry) and `goal_rows` (Kaplan-Meier
per peer group, stage and dimension; one goal per customer and dimension below the top).

Prints `name: value` lines. Usage: python benchmarks/bench_inspire.py [--customers N]
Target (none in the issue; for orientation): both well under a minute at 100,000 customers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MODEL = """\
vision: Customers who grow with us.
attributes:
  Industry: text
dimensions:
""" + "".join(f"""  - key: d{k}
    name: Dimension {k}
    target: s2
    stages:
      - {{key: s0, name: Stage 0}}
      - key: s1
        name: Stage 1
        when: [{{event: {{type: e{k}, at_least: 1}}}}]
      - key: s2
        name: Stage 2
        when: [{{event: {{type: e{k}, at_least: 2}}}}]
      - key: s3
        name: Stage 3
        when: [{{event: {{type: e{k}, at_least: 3}}}}]
""" for k in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-inspire-"))
    os.environ["BECOMING_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from becoming.assessments.models import Snapshot
    from becoming.customers.models import Attribute, Customer
    from becoming.inspire.actions.goals import goal_rows
    from becoming.inspire.actions.peers import peer_rows
    from becoming.transformation.actions import apply_model
    from becoming.workspaces.actions import create_workspace

    n = args.customers
    rng = np.random.default_rng(5)
    ws = create_workspace("Bench Inspire")
    Attribute.objects.create(workspace=ws, name="Industry", type="text")
    industries = rng.integers(0, 8, n)
    Customer.objects.bulk_create([Customer(workspace=ws, external_id=f"C{i:07d}",
                                           attributes={"Industry": f"Industry {industries[i]}"})
                                  for i in range(n)], batch_size=5000)
    pks = np.array(Customer.objects.filter(workspace=ws).order_by("external_id").values_list("id", flat=True))
    version = apply_model(ws, MODEL)
    stages = rng.integers(0, 2, (n, 3))
    day = dt.date(2025, 12, 31)
    for month in range(13):
        as_of = (dt.date(2025, 1, 1) + dt.timedelta(days=31 * month)).replace(day=1) - dt.timedelta(days=1)
        if month:
            up = rng.random((n, 3)) < 0.04 + 0.01 * industries[:, None]
            stages = np.minimum(stages + up, 3)
        path = ws.data_dir / f"snap-{month}.parquet"
        pq.write_table(pa.table({"customer_id": pa.array(pks, pa.int64()),
                                 **{f"stage__d{k}": pa.array(stages[:, k], pa.int64()) for k in range(3)}}), path)
        Snapshot.objects.create(workspace=ws, model_version=version, as_of=as_of, path=str(path), customers=n)
        day = as_of
    import lifelines  # noqa: F401  (imported once per process; not part of the figures)

    start, cpu = time.perf_counter(), time.process_time()
    peers = peer_rows(ws, ["Industry"])
    peers_s, peers_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    goals = goal_rows(ws, ["Industry"])
    goals_s, goals_cpu = time.perf_counter() - start, time.process_time() - cpu
    dated = sum(v is not None for v in goals.column("goal_date").to_pylist())
    print(f"customers: {n}")
    print(f"snapshots: 13 (to {day})")
    print(f"peers_rows: {peers.num_rows}")
    print(f"peers_seconds: {peers_s:.2f}")
    print(f"peers_cpu_seconds: {peers_cpu:.2f}")
    print(f"goals_rows: {goals.num_rows}")
    print(f"goals_with_a_date: {dated}")
    print(f"goals_seconds: {goals_s:.2f}")
    print(f"goals_cpu_seconds: {goals_cpu:.2f}")


if __name__ == "__main__":
    main()
