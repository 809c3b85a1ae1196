"""Market research end to end through the command line and a real server: a panel imported,
a survey for the panel with a quota and population shares, invitations over SMTP on loopback,
answers through the personal links, a full cell turning someone away, and the weighted result."""

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

from support import SMALL_MODEL, served


def _answer(link: str, stage: int) -> str:
    """Open a personal link like a browser (cookies, CSRF token) and answer with ``stage``."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(link).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        return page
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "market_reporting": stage}).encode()
    return opener.open(urllib.request.Request(link, data=data, headers={"Referer": link})).read().decode()


def test_panel_survey_quota_and_weights(becoming, cli_env, smtp_server, settings, tmp_path):
    slug = becoming("workspace", "create", "Market Shop").stdout.strip()
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,plan\nA,Alpha,pro\n")
    becoming("import", "customers", customers, "--workspace", slug)
    model = tmp_path / "model.yaml"
    model.write_text(SMALL_MODEL)
    becoming("model", "apply", model, "--workspace", slug)
    panel = tmp_path / "panel.csv"
    panel.write_text("Email,Full name,industry,size\nr1@panel.test,Rita,Retail,Small\nr2@panel.test,Rob,Retail,Large\n"
                     "r3@panel.test,Ray,Retail,Small\ne1@panel.test,Eve,Energy,Small\n")
    imported = becoming("import", "panel", panel, "--workspace", slug, "--email-column", "Email",
                        "--name-column", "Full name")
    assert "4 rows: 4 panelists added, 0 updated; attributes: industry, size" in imported.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("Email,industry\nok@panel.test,Retail\nnot-an-address,Energy\n")
    failed = becoming("import", "panel", bad, "--workspace", slug, "--email-column", "Email", ok=False)
    assert failed.returncode == 1 and "bad.csv, row 3, column \"Email\"" in failed.stderr

    sid = becoming("surveys", "market", "--workspace", slug, "--title", "Where is the market?",
                   "--audience", "panel").stdout.strip()
    assert "panel" in becoming("surveys", "list", "--workspace", slug).stdout
    becoming("surveys", "quota", sid, "--workspace", slug, "--attribute", "industry", "--limit", "2")
    shares = becoming("surveys", "weights", sid, "--workspace", slug, "--attribute", "industry",
                      "--shares", "Retail=40,Energy=60")
    assert "industry: Retail=40.0%, Energy=60.0%" in shares.stdout

    cli_env.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.EMAIL_PORT)})
    with served(cli_env, tmp_path) as base:
        sent = becoming("surveys", "invite", sid, "--workspace", slug, "--panel", "--base-url", base)
        assert "4 panelists invited, 4 emails sent" in sent.stdout
        links = {str(m["To"]): re.search(r"(http://\S+/s/\S+/)", m.get_body(("plain",)).get_content()).group(1)
                 for m in smtp_server.messages}
        assert sorted(links) == ["e1@panel.test", "r1@panel.test", "r2@panel.test", "r3@panel.test"]
        assert "Thank you" in _answer(links["r1@panel.test"], 0)
        assert "Thank you" in _answer(links["r2@panel.test"], 0)
        assert "enough answers from people like you" in _answer(links["r3@panel.test"], 2)
        assert "Thank you" in _answer(links["e1@panel.test"], 2)

    result = json.loads(becoming("surveys", "results", sid, "--workspace", slug, "--format", "json").stdout)
    cells = {c["value"]: (c["count"], c["closed"]) for c in result["quotas"]}
    assert cells == {"Retail": (2, True), "Energy": (1, False)}
    # By hand: 2 Retail and 1 Energy answers raked to 40/60 weigh 0.4·3/2 = 0.6 and 0.6·3/1 = 1.8;
    # stages (from 1) 1, 1 and 3: unweighted mean 5/3, weighted (0.6 + 0.6 + 3·1.8) / 3 = 2.2;
    # effective sample size 3² / (0.6² + 0.6² + 1.8²) = 2.27.
    row = result["rows"][0]
    assert row["market"]["mean"] == 1.7 and row["weighted"]["mean"] == 2.2 and row["weighted"]["n"] == 3
    assert result["weighting"]["effective_n"] == 2.3
    assert (result["weighting"]["min"], result["weighting"]["max"]) == (0.6, 1.8)
    text = becoming("surveys", "results", sid, "--workspace", slug).stdout
    assert "quota industry=Retail: 2/2 closed" in text and "market 2.2 weighted (1.7 unweighted)" in text
