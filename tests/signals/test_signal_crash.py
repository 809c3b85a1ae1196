"""Crash safety and concurrent imports, through the real `becoming` command in subprocesses.

BECOMING_CRASH_AT=<point> makes the import die with os._exit(137) right after that commit,
as under kill -9. Whatever the point, the database and the signal store must agree (no
signal names a customer the database lacks) and one more run must converge to exactly the
file's customers and events. Two imports of one file at once must store each event once.
"""

import subprocess
import sys

import pytest
from support import BECOMING

CUSTOMERS = 40
# Each customer: two identical purchases (both real) and one visit: 3 events per customer.
ROWS = [(f"NEW-{c}", kind, f"2026-01-0{1 + c % 9}", "9.5") for c in range(CUSTOMERS)
        for kind in ("purchase", "purchase", "visit")]
EVENTS = len(ROWS)
ARGS = ("--type-column", "event", "--value-column", "amount", "--create-customers")


@pytest.fixture
def events_file(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text("customer_id,event,time,amount\n" + "".join(",".join(r) + "\n" for r in ROWS))
    return path


def counts(cli_env, slug) -> tuple[int, int, int]:
    """(customers, signals, signals whose customer the database lacks) of a workspace."""
    script = (
        "from becoming.cli import setup_django; setup_django()\n"
        "import duckdb\n"
        "from becoming.workspaces.actions import get_workspace\n"
        "from becoming.signals.actions import store_for\n"
        f"ws = get_workspace({slug!r})\n"
        "pks = list(ws.customers.values_list('pk', flat=True))\n"
        "con = duckdb.connect(); store_for(ws).register(con)\n"
        "orphans = con.sql('SELECT count(*) FROM signals WHERE NOT list_contains(?, customer_id)',"
        " params=[pks]).fetchall()[0][0] if pks else store_for(ws).count()\n"
        "print(len(pks), store_for(ws).count(), orphans)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=cli_env, capture_output=True,
                         text=True, timeout=120, check=True)
    return tuple(int(x) for x in out.stdout.split())


def run_import(cli_env, slug, path, crash_at=None):
    env = {**cli_env, "BECOMING_CRASH_AT": crash_at} if crash_at else cli_env
    return subprocess.run([BECOMING, "import", "events", str(path), "--workspace", slug, *ARGS],
                          env=env, capture_output=True, text=True, timeout=300)


# What each crash leaves: the commit order makes the customers land first, the events last.
LEFT = {"customers-committed": (CUSTOMERS, 0, 0), "signals-committed": (CUSTOMERS, EVENTS, 0)}


@pytest.mark.parametrize("point", sorted(LEFT))
def test_crash_after_each_commit_point_converges(becoming, cli_env, events_file, point):
    slug = becoming("workspace", "create", f"Crash {point}").stdout.strip()
    crashed = run_import(cli_env, slug, events_file, crash_at=point)
    assert crashed.returncode == 137, crashed.stderr
    # Never a signal for a customer the database does not have (the third count).
    assert counts(cli_env, slug) == LEFT[point]
    rerun = run_import(cli_env, slug, events_file)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(cli_env, slug) == (CUSTOMERS, EVENTS, 0)
    again = run_import(cli_env, slug, events_file)
    assert "0 events added" in again.stdout and "0 customers created" in again.stdout


def test_the_same_file_imported_twice_at_once_stores_each_event_once(becoming, cli_env, events_file):
    slug = becoming("workspace", "create", "Twice at once").stdout.strip()
    procs = [subprocess.Popen([BECOMING, "import", "events", str(events_file), "--workspace", slug, *ARGS],
                              env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    assert counts(cli_env, slug) == (CUSTOMERS, EVENTS, 0)
    added = sorted(int(o[0].split("rows: ")[1].split()[0]) for o in outs)
    assert added == [0, EVENTS]
