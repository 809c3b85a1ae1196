"""Many clients writing at once through the real server: none may see "database is locked".

A live `becoming serve` subprocess (waitress, 8 threads) on its own database, and 10 client
threads at once: on SQLite this needs WAL, IMMEDIATE write transactions and a busy timeout
(a DEFERRED transaction that reads and then writes fails at once when another wrote
meanwhile); on PostgreSQL it simply must work too.
"""

import http.cookiejar
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import served

CLIENTS, EACH = 10, 30

SETUP = """
import datetime as dt, django, sys
django.setup()
from django.utils import timezone
from becoming.customers.models import Contact, Customer
from becoming.engage.models import Invitation, Survey
from becoming.engage.actions.surveys import add_question, token_for
from becoming.workspaces.actions import create_workspace
from becoming.workspaces.models import ApiToken

ws = create_workspace("Busy Co")
print(ApiToken.issue(ws, "load")[1])
survey = Survey.objects.create(workspace=ws, title="Busy?", status=Survey.Status.OPEN)
add_question(survey, key="busy", text="How busy?", kind="scale_5", required=True)
customer = Customer.objects.create(workspace=ws, external_id="S-1", name="Surveyed")
for i in range(int(sys.argv[1])):
    contact = Contact.objects.create(workspace=ws, customer=customer, name=f"P{i}",
                                     email=f"p{i}@s.test")
    invitation = Invitation.objects.create(survey=survey, contact=contact,
                                           expires=timezone.now() + dt.timedelta(days=9))
    print(token_for(invitation))
"""


@pytest.fixture(scope="module")
def server(cli_env, becoming, tmp_path_factory):
    """(base URL, API token, survey link tokens) of a running server on a fresh database."""
    becoming("workspace", "create", "Migrated")  # migrates the database the server will use
    env = {**cli_env, "DJANGO_SETTINGS_MODULE": "becoming.settings"}
    token, *links = subprocess.run([sys.executable, "-c", SETUP, str(CLIENTS)], env=env, check=True,
                                   capture_output=True, text=True).stdout.split()
    with served(cli_env, tmp_path_factory.mktemp("server")) as base:
        yield base, token, links


def _call(base, token, method, path, body=None):
    request = urllib.request.Request(
        f"{base}/api/v1{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")[:200]


def _api_client(base, token, n):
    # Each customer carries a new attribute too, so a request reads then writes several tables.
    return [_call(base, token, "POST", "/customers",
                  {"external_id": f"C-{n}-{i}", "name": f"Customer {n}.{i}",
                   "attributes": {"plan": "pro", f"seen_{n}_{i % 3}": i}})[0]
            for i in range(EACH)]


def test_concurrent_api_writers_all_succeed(server):
    base, token, _ = server
    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = [c for codes in pool.map(lambda n: _api_client(base, token, n), range(CLIENTS))
                 for c in codes]
    failed = [c for c in codes if c not in (200, 201)]
    assert not failed, f"{len(failed)} of {len(codes)} writes failed: {sorted(set(failed))}"
    status, page = _call(base, token, "GET", "/customers?q=C-&limit=1")
    assert status == 200 and page["count"] == CLIENTS * EACH


def _respondent(base, link) -> int:
    """Open the survey link, then submit it with the CSRF cookie, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"{base}/s/{link}/"
    opener.open(url, timeout=60).close()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "busy": "4"}).encode()
    request = urllib.request.Request(url, data=form, headers={"Referer": url})
    try:
        with opener.open(request, timeout=60) as page:
            return page.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_concurrent_survey_submits_all_succeed(server):
    base, _, links = server
    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(lambda link: _respondent(base, link), links))
    assert codes == [200] * CLIENTS  # each lands on the thank-you page after the redirect


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the embedded SQLite database's journal mode")
def test_sqlite_database_is_in_wal_mode(server, cli_env):
    import sqlite3

    path = cli_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
