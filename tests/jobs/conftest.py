"""Real `becoming worker` processes on one installation: its own data directory, database
(SQLite, or a throwaway PostgreSQL database when DATABASE_URL says so) and job queue (the
embedded SQLite queue, or Redis under a queue name of its own, flushed at teardown).

The test process never imports Becoming's Django for these: it queues jobs through
``jobctl.py`` (another process, like a web server would) and reads job rows with plain SQL.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from jobs_support import REDIS_URL, Workers, connect, need_redis

HERE = Path(__file__).resolve().parent


@pytest.fixture
def database(tmp_path):
    """A database URL of this test's own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'becoming.sqlite3'}"
        return
    import psycopg

    name = f"becoming_jobs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{url.rpartition('/')[0]}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite-queue", "redis"])
def queue(request):
    """Which queue the installation uses: its name, and REDIS_URL or None."""
    name = f"becoming-test-{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite-queue":
        yield name, None
        return
    need_redis()
    yield name, REDIS_URL
    from huey import RedisHuey

    RedisHuey(name, url=REDIS_URL).storage.flush_all()


@pytest.fixture
def installation(tmp_path, database, queue):
    """The environment every process of one installation shares."""
    name, redis_url = queue
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BECOMING_HOME=str(tmp_path / "home"), DATABASE_URL=database,
               BECOMING_QUEUE_NAME=name, LOG_LEVEL="INFO",
               PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent), env.get("PYTHONPATH", "")]))
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture
def workers(installation, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    started = Workers(installation, logs)
    yield started
    started.stop_all()


@pytest.fixture
def jobctl(installation):
    """Queue jobs from a process of their own; returns their ids."""

    def run(*args) -> list[int]:
        env = {**installation, "DJANGO_SETTINGS_MODULE": "jobs_settings"}
        proc = subprocess.run([sys.executable, str(HERE / "jobctl.py"), *map(str, args)],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    return run


@pytest.fixture
def jobs_table(installation):
    """Read job rows straight from the installation's database: {id: row as a dict}."""
    url = installation["DATABASE_URL"]
    columns = "id, status, attempts, claimed_by, message, result, error, started, heartbeat"

    def read(ids) -> dict[int, dict]:
        marks = ", ".join(["%s" if url.startswith("postgres") else "?"] * len(ids))
        with connect(url) as conn:
            cursor = conn.execute(f"SELECT {columns} FROM jobs_job WHERE id IN ({marks})", list(ids))
            rows = [dict(zip(columns.split(", "), row)) for row in cursor.fetchall()]
        for row in rows:  # SQLite hands back text where psycopg parses
            if isinstance(row["result"], str):
                row["result"] = json.loads(row["result"])
            for name in ("started", "heartbeat"):
                if isinstance(row[name], str):
                    row[name] = dt.datetime.fromisoformat(row[name])
        return {row["id"]: row for row in rows}

    return read


