"""A bounded schemathesis run against a live server: no 5xx, nothing outside the schema.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL). The
workspace has customers, a model, an assessment and feedback, so operations reach their real
code paths rather than only their 404s.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import served

SETUP = """
import datetime as dt, django
django.setup()
from becoming.assessments.actions import run_assessment
from becoming.customers.actions import add_contact, upsert_customer
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import apply_model
from becoming.workspaces.actions import create_workspace
from becoming.workspaces.models import ApiToken
from support import SMALL_MODEL

ws = create_workspace("Fuzzed")
for i in range(5):
    customer, _ = upsert_customer(ws, f"C-{i}", f"Customer {i}", {"plan": "pro"})
    add_contact(customer, name=f"P{i}", email=f"p{i}@fuzz.test")
ingest_batch(ws, [{"customer_id": "C-1", "type": "report_exported",
                   "time": dt.datetime(2026, 1, 5)}])
apply_model(ws, SMALL_MODEL)
run_assessment(ws, dt.date(2026, 1, 31))
print(ApiToken.issue(ws, "fuzz")[1])
"""
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture
def mail_sink():
    """A real SMTP server on loopback that keeps nothing: invitations must be deliverable."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_the_api_holds_under_schemathesis(cli_env, becoming, tmp_path, mail_sink):
    becoming("workspace", "create", "Migrated")  # migrates the server's database
    cli_env = {**cli_env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail_sink)}
    env = {**cli_env, "DJANGO_SETTINGS_MODULE": "becoming.settings",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    token = subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, text=True,
                           capture_output=True).stdout.split()[-1]
    report = tmp_path / "report.json"
    with served(cli_env, tmp_path) as base:
        run = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
             "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--max-examples", "8",
             "--seed", "7", "--phases", "examples,coverage,fuzzing", "--max-time", "100",
             "--workers", "1", "--request-timeout", "60", "--report", "ndjson",
             "--report-ndjson-path", str(report), "--no-color"],
            capture_output=True, text=True, timeout=600)
    tail = "\n".join(run.stdout.splitlines()[-60:])
    assert run.returncode == 0, f"schemathesis found problems:\n{tail}"
    assert "passed" in run.stdout.lower(), tail
    assert report.exists() and any(json.loads(line) for line in report.read_text().splitlines())
