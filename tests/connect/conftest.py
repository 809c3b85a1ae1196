"""Fixtures of the connect tests: a real SMTP server on loopback, a small community."""

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
    """aiosmtpd on 127.0.0.1 and a free port; Django's SMTP backend points at it."""
    import socket

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
    yield inbox
    controller.stop()


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
