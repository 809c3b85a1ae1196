"""A form's `next` is followed only when it is a path on this site (no open redirect)."""

import pytest
from django.urls import reverse

from becoming.engage.models import Theme


@pytest.fixture
def theme(workspace):
    return Theme.objects.create(workspace=workspace, key="T1", label="billing", centroid=b"\0" * 1536)


@pytest.mark.parametrize("wanted", ["https://evil.test/x", "//evil.test/x", "/\\evil.test", "javascript:alert(1)"])
def test_rename_refuses_to_redirect_off_site(client, member, workspace, theme, wanted):
    client.force_login(member)
    r = client.post(reverse("theme_rename", args=[workspace.slug, theme.pk]),
                    {"name": "Invoices", "next": wanted})
    assert r.status_code == 302 and r["Location"] == reverse("theme", args=[workspace.slug, theme.pk])


def test_rename_follows_a_path_on_this_site(client, member, workspace, theme):
    client.force_login(member)
    back = reverse("themes", args=[workspace.slug]) + "?rank=trend"
    r = client.post(reverse("theme_rename", args=[workspace.slug, theme.pk]),
                    {"name": "Invoices", "next": back})
    assert r.status_code == 302 and r["Location"] == back
