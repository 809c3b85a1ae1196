"""Helpers for the worker tests: worker processes, reading job rows, waiting."""

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import dj_database_url
import pytest
from support import BECOMING

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def need_redis() -> None:
    """Skip when no Redis answers, except in CI where that is a failure."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")


class Workers:
    """`becoming worker` processes, each in a session of its own so teardown kills it whole."""

    def __init__(self, env, logs: Path):
        self.env, self.logs, self.procs = env, logs, []

    def start(self, **extra) -> subprocess.Popen:
        path = self.logs / f"worker-{len(self.procs)}.log"
        with open(path, "w") as log:
            proc = subprocess.Popen([BECOMING, "worker"], env={**self.env, **extra}, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        proc.log = path
        self.procs.append(proc)
        return proc

    def ready(self, *procs: subprocess.Popen) -> None:
        """Wait until each worker's consumer has started (it says so at LOG_LEVEL=INFO)."""
        for proc in procs:
            wait_until(lambda p=proc: self._started(p), f"worker {proc.pid} started", self)

    def _started(self, proc: subprocess.Popen) -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"worker {proc.pid} stopped\n{self.log_tail()}")
        return "Huey consumer started" in proc.log.read_text()

    def kill(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def running(self, claimed_by: str) -> subprocess.Popen:
        """The process whose worker id (host:pid:token) claimed a job."""
        pid = int(claimed_by.split(":")[1])
        return next(p for p in self.procs if p.pid == pid)

    def executed(self) -> int:
        """How many queue messages the workers have handled (Huey logs each at INFO)."""
        return sum(proc.log.read_text().count(" executed in ") for proc in self.procs)

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted(self.logs.glob("worker-*.log")))

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


def connect(url):
    if url.startswith("postgres"):
        import psycopg

        return psycopg.connect(url, autocommit=True)
    return contextlib.closing(sqlite3.connect(dj_database_url.parse(url)["NAME"], timeout=20))


def wait_until(check, what: str, workers: Workers, seconds: float = 90):
    """Poll ``check()`` until it returns something truthy; fail with the workers' logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not after {seconds}s\n{workers.log_tail()}")
