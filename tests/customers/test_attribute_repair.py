"""An attribute can be renamed or dropped from the command line and the API."""

import pytest
from test_api import Api

from becoming.customers.actions import upsert_customer
from becoming.customers.models import Customer


def test_rename_and_drop_through_the_cli(becoming, tmp_path):
    slug = becoming("workspace", "create", "Repair Co").stdout.strip()
    data = tmp_path / "c.csv"
    data.write_text("id,Plan ,seats\nA-1,pro,3\nA-2,free,\n")
    becoming("import", "customers", data, "--workspace", slug)
    out = becoming("attribute", "rename", "Plan ", "plan", "--workspace", slug).stdout
    assert "renamed 'Plan ' to 'plan' (2 customers" in out
    assert "dropped 'seats' (1 customers" in becoming("attribute", "drop", "seats", "--workspace", slug).stdout
    bad = becoming("attribute", "drop", "seats", "--workspace", slug, ok=False)
    assert bad.returncode == 1 and "seats" in bad.stderr


@pytest.mark.django_db
def test_rename_and_drop_through_the_api(workspace):
    upsert_customer(workspace, "A-1", attributes={"tier": "gold", "seats": 3})
    api = Api(workspace)
    renamed = api.patch("/attributes/tier", {"name": "level"})
    assert renamed.status_code == 200 and renamed.json() == {"name": "level", "customers": 1}
    assert Customer.objects.get(external_id="A-1").attributes == {"level": "gold", "seats": 3}
    assert api.delete("/attributes/seats").json() == {"name": "seats", "customers": 1}
    missing = api.delete("/attributes/seats")
    assert missing.status_code == 400 and "seats" in missing.json()["message"]
    assert Api(workspace, role="member").delete("/attributes/level").status_code == 403
