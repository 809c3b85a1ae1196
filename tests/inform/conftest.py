"""Fixtures of the inform tests: a real SMTP server on loopback, and a small library."""


import pytest


@pytest.fixture
def library_ws(workspace, owner, small_model):
    """The small model (reporting: starting → trying → regular), four customers at stages
    0, 0, 1, 2 each with a contact, and three items: one for starters, one for triers, one
    untargeted; customer C0 has read the starters' item."""
    from becoming.customers.models import Attribute, Contact, Customer
    from becoming.inform.actions.content import save_item
    from becoming.inform.actions.interactions import record
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    for i, stage in enumerate([0, 0, 1, 2]):
        customer = Customer.objects.create(workspace=workspace, external_id=f"C{i}", name=f"Customer {i}",
                                           stages={"reporting": stage})
        Contact.objects.create(workspace=workspace, customer=customer, name=f"Person {i}",
                               email=f"person{i}@customer{i}.test")
    first = save_item(workspace, {"external_id": "first-report", "title": "Your first report", "kind": "article",
                                  "url": "https://example.test/first", "dimension": "reporting", "stage": "starting",
                                  "tags": "reports"})
    save_item(workspace, {"external_id": "weekly", "title": "A weekly reporting habit", "kind": "case study",
                          "dimension": "reporting", "stage": "trying", "body": "Read **this**.",
                          "tags": "reports, habits"})
    save_item(workspace, {"external_id": "news", "title": "Industry news", "kind": "link",
                          "url": "https://example.test/news"})
    record(workspace, first, Customer.objects.get(workspace=workspace, external_id="C0"), "view", key="seed-view")
    return workspace


@pytest.fixture
def smtp_server(smtp_server, settings):
    """The shared SMTP server on loopback, with sending unpaced (INFORM_SEND_RATE = 0)."""
    settings.INFORM_SEND_RATE = 0
    return smtp_server
