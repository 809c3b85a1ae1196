"""Helpers shared by tests (importable as `support`: tests/ is on pytest's pythonpath)."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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


@contextlib.contextmanager
def served(env: dict, log_dir: Path):
    """A real `becoming serve --no-worker` on a free port with ``env``; yields its base URL.

    The server's output goes to a file, not a pipe: a full, unread pipe would stall it.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = log_dir / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([BECOMING, "serve", "--no-worker", "--port", str(port)],
                                env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"the server stopped: {log.read_text()}")
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not answer within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def portal_sign_in(client, contact) -> None:
    """Give a Django test client a portal session for ``contact`` (as a magic link would)."""
    from becoming.portal.access import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {"contact": contact.pk, "workspace": contact.workspace_id}
    session.save()


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd on 127.0.0.1 and a free port; Django's SMTP backend points at it.

    Yields the handler: ``smtp_server.messages`` are the received email.message objects.
    """
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()


@pytest.fixture
def outbox_sink(settings):
    """The demo's loopback SMTP sink with the Outbox page on (BECOMING_OUTBOX), on a free port."""
    from becoming.outbox.sink import start_outbox

    settings.BECOMING_OUTBOX = True
    settings.BECOMING_OUTBOX_PORT = 0
    controller = start_outbox()
    yield controller
    controller.stop()
