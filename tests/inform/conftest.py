"""Fixtures of the inform tests: a real SMTP server on loopback, and a small library."""

import socket

import pytest


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.INFORM_SEND_RATE = 0
    yield inbox
    controller.stop()


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
