"""`becoming customers set|note|notes`, `becoming import customers --owner-column ...` and
`becoming alerts ...`, through the installed entry point."""

import datetime as dt


def test_accounts_from_the_command_line(becoming, tmp_path):
    slug = becoming("workspace", "create", "Accounts Co").stdout.strip()
    becoming("user", "create", "csm@accounts.test", "--workspace", slug, "--role", "member",
             "--password-stdin", stdin="plum-orbit-cactus-42\n")
    soon = dt.date.today() + dt.timedelta(days=20)
    data = tmp_path / "customers.csv"
    data.write_text(f"id,name,owner,Churn,arr,renews\nA1,Alpha,csm@accounts.test,No,1000,{soon}\n"
                    "A2,Beta,,Yes,,\n")
    out = becoming("import", "customers", data, "--workspace", slug, "--owner-column", "owner",
                   "--churn-column", "Churn", "--arr-column", "arr", "--renewal-column", "renews")
    assert "2 customers: 2 created" in out.stdout

    shown = becoming("customers", "set", "A2", "--workspace", slug, "--status", "trial",
                     "--owner", "csm@accounts.test", "--arr", "250").stdout
    assert "A2: owner csm@accounts.test, trial, ARR 250.00 USD" in shown
    bad = becoming("customers", "set", "A2", "--workspace", slug, "--owner", "x@y.test", ok=False)
    assert bad.returncode == 1 and "'x@y.test' is not a member" in bad.stderr

    becoming("customers", "note", "A1", "Kick-off done", "--workspace", slug, "--author", "csm@accounts.test")
    assert "csm@accounts.test\tKick-off done" in becoming("customers", "notes", "A1", "--workspace", slug).stdout

    becoming("alerts", "settings", "--workspace", slug, "--renewal-days", "30")
    checked = becoming("alerts", "check", "--workspace", slug, "--no-email").stdout
    assert "1 new alerts" in checked
    listed = becoming("alerts", "list", "--workspace", slug).stdout
    alert_id, _, customer, owner, message = listed.strip().split("\t")
    assert (customer, owner) == ("A1", "csm@accounts.test") and "Renews in 20 days" in message
    becoming("alerts", "dismiss", alert_id, "--workspace", slug)
    assert becoming("alerts", "list", "--workspace", slug).stdout == ""
