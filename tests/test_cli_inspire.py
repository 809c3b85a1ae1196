"""The Inspire and portal command-line contract through the installed entry point, on the
Telco data: peers by Contract and InternetService (percentiles checked against pandas),
goals, stories, bad input, and `becoming portal invite` through a real SMTP server.

Every test here runs the CLI over a data file in a database of its own: the PostgreSQL pass
leaves them out (``once``).
"""

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support import TELCO, need_data

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "becoming" / "examples" / "telco.yaml"
GROUP = ["--peer-attribute", "Contract", "--peer-attribute", "InternetService"]
PEER_COLUMNS = ["customer_id", "dimension", "stage_index", "peer_group", "peers", "percentile", "peers_ahead"]


@pytest.fixture(scope="module")
def telco(becoming, tmp_path_factory):
    """The Telco customers, the example model, one assessment, and its export."""
    need_data(TELCO)
    slug = becoming("workspace", "create", "Telco Inspire").stdout.strip()
    becoming("import", "customers", TELCO, "--workspace", slug, "--id-column", "customerID")
    becoming("model", "apply", EXAMPLE, "--workspace", slug)
    becoming("assess", "--workspace", slug, "--as-of", "2026-01-31")
    out = tmp_path_factory.mktemp("telco") / "stages.csv"
    becoming("export", "assessments", "--workspace", slug, "-o", out)
    return slug, pd.read_csv(out)


def expected_percentiles(stages: pd.DataFrame, min_peers: int) -> pd.DataFrame:
    """The contract's formula, computed independently with pandas."""
    raw = pd.read_csv(TELCO)[["customerID", "Contract", "InternetService"]]
    frame = stages[["customer_id", "dimension", "stage_index"]].merge(
        raw, left_on="customer_id", right_on="customerID")
    frame["group"] = "Contract=" + frame.Contract + ", InternetService=" + frame.InternetService
    size = frame.groupby(["dimension", "group"]).customer_id.transform("size")
    frame["peer_group"] = frame.group.where(size >= min_peers, "all")
    parts = []
    for (dim, group), part in frame.groupby(["dimension", "peer_group"]):
        pool = frame[frame.dimension == dim].stage_index if group == "all" else part.stage_index
        # For each stage present: how many in the pool are below, at and above it.
        at = {s: ((pool < s).sum(), (pool == s).sum(), (pool > s).sum()) for s in part.stage_index.unique()}
        parts.append(pd.DataFrame({
            "customer_id": part.customer_id, "dimension": dim, "peer_group": group, "peers": len(pool),
            "percentile": [100 * (at[s][0] + 0.5 * at[s][1]) / len(pool) for s in part.stage_index],
            "peers_ahead": [at[s][2] for s in part.stage_index]}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("min_peers", [None, 1000])
def test_peers_match_pandas(becoming, telco, tmp_path, min_peers):
    slug, stages = telco
    out = tmp_path / "peers.out"
    extra = [] if min_peers is None else ["--min-peers", min_peers, "--format", "json"]
    becoming("inspire", "peers", "--workspace", slug, *GROUP, *extra, "-o", out)
    got = pd.read_csv(out) if min_peers is None else pd.DataFrame(json.loads(out.read_text()))
    assert list(got.columns) == PEER_COLUMNS
    assert len(got) == 7043 * 3
    want = expected_percentiles(stages, min_peers or 30)
    both = got.merge(want, on=["customer_id", "dimension"], suffixes=("", "_want"))
    assert len(both) == len(got)
    assert (both.peer_group == both.peer_group_want).all()
    assert (both.peers == both.peers_want).all() and (both.peers_ahead == both.peers_ahead_want).all()
    assert (both.percentile - both.percentile_want).abs().max() <= 0.05
    assert (both.stage_index == stages.set_index(["customer_id", "dimension"])
            .loc[list(zip(both.customer_id, both.dimension))].stage_index.to_numpy()).all()
    if min_peers == 1000:  # DSL and fibre month-to-month groups pass 1000; the others fall back
        assert set(got.peer_group) >= {"all"} and (got[got.peer_group == "all"].peers == 7043).all()
        assert got.peer_group.nunique() > 1
    else:
        assert "all" not in set(got.peer_group) and got.peer_group.nunique() == 9


def test_bad_peer_attribute_writes_nothing(becoming, telco, tmp_path):
    slug, _ = telco
    out = tmp_path / "never.csv"
    bad = becoming("inspire", "peers", "--workspace", slug, "--peer-attribute", "Contrakt", "-o", out, ok=False)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "peer attribute 'Contrakt'" in bad.stderr and "Contract" in bad.stderr
    assert not out.exists()


def test_goals_and_stories(becoming, telco, tmp_path):
    slug, stages = telco
    out = tmp_path / "goals.csv"
    becoming("inspire", "goals", "--workspace", slug, "--peer-attribute", "Contract", "-o", out)
    got = pd.read_csv(out, keep_default_na=False)
    assert list(got.columns) == ["customer_id", "dimension", "goal_stage", "goal_date", "stretch_stage",
                                 "stretch_date", "peers", "basis"]
    tops = {"protection": 3, "support": 2, "commitment": 3}
    below_top = stages[stages.stage_index < stages.dimension.map(tops)]
    assert len(got) == len(below_top)
    contract = pd.read_csv(TELCO).set_index("customerID").Contract
    assert (got.peers == got.customer_id.map(contract).map(contract.value_counts())).all()
    # One assessment: nobody has been seen to move, so no date is proposed, and it says why.
    assert (got.goal_date == "").all()
    assert got.basis.str.contains("a single assessment so far").all()
    assert got.basis.str.contains("Compared with").all()
    header = becoming("inspire", "stories", "--workspace", slug).stdout.splitlines()
    assert header == ['"customer_id","dimension","from_stage","to_stage","moved_on","days_taken",'
                      '"signals_before","consent"']


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def test_portal_invite_prints_the_link_it_emails(becoming, telco, cli_env):
    from aiosmtpd.controller import Controller

    slug, _ = telco
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'becoming.settings'); "
            "django.setup(); from becoming.customers.models import Customer; "
            f"c = Customer.objects.get(workspace__slug='{slug}', external_id='7590-VHVEG'); "
            "c.contacts.create(workspace=c.workspace, name='Ada Lovelace', email='ada@home.test')")
    subprocess.run([sys.executable, "-c", code], env=cli_env, check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = dict(cli_env)
    cli_env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port),
                   EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    try:
        out = becoming("portal", "invite", "--workspace", slug, "--email", "ADA@home.test").stdout
        missing = becoming("portal", "invite", "--workspace", slug, "--email", "nobody@home.test", ok=False)
    finally:
        controller.stop()
        cli_env.clear()
        cli_env.update(saved)
    printed = re.search(r"http://127\.0\.0\.1:8000/portal/sign-in/\S+/", out).group(0)
    assert "ada@home.test" in out
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "ada@home.test"
    assert printed in inbox.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert missing.returncode == 1 and "no contact with the email 'nobody@home.test'" in missing.stderr
