"""A workspace's name and currency: set on the members page and from the command line."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from becoming.workspaces.actions import create_workspace, update_workspace


def test_currency_is_checked_and_kept(db):
    ws = create_workspace("Euro Co", currency="eur")
    assert ws.currency == "EUR"
    with pytest.raises(ValidationError, match="three letters"):
        update_workspace(ws, currency="euro")
    ws.refresh_from_db()
    assert ws.currency == "EUR"


def test_admin_sets_name_and_currency_on_the_members_page(client, workspace, admin, member):
    client.force_login(admin)
    page = reverse("members", args=[workspace.slug])
    client.post(page, {"action": "workspace", "name": "Acme Europe", "currency": "chf"})
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency) == ("Acme Europe", "CHF")
    client.post(page, {"action": "workspace", "name": "Acme Europe", "currency": "12"})
    workspace.refresh_from_db()
    assert workspace.currency == "CHF"
    client.force_login(member)
    assert client.post(page, {"action": "workspace", "name": "X", "currency": "USD"}).status_code == 403


def test_cli_sets_the_currency(becoming):
    slug = becoming("workspace", "create", "Pound Co", "--currency", "GBP").stdout.strip()
    out = becoming("workspace", "update", "--workspace", slug, "--currency", "eur").stdout
    assert "money in EUR" in out
    bad = becoming("workspace", "update", "--workspace", slug, "--currency", "euros", ok=False)
    assert bad.returncode != 0 and "three letters" in bad.stderr
