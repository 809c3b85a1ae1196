"""`becoming assess --engine spark` end to end, through the installed entry point: the Telco
customers with events, a month of history on Spark, and the same exported stages as DuckDB.

One Spark run (a JVM start) in its own process; the engine-level agreement is in
tests/engine/test_spark.py.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from support import BECOMING, TELCO, need_data

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "src" / "becoming" / "examples" / "telco.yaml"
EVENTS_DIMENSION = """
  - key: engagement
    name: Engaged
    target: regular
    stages:
      - {key: quiet, name: Quiet}
      - key: trying
        name: Trying
        when:
          - event: {type: app_login, at_least: 1}
      - key: regular
        name: Regular
        when:
          - event: {type: app_login, within: 30d, measure: distinct_days, at_least: 2}
          - event: {type: app_login, measure: days_since_last, at_most: 20}
"""

pytestmark = pytest.mark.once


def spark_ready() -> None:
    from becoming.engine.spark import EngineUnavailable, check_available

    try:
        check_available()
    except EngineUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the Spark engine tests: {exc}")
        pytest.skip(str(exc))


def logins(path: Path) -> Path:
    """app_login events for the first 3,000 Telco customers, spread over Jan and Feb 2026."""
    ids = [line.split(",", 1)[0] for line in TELCO.read_text().splitlines()[1:3001]]
    lines = ["customer,event,at"]
    for n, cid in enumerate(ids):
        for k in range(n % 4):
            lines.append(f"{cid},app_login,2026-{1 + (n + k) % 2:02d}-{1 + (n * 7 + k * 11) % 28:02d}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_assess_on_spark_equals_duckdb(becoming, cli_env, tmp_path):
    need_data(TELCO)
    spark_ready()
    slug = becoming("workspace", "create", "Telco on Spark").stdout.strip()
    becoming("import", "customers", TELCO, "--workspace", slug, "--id-column", "customerID")
    becoming("import", "events", logins(tmp_path / "logins.csv"), "--workspace", slug,
             "--customer-column", "customer", "--type-column", "event", "--time-column", "at")
    model = tmp_path / "model.yaml"
    model.write_text(EXAMPLE.read_text() + EVENTS_DIMENSION)
    becoming("model", "apply", model, "--workspace", slug)

    def exported(as_of: str) -> list[dict]:
        out = tmp_path / f"{as_of}.json"
        becoming("export", "assessments", "--workspace", slug, "--as-of", as_of,
                 "--format", "json", "-o", out)
        return sorted(json.loads(out.read_text()), key=lambda r: (r["customer_id"], r["dimension"]))

    duck = {}
    for as_of in ("2026-01-31", "2026-02-28"):
        becoming("assess", "--workspace", slug, "--as-of", as_of, "--engine", "duckdb")
        duck[as_of] = exported(as_of)
    # The engine from the setting, as a deployment would choose it; history re-runs both dates.
    env = {**cli_env, "BECOMING_ENGINE": "spark", "SPARK_MASTER": "local[2]"}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug, "--as-of", "2026-02-28",
                           "--history", "1"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "assessed 7043 customers as of 2026-02-28" in proc.stdout
    for as_of, rows in duck.items():
        assert exported(as_of) == rows, as_of
    engaged = {r["stage"] for r in duck["2026-02-28"] if r["dimension"] == "engagement"}
    assert engaged == {"quiet", "trying", "regular"}  # the events matter to the comparison


def test_engine_errors_are_clear(becoming, cli_env, tmp_path):
    slug = becoming("workspace", "create", "Engines").stdout.strip()
    bad = becoming("assess", "--workspace", slug, "--engine", "presto", ok=False)
    assert bad.returncode == 2 and "'presto' is not one of 'duckdb', 'spark'" in bad.stderr
    env = {**cli_env, "BECOMING_ENGINE": "presto"}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: BECOMING_ENGINE must be one of duckdb, spark, not 'presto'"
    model = tmp_path / "model.yaml"
    model.write_text("vision: v\ndimensions:" + EVENTS_DIMENSION)
    becoming("model", "apply", model, "--workspace", slug)
    no_java = {**{k: v for k, v in cli_env.items() if k != "JAVA_HOME"}, "PATH": "/nonexistent"}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug, "--engine", "spark"],
                          env=no_java, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "the Spark engine needs Java 17 or 21" in proc.stderr
    assert "default-jre-headless" in proc.stderr
