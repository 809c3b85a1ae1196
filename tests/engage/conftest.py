"""Fixtures of the engage tests. The named people and workspaces come from tests/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def engage_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # whitenoise would warn about a missing STATIC_ROOT; finders serve the app folders.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    return settings


# -- surveys: a real SMTP server on loopback, and a workspace ready to survey ------------------

class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd on 127.0.0.1 and a free port; Django's SMTP backend points at it.

    Yields the handler: `smtp_server.messages` are the received email.message objects.
    """
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


@pytest.fixture
def survey_ws(workspace, owner, small_model):
    """`workspace` with the small model and three customers (stages 0, 1, 1), each with a
    contact who has an email, plus one contact without an email."""
    from becoming.customers.models import Attribute, Contact, Customer
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    for i, stage in enumerate([0, 1, 1]):
        customer = Customer.objects.create(workspace=workspace, external_id=f"C{i}", name=f"Customer {i}",
                                           stages={"reporting": stage})
        Contact.objects.create(workspace=workspace, customer=customer, name=f"Person {i}",
                               email=f"person{i}@customer{i}.test")
    Contact.objects.create(workspace=workspace, customer=customer, name="No Mail")
    return workspace


@pytest.fixture
def survey(survey_ws, owner):
    """A draft survey with a required 1–5 scale and an optional single choice."""
    from becoming.engage.actions.surveys import add_question
    from becoming.engage.models import Survey

    s = Survey.objects.create(workspace=survey_ws, title="How is reporting going?", intro="Two questions.",
                              created_by=owner)
    add_question(s, key="confidence", text="How confident are you with reports?", kind="scale_5", required=True)
    add_question(s, key="next_step", text="What would help most?", kind="single",
                 choices=["Training", "Templates", "Nothing"])
    return s
