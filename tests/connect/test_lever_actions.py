"""Connect's actions in the lever-effect analysis: named, and offered to members only."""

from becoming import registry
from becoming.connect.actions.members import may_be_introduced, opt_in
from becoming.customers.actions import upsert_customer


def test_introductions_are_offered_to_opted_in_members_only(workspace, owner):
    a, _ = upsert_customer(workspace, "A-1")
    b, _ = upsert_customer(workspace, "B-2")
    opt_in(workspace, [a], how="staff", by=owner.email)
    assert registry.LEVER_ACTIONS["inform.attend"].label == "Webinars attended"
    assert may_be_introduced(workspace, [a.pk, b.pk]) == [a.pk]
    entry = registry.LEVER_ACTIONS["connect.accepted"]
    assert entry.label == "Introductions accepted"
    assert registry.resolve(entry.check)(workspace, [b.pk, a.pk]) == [a.pk]
