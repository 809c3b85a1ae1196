"""Helpers shared by tests (importable as `support`: tests/ is on pytest's pythonpath)."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TELCO = DATA / "telco-churn" / "Telco-Customer-Churn.csv"


def need_data(path: Path) -> None:
    """Skip when the shared data set is absent, except in CI where that is a failure."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {path} (../shared/data beside the clone)")
        pytest.skip(f"{path} is absent (../shared/data is not beside this clone)")


BECOMING = shutil.which("becoming", path=str(Path(sys.executable).parent)) or "becoming"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env["BECOMING_HOME"] = str(home)
    url = os.environ.get("DATABASE_URL", "")
    dropper = None
    if url.startswith("postgres"):
        import psycopg

        name = f"becoming_cli_{uuid.uuid4().hex[:8]}"
        base, _, _ = url.rpartition("/")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"

        def dropper():
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{home / 'cli.sqlite3'}"
    yield env
    if dropper:
        dropper()


@pytest.fixture(scope="module")
def becoming(cli_env):
    def run(*args, stdin=None, ok=True):
        proc = subprocess.run([BECOMING, *map(str, args)], env=cli_env, input=stdin,
                              capture_output=True, text=True, timeout=300)
        if ok and proc.returncode != 0:
            raise AssertionError(f"becoming {' '.join(map(str, args))} failed: {proc.stderr}")
        return proc

    return run


SMALL_MODEL = """\
vision: Customers who export reports every week and run on the pro plan.
dimensions:
  - key: reporting
    name: Report on their work
    target: regular
    stages:
      - {key: starting, name: Starting}
      - key: trying
        name: Trying
        when:
          - event: {type: report_exported, at_least: 1}
      - key: regular
        name: Regular
        when:
          - event: {type: report_exported, within: 30d, at_least: 3}
          - attribute: {name: plan, in: [pro, enterprise]}
"""
