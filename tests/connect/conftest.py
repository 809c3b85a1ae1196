"""Fixtures of the connect tests: a real SMTP server on loopback, a small community."""

import pytest

WORK = {
    "north": "rolling out the platform to a second plant and training shift leads",
    "south": "rolling out the platform to a second plant next quarter",
    "east": "automating invoice approval for the finance team",
    "west": "automating invoice approval and supplier payments",
    "mid": "reporting carbon emissions to regulators",
    "far": "reporting carbon emissions for the annual audit",
}


@pytest.fixture
def community(workspace, owner):
    """Six opted-in members, each with a contact who has an email, in three pairs of alike work."""
    from becoming.connect.actions.members import opt_in
    from becoming.customers.models import Attribute, Contact, Customer

    Attribute.objects.create(workspace=workspace, name="Work", type="text")
    customers = []
    for key, text in WORK.items():
        c = Customer.objects.create(workspace=workspace, external_id=key, name=f"{key.title()} Works",
                                    attributes={"Work": text})
        Contact.objects.create(workspace=workspace, customer=c, name=f"{key.title()} Lead",
                               email=f"lead@{key}.test")
        customers.append(c)
    opt_in(workspace, customers, how="staff", by=owner.email, note="asked at the user day")
    return workspace
