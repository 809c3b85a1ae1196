"""Fixtures of the portal tests: a real SMTP server on loopback and a small history."""

import socket

import pytest
from portal_data import build


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    return settings


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd on 127.0.0.1 and a free port; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
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
def history(workspace, owner, small_model):
    """The four customers with their signals and month-end snapshots."""
    return build(workspace, owner, small_model)


@pytest.fixture
def people(workspace, owner, small_model):
    """The four customers and their contacts, the model applied, no signals or snapshots."""
    return build(workspace, owner, small_model, with_history=False)


@pytest.fixture
def full(history, owner):
    """The history, plus something for every registered portal section of customer A: an
    accepted goal, a published story (of C, not consented), a survey waiting, a self-assessment.
    B's goal is accepted too (the isolation test tries it)."""
    import datetime as dt

    from django.utils import timezone

    from becoming.engage.actions.surveys import self_assessment
    from becoming.engage.models import Invitation, Survey
    from becoming.inspire.actions.goals import save_proposals, update_goal
    from becoming.inspire.actions.stories import draft_stories, edit_story
    from becoming.inspire.models import Goal, Story

    ws = history["customers"]["A"].workspace
    save_proposals(ws)
    for key in ("A", "B"):
        goal = Goal.objects.filter(customer=history["customers"][key]).first()
        update_goal(goal, user=owner, status="accepted")
    draft_stories(ws)
    for story in Story.objects.filter(customer=history["customers"]["C"]):
        edit_story(story, status="published")
    survey = self_assessment(ws, owner)
    survey.status = Survey.Status.OPEN
    survey.save()
    for key in ("A", "B"):
        Invitation.objects.create(survey=survey, contact=history["contacts"][key],
                                  expires=timezone.now() + dt.timedelta(days=5))
    history["survey"] = survey
    return history
