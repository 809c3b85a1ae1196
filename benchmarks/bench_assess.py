"""Benchmark: the issue's "Speed" section, end to end through the real CLI and server.

Generates customers (attributes) and events (8 types over 2024, skewed activity), a model of
5 dimensions x 4 stages mixing event and attribute criteria, then measures:

1. import rate through `becoming import events` (CSV and Parquet, wall time of the subprocess)
2. `becoming assess` wall time (subprocess, includes start-up) and the engine alone
   (`becoming.engine.assess` on DuckDB with the store registered, as run_assessment does)
3. a hand-written DuckDB query computing the same stages from the store's parquet files,
   and whether its stages equal the engine's for every customer
4. the ratios assess / hand-written
5. the customers page (`becoming serve`, logged in), median of repeated requests

Prints `name: value` lines and a summary; writes benchmarks/out/results.json.

Usage: python benchmarks/bench_assess.py [--customers N] [--events N] [--keep DIR]
Targets: import >= 200,000 events/s; assess within 1.5x of hand-written SQL (the whole
`becoming assess` within 1.2x since issue 9); page < 200 ms, sorted by a stage too.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
BECOMING = str(BIN / "becoming")
AS_OF = "2024-12-31"
YEAR_START = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
YEAR_SECONDS = 366 * 24 * 3600
# 8 event types and how common each is.
TYPES = {"login": 0.30, "feature_used": 0.25, "report_exported": 0.10, "dashboard_shared": 0.07,
         "invoice_paid": 0.05, "ticket_opened": 0.10, "integration_added": 0.03,
         "community_post": 0.10}
PLANS = ["free", "pro", "enterprise"]
INDUSTRIES = ["manufacturing", "retail", "health", "software", "energy", "logistics"]

MODEL_YAML = """\
vision: Customers who run their whole business on us, and tell their peers.
attributes:
  plan: text
  employees: number
  sites: number
  nps: number
dimensions:
  - key: adoption
    name: Use it every day
    weight: 2
    target: habitual
    stages:
      - {key: trial, name: Trial}
      - key: active
        name: Active
        when:
          - event: {type: login, within: 30d, measure: distinct_days, at_least: 3}
      - key: habitual
        name: Habitual
        when:
          - event: {type: feature_used, within: 90d, at_least: 10}
      - key: power
        name: Power users
        when:
          - any:
              - event: {type: report_exported, within: 90d, at_least: 5}
              - event: {type: dashboard_shared, within: 90d, at_least: 4}
          - event: {type: login, within: 30d, measure: distinct_days, at_least: 8}
  - key: value
    name: Grow the account
    weight: 3
    target: growing
    stages:
      - {key: free, name: Free}
      - key: paying
        name: Paying
        when:
          - event: {type: invoice_paid, within: 365d, measure: sum, at_least: 100}
      - key: growing
        name: Growing
        when:
          - event: {type: invoice_paid, within: 90d, measure: sum, at_least: 150}
          - attribute: {name: employees, at_least: 50}
      - key: strategic
        name: Strategic
        when:
          - attribute: {name: plan, in: [enterprise]}
          - event: {type: invoice_paid, within: 180d, at_least: 6}
  - key: integration
    name: Connect their systems
    weight: 1
    target: integrated
    stages:
      - {key: standalone, name: Standalone}
      - key: connected
        name: Connected
        when:
          - event: {type: integration_added, at_least: 1}
      - key: integrated
        name: Integrated
        when:
          - event: {type: integration_added, at_least: 3}
      - key: embedded
        name: Embedded
        when:
          - event: {type: integration_added, within: 180d, at_least: 3}
          - attribute: {name: sites, at_least: 5}
  - key: health
    name: Stay healthy
    weight: 2
    target: healthy
    stages:
      - {key: at_risk, name: At risk}
      - key: engaged
        name: Engaged
        when:
          - event: {type: login, measure: days_since_last, at_most: 30}
      - key: healthy
        name: Healthy
        when:
          - not:
              event: {type: ticket_opened, within: 30d, at_least: 3}
      - key: thriving
        name: Thriving
        when:
          - attribute: {name: nps, at_least: 8}
          - event: {type: ticket_opened, within: 90d, at_most: 6}
  - key: community
    name: Teach their peers
    weight: 1
    target: contributor
    stages:
      - {key: solo, name: Solo}
      - key: member
        name: Member
        when:
          - any:
              - event: {type: community_post, within: 180d, at_least: 1}
              - attribute: {name: industry, in: [software]}
      - key: contributor
        name: Contributor
        when:
          - event: {type: community_post, within: 90d, at_least: 3}
      - key: advocate
        name: Advocate
        when:
          - all:
              - event: {type: community_post, within: 90d, measure: distinct_days, at_least: 5}
              - attribute: {name: plan, in: [pro, enterprise]}
"""

# What a good analyst writes by hand for the model above: one pass over the signals with
# FILTERed aggregates, one join with the customers, a CASE per ladder. Distinct counts use
# CASE, not FILTER: on DuckDB 1.x/2.0 `count(DISTINCT x) FILTER (...)` made this query 2.5x
# slower (5.8 s against 2.3 s at 10M events on 2 cores).
HAND_SQL = """
WITH e AS (
  SELECT customer_id,
    count(DISTINCT CASE WHEN type = 'login' AND time >= TIMESTAMP '{d30}' THEN CAST(time AS DATE) END) AS login_days_30,
    count(*) FILTER (type = 'feature_used' AND time >= TIMESTAMP '{d90}') AS feature_90,
    count(*) FILTER (type = 'report_exported' AND time >= TIMESTAMP '{d90}') AS report_90,
    count(*) FILTER (type = 'dashboard_shared' AND time >= TIMESTAMP '{d90}') AS dash_90,
    sum(value) FILTER (type = 'invoice_paid' AND time >= TIMESTAMP '{d365}') AS inv_sum_365,
    sum(value) FILTER (type = 'invoice_paid' AND time >= TIMESTAMP '{d90}') AS inv_sum_90,
    count(*) FILTER (type = 'invoice_paid' AND time >= TIMESTAMP '{d180}') AS inv_180,
    count(*) FILTER (type = 'integration_added') AS integ_all,
    count(*) FILTER (type = 'integration_added' AND time >= TIMESTAMP '{d180}') AS integ_180,
    max(time) FILTER (type = 'login') AS last_login,
    count(*) FILTER (type = 'ticket_opened' AND time >= TIMESTAMP '{d30}') AS tickets_30,
    count(*) FILTER (type = 'ticket_opened' AND time >= TIMESTAMP '{d90}') AS tickets_90,
    count(*) FILTER (type = 'community_post' AND time >= TIMESTAMP '{d180}') AS posts_180,
    count(*) FILTER (type = 'community_post' AND time >= TIMESTAMP '{d90}') AS posts_90,
    count(DISTINCT CASE WHEN type = 'community_post' AND time >= TIMESTAMP '{d90}'
                        THEN CAST(time AS DATE) END) AS post_days_90
  FROM read_parquet({files})
  WHERE kind = 'event' AND time < TIMESTAMP '{cutoff}'
  GROUP BY customer_id
), x AS (
  SELECT c.customer_id, c.plan, c.employees, c.sites, c.nps, c.industry,
    coalesce(login_days_30, 0) AS login_days_30, coalesce(feature_90, 0) AS feature_90,
    coalesce(report_90, 0) AS report_90, coalesce(dash_90, 0) AS dash_90,
    coalesce(inv_sum_365, 0) AS inv_sum_365, coalesce(inv_sum_90, 0) AS inv_sum_90,
    coalesce(inv_180, 0) AS inv_180, coalesce(integ_all, 0) AS integ_all,
    coalesce(integ_180, 0) AS integ_180, DATE '{as_of}' - CAST(last_login AS DATE) AS since_login,
    coalesce(tickets_30, 0) AS tickets_30, coalesce(tickets_90, 0) AS tickets_90,
    coalesce(posts_180, 0) AS posts_180, coalesce(posts_90, 0) AS posts_90,
    coalesce(post_days_90, 0) AS post_days_90
  FROM customers c LEFT JOIN e USING (customer_id)
)
SELECT customer_id,
  CASE WHEN login_days_30 >= 3 AND feature_90 >= 10 AND (report_90 >= 5 OR dash_90 >= 4)
            AND login_days_30 >= 8 THEN 3
       WHEN login_days_30 >= 3 AND feature_90 >= 10 THEN 2
       WHEN login_days_30 >= 3 THEN 1 ELSE 0 END AS stage__adoption,
  CASE WHEN inv_sum_365 >= 100 AND inv_sum_90 >= 150 AND employees >= 50
            AND plan = 'enterprise' AND inv_180 >= 6 THEN 3
       WHEN inv_sum_365 >= 100 AND inv_sum_90 >= 150 AND employees >= 50 THEN 2
       WHEN inv_sum_365 >= 100 THEN 1 ELSE 0 END AS stage__value,
  CASE WHEN integ_all >= 3 AND integ_180 >= 3 AND sites >= 5 THEN 3
       WHEN integ_all >= 3 THEN 2 WHEN integ_all >= 1 THEN 1 ELSE 0 END AS stage__integration,
  CASE WHEN since_login <= 30 AND tickets_30 < 3 AND nps >= 8 AND tickets_90 <= 6 THEN 3
       WHEN since_login <= 30 AND tickets_30 < 3 THEN 2
       WHEN since_login <= 30 THEN 1 ELSE 0 END AS stage__health,
  CASE WHEN (posts_180 >= 1 OR industry = 'software') AND posts_90 >= 3 AND post_days_90 >= 5
            AND plan IN ('pro', 'enterprise') THEN 3
       WHEN (posts_180 >= 1 OR industry = 'software') AND posts_90 >= 3 THEN 2
       WHEN posts_180 >= 1 OR industry = 'software' THEN 1 ELSE 0 END AS stage__community
FROM x
ORDER BY customer_id
"""
DIMENSIONS = ["adoption", "value", "integration", "health", "community"]


# ------------------------------------------------------------------------------ data

def generate_customers(n: int, seed: int = 11) -> pa.Table:
    rng = np.random.default_rng(seed)
    nps = rng.integers(0, 11, n).astype(float)
    return pa.table({
        "customer_id": [f"C{i}" for i in range(n)],
        "name": [f"Customer {i}" for i in range(n)],
        "plan": pa.array(np.array(PLANS)[rng.choice(3, n, p=[0.5, 0.35, 0.15])]),
        "industry": pa.array(np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)]),
        "employees": rng.integers(1, 500, n),
        "sites": rng.integers(1, 12, n),
        # 20% never answered the survey: NULL, so `nps at_least 8` is false for them.
        "nps": pa.array(nps, mask=rng.random(n) < 0.2),
    })


def generate_events(n: int, customers: int, seed: int = 7) -> pa.Table:
    """Skewed activity: a few busy customers, many quiet ones, 30% gone quiet mid-year."""
    rng = np.random.default_rng(seed)
    weight = rng.lognormal(0.0, 1.0, customers)
    who = np.searchsorted(np.cumsum(weight / weight.sum()), rng.random(n))
    who = np.minimum(who, customers - 1)
    names = list(TYPES)
    kind = np.searchsorted(np.cumsum(list(TYPES.values())), rng.random(n) * 0.999999)
    active_until = np.where(rng.random(customers) < 0.3, rng.uniform(0.3, 1.0, customers), 1.0)
    seconds = YEAR_START + (rng.random(n) * active_until[who] * YEAR_SECONDS).astype(np.int64)
    amount = np.round(rng.gamma(2.0, 20.0, n), 2)
    customer = pc.binary_join_element_wise("C", pc.cast(pa.array(who), pa.string()), "")
    event = pc.cast(pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int8)),
                                                   pa.array(names)), pa.string())
    return pa.table({"customer": customer, "event": event,
                     "time": pa.array(seconds.astype("datetime64[s]")),
                     "amount": pa.array(amount)})


def prepare_data(folder: Path, customers: int, events: int, formats: list[str]) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "meta.json"
    want = {"customers": customers, "events": events, "version": 1}
    paths = {"customers": folder / "customers.csv", "model": folder / "model.yaml",
             "parquet": folder / "events.parquet", "csv": folder / "events.csv"}
    have = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if have == want and all(paths[f].exists() for f in ["customers", *formats]):
        return paths
    start = time.perf_counter()
    pacsv.write_csv(generate_customers(customers), paths["customers"])
    paths["model"].write_text(MODEL_YAML)
    table = generate_events(events, customers)
    pq.write_table(table, paths["parquet"])
    csv_table = table.set_column(
        2, "time", pc.strftime(table.column("time"), format="%Y-%m-%dT%H:%M:%SZ"))
    pacsv.write_csv(csv_table, paths["csv"])
    meta_path.write_text(json.dumps(want))
    print(f"generate_seconds: {time.perf_counter() - start:.1f}", flush=True)
    return paths


# ------------------------------------------------------------------------------ CLI

class Cli:
    def __init__(self, home: Path):
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(BECOMING_HOME=str(home), DJANGO_SETTINGS_MODULE="becoming.settings")

    def run(self, *args, stdin: str | None = None) -> tuple[float, str]:
        start, cpu = time.perf_counter(), children_cpu()
        proc = subprocess.run([BECOMING, *args], env=self.env, input=stdin, text=True,
                              capture_output=True)
        seconds = time.perf_counter() - start
        # CPU seconds of the command (all threads): on a busy machine, a steadier figure.
        self.cpu = children_cpu() - cpu
        if proc.returncode:
            raise SystemExit(f"becoming {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
        return seconds, proc.stdout.strip()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def import_workspace(cli: Cli, name: str, paths: dict, fmt: str, events: int) -> tuple[str, dict]:
    _, slug = cli.run("workspace", "create", name)
    slug = slug.splitlines()[-1].strip()
    out = {}
    out["import_customers_seconds"], _ = cli.run(
        "import", "customers", str(paths["customers"]), "--workspace", slug,
        "--id-column", "customer_id", "--name-column", "name")
    cli.run("model", "apply", str(paths["model"]), "--workspace", slug)
    seconds, text = cli.run(
        "import", "events", str(paths[fmt]), "--workspace", slug, "--customer-column", "customer",
        "--type-column", "event", "--time-column", "time", "--value-column", "amount")
    out[f"import_{fmt}_seconds"] = seconds
    out[f"import_{fmt}_events_per_s"] = int(events / seconds)
    print(f"  import {fmt}: {text} in {seconds:.1f} s", flush=True)
    return slug, out


# ------------------------------------------------------------------------------ engine

def django_setup(home: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["BECOMING_HOME"] = str(home)
    from becoming.cli import setup_django

    setup_django()


def hand_sql(files: list[str]) -> str:
    import datetime as dt

    as_of = dt.date.fromisoformat(AS_OF)
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    days = {f"d{n}": (cutoff - dt.timedelta(days=n)).isoformat(sep=" ") for n in (30, 90, 180, 365)}
    return HAND_SQL.format(files="[" + ", ".join(f"'{f}'" for f in files) + "]",
                           cutoff=cutoff.isoformat(sep=" "), as_of=AS_OF, **days)


def engine_vs_hand(slug: str, repeat: int) -> dict:
    import datetime as dt

    import duckdb

    from becoming.assessments import actions as A
    from becoming.customers.actions import engine_customers
    from becoming.engine import assess
    from becoming.signals.actions import store_for
    from becoming.transformation.actions import current_version
    from becoming.workspaces.actions import get_workspace

    ws = get_workspace(slug)
    model = current_version(ws).parsed()
    as_of = dt.date.fromisoformat(AS_OF)
    out: dict = {}
    t = []
    for _ in range(repeat):
        start = time.perf_counter()
        customers = engine_customers(ws)
        t.append(time.perf_counter() - start)
    out["engine_customers_load_seconds"] = statistics.median(t)
    store = store_for(ws)
    files = store.files()
    out["store_files"] = len(files)

    engine_t, register_t, hand_t, hand_cpu = [], [], [], []
    result = hand = None
    for _ in range(repeat):
        con = duckdb.connect()
        con.register("customers", customers)
        start = time.perf_counter()
        store.register(con, "signals")
        register_t.append(time.perf_counter() - start)
        result = assess(model, as_of, con)
        engine_t.append(time.perf_counter() - start)
        con.close()

        con = duckdb.connect()
        con.register("customers", customers)
        start, cpu = time.perf_counter(), own_cpu()
        hand = con.sql(hand_sql(files)).to_arrow_table()
        hand_t.append(time.perf_counter() - start)
        hand_cpu.append(own_cpu() - cpu)
        con.close()
    out["engine_register_seconds"] = statistics.median(register_t)
    out["assess_engine_seconds"] = statistics.median(engine_t)
    out["handwritten_sql_seconds"] = statistics.median(hand_t)
    out["handwritten_sql_cpu_seconds"] = statistics.median(hand_cpu)
    out["engine_seconds_all"] = [round(x, 3) for x in engine_t]
    out["handwritten_seconds_all"] = [round(x, 3) for x in hand_t]

    engine_stages = result.table.select(["customer_id"] + [f"stage__{d}" for d in DIMENSIONS])
    hand = hand.cast(engine_stages.schema) if hand.schema != engine_stages.schema else hand
    agree = engine_stages.num_rows == hand.num_rows and all(
        pc.all(pc.equal(engine_stages.column(c), hand.column(c))).as_py()
        for c in engine_stages.column_names)
    out["stages_agree"] = bool(agree)
    out["customers_assessed"] = engine_stages.num_rows
    out["stage_distribution"] = {
        d: [pc.sum(pc.equal(hand.column(f"stage__{d}"), k)).as_py() or 0 for k in range(4)]
        for d in DIMENSIONS}

    # Where the rest of `becoming assess` goes: the other steps of run_assessment, once.
    con = duckdb.connect()
    start = time.perf_counter()
    path = A._write(ws, 0, as_of, result.table)
    out["assess_write_snapshot_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    A.summarise(model, con, result.table)
    out["assess_summarise_seconds"] = time.perf_counter() - start
    os.remove(path)
    return out


def startup_seconds(cli: Cli, repeat: int) -> float:
    """Python + Django set-up, the floor of every CLI command."""
    code = "from becoming.cli import setup_django; setup_django()"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=cli.env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ------------------------------------------------------------------------------ web

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_pages(cli: Cli, slug: str, requests: int, extra: dict | None = None) -> dict:
    email, password = "bench@example.com", "bench-password-123"
    cli.run("user", "create", email, "--workspace", slug, "--role", "owner", "--password-stdin",
            stdin=password + "\n")
    port = free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a chatty server must never block on it
    server = subprocess.Popen([BECOMING, "serve", "--port", str(port), "--no-worker"],
                              env=cli.env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    raise SystemExit("server did not start: " + log.read().decode()) from None
                time.sleep(0.3)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email,
                                       "password": password}).encode()
        req = urllib.request.Request(base + "/login/", data=body,
                                     headers={"Referer": base + "/login/"})
        opener.open(req).read()
        if not any(c.name == "sessionid" for c in jar):
            raise SystemExit("login failed")
        variants = {
            "customers_page": f"/w/{slug}/customers/",
            "customers_page_filtered_sorted": f"/w/{slug}/customers/?stage_adoption=2&sort=-index",
            "customers_page_sorted_stage": f"/w/{slug}/customers/?sort=-stage_value",
            "customers_page_page_100": f"/w/{slug}/customers/?page=100",
            **(extra or {}),
        }
        out = {}
        for name, url in variants.items():
            times = []
            opener.open(base + url).read()  # warm up
            for _ in range(requests):
                start = time.perf_counter()
                resp = opener.open(base + url)
                html = resp.read()
                times.append(time.perf_counter() - start)
                if resp.status != 200 or b"/login/" in resp.url.encode():
                    raise SystemExit(f"{url}: status {resp.status} at {resp.url}")
            out[f"{name}_median_ms"] = round(1000 * statistics.median(times), 1)
            out[f"{name}_p90_ms"] = round(1000 * sorted(times)[int(0.9 * (len(times) - 1))], 1)
            out[f"{name}_bytes"] = len(html)
        return out
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# ------------------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="generate data here once and reuse it")
    parser.add_argument("--formats", default="csv,parquet",
                        help="event file formats to import (the last one is assessed)")
    parser.add_argument("--repeat", type=int, default=5, help="timings repeated (median)")
    parser.add_argument("--cli-repeat", type=int, default=3, help="`becoming assess` runs")
    parser.add_argument("--requests", type=int, default=25, help="requests per page variant")
    parser.add_argument("--home", type=Path,
                        help="BECOMING_HOME to use and keep (default: a fresh temporary one, removed)")
    parser.add_argument("--reuse", metavar="SLUG",
                        help="with --home: measure this already loaded workspace (no imports)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "results.json")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    data = args.keep or Path(tempfile.mkdtemp(prefix="bench_assess_data_"))
    home = args.home or Path(tempfile.mkdtemp(prefix="bench_assess_home_"))
    home.mkdir(parents=True, exist_ok=True)
    results: dict = {"customers": args.customers, "events": args.events,
                     "cpus": os.cpu_count(), "load_average_start": os.getloadavg()[0]}
    try:
        paths = prepare_data(data, args.customers, args.events, formats)
        cli = Cli(home)
        slug = args.reuse
        for i, fmt in enumerate(formats if not args.reuse else []):
            slug, out = import_workspace(cli, f"Bench {fmt} {i}", paths, fmt, args.events)
            results.update(out)
        results["cli_startup_seconds"] = startup_seconds(cli, 3)
        if not args.reuse:
            results["import_events_per_s"] = max(results[f"import_{f}_events_per_s"] for f in formats)

        times, cpu = [], []
        for _ in range(args.cli_repeat):
            seconds, text = cli.run("assess", "--workspace", slug, "--as-of", AS_OF)
            times.append(seconds)
            cpu.append(cli.cpu)
        print(f"  {text.splitlines()[-1]}", flush=True)
        results["assess_cli_seconds"] = statistics.median(times)
        results["assess_cli_seconds_all"] = [round(x, 2) for x in times]
        # The first run writes every customer's stages; the others only what changed (nothing).
        results["assess_cli_first_seconds"] = times[0]
        results["assess_cli_cpu_seconds"] = statistics.median(cpu)
        results["assess_cli_cpu_seconds_all"] = [round(x, 2) for x in cpu]

        django_setup(home)
        results.update(engine_vs_hand(slug, args.repeat))
        hand = results["handwritten_sql_seconds"]
        results["ratio_cli_vs_handwritten"] = results["assess_cli_seconds"] / hand
        results["ratio_cli_first_vs_handwritten"] = results["assess_cli_first_seconds"] / hand
        results["ratio_engine_vs_handwritten"] = results["assess_engine_seconds"] / hand
        results["ratio_cli_vs_handwritten_cpu"] = (results["assess_cli_cpu_seconds"]
                                                   / results["handwritten_sql_cpu_seconds"])

        results["web_measured_with"] = "becoming serve (waitress) over HTTP"
        results.update(measure_pages(cli, slug, args.requests))
        results["load_average_end"] = os.getloadavg()[0]
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(data, ignore_errors=True)

    report(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written: {args.out}")


def report(r: dict) -> None:
    for key, value in r.items():
        if isinstance(value, float):
            value = f"{value:.3f}" if value < 100 else f"{value:.0f}"
        elif isinstance(value, bool):
            value = str(value).lower()
        print(f"{key}: {value}")
    ok = {
        "import >= 200,000 events/s": r.get("import_events_per_s", 200_000) >= 200_000,
        "assess (CLI) within 1.2x of hand-written SQL": r["ratio_cli_vs_handwritten"] <= 1.2,
        "assess (CLI, first run: every stage written) within 1.2x":
            r["ratio_cli_first_vs_handwritten"] <= 1.2,
        "assess (engine) within 1.5x of hand-written SQL": r["ratio_engine_vs_handwritten"] <= 1.5,
        "stages equal the hand-written query's": r["stages_agree"],
        "customers page median < 200 ms": r["customers_page_median_ms"] < 200,
        "filtered+sorted page median < 200 ms": r["customers_page_filtered_sorted_median_ms"] < 200,
        "sorted by a stage page median < 200 ms": r["customers_page_sorted_stage_median_ms"] < 200,
    }
    print(f"\nSummary ({r['customers']:,} customers, {r['events']:,} events, {r['cpus']} CPUs):")
    if "import_events_per_s" in r:
        print(f"  import: {r['import_events_per_s']:,} events/s (best format)")
    print(f"  assess: CLI {r['assess_cli_seconds']:.2f} s, engine {r['assess_engine_seconds']:.2f} s, "
          f"hand-written SQL {r['handwritten_sql_seconds']:.2f} s "
          f"(x{r['ratio_cli_vs_handwritten']:.1f} / x{r['ratio_engine_vs_handwritten']:.2f})")
    print(f"  customers page: {r['customers_page_median_ms']:.0f} ms median, filtered+sorted "
          f"{r['customers_page_filtered_sorted_median_ms']:.0f} ms")
    for name, passed in ok.items():
        print(f"  [{'ok' if passed else 'MISSED'}] {name}")


if __name__ == "__main__":
    main()
