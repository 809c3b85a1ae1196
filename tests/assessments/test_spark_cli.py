"""`becoming assess --engine spark` end to end, through the installed entry point: the Telco
customers with events, a month of history on Spark, and the same exported stages as DuckDB.

One Spark run (a JVM start) in its own process, compared with DuckDB's snapshot files column
by column; the engine-level agreement is in tests/engine/test_spark.py.
"""

import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
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

SPARK_DEFAULTS = """\
spark.driver.extraJavaOptions -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
spark.sql.shuffle.partitions 2
spark.ui.enabled false
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


@pytest.fixture(scope="module")
def telco_events(becoming, cli_env, tmp_path_factory):
    """A workspace with the Telco customers, logins, the example model plus an events
    dimension; returns (slug, its data directory)."""
    need_data(TELCO)
    tmp = tmp_path_factory.mktemp("spark_cli")
    workspaces = Path(cli_env["BECOMING_HOME"]) / "workspaces"
    before = set(workspaces.glob("*"))
    slug = becoming("workspace", "create", "Telco on Spark").stdout.strip()
    becoming("import", "customers", TELCO, "--workspace", slug, "--id-column", "customerID")
    becoming("import", "events", logins(tmp / "logins.csv"), "--workspace", slug,
             "--customer-column", "customer", "--type-column", "event", "--time-column", "at")
    model = tmp / "model.yaml"
    model.write_text(EXAMPLE.read_text() + EVENTS_DIMENSION)
    becoming("model", "apply", model, "--workspace", slug)
    (data_dir,) = set(workspaces.glob("*")) - before
    return slug, data_dir


def snapshots(data_dir: Path) -> dict[str, tuple[str, pa.Table]]:
    """The workspace's snapshot files by as-of date (the newest file of each date)."""
    out = {}
    for path in sorted((data_dir / "assessments").glob("*.parquet")):  # names sort by time
        out[path.name[:10]] = (path.name, pq.read_table(path))
    return out


def test_assess_on_spark_equals_duckdb(becoming, cli_env, telco_events, tmp_path):
    spark_ready()
    slug, data_dir = telco_events
    becoming("assess", "--workspace", slug, "--as-of", "2026-02-28", "--history", "1",
             "--engine", "duckdb")
    duck = snapshots(data_dir)
    assert sorted(duck) == ["2026-01-31", "2026-02-28"]
    # The engine from the setting, as a deployment would choose it; Spark's own settings from
    # SPARK_CONF_DIR (small and quick to start, for a test).
    (tmp_path / "spark-defaults.conf").write_text(SPARK_DEFAULTS)
    env = {**cli_env, "BECOMING_ENGINE": "spark", "SPARK_MASTER": "local[2]",
           "SPARK_CONF_DIR": str(tmp_path)}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug, "--as-of", "2026-02-28",
                           "--history", "1"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "assessed 7043 customers as of 2026-02-28" in proc.stdout
    spark = snapshots(data_dir)
    for as_of, (duck_file, want) in duck.items():
        spark_file, got = spark[as_of]
        assert spark_file != duck_file, as_of  # Spark's run wrote its own snapshot
        assert got.schema == want.schema and got.num_rows == 7043, as_of
        for name in want.column_names:
            g, w = got.column(name).to_pylist(), want.column(name).to_pylist()
            if pa.types.is_floating(want.schema.field(name).type):
                assert g == pytest.approx(w, abs=1e-12, rel=0), (as_of, name)
            else:
                assert g == w, (as_of, name)
    engaged = set(duck["2026-02-28"][1].column("stage__engagement").to_pylist())
    assert engaged == {0, 1, 2}  # the events matter to the comparison


def test_engine_errors_are_clear(becoming, cli_env, telco_events):
    slug, _ = telco_events
    bad = becoming("assess", "--workspace", slug, "--engine", "presto", ok=False)
    assert bad.returncode == 2 and "'presto' is not one of 'duckdb', 'spark'" in bad.stderr
    env = {**cli_env, "BECOMING_ENGINE": "presto"}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: BECOMING_ENGINE must be one of duckdb, spark, not 'presto'"
    no_java = {**{k: v for k, v in cli_env.items() if k != "JAVA_HOME"}, "PATH": "/nonexistent"}
    proc = subprocess.run([BECOMING, "assess", "--workspace", slug, "--engine", "spark"],
                          env=no_java, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "the Spark engine needs Java 17 or 21" in proc.stderr
    assert "default-jre-headless" in proc.stderr
