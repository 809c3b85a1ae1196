"""The workload the scale benchmarks share (bench_assess, bench_scale, bench_spark): generated
customers and events, the model and the hand-written query that computes the same stages, the
`becoming` command run as a subprocess, the customers page measured over HTTP, and the
figures printed and saved."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import resource
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

BIN = Path(sys.executable).parent


BECOMING = str(BIN / "becoming")


AS_OF = "2024-12-31"


YEAR_START = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)


YEAR_SECONDS = 366 * 24 * 3600


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


def hand_sql(files: list[str]) -> str:
    import datetime as dt

    as_of = dt.date.fromisoformat(AS_OF)
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    days = {f"d{n}": (cutoff - dt.timedelta(days=n)).isoformat(sep=" ") for n in (30, 90, 180, 365)}
    return HAND_SQL.format(files="[" + ", ".join(f"'{f}'" for f in files) + "]",
                           cutoff=cutoff.isoformat(sep=" "), as_of=AS_OF, **days)


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


def print_figures(r: dict) -> None:
    """Every figure as a ``name: value`` line, floats rounded."""
    for key, value in r.items():
        if isinstance(value, float):
            value = f"{value:.3f}" if value < 100 else f"{value:.0f}"
        elif isinstance(value, bool):
            value = str(value).lower()
        print(f"{key}: {value}")


def print_checks(checks: dict[str, bool]) -> None:
    for name, passed in checks.items():
        print(f"  [{'ok' if passed else 'MISSED'}] {name}")


def save_figures(r: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=2, default=str) + "\n")
    print(f"written: {out}")
